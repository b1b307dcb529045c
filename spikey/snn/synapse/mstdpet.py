"""MSTDPET: reward-modulated STDP with an eligibility trace, Florian (2007), δt = 1 ms.

Per timestep, with ``f`` the 0/1 spikes of this step, ``⊗`` the outer product
over (pre, post) and ``r`` the reward of this step (shape (B,)):
``P+ ← P+ e^(-1/τ+) + A+ f_pre``, ``P- ← P- e^(-1/τ-) + A- f_post``,
``ζ = P+ ⊗ f_post + f_pre ⊗ P-``, ``z ← z e^(-1/τz) + ζ / τz``,
``w ← clip(w + γ r z, 0, max_weight)``; ``reward(r)`` after a tick applies
``w += γ r z`` once more with the current ``z``, as if ``r`` had been given at
the most recent step. The (B, n_pre, n_post) trace is kept as ``z = scale * z_stored``
so that its decay costs one multiplication per network; ``z_stored`` is
renormalized when ``scale`` falls below 1e-100, and the weights are not touched on steps
where every reward is 0. Reference: R. V. Florian, "Reinforcement learning
through modulation of spike-timing-dependent synaptic plasticity", Neural
Computation 19(6):1468-1502, 2007.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.synapse._traces import (
    A_MINUS,
    A_PLUS,
    GAMMA,
    TAU_MINUS,
    TAU_PLUS,
    add_matrix,
    add_outer,
    decay_factor,
    per_network,
)
from spikey.snn.synapse.stdp import stdp_traces
from spikey.snn.synapse.template import Synapse

__all__ = ["MSTDPET", "mstdpet_step", "mstdpet_reward", "eligibility"]

TAU_Z = Key(
    "tau_z",
    Interval(float, 0, None, closed="neither"),
    "Time constant of the eligibility trace z, in ms (timesteps).",
    default=25.0,
)

_RENORMALIZE_BELOW = 1e-100


def eligibility(state) -> np.ndarray:
    """The eligibility trace ``z`` of shape (B, n_pre, n_post), as a new array."""
    return state.z_scale[:, None, None] * state.z


def mstdpet_reward(state, weights, reward, params):
    """``w += γ r z`` in place; nothing is read or written where ``r`` is 0."""
    if not np.any(reward):
        return
    gain = per_network(params.gamma, state.z.shape[0]) * reward
    add_matrix(weights.values, gain * state.z_scale, state.z, params.max_weight)


def mstdpet_step(state, weights, pre, post, reward, params):
    """One MSTDPET timestep: traces, eligibility ``z`` (in place), then ``w += γ r z``; return the new state."""
    pre, post = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
    p_plus, p_minus = stdp_traces(state.p_plus, state.p_minus, pre, post, params)
    z, scale = state.z, state.z_scale * decay_factor(params.tau_z)
    if scale.min() < _RENORMALIZE_BELOW:
        z *= scale[:, None, None]
        scale = np.ones_like(scale)
    add_outer(z, weights, 1.0 / (params.tau_z * scale), p_plus, post, pre, p_minus)
    new_state = MSTDPET.State(p_plus, p_minus, z, scale)
    mstdpet_reward(new_state, weights, reward, params)
    return new_state


class MSTDPET(Synapse):
    """Modulated STDP with eligibility trace: reward acts on a decaying memory of past STDP.

    Parameters
    ----------
    n_inputs, n_neurons : int
        Network size; presynaptic rows are ``n_inputs + n_neurons``, postsynaptic columns ``n_neurons``.
    max_weight : float
        Weights are clipped to ``[0, max_weight]``.
    gamma : float or ndarray of shape (B,)
        Learning rate ``γ``, per network when an array.
    tau_plus, tau_minus : float, default 20.0
        Trace time constants ``τ+``, ``τ-``, in ms.
    tau_z : float, default 25.0
        Eligibility trace time constant ``τz``, in ms.
    a_plus : float, default 1.0
        ``A+ >= 0``.
    a_minus : float, default -1.0
        ``A- <= 0``; with a positive reward, post-before-pre pairs depress.

    Attributes
    ----------
    State.p_plus : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic trace ``P+``.
    State.p_minus : ndarray of shape (B, n_neurons)
        Postsynaptic trace ``P-``.
    State.z : ndarray of shape (B, n_inputs + n_neurons, n_neurons)
        Stored eligibility; the true trace is ``z_scale[:, None, None] * z``
        (see :func:`eligibility`). ``step`` updates this array in place: copy
        the state to keep a snapshot.
    State.z_scale : ndarray of shape (B,)
        Running decay factor of ``z``.

    See Also
    --------
    MSTDP : The same rule without eligibility trace.

    References
    ----------
    R. V. Florian (2007), Neural Computation 19(6):1468-1502.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import MSTDPET
    >>> from spikey.snn.weight.template import Weight
    >>> rule = MSTDPET(n_inputs=1, n_neurons=1, max_weight=1.0, gamma=0.5)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool))
    >>> state = rule.step(state, weights, np.array([[True, False]]), np.array([[False]]), np.zeros(1))
    >>> state = rule.step(state, weights, np.array([[False, False]]), np.array([[True]]), np.zeros(1))
    >>> float(weights.values[0, 0, 0])  # no reward, no change
    0.5
    >>> state = rule.reward(state, weights, np.array([1.0]))
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.5 * exp(-1 / 20) / 25
    0.519025
    """

    NECESSARY_KEYS = Synapse.extend_keys(TAU_PLUS, TAU_MINUS, TAU_Z, A_PLUS, A_MINUS, GAMMA)

    class State(NamedTuple):
        p_plus: np.ndarray
        p_minus: np.ndarray
        z: np.ndarray
        z_scale: np.ndarray

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "MSTDPET.State":
        """Zero traces for ``batch_size`` networks."""
        n_pre, n_post = self.n_pre, self.params.n_neurons
        return self.State(
            np.zeros((batch_size, n_pre)),
            np.zeros((batch_size, n_post)),
            np.zeros((batch_size, n_pre, n_post)),
            np.ones(batch_size),
        )

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance the traces and ``z`` one timestep and apply ``w += γ r z``."""
        return mstdpet_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """Apply ``w += γ r z`` with the current eligibility; the state is unchanged."""
        mstdpet_reward(state, weights, reward, self.params)
        return state
