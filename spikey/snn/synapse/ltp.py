"""LTP: Spikey's reward-trace rule, potentiation only, in trace form.

As RLSTDP without the depression term, and the reward sets the reward trace
instead of adding to it. Per timestep, with ``f`` the 0/1 spikes of this step,
``d = e^(-1/τ+)``, ``η`` the learning rate and ``r`` the reward given
at this step: ``x_pre ← d (x_pre + f_pre(t-1))``, ``R ← (1 - trace_decay) R``
then ``R ← r`` where ``r ≠ 0`` (a step's zero reward means none was given),
``w ← clip(w + η R x_pre ⊗ f_post, low, high)``: a presynaptic spike
``d_t >= 1`` ms before a postsynaptic one counts ``e^(-d_t/τ+)``.
``reward(r)`` after a tick sets ``R = r`` for every network, zero included (as
Spikey's LTP did), and redoes the most recent step with that ``R``:
``w += η (r - R_old) x_pre ⊗ f_post``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import LEARNING_RATE, TAU_PLUS, TRACE_DECAY
from spikey.module import per_network
from spikey.snn.synapse.traces import add_outer, decay_factor
from spikey.snn.synapse.template import Synapse

__all__ = ["LTP", "ltp_step", "ltp_reward"]


def _potentiate(state, weights, factor, params):
    """``w += factor * x_pre ⊗ f_post`` with the most recent step's trace and spikes."""
    add_outer(weights.values, weights, factor, state.x_pre, state.post, clip=True)


def ltp_reward(state, weights, reward, params):
    """Set ``R = reward`` and redo the most recent step's potentiation with it; return the new state."""
    reward = np.broadcast_to(np.asarray(reward, dtype=np.float64), state.trace.shape)
    rate = per_network(params.learning_rate)
    _potentiate(state, weights, rate * (reward - state.trace), params)
    return state._replace(trace=reward.astype(state.trace.dtype))


def ltp_step(state, weights, pre, post, reward, params):
    """One LTP timestep: decay the traces, set ``R`` where rewarded, apply ``η R`` potentiation."""
    reward = np.asarray(reward, dtype=np.float64)
    x_pre = (state.x_pre + state.pre) * decay_factor(params.tau_plus)
    trace = np.where(reward != 0, reward, state.trace * (1.0 - params.trace_decay)).astype(state.trace.dtype,
                                                                                           copy=False)
    new_state = LTP.State(x_pre, np.array(pre, dtype=bool), np.array(post, dtype=bool), trace)
    _potentiate(new_state, weights, per_network(params.learning_rate) * trace, params)
    return new_state


class LTP(Synapse):
    """Long-term potentiation gated by a reward trace that the latest reward sets.

    Attributes
    ----------
    State.x_pre : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic spike trace used at the last step (spikes before it).
    State.pre, State.post : ndarray of bool
        Spikes of the last step.
    State.trace : ndarray of shape (B,)
        Reward trace ``R`` used at the last step.

    See Also
    --------
    RLSTDP : Potentiation and depression, rewards accumulate in ``R``.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import LTP
    >>> from spikey.snn.weight.template import Weight
    >>> rule = LTP(n_inputs=1, n_neurons=1, learning_rate=0.1, trace_decay=0.5)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool), np.zeros((1, 2)), np.ones((1, 2)))
    >>> state = rule.reward(state, weights, np.array([2.0]))  # R = 2
    >>> state = rule.timestep(state, weights, np.array([[True, False]]), np.array([[False]]), np.zeros(1))
    >>> state = rule.timestep(state, weights, np.array([[False, False]]), np.array([[True]]), np.zeros(1))
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.1 * R * exp(-1 / 20), R = 0.5
    0.547561
    """

    NECESSARY_KEYS = Synapse.extend_keys(LEARNING_RATE, TRACE_DECAY, TAU_PLUS)

    class State(NamedTuple):
        x_pre: np.ndarray
        pre: np.ndarray
        post: np.ndarray
        trace: np.ndarray

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "LTP.State":
        """Zero traces, no previous spikes and no reward for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre"), *self.zeros(batch_size, "pre", "post", dtype=bool),
                          np.zeros(batch_size))

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """Decay the traces one timestep, set ``R`` where ``reward`` is nonzero, apply ``η R`` potentiation."""
        return ltp_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """Set ``R = reward`` and apply it to the most recent step's potentiation, as if given then."""
        return ltp_reward(state, weights, reward, self.params)
