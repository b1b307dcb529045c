"""Unsupervised pair-based STDP with exponential traces.

Each timestep, first the traces take in this step's spikes, then the weights
change (``f`` are the 0/1 spikes of this step, ``⊗`` the outer product over
(pre, post), ``η`` the learning rate):
``P+ ← P+ e^(-1/τ+) + A+ f_pre``, ``P- ← P- e^(-1/τ-) + A- f_post``,
``w ← clip(w + η (P+ ⊗ f_post + f_pre ⊗ P-), low, high)``. A presynaptic
spike at ``t0`` followed by a postsynaptic one at ``t0 + d`` thus adds
``η A+ e^(-d/τ+)``; the reverse order adds ``η A- e^(-d/τ-)``, a depression
because ``A- <= 0``; coincident spikes add ``η (A+ + A-)``. This is the
eligibility ``ζ`` of Florian (2007) applied without reward (see MSTDP). Rewards are ignored.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import A_MINUS, A_PLUS, LEARNING_RATE, TAU_MINUS, TAU_PLUS
from spikey.module import per_network
from spikey.snn.synapse.traces import add_outer, decay_factor
from spikey.snn.synapse.template import Synapse

__all__ = ["STDP", "stdp_traces", "stdp_step"]


def stdp_traces(p_plus, p_minus, pre, post, params):
    """Decay the traces one step and add this step's spikes; return ``(p_plus, p_minus)``, in the traces' dtype."""
    p_plus = p_plus * decay_factor(params.tau_plus) + np.multiply(pre, params.a_plus, dtype=p_plus.dtype)
    p_minus = p_minus * decay_factor(params.tau_minus) + np.multiply(post, params.a_minus, dtype=p_minus.dtype)
    return p_plus, p_minus


def stdp_step(state, weights, pre, post, params):
    """One STDP timestep: update the traces, then the weights in place; return the new state."""
    pre, post = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
    p_plus, p_minus = stdp_traces(state.p_plus, state.p_minus, pre, post, params)
    rate = per_network(params.learning_rate)
    add_outer(weights.values, weights, rate, p_plus, post, pre, p_minus, clip=True)
    return STDP.State(p_plus, p_minus)


class STDP(Synapse):
    """Pair-based spike-timing-dependent plasticity, unsupervised.

    Attributes
    ----------
    State.p_plus : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic trace ``P+``.
    State.p_minus : ndarray of shape (B, n_neurons)
        Postsynaptic trace ``P-``.

    See Also
    --------
    MSTDP : The same eligibility, gated by reward.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import STDP
    >>> from spikey.snn.weight.template import Weight
    >>> rule = STDP(n_inputs=1, n_neurons=1, learning_rate=0.1)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool), np.zeros((1, 2)), np.ones((1, 2)))
    >>> no_reward = np.zeros(1)
    >>> state = rule.timestep(state, weights, np.array([[True, False]]), np.array([[False]]), no_reward)
    >>> state = rule.timestep(state, weights, np.array([[False, False]]), np.array([[True]]), no_reward)
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.1 * exp(-1 / 20): pre 1 ms before post
    0.595123
    """

    NECESSARY_KEYS = Synapse.extend_keys(TAU_PLUS, TAU_MINUS, A_PLUS, A_MINUS, LEARNING_RATE)

    class State(NamedTuple):
        p_plus: np.ndarray
        p_minus: np.ndarray

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "STDP.State":
        """Zero traces for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre", "post"))

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance the traces one timestep and apply STDP; ``reward`` is ignored."""
        return stdp_step(state, weights, pre_spikes, post_spikes, self.params)
