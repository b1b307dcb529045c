"""Callbacks: what a training loop records, and hooks to record more without editing the loop.

A loop calls its callback at fixed points: ``reset`` before the first
episode, ``on_tick`` after each network tick, ``on_step`` after each game
step (with the game's reward and the reward the network learned from),
``on_episode_end`` when networks of the batch end an episode, and
``training_end`` after the last. :class:`ExperimentCallback` keeps per-episode
``results`` (scalars, one row per episode and network) and ``info`` (arrays);
:class:`RLCallback` fills the usual reinforcement-learning results.
:meth:`ExperimentCallback.monitor` records any signal of the network at every
step, tick or episode.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ExperimentCallback", "RLCallback"]

EVERY = ("step", "tick", "episode")


class ExperimentCallback:
    """Records a training loop: per-episode ``results`` and ``info``, and any monitored signal.

    Attributes
    ----------
    results : dict of str -> ndarray of shape (n_episodes, B)
        One scalar per episode and network, filled by subclasses.
    info : dict of str -> ndarray
        Arrays: each monitor's records, stacked, under its name.

    Examples
    --------
    >>> callback = ExperimentCallback()
    >>> callback.monitor("potential", lambda net: net.state["neurons"].potential.copy(), every="tick")
    >>> sorted(callback.monitors)
    ['potential']
    """

    def __init__(self):
        self.monitors = {}
        self.results, self.info = {}, {}

    def monitor(self, name: str, signal, every: str = "tick"):
        """Record ``signal`` at every step, tick or episode end, into ``info[name]``.

        Parameters
        ----------
        name : str
        signal : callable
            ``signal(network)`` for ``every="tick"`` or ``"episode"``: any
            part's state (``network.state[...]``), the weights, a key; for
            ``every="step"``, ``signal(neuron_state, spikes)`` with the body
            neurons' state and spikes (B, n_neurons) of the timestep. Return
            an array or a number; copy arrays that change in place.
        every : {"step", "tick", "episode"}

        Raises
        ------
        ValueError
            For an unknown ``every``, a name taken, or a signal that is not callable.
        """
        if every not in EVERY:
            raise ValueError(f"monitor: every must be one of {EVERY}; got {every!r}.")
        if name in self.monitors or not callable(signal):
            raise ValueError(f"monitor: {name!r} is taken or its signal {signal!r} is not callable.")
        self.monitors[name] = (signal, every)

    # hooks -------------------------------------------------------------------------------------------
    def reset(self, network, game, n_episodes: int):
        """Before the first episode: empty results and monitor records, step monitors attached."""
        self.n_episodes, self.batch_size = n_episodes, network.params.batch_size
        self.results, self.info, self._records = {}, {}, {name: [] for name in self.monitors}
        network.step_monitors = [
            (lambda neuron_state, spikes, name=name, signal=signal: self._records[name].append(signal(neuron_state, spikes)))
            for name, (signal, every) in self.monitors.items() if every == "step"
        ]

    def on_tick(self, network, observations, actions):
        self._record(network, "tick")

    def on_step(self, observations, actions, game_rewards, rewards, terminated, truncated):
        """After a game step: arrays (B,) of game rewards, learned rewards (NaN: none) and episode ends."""

    def on_episode_end(self, network, copies, episodes):
        """``copies`` (B,) bool ended the episodes ``episodes`` (B,) (0-based; only where ``copies``)."""
        self._record(network, "episode")

    def training_end(self, network):
        """After the last episode: monitor records stacked into ``info``."""
        network.step_monitors = []
        for name, records in self._records.items():
            self.info[name] = np.asarray(records)

    def _record(self, network, every):
        for name, (signal, when) in self.monitors.items():
            if when == every:
                self._records[name].append(np.asarray(signal(network)))

    def __iter__(self):
        return iter((self.results, self.info))


class RLCallback(ExperimentCallback):
    """Per episode and network: total game reward, total learned reward, steps, output firing rate.

    ``results`` holds arrays (n_episodes, B): ``total_reward`` (the game's
    reward), ``total_learning_reward`` (the reward the network learned from,
    from its rewarder or the game; 0 for a network that is not an RLNetwork),
    ``steps`` (game steps in the episode) and ``output_rate`` (mean firing rate
    of the output neurons over the episode's ticks, in Hz).

    Examples
    --------
    >>> callback = RLCallback()
    >>> callback.results
    {}
    """

    def reset(self, network, game, n_episodes):
        super().reset(network, game, n_episodes)
        shape = (n_episodes, self.batch_size)
        self.results = {name: np.zeros(shape) for name in ("total_reward", "total_learning_reward", "steps",
                                                            "output_rate")}
        self._episode = np.zeros(self.batch_size, dtype=np.int64)
        self._spikes = np.zeros(self.batch_size)
        self._processing_time = network.params.processing_time

    def on_tick(self, network, observations, actions):
        super().on_tick(network, observations, actions)
        self._spikes += network.spike_log[:, :, -network.params.n_outputs:].mean(axis=2).sum(axis=0)

    def on_step(self, observations, actions, game_rewards, rewards, terminated, truncated):
        playing = self._episode < self.n_episodes
        row, networks = self._episode[playing], np.flatnonzero(playing)
        self.results["total_reward"][row, networks] += game_rewards[playing]
        self.results["total_learning_reward"][row, networks] += np.nan_to_num(rewards[playing])
        self.results["steps"][row, networks] += 1

    def on_episode_end(self, network, copies, episodes):
        super().on_episode_end(network, copies, episodes)
        counted = copies & (episodes < self.n_episodes)
        rows, networks = episodes[counted], np.flatnonzero(counted)
        duration = self.results["steps"][rows, networks] * self._processing_time
        self.results["output_rate"][rows, networks] = self._spikes[networks] * 1000.0 / duration
        self._spikes[copies] = 0.0
        self._episode[copies] = episodes[copies] + 1
