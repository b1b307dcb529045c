"""MSTDPET: reward-modulated STDP with an eligibility trace, Florian (2007), δt = 1 ms.

Per timestep, with ``f`` the 0/1 spikes of this step, ``⊗`` the outer product
over (pre, post) and ``r`` the reward of this step (shape (B,)):
``P+ ← P+ e^(-1/τ+) + A+ f_pre``, ``P- ← P- e^(-1/τ-) + A- f_post``,
``ζ = P+ ⊗ f_post + f_pre ⊗ P-``, ``z ← z e^(-1/τz) + ζ / τz``,
``w ← clip(w + γ r z, low, high)``; ``reward(r)`` after a tick applies
``w += γ r z`` once more with the current ``z``, as if ``r`` had been given at
the most recent step. The (B, n_pre, n_post) trace is kept as
``z = scale * z_stored`` so that its decay costs one multiplication per
network; ``z_stored`` is renormalized when ``scale`` would fall below 1e-100
(:func:`~spikey.snn.synapse.traces.rescale`). A block of steps is done in
segments that end at rewarded steps: each segment's traces come from one
matrix product (:func:`~spikey.snn.synapse.traces.trace_history`) and its
``ζ`` are summed into ``z`` by one more
(:func:`~spikey.snn.synapse.traces.add_outer_sum`); the weights are touched
only at the rewarded steps. Reference: R. V. Florian, "Reinforcement learning
through modulation of spike-timing-dependent synaptic plasticity", Neural
Computation 19(6):1468-1502, 2007.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from spikey.keys import A_MINUS, A_PLUS, LEARNING_RATE, TAU_MINUS, TAU_PLUS, TAU_Z
from spikey.snn.synapse.traces import (
    add_matrix,
    add_outer_sum,
    decay_factor,
    decay_powers,
    renormalize_below,
    rescale,
    trace_history,
)
from spikey.snn.synapse.template import Synapse

__all__ = ["MSTDPET", "mstdpet_step", "mstdpet_reward", "eligibility"]

def eligibility(state) -> np.ndarray:
    """The eligibility trace ``z`` of shape (B, n_pre, n_post), as a new array."""
    return state.z_scale[:, None, None] * state.z


def mstdpet_reward(state, weights, reward, params):
    """``w += γ r z`` in place; nothing is read or written where ``r`` is 0."""
    reward = np.asarray(reward, dtype=np.float64)
    if not reward.any():
        return
    gain = params.learning_rate * reward  # learning_rate is a float or (B,)
    add_matrix(weights, gain * state.z_scale, state.z)


def mstdpet_step(state, weights, pre, post, reward, params):
    """S timesteps (leading axis of ``pre``, ``post``, ``reward``): traces, ``z`` (in place), ``w += γ r z``."""
    pre, post = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
    reward = np.asarray(reward, dtype=np.float64)
    if not len(pre):
        return state
    dtype = state.z.dtype
    p_plus = trace_history(state.p_plus, np.multiply(pre, params.a_plus, dtype=dtype), decay_factor(params.tau_plus))
    p_minus = trace_history(state.p_minus, np.multiply(post, params.a_minus, dtype=dtype),
                            decay_factor(params.tau_minus))
    z, scale = state.z, state.z_scale
    for start, stop in _segments(reward, params.tau_z, renormalize_below(dtype)):
        block = slice(start, stop)
        scale = _add_eligibility(z, scale, weights, p_plus[block], post[block], pre[block], p_minus[block], params)
        mstdpet_reward(state._replace(z_scale=scale), weights, reward[stop - 1], params)
    return MSTDPET.State(p_plus[-1], p_minus[-1], z, scale)


def _segments(reward, tau_z: float, below: float):
    """``(start, stop)`` of the parts of a block that end at a rewarded step (or the block's end).

    A part is at most as long as the decay of ``z`` from 1 to the renormalization threshold ``below``.
    """
    n_steps = len(reward)
    longest = max(1, int(math.log(below) * -tau_z))
    stops = (reward.any(axis=1).nonzero()[0] + 1).tolist()
    if not stops or stops[-1] != n_steps:
        stops.append(n_steps)
    start = 0
    for stop in stops:
        for part_start in range(start, stop, longest):
            yield part_start, min(part_start + longest, stop)
        start = stop


def _add_eligibility(z, scale, weights, p_plus, post, pre, p_minus, params):
    """Decay ``z`` over the segment and add its ``ζ / τz``, in place; return the new scale (B,)."""
    powers = decay_powers(decay_factor(params.tau_z), len(pre), z.dtype)
    scale, decay = rescale(z, scale, powers[-1])
    if decay != powers[-1]:  # tau_z so short that z decayed directly; segments are one step long then
        powers = np.ones(1, dtype=z.dtype)
    scales = scale * powers[:, None]
    add_outer_sum(z, weights, 1.0 / (params.tau_z * scales), p_plus, post, pre, p_minus)
    return scales[-1]


class MSTDPET(Synapse):
    """Modulated STDP with eligibility trace: reward acts on a decaying memory of past STDP.

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
        Running decay factor of ``z``. Every float field has the network's ``dtype``.

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
    >>> rule = MSTDPET(n_inputs=1, n_neurons=1, learning_rate=0.5)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> weights = Weight.State(np.full((1, 2, 1), 0.5), np.ones((1, 2, 1), dtype=bool), np.zeros((1, 2)), np.ones((1, 2)))
    >>> pre = np.array([[[True, False]], [[False, False]]])  # (steps, batch, n_pre): input spikes at step 0
    >>> post = np.array([[[False]], [[True]]])  # the neuron spikes at step 1
    >>> state = rule.step(state, weights, pre, post, np.zeros((2, 1)))
    >>> float(weights.values[0, 0, 0])  # no reward, no change
    0.5
    >>> state = rule.reward(state, weights, np.array([1.0]))
    >>> round(float(weights.values[0, 0, 0]), 6)  # 0.5 + 0.5 * exp(-1 / 20) / 25
    0.519025
    """

    NECESSARY_KEYS = Synapse.extend_keys(TAU_PLUS, TAU_MINUS, TAU_Z, A_PLUS, A_MINUS, LEARNING_RATE)
    REWARD_GATED = True
    IN_PLACE_STATE = ("z",)

    class State(NamedTuple):
        p_plus: np.ndarray
        p_minus: np.ndarray
        z: np.ndarray
        z_scale: np.ndarray

    def state_problem(self, state) -> str | None:
        """The running scale of the eligibility must be positive."""
        return None if np.all(state.z_scale > 0) else f"z_scale must be > 0; got {state.z_scale.min()}"

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "MSTDPET.State":
        """Zero traces for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre", "post", "synapses"), np.ones(batch_size))

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance the traces and ``z`` through a block of timesteps; ``w += γ r z`` at rewarded steps."""
        return mstdpet_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """Apply ``w += γ r z`` with the current eligibility; the state is unchanged."""
        mstdpet_reward(state, weights, reward, self.params)
        return state
