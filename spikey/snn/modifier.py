"""Parameter schedules: a key's value as a function of the episode number.

A network applies its modifiers when told the training episode
(``Network.set_episode``, which a training loop calls), validated as
``Network.set_key`` validates a value. It checks every schedule at
construction, at the episodes :meth:`Modifier.checked_episodes` gives, so a
schedule that would leave its key's range fails at once, naming the modifier.
"""
from __future__ import annotations

import numpy as np

from spikey.module import KEY_NAMES, InstanceOf, Interval, Key, Module, unknown_key_error

CHECKED_EPISODES = 1000
"""Schedules are checked at every episode up to this ``t_stop``, else at this many + 1 evenly spaced ones."""

SCHEDULE_KEYS = (
    Key("key", InstanceOf(str, "the name of a key some part, network or game declares", lambda name: name in KEY_NAMES),
        "The network key this schedule sets."),
    Key("t_stop", Interval(int, 1, None), "Episode at which the schedule reaches value_stop."),
    Key("value_start", Interval(float), "Value at episode 0."),
    Key("value_stop", Interval(float), "Value from episode t_stop on."),
)


class Modifier(Module):
    """Base of schedules; subclasses implement ``value(episode)``."""

    NECESSARY_KEYS = SCHEDULE_KEYS

    def __init__(self, **config):
        for name in config:
            if name not in {key.name for key in self.NECESSARY_KEYS}:
                raise unknown_key_error(name, [key.name for key in self.NECESSARY_KEYS], type(self).__name__)
        super().__init__(**config)

    def value(self, episode: int) -> float:
        """The key's value during ``episode`` (0-based)."""
        raise NotImplementedError

    def checked_episodes(self) -> np.ndarray:
        """The episodes at which a network checks this schedule at construction, int64 (n,).

        Every episode from 0 to ``t_stop`` when ``t_stop`` is at most
        ``CHECKED_EPISODES``, else ``CHECKED_EPISODES + 1`` evenly spaced
        episodes, 0 and ``t_stop`` included.
        """
        t_stop = self.params.t_stop
        if t_stop <= CHECKED_EPISODES:
            return np.arange(t_stop + 1)
        return np.linspace(0, t_stop, CHECKED_EPISODES + 1).round().astype(np.int64)

    def change(self, episode) -> tuple:
        """The change this schedule asks of a network during ``episode``: ``(key, value, source)``.

        Parameters
        ----------
        episode : int or ndarray of shape (B,)
            The episode, or one per network of the batch.

        Returns
        -------
        key : str
        value : float or ndarray of shape (B,)
            One value, or one per network where the episodes give different ones.
        source : str
            Names the modifier, its key, the episode and the value, to begin an error message.
        """
        values = np.array([self.value(int(e)) for e in np.atleast_1d(episode)])
        value = values[0].item() if np.all(values == values[0]) else values
        when = f"episode {int(episode)}" if np.ndim(episode) == 0 else f"episodes {np.asarray(episode).tolist()}"
        key, source = self.params.key, f"{type(self).__name__}(key={self.params.key!r}) gives {value!r} at {when}"
        if isinstance(value, float) and value.is_integer():  # an int key takes whole values; a float key widens them
            value = int(value)
        return key, value, source


class LinearDecay(Modifier):
    """Moves linearly from ``value_start`` at episode 0 to ``value_stop`` at ``t_stop``, then holds.

    Examples
    --------
    >>> decay = LinearDecay(key="learning_rate", t_stop=10, value_start=1.0, value_stop=0.0)
    >>> [decay.value(t) for t in (0, 5, 10, 20)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def value(self, episode):
        p = self.params
        fraction = min(episode, p.t_stop) / p.t_stop
        return p.value_start + (p.value_stop - p.value_start) * fraction


class DropOff(Modifier):
    """Holds ``value_start`` before episode ``t_stop`` and ``value_stop`` from then on.

    Examples
    --------
    >>> drop = DropOff(key="prob_rand_fire", t_stop=3, value_start=0.1, value_stop=0.0)
    >>> [drop.value(t) for t in range(5)]
    [0.1, 0.1, 0.1, 0.0, 0.0]
    """

    def value(self, episode):
        return self.params.value_start if episode < self.params.t_stop else self.params.value_stop
