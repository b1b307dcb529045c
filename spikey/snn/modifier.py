"""Parameter schedules: a key's value as a function of the episode number.

A network applies its modifiers when told the training episode
(``Network.set_episode``, which a training loop calls), through
``Network.set_key``, so the scheduled value is validated like any other.
"""
from __future__ import annotations

from spikey.module import InstanceOf, Interval, Key, Module, unknown_key_error

SCHEDULE_KEYS = (
    Key("key", InstanceOf(str, "a key name"), "The network key this schedule sets."),
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
