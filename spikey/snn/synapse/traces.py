"""Shared machinery of the trace-based learning rules: decays and sparse weight updates.

Every rule here changes a synapse ``(pre i, post j)`` of network ``b`` by a sum
of outer products ``f[b] * (x[b, i] * post[b, j] + pre[b, i] * y[b, j])``, with
``x``/``y`` exponential spike traces and ``f`` a per-network factor (learning
rate, times reward for reward-modulated rules). Such a change is nonzero only
in the columns of spiking postsynaptic neurons and the rows of spiking
presynaptic neurons, so :func:`add_outer` touches only those, then clips only
them to the bounds of their presynaptic row. Absent synapses (``mask`` False) hold 0 and never
change. Rules that take a block of steps at once compute its traces with
:func:`trace_history` and sum its outer products with :func:`add_outer_sum`,
a matrix product over the block's steps.
"""
from __future__ import annotations

import functools
import math

import numpy as np

__all__ = [
    "decay_factor",
    "decay_powers",
    "trace_history",
    "add_outer",
    "add_outer_sum",
    "add_matrix",
    "clip_in_place",
    "rescale",
    "RENORMALIZE_BELOW",
    "renormalize_below",
]

def decay_factor(tau: float) -> float:
    """Per-timestep decay ``exp(-1 / tau)`` of a trace with time constant ``tau`` ms."""
    return math.exp(-1.0 / tau)


_KERNEL_STEPS = 64  # longest piece trace_history filters with one kernel


@functools.lru_cache(maxsize=256)
def _decay_kernel(decay: float, n_steps: int, dtype: str = "float64") -> tuple[np.ndarray, np.ndarray]:
    """``K[s, u] = decay ** (s - u)`` for ``u <= s`` else 0, and ``decay ** (s + 1)``, read-only, of ``dtype``."""
    lags = np.subtract.outer(np.arange(n_steps), np.arange(n_steps))
    kernel = np.where(lags >= 0, decay ** np.maximum(lags, 0).astype(np.float64), 0.0).astype(dtype, copy=False)
    carry = decay_powers(decay, n_steps, dtype)
    kernel.flags.writeable = carry.flags.writeable = False
    return kernel, carry


RENORMALIZE_BELOW = 1e-100
RENORMALIZE_BELOW_FLOAT32 = 2.0 ** -100  # about 7.9e-31, exact in float32, whose smallest normal is 1.2e-38


def renormalize_below(dtype) -> float:
    """The scale below which a running scale of ``dtype`` is folded in: 1e-100 (float64), 2^-100 (float32)."""
    return RENORMALIZE_BELOW if np.dtype(dtype).itemsize == 8 else RENORMALIZE_BELOW_FLOAT32


def rescale(matrix, scale, decay: float):
    """Begin a decay of a trace kept as ``scale[:, None, None] * matrix``: return ``(scale, decay)`` to apply.

    Eligibility traces decay through a running scale per network, one
    multiplication a step. When ``scale * decay`` would fall below 1e-100
    (2^-100 for a float32 scale, :func:`renormalize_below`), the scale is
    folded into ``matrix`` (in place) and restarts at 1; when ``decay`` alone
    would (a time constant below 0.005 steps), it is folded in too and 1 is
    returned for it.
    """
    below = renormalize_below(scale.dtype)
    if scale.min() * decay >= below:
        return scale, decay
    matrix *= scale[:, None, None]
    if decay < below:
        matrix *= decay
        decay = 1.0
    return np.ones_like(scale), decay


def decay_powers(decay: float, n_steps: int, dtype="float64") -> np.ndarray:
    """``decay ** [1, ..., n_steps]``, computed in float64, of ``dtype``."""
    return (decay ** np.arange(1, n_steps + 1, dtype=np.float64)).astype(dtype, copy=False)


def trace_history(initial, increments, decay: float) -> np.ndarray:
    """Every step of ``x(s) = decay * x(s - 1) + increments[s]``, from ``x(-1) = initial``.

    Pieces of up to 64 steps are each one matrix product with the causal
    kernel ``decay ** (s - u)``, whose entries are at most 1, so any block
    length and any decay are numerically safe.

    Parameters
    ----------
    initial : ndarray of shape (B, n)
    increments : ndarray of shape (S, B, n)
    decay : float

    Returns
    -------
    ndarray of shape (S, B, n), of the dtype of ``increments``

    Examples
    --------
    >>> trace_history(np.ones((1, 1)), np.array([[[0.0]], [[1.0]]]), 0.5)[:, 0, 0]
    array([0.5 , 1.25])
    """
    if len(increments) <= _KERNEL_STEPS:
        return _filter(initial, increments, float(decay))
    history = np.empty(increments.shape, dtype=increments.dtype)
    for start in range(0, len(increments), _KERNEL_STEPS):
        piece = history[start:start + _KERNEL_STEPS]
        piece[:] = _filter(initial, increments[start:start + _KERNEL_STEPS], float(decay))
        initial = piece[-1]
    return history


def _filter(initial, increments, decay: float) -> np.ndarray:
    n_steps = len(increments)
    if n_steps <= 1:
        return initial * decay + increments
    kernel, carry = _decay_kernel(decay, n_steps, increments.dtype.name)
    history = (kernel @ increments.reshape(n_steps, -1)).reshape(increments.shape)
    history += carry[:, None, None] * initial
    return history


def add_outer(values, weights, factor, pre_trace, post, pre=None, post_trace=None, clip=False):
    """``values += factor * (pre_trace ⊗ post + pre ⊗ post_trace)`` on existing synapses.

    Only the columns of spiking ``post`` and the rows of spiking ``pre`` of the
    networks whose ``factor`` is nonzero are read and written. Both terms are
    added before clipping, so the result equals ``clip(values + dw)``.

    ``post`` and ``pre`` are spikes, or spikes weighted per neuron: a float
    array whose nonzero entries are the neurons that spiked. That writes
    terms beyond pair-based STDP at the same cost; for instance the triplet
    potentiation of Pfister & Gerstner (2006), ``Δw_ij = A3+ P+_i o2_j`` at
    each postsynaptic spike, with ``o2`` a slow postsynaptic trace taken before
    this step's spike, is ``add_outer(values, weights, A3_plus, p_plus, post * o2)``.

    Parameters
    ----------
    values : ndarray of shape (B, n_pre, n_post), float64 or float32
        Changed in place: the weights, or an eligibility trace.
    weights : Weight.State
        ``mask`` (B, n_pre, n_post) marks existing synapses, the others are left
        untouched; ``low`` and ``high`` (B, n_pre) bound each presynaptic row.
    factor : float or ndarray of shape (B,)
        Per-network scale of the change, rounded to the dtype of ``values``.
    pre_trace : ndarray of shape (B, n_pre)
        Added to the columns of spiking postsynaptic neurons.
    post : ndarray of shape (B, n_post), bool or float
    pre : ndarray of shape (B, n_pre), bool or float, optional
    post_trace : ndarray of shape (B, n_post), optional
        Added to the rows of spiking presynaptic neurons; None skips that term.
    clip : bool, default False
        Clip the touched entries to their row's bounds ``[low, high]`` (for weights).
    """
    factor = np.broadcast_to(np.asarray(factor, dtype=values.dtype), values.shape[:1])
    active = (factor != 0)[:, None]
    overlap = post_trace is not None and clip
    b_col, col = np.nonzero(_spiked(post) & active)
    for part in _chunks(b_col.size, values.shape[1]):
        b, j = b_col[part], col[part]
        change = pre_trace[b] if post.dtype == bool else pre_trace[b] * post[b, j][:, None]
        if overlap:  # clip once: a column gets both terms here, and its rows skip it below
            change = change + pre[b] * post_trace[b, j][:, None]
        change *= factor[b, None]
        bound = (weights.low[b], weights.high[b]) if clip else None
        _add_clipped(values, (b, slice(None), j), change, weights.mask, bound)
    if post_trace is None:
        return
    b_row, row = np.nonzero(_spiked(pre) & active)
    if overlap and b_col.size and b_row.size:
        post_trace = post_trace.copy()
        post_trace[b_col, col] = 0.0
    for part in _chunks(b_row.size, values.shape[2]):
        b, i = b_row[part], row[part]
        bound = (weights.low[b, i, None], weights.high[b, i, None]) if clip else None
        row_factor = factor[b] if pre.dtype == bool else factor[b] * pre[b, i]
        _add_clipped(values, (b, i, slice(None)), post_trace[b] * row_factor[:, None], weights.mask, bound)


def _spiked(spikes):
    """The bool spikes, or where weighted spikes are nonzero."""
    return spikes if spikes.dtype == bool else spikes != 0


_CHUNK_ELEMENTS = 1 << 20


def _chunks(n_events: int, width: int):
    """Slices of at most ``_CHUNK_ELEMENTS // width`` events: a burst of spikes never copies more than 8 MB at once."""
    size = max(1, _CHUNK_ELEMENTS // width)
    return (slice(start, start + size) for start in range(0, n_events, size))


def _add_clipped(values, index, change, mask, bound):
    """``values[index] = clip(values[index] + change * mask[index], *bound)``: one gather and one scatter."""
    change *= mask[index]
    updated = values[index]
    updated += change
    if bound is not None:
        clip_in_place(updated, *bound)
    values[index] = updated


def add_outer_sum(values, weights, coef, pre_trace, post, pre, post_trace) -> None:
    """``values += Σ_s coef[s] (pre_trace[s] ⊗ post[s] + pre[s] ⊗ post_trace[s])`` on existing synapses.

    The block form of :func:`add_outer`, without clipping. For one network,
    one matrix product over the block's S steps, restricted to the columns of
    postsynaptic neurons and the rows of presynaptic neurons that spiked at
    least once in the block. For a batch, those columns and rows would be the
    union over networks, nearly all of them, so each step is added on its own
    with :func:`add_outer`, touching only each network's own spikes; so is a
    block of one step, which a batch thus sums exactly as a lone network.

    Parameters
    ----------
    values : ndarray of shape (B, n_pre, n_post), float64 or float32
        Changed in place.
    weights : Weight.State
        ``mask``, as for :func:`add_outer`.
    coef : ndarray of shape (S, B), of the dtype of ``values``
    pre_trace, pre : ndarray of shape (S, B, n_pre); ``pre`` bool
    post, post_trace : ndarray of shape (S, B, n_post); ``post`` bool
    """
    if len(coef) == 1 or post.shape[1] > 1:
        for step in zip(coef, pre_trace, post, pre, post_trace):
            add_outer(values, weights, *step)
        return
    values, mask, coef = values[0], weights.mask[0], coef[:, 0, None]
    cols = _touched(post[:, 0])
    if cols is not None:
        _add_product(values, (slice(None), cols), (pre_trace[:, 0] * coef).T, post[:, 0, cols].astype(values.dtype),
                     mask)
    rows = _touched(pre[:, 0])
    if rows is not None:
        _add_product(values, (rows, slice(None)), (pre[:, 0, rows] * coef).T, post_trace[:, 0], mask)


def _add_product(values, index, left, right, mask):
    """``values[index] += (left @ right) * mask[index]``, with one temporary."""
    change = left @ right
    change *= mask[index]
    values[index] += change


def _touched(spikes: np.ndarray):
    """The neurons that spiked in a block (S, n): None, their indices, or a slice (a view) when most did."""
    spiked = spikes.any(axis=0).nonzero()[0]
    if not len(spiked):
        return None
    return slice(None) if 2 * len(spiked) > spikes.shape[1] else spiked


def add_matrix(weights, factor, matrix) -> None:
    """``w = clip(w + factor[:, None, None] * matrix, low, high)`` where factor != 0, in place.

    Networks whose factor is 0 (after rounding to the weights' dtype) are
    neither read nor written; nothing at all is done when every factor is 0.
    ``matrix`` must already be 0 where synapses are absent.
    """
    factor = np.asarray(factor, dtype=weights.values.dtype)
    rows = np.flatnonzero(factor)
    if rows.size == 0:
        return
    values, low, high = weights.values, weights.low[:, :, None], weights.high[:, :, None]
    if rows.size == factor.size:
        values += factor.reshape(-1, 1, 1) * matrix
        clip_in_place(values, low, high)
    else:
        changed = values[rows] + factor[rows].reshape(-1, 1, 1) * matrix[rows]
        values[rows] = clip_in_place(changed, low[rows], high[rows])


def clip_in_place(values, low, high):
    """``np.clip(values, low, high, out=values)`` for broadcast bounds, in about half its time; returns values."""
    np.maximum(values, low, out=values)
    return np.minimum(values, high, out=values)
