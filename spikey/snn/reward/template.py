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

    def reward_or_punish(self, correct: np.ndarray) -> np.ndarray:
        """``reward_mult`` where correct, ``-punish_mult`` elsewhere, float64 (B,)."""
        return np.where(correct, self.params.reward_mult, -self.params.punish_mult)
