"""RLSTDP: Spikey's reward-trace STDP, in trace form.

A reward trace ``R`` of shape (B,) scales symmetric STDP. Per timestep, with
``f`` the 0/1 spikes of this step, ``⊗`` the outer product over (pre, post),
``d± = e^(-1/τ±)``, ``η`` the learning rate and ``r`` the reward given
at this step: ``x_pre ← d+ (x_pre + f_pre(t-1))``, ``x_post ← d- (x_post + f_post(t-1))``,
``R ← (1 - trace_decay) R + r``, ``w ← clip(w + η R (x_pre ⊗ f_post - f_pre ⊗ x_post), low, high)``.
The spike traces hold only spikes strictly before this step, so a pair ``d_t >= 1``
ms apart counts ``e^(-d_t/τ+)`` (pre before post: potentiation) or ``e^(-d_t/τ-)``
(post before pre: depression),
nothing for coincident spikes (as Spikey's
window over ``spike_log[:-1]``). ``reward(r)`` after a tick adds ``r`` to ``R``
and applies ``η r (x_pre ⊗ f_post - f_pre ⊗ x_post)`` of the most recent step,
exactly as if ``r`` had been given at that step.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import LEARNING_RATE, TAU_MINUS, TAU_PLUS, TRACE_DECAY
from spikey.module import per_network
from spikey.snn.synapse.traces import add_outer, decay_factor
from spikey.snn.synapse.template import Synapse

__all__ = ["RLSTDP", "rlstdp_step", "rlstdp_reward"]


def rlstdp_reward(state, weights, reward, params):
    """``w += η r (x_pre ⊗ f_post - f_pre ⊗ x_post)`` with the most recent step's traces and spikes."""
    factor = per_network(params.learning_rate) * reward
    add_outer(weights.values, weights, factor, state.x_pre, state.post, state.pre, -state.x_post, clip=True)


def rlstdp_step(state, weights, pre, post, reward, params):
    """One RLSTDP timestep: decay the traces, then apply ``η R`` STDP; return the new state."""
    x_pre = (state.x_pre + state.pre) * decay_factor(params.tau_plus)
    x_post = (state.x_post + state.post) * decay_factor(params.tau_minus)
    trace = (state.trace * (1.0 - params.trace_decay) + reward).astype(state.trace.dtype, copy=False)
    new_state = RLSTDP.State(x_pre, x_post, np.array(pre, dtype=bool), np.array(post, dtype=bool), trace)
    rlstdp_reward(new_state, weights, trace, params)
    return new_state


class RLSTDP(Synapse):
    """Reward-modulated STDP with a decaying reward trace, as in classic Spikey.

    Attributes
    ----------
    State.x_pre : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic spike trace used at the last step (spikes before it).
    State.x_post : ndarray of shape (B, n_neurons)
        Postsynaptic spike trace used at the last step.
    State.pre, State.post : ndarray of bool
        Spikes of the last step.
    State.trace : ndarray of shape (B,)
        Reward trace ``R``.

    See Also
    --------
    LTP : Potentiation only, reward sets ``R``.
    MSTDP : Florian (2007)'s reward-modulated STDP.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import RLSTDP
    >>> from spikey.snn.weight.template import Weight
    >>> rule = RLSTDP(n_inputs=1, n_neurons=1, learning_rate=0.1, trace_decay=0.5)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool), np.zeros((1, 2)), np.ones((1, 2)))
    >>> state = rule.reward(state, weights, np.array([1.0]))  # R = 1
    >>> state = rule.timestep(state, weights, np.array([[True, False]]), np.array([[False]]), np.zeros(1))
    >>> state = rule.timestep(state, weights, np.array([[False, False]]), np.array([[True]]), np.zeros(1))
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.1 * R * exp(-1 / 20), R = 0.25
    0.523781
    """

    NECESSARY_KEYS = Synapse.extend_keys(LEARNING_RATE, TRACE_DECAY, TAU_PLUS, TAU_MINUS)

    class State(NamedTuple):
        x_pre: np.ndarray
        x_post: np.ndarray
        pre: np.ndarray
        post: np.ndarray
        trace: np.ndarray

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "RLSTDP.State":
        """Zero traces, no previous spikes and no reward for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre", "post"), *self.zeros(batch_size, "pre", "post", dtype=bool),
                          np.zeros(batch_size))

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """Decay the traces one timestep, add ``reward`` to ``R`` and apply ``η R`` STDP."""
        return rlstdp_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """Add ``reward`` to ``R`` and apply it to the most recent step's STDP, as if given then."""
        rlstdp_reward(state, weights, reward, self.params)
        return state._replace(trace=(state.trace + reward).astype(state.trace.dtype, copy=False))
