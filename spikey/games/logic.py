"""Logic gates as a game: answer the gate's output for two random input bits.

Each step shows a new pattern of two bits from ``self.np_random``: drawn
uniformly (``pattern_order="uniform"``) or, as Florian (2007) trains XOR, in
epochs of the four patterns, each epoch in a fresh random order
(``"epochs"``). The action is the answer (0/False or 1/True) for the pattern
shown before the step, rewarded 1.0 when it equals
``expected_value(pattern)``. The gate functions are vectorized over a leading
batch axis, so a network with ``batch_size=B`` can judge B patterns at once.
"""
from __future__ import annotations

import gymnasium
import numpy as np
from gymnasium import spaces

from spikey.keys import EXPECTED_VALUE
from spikey.games.template import Game, discrete_action, max_steps_key
from spikey.module import InvalidParameterError, Key, Options

__all__ = ["Logic", "logical_and", "logical_or", "logical_xor"]

ALL_PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int8)


def logical_and(states: np.ndarray) -> np.ndarray:
    """AND of the two bits of each state: (..., 2) -> bool (...)."""
    return np.logical_and(states[..., 0], states[..., 1])


def logical_or(states: np.ndarray) -> np.ndarray:
    """OR of the two bits of each state: (..., 2) -> bool (...)."""
    return np.logical_or(states[..., 0], states[..., 1])


def logical_xor(states: np.ndarray) -> np.ndarray:
    """XOR of the two bits of each state: (..., 2) -> bool (...)."""
    return np.logical_xor(states[..., 0], states[..., 1])


def _answer_problem(answers):
    """What is wrong with the answers to the four patterns, or None: an array (4,) of 0, 1, False or True."""
    if isinstance(answers, Exception):
        return answers
    if answers.shape != (4,):
        return f"shape {answers.shape}"
    if answers.dtype.kind not in "biuf" or not np.isin(answers, (0, 1)).all():
        return answers
    return None


def _check_vectorized(expected_value) -> None:
    """Refuse an ``expected_value`` that does not answer the four patterns at once with actions of Discrete(2).

    Raises
    ------
    InvalidParameterError
        ``expected_value`` raises on the patterns of shape (4, 2), or does not
        return an array of shape (4,) holding only 0, 1, False or True.
    """
    try:
        answers = np.asarray(expected_value(ALL_PATTERNS.copy()))
    except Exception as error:  # noqa: BLE001 - report any failure as a bad key value
        answers = error
    problem = _answer_problem(answers)
    if problem is not None:
        raise InvalidParameterError(
            f"The 'expected_value' parameter of Logic must be vectorized: f(states of shape (4, 2)) "
            f"must return an array of shape (4,) of answers 0, 1, False or True. Got {problem!r} instead."
        )


class Logic(Game):
    """Mimic a two-input logic gate.

    Observation: ``np.ndarray`` of shape (2,), dtype int8, values in {0, 1}
    (``MultiBinary(2)``). Action: ``Discrete(2)``, the answer for the previous
    observation; numpy bools and ints are accepted. Reward: 1.0 for the right
    answer, else 0.0. Never terminates; truncated after ``max_steps`` steps.

    Parameters
    ----------
    preset : {"AND", "OR", "XOR"}, optional
        Sets ``expected_value`` to :func:`logical_and`, :func:`logical_or` or
        :func:`logical_xor`. Without a preset, ``expected_value`` must be given.
    expected_value : callable
        Correct answers for a batch of states: ``f(states of shape (B, 2)) ->
        bool array (B,)`` (or 0 and 1). Kept in ``params`` for the network's
        reward part. Use a module-level function, not a lambda, so the game
        pickles.
    max_steps : int, default 100
        Steps after which an episode is truncated.
    pattern_order : {"uniform", "epochs"}, default "uniform"
        Each pattern drawn uniformly, or epochs of the four patterns in random order.

    Raises
    ------
    InvalidParameterError
        A key is out of its range, or ``expected_value`` does not answer the
        four patterns at once with 0, 1, False or True.

    Examples
    --------
    >>> game = Logic(preset="XOR")
    >>> obs, info = game.reset(seed=0)
    >>> obs.shape, obs.dtype
    ((2,), dtype('int8'))
    >>> answer = game.params.expected_value(obs[None])[0]
    >>> _, reward, terminated, truncated, _ = game.step(answer)
    >>> reward, terminated, truncated
    (1.0, False, False)
    >>> game.params.expected_value(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
    array([False,  True,  True, False])
    """

    NECESSARY_KEYS = (
        EXPECTED_VALUE,
        max_steps_key(100),
        Key("pattern_order", Options("uniform", "epochs"),
            "How patterns follow each other: 'uniform', each drawn uniformly at random; 'epochs', the four patterns "
            "once per epoch of four steps, in a random order per epoch (Florian 2007).", default="uniform"),
    )
    PRESETS = {
        "AND": {"expected_value": logical_and},
        "OR": {"expected_value": logical_or},
        "XOR": {"expected_value": logical_xor},
    }
    metadata = {"render_modes": []}

    def __init__(self, preset: str | None = None, render_mode: str | None = None, **kwargs):
        super().__init__(preset, render_mode, **kwargs)
        _check_vectorized(self.params.expected_value)
        self.observation_space = spaces.MultiBinary(2)
        self.action_space = spaces.Discrete(2)
        self._state = None
        self._steps = 0
        self._epoch = []

    def _draw_state(self) -> np.ndarray:
        if self.params.pattern_order == "uniform":
            return self.np_random.integers(0, 2, size=2, dtype=np.int8)
        if not self._epoch:
            self._epoch = list(ALL_PATTERNS[self.np_random.permutation(4)])
        return self._epoch.pop(0).copy()

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode; return ``(state of shape (2,), {})``."""
        super().reset(seed=seed)
        self._epoch = []
        self._state = self._draw_state()
        self._steps = 0
        return self._state.copy(), {}

    def step(self, action):
        """Answer the current state; return ``(next_state, reward, False, truncated, {})``."""
        if self._state is None:
            raise gymnasium.error.ResetNeeded("Call Logic.reset() before Logic.step().")
        answer = discrete_action(action, 2, "Logic")
        expected = bool(np.asarray(self.params.expected_value(self._state[None])).reshape(-1)[0])
        reward = 1.0 if answer == int(expected) else 0.0
        self._steps += 1
        self._state = self._draw_state()
        return self._state.copy(), reward, False, self._steps >= self.params.max_steps, {}
