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
from spikey.module import Interval, Key, Options

__all__ = ["RandState"]


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
        Number of distinct states; 100 as the stimuli of Izhikevich (2007).
    encoding : {"index", "one_hot"}, default "index"
        Observation format.
    max_steps : int, default 100
        Steps after which an episode is truncated.

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
        Key("n_states", Interval(int, 1, None), "Number of distinct states (stimuli) drawn from.", default=100),
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
