"""A stream of random states, for conditioning experiments without a task.

Each step presents one of ``n_states`` states (stimuli) drawn uniformly from
``self.np_random``, independent of the action, and gives reward 0. This is the
stimulus stream of Izhikevich (2007)'s classical-conditioning experiments,
where 100 stimuli S1..S100 are shown in random order and a separate reward
part delivers dopamine after a chosen stimulus: the game only supplies the
states; which state is rewarded, and when, is the network's reward part's job.

References
----------
E. M. Izhikevich, "Solving the distal reward problem through linkage of STDP
and dopamine signaling", Cerebral Cortex 17(10): 2443-2452, 2007.
"""
from __future__ import annotations

import gymnasium
import numpy as np
from gymnasium import spaces

from spikey.games.template import Game, discrete_action, max_steps_key
from spikey.module import InvalidParameterError, Interval, Key, Options

__all__ = ["RandState"]

MAX_ONE_HOT_STATES = 2**20
"""Most states a one-hot observation holds: 1 MiB per observation, and a network reading it needs one input per
state (8 MiB of float64 weights per neuron)."""


def _check_one_hot_size(p) -> None:
    """Refuse one-hot observations too long to build.

    Raises
    ------
    InvalidParameterError
        ``encoding`` is "one_hot" and ``n_states`` exceeds ``MAX_ONE_HOT_STATES``.
    """
    if p.encoding == "one_hot" and p.n_states > MAX_ONE_HOT_STATES:
        raise InvalidParameterError(
            f"The 'n_states' parameter of RandState must be at most 2**20 = {MAX_ONE_HOT_STATES} with "
            f"encoding='one_hot' (each observation holds n_states values). Got {p.n_states} instead."
        )


class RandState(Game):
    """A state drawn at random each step; actions are ignored and reward is 0.

    Observation: with ``encoding="index"`` the state's index, an ``np.int64``
    in ``Discrete(n_states)``; with ``encoding="one_hot"`` an int8 vector of
    shape (n_states,) with a single 1 (``MultiBinary(n_states)``). Action:
    ``Discrete(2)``, checked but ignored. Never terminates; truncated after
    ``max_steps`` steps.

    Parameters
    ----------
    n_states : int, default 100
        Number of distinct states; 100 as the stimuli of Izhikevich (2007). At
        most 2**63 - 1, as numpy's int64 generator draws the index; at most
        2**20 with ``encoding="one_hot"``.
    encoding : {"index", "one_hot"}, default "index"
        Observation format.
    max_steps : int, default 100
        Steps after which an episode is truncated.

    Raises
    ------
    InvalidParameterError
        A key is out of its range, or ``n_states`` exceeds 2**20 with
        ``encoding="one_hot"``.

    Examples
    --------
    >>> game = RandState(n_states=5, encoding="one_hot")
    >>> obs, info = game.reset(seed=0)
    >>> obs.shape, int(obs.sum())
    ((5,), 1)
    >>> _, reward, terminated, truncated, _ = game.step(0)
    >>> reward, terminated, truncated
    (0.0, False, False)
    """

    NECESSARY_KEYS = (
        Key("n_states", Interval(int, 1, None),
            "Number of distinct states (stimuli) drawn from; within int64, as numpy's generator draws the index, "
            "and at most 2**20 with encoding='one_hot', where each observation holds n_states values.", default=100),
        Key(
            "encoding",
            Options("index", "one_hot"),
            "Observation format: the state's index (Discrete) or a one-hot vector (MultiBinary).",
            default="index",
        ),
        max_steps_key(100),
    )
    metadata = {"render_modes": []}

    def __init__(self, preset: str | None = None, render_mode: str | None = None, **kwargs):
        super().__init__(preset, render_mode, **kwargs)
        _check_one_hot_size(self.params)
        n = self.params.n_states
        self.observation_space = spaces.Discrete(n) if self.params.encoding == "index" else spaces.MultiBinary(n)
        self.action_space = spaces.Discrete(2)
        self._steps = None

    def _draw_state(self):
        index = np.int64(self.np_random.integers(self.params.n_states))
        if self.params.encoding == "index":
            return index
        one_hot = np.zeros(self.params.n_states, dtype=np.int8)
        one_hot[index] = 1
        return one_hot

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode; return ``(state, {})``."""
        super().reset(seed=seed)
        self._steps = 0
        return self._draw_state(), {}

    def step(self, action):
        """Ignore ``action``; return ``(new random state, 0.0, False, truncated, {})``."""
        if self._steps is None:
            raise gymnasium.error.ResetNeeded("Call RandState.reset() before RandState.step().")
        discrete_action(action, 2, "RandState")
        self._steps += 1
        return self._draw_state(), 0.0, False, self._steps >= self.params.max_steps, {}
