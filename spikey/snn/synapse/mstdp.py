"""MSTDP: reward-modulated STDP of Florian (2007), discrete time with δt = 1 ms.

Per timestep, with ``f`` the 0/1 spikes of this step, ``⊗`` the outer product
over (pre, post) and ``r`` the reward of this step (shape (B,)):
``P+ ← P+ e^(-1/τ+) + A+ f_pre``, ``P- ← P- e^(-1/τ-) + A- f_post``,
``ζ = P+ ⊗ f_post + f_pre ⊗ P-``, ``w ← clip(w + γ r ζ, low, high)``.
``reward(r)`` after a tick applies ``w += γ r ζ`` with the ``ζ`` of the most
recent step, as if ``r`` had been given at that step. Reference: R. V. Florian,
"Reinforcement learning through modulation of spike-timing-dependent synaptic
plasticity", Neural Computation 19(6):1468-1502, 2007.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import A_MINUS, A_PLUS, LEARNING_RATE, TAU_MINUS, TAU_PLUS
from spikey.module import per_network
from spikey.snn.synapse.traces import add_outer
from spikey.snn.synapse.stdp import stdp_traces
from spikey.snn.synapse.template import Synapse

__all__ = ["MSTDP", "mstdp_step", "mstdp_reward"]


def mstdp_reward(state, weights, reward, params):
    """``w += γ r ζ`` with the eligibility ``ζ`` of the most recent step (in place)."""
    factor = per_network(params.learning_rate) * reward
    add_outer(weights.values, weights, factor, state.p_plus, state.post, state.pre, state.p_minus, clip=True)


def mstdp_step(state, weights, pre, post, reward, params):
    """One MSTDP timestep: update the traces, then apply ``γ r ζ``; return the new state."""
    pre = np.array(pre, dtype=bool)  # copies: the state keeps them for reward()
    post = np.array(post, dtype=bool)
    p_plus, p_minus = stdp_traces(state.p_plus, state.p_minus, pre, post, params)
    new_state = MSTDP.State(p_plus, p_minus, pre, post)
    mstdp_reward(new_state, weights, reward, params)
    return new_state


class MSTDP(Synapse):
    """Modulated STDP: the STDP eligibility of each step, times the reward of that step.

    Attributes
    ----------
    State.p_plus : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic trace ``P+`` after the last step.
    State.p_minus : ndarray of shape (B, n_neurons)
        Postsynaptic trace ``P-`` after the last step.
    State.pre, State.post : ndarray of bool
        Spikes of the last step; with the traces they give that step's ``ζ``.

    See Also
    --------
    MSTDPET : The same rule with an eligibility trace.

    References
    ----------
    R. V. Florian (2007), Neural Computation 19(6):1468-1502.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import MSTDP
    >>> from spikey.snn.weight.template import Weight
    >>> rule = MSTDP(n_inputs=1, n_neurons=1, learning_rate=0.1)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool), np.zeros((1, 2)), np.ones((1, 2)))
    >>> state = rule.timestep(state, weights, np.array([[True, False]]), np.array([[False]]), np.zeros(1))
    >>> state = rule.timestep(state, weights, np.array([[False, False]]), np.array([[True]]), np.zeros(1))
    >>> float(weights.values[0, 0, 0])  # no reward, no change
    0.5
    >>> state = rule.reward(state, weights, np.array([2.0]))
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.1 * 2 * exp(-1 / 20)
    0.690246
    """

    NECESSARY_KEYS = Synapse.extend_keys(TAU_PLUS, TAU_MINUS, A_PLUS, A_MINUS, LEARNING_RATE)
    REWARD_GATED = True

    class State(NamedTuple):
        p_plus: np.ndarray
        p_minus: np.ndarray
        pre: np.ndarray
        post: np.ndarray

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "MSTDP.State":
        """Zero traces and no previous spikes for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre", "post"), *self.zeros(batch_size, "pre", "post", dtype=bool))

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance the traces one timestep and apply ``w += γ r ζ``."""
        return mstdp_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """Apply ``w += γ r ζ`` with the most recent step's ``ζ``; the state is unchanged."""
        mstdp_reward(state, weights, reward, self.params)
        return state
