"""Reward for matching the game's expected action, e.g. the truth table of a logic gate."""
from __future__ import annotations

import numpy as np

from spikey.keys import EXPECTED_VALUE
from spikey.module import InvalidParameterError
from spikey.snn.reward.template import Reward

_ANSWER_VALUES = {"b": "0, 1, False or True", "i": "whole numbers", "u": "whole numbers >= 0", "f": "real numbers"}


def _comparable_actions(actions, answers: np.ndarray, owner: str) -> np.ndarray:
    """``actions`` as an array, if it holds one value per answer that the answers' dtype holds unchanged.

    An action of another kind than the answers (None, a str for numeric
    answers) or that converting to their dtype changes (7 or 0.5 for bool
    answers, 2.5 for integer ones, NaN) could never equal an answer.

    Raises
    ------
    InvalidParameterError
        Naming ``owner``, the answers' dtype and the values it takes.
    """
    array = np.asarray(actions)
    if array.shape == answers.shape and _comparable(array, answers.dtype):
        return array
    values = _ANSWER_VALUES.get(answers.dtype.kind, f"values of dtype {answers.dtype}")
    raise InvalidParameterError(
        f"The actions given to {owner} must be one per state, shape {answers.shape}, each comparable with the "
        f"{answers.dtype} answers of expected_value: {values}. Got {actions!r} instead."
    )


def _comparable(array: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value of ``array`` is unchanged by conversion to ``dtype`` (non-numbers: the same kind)."""
    if array.dtype.kind not in "biuf" or dtype.kind not in "biuf":
        return array.dtype.kind == dtype.kind
    with np.errstate(invalid="ignore", over="ignore"):
        return np.array_equal(array.astype(dtype), array)


class MatchExpected(Reward):
    """``reward_mult`` when ``action == expected_value(state)``, else ``-punish_mult``.

    An action is refused (:class:`~spikey.module.InvalidParameterError`) if it
    could never equal an answer: for the bool answers of a logic gate,
    anything but 0, 1, False or True.

    Examples
    --------
    >>> xor = lambda s: np.logical_xor(s[:, 0], s[:, 1])
    >>> rewarder = MatchExpected(expected_value=xor, reward_mult=1.0, punish_mult=1.0)
    >>> rewarder(np.array([[0, 1], [1, 1]]), np.array([1, 1]))
    array([ 1., -1.])
    >>> rewarder(np.array([[0, 1], [1, 1]]), np.array([1, 7]))
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: The actions given to MatchExpected must be one per state, shape (2,), each comparable with the bool answers of expected_value: 0, 1, False or True. Got array([1, 7]) instead.
    """

    NECESSARY_KEYS = Reward.extend_keys(EXPECTED_VALUE)

    def __call__(self, states, actions, next_states=None):
        return self.scorer(states)(actions)

    def scorer(self, states):
        """Score actions against ``expected_value(states)``, computed once; see :meth:`Reward.scorer`.

        Raises
        ------
        InvalidParameterError
            If ``expected_value`` does not give one answer per state, shape (B,).
        """
        states = np.asarray(states)
        expected = np.asarray(self.params.expected_value(states))
        if expected.shape != states.shape[:1]:
            raise InvalidParameterError(
                f"{type(self).__name__}: expected_value must give one answer per state, shape {states.shape[:1]}; "
                f"for states of shape {states.shape} it gave shape {expected.shape}."
            )
        owner = type(self).__name__
        return lambda actions: self.reward_or_punish(_comparable_actions(actions, expected, owner) == expected)
