"""Shared machinery of the trace-based learning rules: their keys and sparse weight updates.

Every rule here changes a synapse ``(pre i, post j)`` of network ``b`` by a sum
of outer products ``f[b] * (x[b, i] * post[b, j] + pre[b, i] * y[b, j])``, with
``x``/``y`` exponential spike traces and ``f`` a per-network factor (learning
rate, times reward for reward-modulated rules). Such a change is nonzero only
in the columns of spiking postsynaptic neurons and the rows of spiking
presynaptic neurons, so :func:`add_outer` touches only those, then clips only
them to ``[0, max_weight]``. Absent synapses (``mask`` False) hold 0 and never
change.
"""
from __future__ import annotations

import math

import numpy as np

from spikey.module import Interval, Key

__all__ = [
    "TAU_PLUS",
    "TAU_MINUS",
    "A_PLUS",
    "A_MINUS",
    "LEARNING_RATE",
    "GAMMA",
    "STDP_WINDOW",
    "TRACE_DECAY",
    "decay_factor",
    "per_network",
    "add_outer",
    "add_matrix",
]

_POSITIVE = Interval(float, 0, None, closed="neither")

TAU_PLUS = Key("tau_plus", _POSITIVE, "Time constant of the presynaptic trace P+, in ms (timesteps).", default=20.0)
TAU_MINUS = Key("tau_minus", _POSITIVE, "Time constant of the postsynaptic trace P-, in ms (timesteps).", default=20.0)
A_PLUS = Key(
    "a_plus",
    Interval(float, 0, None),
    "Added to P+ per presynaptic spike: the potentiation amplitude A+ (>= 0).",
    default=1.0,
)
A_MINUS = Key(
    "a_minus",
    Interval(float, None, 0),
    "Added to P- per postsynaptic spike: the signed depression amplitude A- (<= 0; negative depresses).",
    default=-1.0,
)
LEARNING_RATE = Key(
    "learning_rate",
    Interval(float, 0, None),
    "Scale of every weight change, in weight units per unit of trace product.",
    batched=True,
)
GAMMA = Key(
    "gamma",
    Interval(float, 0, None),
    "Learning rate gamma of Florian (2007): weight change per unit of reward times eligibility.",
    batched=True,
)
STDP_WINDOW = Key(
    "stdp_window",
    Interval(int, 1, None),
    "Time constant of the exponential pre- and postsynaptic spike traces, in ms (timesteps).",
    default=20,
)
TRACE_DECAY = Key("trace_decay", Interval(float, 0, 1), "Fraction of the reward trace lost per step.")


def decay_factor(tau: float) -> float:
    """Per-timestep decay ``exp(-1 / tau)`` of a trace with time constant ``tau`` ms."""
    return math.exp(-1.0 / tau)


def per_network(value, batch_size: int) -> np.ndarray:
    """A batched key value (scalar or (B,) array) as a read-only (B,) float64 array."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64).reshape(-1), (batch_size,))


def add_outer(values, weights, factor, pre_trace, post, pre=None, post_trace=None, max_weight=None):
    """``values += sign * factor * (pre_trace ⊗ post + pre ⊗ post_trace)`` on existing synapses.

    The rules are written for the signed efficacy of a synapse; its magnitude,
    which ``values`` holds, therefore moves by the presynaptic ``sign`` times
    that change (an inhibitory synapse whose firing preceded a rewarded spike
    weakens).

    Only the columns of spiking ``post`` and the rows of spiking ``pre`` of the
    networks whose ``factor`` is nonzero are read and written. Both terms are
    added before clipping, so the result equals ``clip(values + dw)``.

    Parameters
    ----------
    values : ndarray of shape (B, n_pre, n_post), float64
        Changed in place.
    weights : Weight.State
        ``mask`` (B, n_pre, n_post) marks existing synapses, the others are left
        untouched; ``sign`` (B, n_pre) is the presynaptic polarity (None: all +1).
    factor : ndarray of shape (B,), float64
        Per-network scale of the change.
    pre_trace : ndarray of shape (B, n_pre)
        Added to the columns of spiking postsynaptic neurons.
    post : ndarray of shape (B, n_post), bool
    pre : ndarray of shape (B, n_pre), bool, optional
    post_trace : ndarray of shape (B, n_post), optional
        Added to the rows of spiking presynaptic neurons; None skips that term.
    max_weight : float, optional
        Clip the touched entries to ``[0, max_weight]``; None does not clip.
    """
    mask, sign = weights.mask, weights.sign
    active = (factor != 0)[:, None]
    b_col, col = np.nonzero(post & active)
    if b_col.size:
        signed_trace = pre_trace[b_col] if sign is None else pre_trace[b_col] * sign[b_col]
        values[b_col, :, col] += (factor[b_col, None] * signed_trace) * mask[b_col, :, col]
    b_row = row = None
    if post_trace is not None:
        b_row, row = np.nonzero(pre & active)
        if b_row.size:
            row_factor = factor[b_row] if sign is None else factor[b_row] * sign[b_row, row]
            values[b_row, row, :] += (row_factor[:, None] * post_trace[b_row]) * mask[b_row, row, :]
    if max_weight is None:
        return
    if b_col.size:
        values[b_col, :, col] = np.clip(values[b_col, :, col], 0.0, max_weight)
    if b_row is not None and b_row.size:
        values[b_row, row, :] = np.clip(values[b_row, row, :], 0.0, max_weight)


def add_matrix(values, factor, matrix, max_weight: float) -> None:
    """``values = clip(values + factor[:, None, None] * matrix, 0, max_weight)`` where factor != 0.

    Networks whose factor is 0 are neither read nor written; nothing at all is
    done when every factor is 0. ``matrix`` must already be 0 where synapses are absent.
    """
    rows = np.flatnonzero(factor)
    if rows.size == 0:
        return
    if rows.size == factor.size:
        values += factor.reshape(-1, 1, 1) * matrix
        np.clip(values, 0.0, max_weight, out=values)
    else:
        values[rows] = np.clip(values[rows] + factor[rows].reshape(-1, 1, 1) * matrix[rows], 0.0, max_weight)
