"""Reward for matching the game's expected action, e.g. the truth table of a logic gate."""
from __future__ import annotations

import numpy as np

from spikey.keys import EXPECTED_VALUE
from spikey.snn.reward.template import Reward


class MatchExpected(Reward):
    """``reward_mult`` when ``action == expected_value(state)``, else ``-punish_mult``.

    Examples
    --------
    >>> xor = lambda s: np.logical_xor(s[:, 0], s[:, 1])
    >>> rewarder = MatchExpected(expected_value=xor, reward_mult=1.0, punish_mult=1.0)
    >>> rewarder(np.array([[0, 1], [1, 1]]), np.array([1, 1]))
    array([ 1., -1.])
    """

    NECESSARY_KEYS = Reward.extend_keys(EXPECTED_VALUE)

    def __call__(self, states, actions, next_states=None):
        expected = np.asarray(self.params.expected_value(np.asarray(states)))
        return self.reward_or_punish(np.asarray(actions) == expected)
