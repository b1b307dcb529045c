"""Rewarder base: the reward each network earns for its actions."""
from __future__ import annotations

import numpy as np

from spikey.module import Interval, Key, Module


class Reward(Module):
    """Base class of rewarders; ``__call__(states, actions, next_states) -> rewards (B,)``.

    Correct behaviour earns ``reward_mult``; wrong behaviour earns ``-punish_mult``.
    """

    NECESSARY_KEYS = (
        Key("reward_mult", Interval(float, 0, None), "Reward for a correct action.", default=1.0),
        Key("punish_mult", Interval(float, 0, None), "Magnitude of the (negative) reward for a wrong action.",
            default=0.0),
    )

    def __call__(self, states: np.ndarray, actions: np.ndarray, next_states: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def scorer(self, states: np.ndarray):
        """The reward of actions taken in ``states``, as a function of the actions alone.

        A network rewarded at every output spike asks once per tick, before
        it runs, so states the rewarder cannot score are refused before
        anything changes, and what depends on the states alone is computed
        once. The base scores with ``self(states, actions)``.

        Parameters
        ----------
        states : numpy.ndarray of shape (B, ...)
            The tick's observations, one per network.

        Returns
        -------
        callable
            ``score(actions) -> rewards``, float64 (B,).

        Raises
        ------
        InvalidParameterError
            If the rewarder cannot score ``states`` (a subclass's check).
        """
        return lambda actions: self(states, actions)

    def reward_or_punish(self, correct: np.ndarray) -> np.ndarray:
        """``reward_mult`` where correct, ``-punish_mult`` elsewhere, float64 (B,)."""
        return np.where(correct, self.params.reward_mult, -self.params.punish_mult)
