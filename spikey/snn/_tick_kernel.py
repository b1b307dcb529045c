"""The compiled tick: numba kernels that run every timestep of a tick in one call.

This module imports numba; :mod:`spikey.snn.compiled` imports it on the first
compiled tick, never at ``import spikey``. It mirrors, step for step, the
numpy path of :meth:`spikey.snn.network.Network._run`: synaptic input from
the presynaptic spikes arriving at the step, LIF or Izhikevich integration
and firing (:mod:`spikey.snn.neuron.lif`, :mod:`spikey.snn.neuron.izhikevich`),
then the learning rule (STDP, MSTDP, MSTDPET or DopamineSTDP,
:mod:`spikey.snn.synapse`), with the reward of the step read from a table by
the number of output neurons that fired, plus the reward scheduled at it.
DopamineSTDP works on a network's weights and eligibility gathered by
synapse (:func:`_synapse_lists`), scattered back after its steps. Networks of
a batch are independent, so each runs all its steps before the next starts. Kernels are
serial and cached to disk (``cache=True``): numba writes the cache next to
this file, or, where that folder is read-only, in the user's cache folder;
``NUMBA_CACHE_DIR`` overrides both.

The kernels run in the state's float type, float64 or float32 (the network's
``dtype``; numba compiles and caches one version per type): temporaries are
allocated in it, and key values (float64 in ``fparams``) and literals are
cast to it where they meet the state, as numpy casts a Python float. Random
draws, rewards and the learning rate stay float64; a rule's factor (learning
rate times reward, dopamine) is computed in float64 and cast once.

Three habits keep the loops fast. The helpers run at every step, and the short
loops run once per spike or per row of a rewarded step, are inlined
(``inline="always"``): at 61 neurons a call passing a few arrays cost more
than its loop. Long loops (synaptic input, the kept column terms, the
weights at a rewarded step) stay calls: inlining them as well made 1000
neurons about 12 % slower. Inner loops over a row or column run over a slice
from 0 to its length, with an integer ``or`` for the overflow flag, so that
LLVM vectorizes them. And the loops over networks and steps
(:func:`_run_networks`) run without numba's reference counting
(``_nrt=False``): each array passed into an inlined helper, or sliced from
another, was counted in and out by atomic calls that numba's pruning left in
place, and at 61 neurons these took half of the kernel's time (W1's kernel
ran twice as fast without them). Nothing there allocates, as that needs the
counting: :func:`run_tick` allocates the scratch arrays, and an array
assigned to a row is copied by a loop (:func:`_copy_into`).
"""
from __future__ import annotations

import numba
import numpy as np

from spikey.snn.neuron.izhikevich import V_GUARD, V_PEAK
from spikey.snn.synapse.traces import RENORMALIZE_BELOW, RENORMALIZE_BELOW_FLOAT32

NO_RULE, STDP_RULE, MSTDP_RULE, MSTDPET_RULE, DOPAMINE_RULE = 0, 1, 2, 3, 4
"""Learning rule codes of :func:`run_tick` (``NO_RULE`` in eval mode)."""

LIF_NEURONS, IZHIKEVICH_NEURONS = 0, 1
"""Neuron model codes of :func:`run_tick`."""

NEGLIGIBLE_DOPAMINE = np.finfo(np.float64).tiny  # DopamineSTDP's d is set to 0 below it
NEGLIGIBLE_DOPAMINE_FLOAT32 = float(np.finfo(np.float32).tiny)  # the same for a float32 d

KEPT_STEPS = 128  # steps of column terms kept before _add_kept_columns adds them to z
FLOAT_PARAMS = ("resting_mv", "magnitude", "prob_rand_fire", "decay_plus", "decay_minus", "a_plus", "a_minus",
                "decay_z", "tau_z", "decay_d")  # decay_z: of MSTDPET's z or DopamineSTDP's c
INT_PARAMS = ("refractory_period", "rule", "input_delay", "emission_pairing", "n_outputs", "neurons",
              "update_interval")


@numba.njit(cache=True, inline="always")
def _clip(value, low, high):
    """``min(max(value, low), high)`` as ``np.maximum`` then ``np.minimum`` (NaN stays NaN)."""
    if value < low:
        value = low
    if value > high:
        value = high
    return value


@numba.njit(cache=True, inline="always")
def _renormalize_below(scale):
    """The threshold of :func:`spikey.snn.synapse.traces.renormalize_below` for a scale array's float type."""
    return RENORMALIZE_BELOW if scale.itemsize == 8 else RENORMALIZE_BELOW_FLOAT32


@numba.njit(cache=True, inline="always")
def _negligible_dopamine(level):
    """The smallest normal number of the float type of DopamineSTDP's dopamine ``level``."""
    return NEGLIGIBLE_DOPAMINE if level.itemsize == 8 else NEGLIGIBLE_DOPAMINE_FLOAT32


@numba.njit(cache=True)
def _extents(mask, b, first_row, stop_row, first_col, stop_col):
    """The rows ``[first_row[j], stop_row[j])`` holding column j's synapses, and the columns of each row.

    Each bound is found by scanning from its end, so a dense mask is read
    only at its edges. An empty column or row gets an empty range.
    """
    n_pre, n_post = mask.shape[1], mask.shape[2]
    for i in range(n_pre):
        first_col[i], stop_col[i] = n_post, 0
        for j in range(n_post):
            if mask[b, i, j]:
                first_col[i] = j
                break
        for j in range(n_post - 1, first_col[i] - 1, -1):
            if mask[b, i, j]:
                stop_col[i] = j + 1
                break
    first_row[:] = n_pre
    stop_row[:] = 0
    _scan_rows(mask, b, range(n_pre), first_row, 0)
    _scan_rows(mask, b, range(n_pre - 1, -1, -1), stop_row, 1)


@numba.njit(cache=True)
def _scan_rows(mask, b, rows, bound, offset):
    """``bound[j] = i + offset`` for the first row i in ``rows`` with a synapse in column j; stops when all have one.

    ``bound`` starts at ``n_pre`` (offset 0) or 0 (offset 1), values no row gives.
    """
    n_post = mask.shape[2]
    unset = mask.shape[1] if offset == 0 else 0
    left = n_post
    for i in rows:
        for j in range(n_post):
            if mask[b, i, j] and bound[j] == unset:
                bound[j] = i + offset
                left -= 1
        if left == 0:
            return


@numba.njit(cache=True, inline="always")
def _lif_step(b, t, potential, timer, pending, random_draws, injected, keep, threshold, fparams, iparams, incoming,
              emitted):
    """One LIF step of network b (as :func:`spikey.snn.neuron.lif.lif_step`) given the summed ``incoming`` weights.

    ``injected`` (T, B, n) is the current injected at each step, added to the
    synaptic charge (empty: none). Writes its spikes into ``emitted``.
    """
    n_post = potential.shape[1]
    typed = potential.dtype.type
    rest, magnitude, prob_rand_fire = typed(fparams[0]), typed(fparams[1]), fparams[2]
    delay = pending.shape[1]
    fired = emitted
    if delay > 0:  # the spikes leaving now are the oldest pending ones; this step's join the queue's end
        _copy_into(emitted, pending[b, 0])
        for k in range(delay - 1):
            _copy_into(pending[b, k], pending[b, k + 1])
        fired = pending[b, delay - 1]
    u, timer_b, keep_b, threshold_b, refractory = potential[b], timer[b], keep[b], threshold[b], iparams[0]
    inject = injected.shape[0] > 0
    for j in range(n_post):
        ready = timer_b[j] <= 0
        drive = magnitude * incoming[j]
        if inject:
            drive += typed(injected[t, b, j])
        v = (u[j] - rest) * keep_b + drive
        v = v * typed(1.0 if ready else 0.0) + rest
        spike = v >= threshold_b
        if prob_rand_fire > 0 and random_draws[t, b, j] < prob_rand_fire:
            spike = True
        spike = spike and ready
        timer_b[j] = refractory if spike else timer_b[j] - 1
        u[j] = rest if spike else v
        fired[j] = spike


@numba.njit(cache=True, inline="always")
def _synaptic_input(arrival, values, b, incoming):
    """``incoming`` = the sum of network b's weight rows of the arriving spikes, added in row order.

    The order of :func:`spikey.snn.network.synaptic_input` when at most a
    quarter of the presynaptic neurons spike (its summed rows).
    """
    incoming[:] = 0.0
    for i in range(arrival.shape[0]):
        if arrival[i]:
            _add_row(incoming, values[b, i])


@numba.njit(cache=True, inline="always")
def _izhikevich_step(b, t, potential, recovery, cells, current, injected, magnitude, incoming, emitted):
    """One Izhikevich step of network b (as :func:`spikey.snn.neuron.izhikevich.advance`); spikes into ``emitted``.

    ``incoming`` holds the summed weights of the arriving spikes.
    ``cells`` (4, B, n) holds each neuron's ``a, b, c, d``; ``injected``
    (T, B, n) the current injected at each step, then ``current`` (T, B, n)
    the thalamic current of each step, added to the synaptic charge in that
    order (empty: none). The expression is the numpy one term for term,
    ``v ** 2`` as ``v * v`` (numpy's square).
    """
    v_b, u_b = potential[b], recovery[b]
    a, sensitivity, reset, jump = cells[0, b], cells[1, b], cells[2, b], cells[3, b]
    typed = potential.dtype.type
    half, quadratic, linear, constant, guard = typed(0.5), typed(0.04), typed(5.0), typed(140.0), typed(V_GUARD)
    magnitude = typed(magnitude)
    n = v_b.shape[0]
    for j in range(n):
        incoming[j] *= magnitude
    if injected.shape[0] > 0:
        _add_row(incoming, injected[t, b])
    if current.shape[0] > 0:
        _add_row(incoming, current[t, b])
    for j in range(n):
        drive = incoming[j]
        v, u = v_b[j], u_b[j]
        for _ in range(2):
            v = v + half * (quadratic * (v * v) + linear * v + constant - u + drive)
            v = _clip(v, -guard, guard)
        u = u + a[j] * (sensitivity[j] * v - u)
        spike = v >= V_PEAK
        v_b[j] = reset[j] if spike else v
        u_b[j] = u + jump[j] if spike else u
        emitted[j] = spike


@numba.njit(cache=True, inline="always")
def _compact_input(arrival, weights, row_start, row_cols, incoming):
    """:func:`_synaptic_input` from the weights of the synapses stored row by row (:func:`_synapse_lists`).

    The same sums: an absent synapse adds 0.
    """
    incoming[:] = 0.0
    for i in range(arrival.shape[0]):
        if arrival[i]:
            for e in range(row_start[i], row_start[i + 1]):
                incoming[row_cols[e]] += weights[e]


@numba.njit(cache=True, inline="always")
def _copy_into(out, values):
    """``out[:] = values`` (assigning an array needs numba's allocator, which :func:`_run_networks` runs without)."""
    for i in range(out.shape[0]):
        out[i] = values[i]


@numba.njit(cache=True)
def _add_row(total, row):
    """``total += row``, each entry of ``row`` cast to the type of ``total`` first."""
    for j in range(total.shape[0]):
        total[j] += total.dtype.type(row[j])


@numba.njit(cache=True, inline="always")
def _presynaptic(arrivals, b, t, n_inputs, iparams, fparams, p_plus, pre, pre_index):
    """Take the presynaptic spikes learning pairs at step t into ``pre`` and ``pre_index``; return how many spiked.

    A spike counts at arrival (``spike_pairing="arrival"``) or at emission.
    The trace takes it at once: ``P+ ← P+ e^(-1/τ+) + A+ f_pre`` (Florian 2007).
    """
    emission, delay = iparams[3], iparams[2]
    decay, jump = p_plus.dtype.type(fparams[3]), p_plus.dtype.type(fparams[5])
    inputs_from = t + 1 if emission and delay == 1 else t
    body_from = t + 1 if emission else t
    count = _take_spikes(arrivals[inputs_from, b, :n_inputs], 0, decay, jump, p_plus[b, :n_inputs], pre, pre_index, 0)
    return _take_spikes(arrivals[body_from, b, n_inputs:], n_inputs, decay, jump, p_plus[b, n_inputs:], pre,
                        pre_index, count)


@numba.njit(cache=True, inline="always")
def _take_spikes(spikes, first, decay, jump, trace, pre, pre_index, count):
    """Take neurons ``first + i`` of ``spikes`` into ``pre``, the trace and ``pre_index`` (after ``count``).

    Returns the new count of indices.
    """
    for i in range(spikes.shape[0]):
        spiked = spikes[i]
        pre[first + i] = spiked
        trace[i] = trace[i] * decay + (jump if spiked else trace.dtype.type(0.0))
        pre_index[count] = first + i  # always written, kept only by a spike: no branch
        count += spiked
    return count


@numba.njit(cache=True, inline="always")
def _postsynaptic(post, b, n_outputs, fparams, p_minus, post_index):
    """Index the body spikes ``post`` and take them into ``P- ← P- e^(-1/τ-) + A- f_post``.

    Returns how many body neurons and how many of the last ``n_outputs`` (the outputs) spiked.
    """
    decay, jump = p_minus.dtype.type(fparams[4]), p_minus.dtype.type(fparams[6])
    first_output = post.shape[0] - n_outputs
    count = fired = 0
    for j in range(post.shape[0]):
        p_minus[b, j] = p_minus[b, j] * decay + (jump if post[j] else p_minus.dtype.type(0.0))
        if post[j]:
            post_index[count] = j
            count += 1
            fired += j >= first_output
    return count, fired


@numba.njit(cache=True)
def _add_zeta(values, b, factor, low, high, mask, p_plus, p_minus, pre, post, pre_index, n_pre_spiked, post_index,
              n_post_spiked, extents):
    """``w ← clip(w + factor ζ mask, low, high)``, ``ζ = P+ ⊗ f_post + f_pre ⊗ P-`` (traces.add_outer).

    Only the columns of spiking postsynaptic neurons and the rows of spiking
    presynaptic neurons are touched; an entry in both gets both terms before
    its one clip to its row's bounds. Returns False if a sum was infinite or
    NaN (before clipping), else True.
    """
    finite = True
    rows_from, rows_to = _rows_of(post_index, n_post_spiked, extents)
    for i in range(rows_from, rows_to):
        for k in range(n_post_spiked):
            j = post_index[k]
            change = p_plus[b, i] + p_minus[b, j] if pre[i] else p_plus[b, i]
            value = values[b, i, j] + change * factor * mask[b, i, j]
            finite &= value - value == 0.0
            values[b, i, j] = _clip(value, low[b, i], high[b, i])
    for k in range(n_pre_spiked):
        i = pre_index[k]
        for j in range(extents[2, i], extents[3, i]):
            change = values.dtype.type(0.0) if post[j] else p_minus[b, j] * factor
            value = values[b, i, j] + change * mask[b, i, j]
            finite &= value - value == 0.0
            values[b, i, j] = _clip(value, low[b, i], high[b, i])
    return finite


@numba.njit(cache=True, inline="always")
def _rows_of(post_index, n_post_spiked, extents):
    """The rows ``[from, to)`` holding the synapses of the spiking postsynaptic neurons."""
    rows_from, rows_to = extents.shape[1], 0
    for k in range(n_post_spiked):
        rows_from = min(rows_from, extents[0, post_index[k]])
        rows_to = max(rows_to, extents[1, post_index[k]])
    return rows_from, rows_to


@numba.njit(cache=True, inline="always")
def _add_zeta_eligibility(z, kept, events, n_kept, b, coef, mask, p_plus, p_minus, pre_index, n_pre_spiked,
                          post_index, n_post_spiked, extents):
    """``z_stored += coef ζ mask``: the rows of spiking presynaptic neurons now, the columns later.

    A row's terms ``coef f_pre P-`` (postsynaptic spikes of the step
    included) are contiguous in z and added at once. A column of z is strided
    in memory, so at a step with postsynaptic spikes ``coef P+`` is kept as a
    row of ``kept`` and each spiking neuron as an event (its column, that
    row) in ``events``; :func:`_add_kept_columns` adds them to z row by row
    before z is read, or when ``kept`` is full. Returns False if that gave an
    infinite or NaN sum.
    """
    for k in range(n_pre_spiked):
        i = pre_index[k]
        start, stop = extents[2, i], extents[3, i]
        _add_row_terms(z[b, i, start:stop], mask[b, i, start:stop], p_minus[b, start:stop], coef)
    if n_post_spiked == 0:
        return True
    finite = True
    if n_kept[0] == kept.shape[0]:
        finite = _add_kept_columns(z, kept, events, n_kept, mask, b, extents)
    step, first = n_kept[0], n_kept[1]
    _scale_into(kept[step], p_plus[b], coef)
    for k in range(n_post_spiked):
        events[0, first + k] = post_index[k]
        events[1, first + k] = step
    n_kept[0], n_kept[1] = step + 1, first + n_post_spiked
    return finite


@numba.njit(cache=True, inline="always")
def _scale_into(out, values, factor):
    """``out = values * factor``."""
    for i in range(out.shape[0]):
        out[i] = values[i] * factor


@numba.njit(cache=True, inline="always")
def _add_row_terms(row, present, p_minus, coef):
    """``row += coef P- mask``: a spiking presynaptic neuron's terms."""
    for j in range(row.shape[0]):
        row[j] += p_minus[j] * coef * present[j]


@numba.njit(cache=True)
def _add_kept_columns(z, kept, events, n_kept, mask, b, extents):
    """Add the kept column terms to network b's ``z_stored``, masked, and forget them; False if a sum was not finite.

    Row by row of z: a row and its mask stay in cache while every event
    adds ``kept[step, i]`` at its column; the ``kept[step, i]`` of eight
    consecutive rows share a cache line.
    """
    n_events = n_kept[1]
    rows_from, rows_to = _rows_of(events[0], n_events, extents)
    not_finite = 0
    for i in range(rows_from, rows_to):
        row, present = z[b, i], mask[b, i]
        for e in range(n_events):
            j = events[0, e]
            row[j] += kept[events[1, e], i] if present[j] else z.dtype.type(0.0)
            not_finite |= row[j] - row[j] != 0.0
    n_kept[:] = 0
    return not_finite == 0


@numba.njit(cache=True, inline="always")
def _decay_eligibility(z, z_scale, b, decay_z, kept, events, n_kept, mask, extents):
    """Decay network b's ``z = z_scale * z_stored`` one step; fold the scale in below 1e-100 (traces.rescale).

    Returns False if adding the kept column terms gave an infinite or NaN sum.
    """
    decay_z, below = z_scale.dtype.type(decay_z), _renormalize_below(z_scale)
    if z_scale[b] * decay_z >= below:
        z_scale[b] *= decay_z
        return True
    finite = _add_kept_columns(z, kept, events, n_kept, mask, b, extents)
    fold = z_scale[b] * (decay_z if decay_z < below else z_scale.dtype.type(1.0))
    stored = z[b]
    stored *= fold  # in place: z[b] *= fold assigns a row back, which needs numba's allocator
    z_scale[b] = 1.0 if decay_z < below else decay_z
    return finite


@numba.njit(cache=True)
def _add_eligibility_to_weights(values, low, high, z, b, factor, extents):
    """``w ← clip(w + factor z_stored, low, high)`` on network b's synapses (mstdpet_reward); False if not finite."""
    not_finite = 0
    for i in range(values.shape[1]):
        start, stop = extents[2, i], extents[3, i]
        not_finite |= _add_clipped(values[b, i, start:stop], z[b, i, start:stop], factor, low[b, i], high[b, i])
    return not_finite == 0


@numba.njit(cache=True, inline="always")
def _add_clipped(row, eligibility, factor, low, high):
    """``row ← clip(row + factor eligibility, low, high)``; 1 if a sum was infinite or NaN, else 0.

    The flag is an integer ``or``, so that the loop vectorizes.
    """
    not_finite = 0
    for j in range(row.shape[0]):
        value = row[j] + factor * eligibility[j]
        not_finite |= value - value != 0.0
        row[j] = _clip(value, low, high)
    return not_finite


@numba.njit(cache=True)
def reward_eligibility(values, low, high, z, z_scale, rate, reward):
    """``w ← clip(w + γ r z, low, high)`` for every network with a nonzero reward, in place (mstdpet_reward).

    Parameters
    ----------
    values, low, high : the weight state's values (B, n_pre, n_post) and row bounds (B, n_pre)
    z, z_scale : ndarray of shape (B, n_pre, n_post) and (B,)
        MSTDPET's stored eligibility and its scale.
    rate, reward : ndarray of shape (B,)
        Learning rate γ and reward r of each network.

    Returns
    -------
    bool
        False if a sum was infinite or NaN (before clipping).
    """
    not_finite = 0
    for b in range(values.shape[0]):
        if reward[b] != 0:
            factor = values.dtype.type(rate[b] * reward[b] * z_scale[b])
            for i in range(values.shape[1]):
                not_finite |= _add_clipped(values[b, i], z[b, i], factor, low[b, i], high[b, i])
    return not_finite == 0


@numba.njit(cache=True)
def _most_synapses(mask):
    """The largest number of synapses of one network of the batch."""
    most = 0
    for b in range(mask.shape[0]):
        most = max(most, np.count_nonzero(mask[b]))
    return most


@numba.njit(cache=True)
def _synapse_lists(mask, b, row_start, row_cols, col_start, col_rows, col_pos):
    """Index network b's synapses row by row, and column by column.

    Synapse e (row by row, each row in column order) is ``(i, row_cols[e])``
    for ``row_start[i] <= e < row_start[i + 1]``; column j's are
    ``(col_rows[f], j)``, synapse ``col_pos[f]``, for
    ``col_start[j] <= f < col_start[j + 1]``.
    """
    n_pre, n_post = mask.shape[1], mask.shape[2]
    col_start[:] = 0
    count = 0
    for i in range(n_pre):
        row_start[i] = count
        for j in range(n_post):
            if mask[b, i, j]:
                row_cols[count] = j
                col_start[j + 1] += 1
                count += 1
    row_start[n_pre] = count
    for j in range(n_post):
        col_start[j + 1] += col_start[j]
    for i in range(n_pre):  # col_start[j] is column j's next free place, its end once filled
        for e in range(row_start[i], row_start[i + 1]):
            j = row_cols[e]
            col_rows[col_start[j]] = i
            col_pos[col_start[j]] = e
            col_start[j] += 1
    for j in range(n_post, 0, -1):  # the ends back to starts
        col_start[j] = col_start[j - 1]
    col_start[0] = 0


@numba.njit(cache=True)
def _gather(dense, b, row_start, row_cols, compact):
    """``compact[e]`` = network b's entry of synapse e in ``dense`` (B, n_pre, n_post)."""
    for i in range(row_start.shape[0] - 1):
        for e in range(row_start[i], row_start[i + 1]):
            compact[e] = dense[b, i, row_cols[e]]


@numba.njit(cache=True)
def _scatter(compact, b, row_start, row_cols, dense):
    """Network b's entries of the synapses in ``dense`` = ``compact`` (the others are left as they are)."""
    for i in range(row_start.shape[0] - 1):
        for e in range(row_start[i], row_start[i + 1]):
            dense[b, i, row_cols[e]] = compact[e]


@numba.njit(cache=True, inline="always")
def _decay_dopamine_eligibility(c, c_scale, b, decay, fold):
    """Decay network b's ``c = c_scale * c_stored`` one step, folding the scale in where ``fold`` (traces.rescale).

    The numpy rule folds every network at the step the smallest scale
    would fall below 1e-100; ``fold`` says whether this step is one.
    ``c`` holds network b's synapses (absent ones hold 0 and stay 0).
    Returns the new scale.
    """
    typed = c_scale.dtype.type
    scale, decay = c_scale[b], typed(decay)
    if fold:
        c *= scale
        if decay < _renormalize_below(c_scale):
            c *= decay
            decay = typed(1.0)
        scale = typed(1.0)
    c_scale[b] = scale * decay
    return c_scale[b]


@numba.njit(cache=True)
def _dopamine_learn(b, weights, low, high, p_plus, p_minus, c, c_scale, dopamine, rate, reward, fold, fparams,
                    interval, pre_index, n_pre_spiked, post_index, n_post_spiked, lists):
    """DopamineSTDP's steps 2 to 4 for network b (dopamine_stdp_step), traces updated; False if a sum was not finite.

    ``c += ζ / scale`` (the columns of this step's postsynaptic spikes, then
    the rows of its presynaptic ones), ``d ← d e^(-1/τd) + k r`` (0 below the
    smallest normal float64), then, at the end of an update interval,
    ``w ← clip(w + k η (d + d_tonic) c, low, high)``. ``weights`` and ``c``
    hold network b's synapses as :func:`_synapse_lists` orders them.
    """
    level, steps, gain, tonic = dopamine[0], dopamine[1], dopamine[2], dopamine[3]
    row_start, row_cols, col_start, col_rows, col_pos = lists
    scale = _decay_dopamine_eligibility(c, c_scale, b, fparams[7], fold)
    coef = c_scale.dtype.type(1.0) / scale
    for k in range(n_post_spiked):
        j = post_index[k]
        for f in range(col_start[j], col_start[j + 1]):
            c[col_pos[f]] += p_plus[b, col_rows[f]] * coef
    for k in range(n_pre_spiked):
        i = pre_index[k]
        for e in range(row_start[i], row_start[i + 1]):
            c[e] += p_minus[b, row_cols[e]] * coef
    typed = level.dtype.type
    d = typed(level[b] * typed(fparams[9]) + gain[b] * reward)
    if abs(d) < _negligible_dopamine(level):
        d = typed(0.0)
    level[b] = d
    steps[b] += 1
    factor = interval * rate[b] if steps[b] % interval == 0 else 0.0
    factor = weights.dtype.type(factor * (d + typed(tonic[b])) * scale)
    if factor == 0:
        return True
    not_finite = 0
    for i in range(row_start.shape[0] - 1):
        start, stop = row_start[i], row_start[i + 1]
        not_finite |= _add_clipped(weights[start:stop], c[start:stop], factor, low[b, i], high[b, i])
    return not_finite == 0


@numba.njit(cache=True, inline="always")
def _learn(b, t, arrivals, values, mask, low, high, p_plus, p_minus, last_pre, last_post, z, z_scale, dopamine, rate,
           reward_table, rewards, fparams, iparams, pre, pre_index, post_index, extents, kept, events, n_kept, lists,
           compact):
    """One step of the learning rule of network b, after its neurons fired at step t; False if a sum was not finite.

    The step's reward is the scheduled one plus that of the output spikes (one of them is 0).
    DopamineSTDP changes ``compact``, network b's weights and c by synapse, not ``values`` and ``z``.
    """
    n_pre, n_post = arrivals.shape[2], p_minus.shape[1]
    n_inputs, rule = n_pre - n_post, iparams[1]
    finite = True
    if rule == MSTDPET_RULE:
        finite = _decay_eligibility(z, z_scale, b, fparams[7], kept, events, n_kept, mask, extents)
    n_pre_spiked = _presynaptic(arrivals, b, t, n_inputs, iparams, fparams, p_plus, pre, pre_index)
    post = arrivals[t + 1, b, n_inputs:]
    n_post_spiked, fired = _postsynaptic(post, b, iparams[4], fparams, p_minus, post_index)
    reward = reward_table[b, fired] + rewards[t, b]
    if rule == DOPAMINE_RULE:
        return _dopamine_learn(b, compact[0], low, high, p_plus, p_minus, compact[1], z_scale, dopamine, rate,
                               reward, dopamine[4][t], fparams, iparams[6], pre_index, n_pre_spiked, post_index,
                               n_post_spiked, lists)
    if rule == MSTDPET_RULE:
        typed = z.dtype.type
        coef = typed(1.0) / (typed(fparams[8]) * z_scale[b])
        finite &= _add_zeta_eligibility(z, kept, events, n_kept, b, coef, mask, p_plus, p_minus, pre_index,
                                        n_pre_spiked, post_index, n_post_spiked, extents)
        if reward != 0:
            finite &= _add_kept_columns(z, kept, events, n_kept, mask, b, extents)
            finite &= _add_eligibility_to_weights(values, low, high, z, b, typed(rate[b] * reward * z_scale[b]),
                                                  extents)
        return finite
    if rule == MSTDP_RULE:
        _copy_into(last_pre[b], pre)
        _copy_into(last_post[b], post)
    factor = values.dtype.type(rate[b] * reward if rule == MSTDP_RULE else rate[b])
    if factor == 0:
        return True
    return _add_zeta(values, b, factor, low, high, mask, p_plus, p_minus, pre, post, pre_index, n_pre_spiked,
                     post_index, n_post_spiked, extents)


@numba.njit(cache=True)
def run_tick(arrivals, potential, per_step, injected, lif, izhikevich, values, mask, low, high, p_plus, p_minus, last_pre,
             last_post, z, z_scale, dopamine, rate, reward_table, rewards, fparams, iparams):
    """Run the ``len(arrivals) - 1`` steps of a tick for every network of the batch, in place.

    Returns False if a learning update gave an infinite or NaN sum (a key's
    value too large for float64: weights then clip it silently), else True.

    Parameters
    ----------
    arrivals : ndarray of shape (T + 1, B, n_pre), bool
        The presynaptic spikes arriving at each step, input columns filled in;
        the body columns of rows 1 to T are written (spikes emitted at step t
        arrive at t + 1).
    potential : ndarray of shape (B, n_post), float64 or float32
        The membrane potential of LIF or Izhikevich neurons; its float type is that of every float state array
        (weights, bounds, traces, ``keep``, ``threshold``, ``cells``, the thalamic current).
    per_step : ndarray of shape (T, B, n_post), float64
        LIF: uniform draws for random firing, read only when ``prob_rand_fire > 0``;
        Izhikevich: the thalamic current of each step (cast to the state's type where it is added), none if empty.
    injected : ndarray of shape (T, B, n_post), float64
        The current injected into each neuron at each step
        (:meth:`spikey.snn.network.Network.injected_current`; cast to the state's type where it is added), none if
        empty.
    lif : tuple
        ``(timer, pending, keep, threshold)``: the LIF state (int64 (B, n_post), bool (B, spike_delay, n_post),
        :class:`spikey.snn.neuron.lif.NeuronState`), ``1 - potential_decay`` and ``firing_threshold`` (mV)
        of each network, (B,).
    izhikevich : tuple
        ``(recovery, cells)``: the recovery variable u (B, n_post) and each neuron's ``a, b, c, d`` (4, B, n_post).
    values, mask, low, high : the weight state (:class:`spikey.snn.weight.template.WeightState`)
    p_plus, p_minus : ndarray of shape (B, n_pre) and (B, n_post), float64
        The rule's traces.
    last_pre, last_post : ndarray of shape (B, n_pre) and (B, n_post), bool
        MSTDP's spikes of the last step (any shape for other rules).
    z, z_scale : ndarray of shape (B, n_pre, n_post) and (B,), float64
        MSTDPET's stored eligibility z or DopamineSTDP's c, and its scale (any shape for other rules).
    dopamine : tuple
        DopamineSTDP's ``(d, steps, dopamine_per_reward, tonic_dopamine, fold)``: dopamine and steps run
        (B,), float64 and int64, the two keys (B,), and whether each step folds the scale of c in (T,), bool.
    rate : ndarray of shape (B,), float64
        ``learning_rate`` of each network.
    reward_table : ndarray of shape (B, n_outputs + 1), float64
        The reward of a step at which k output neurons fired is ``reward_table[b, k]``.
    rewards : ndarray of shape (T, B), float64
        Rewards scheduled at each step (:meth:`spikey.snn.network.Network.scheduled_rewards`), added to it.
    fparams : ndarray of float64
        The values named by :data:`FLOAT_PARAMS`.
    iparams : ndarray of int64
        The values named by :data:`INT_PARAMS`.
    """
    n_pre, n_post, rule = arrivals.shape[2], potential.shape[1], iparams[1]
    incoming, pre = np.empty(n_post, dtype=potential.dtype), np.empty(n_pre, dtype=np.bool_)
    pre_index, post_index = np.empty(n_pre, dtype=np.int64), np.empty(n_post, dtype=np.int64)
    extents = np.empty((4, max(n_pre, n_post)), dtype=np.int64)
    eligibility = rule == MSTDPET_RULE
    kept = np.empty((KEPT_STEPS, n_pre) if eligibility else (0, 0), dtype=z.dtype)
    events = np.empty((2, KEPT_STEPS * n_post if eligibility else 0), dtype=np.int64)
    n_kept = np.zeros(2, dtype=np.int64)  # rows of kept, events
    by_synapse = rule == DOPAMINE_RULE  # weights and c kept by synapse during the tick
    n_synapses = _most_synapses(mask) if by_synapse else 0
    lists = (np.empty(n_pre + 1, dtype=np.int64), np.empty(n_synapses, dtype=np.int64),
             np.empty(n_post + 1, dtype=np.int64), np.empty(n_synapses, dtype=np.int64),
             np.empty(n_synapses, dtype=np.int64))
    compact = (np.empty(n_synapses, dtype=values.dtype), np.empty(n_synapses, dtype=z.dtype))  # weights, stored c
    return _run_networks(arrivals, potential, per_step, injected, lif, izhikevich, values, mask, low, high, p_plus,
                         p_minus, last_pre, last_post, z, z_scale, dopamine, rate, reward_table, rewards, fparams,
                         iparams, (incoming, pre, pre_index, post_index, extents, kept, events, n_kept, lists, compact))


@numba.njit(cache=True, _nrt=False)
def _run_networks(arrivals, potential, per_step, injected, lif, izhikevich, values, mask, low, high, p_plus, p_minus,
                  last_pre, last_post, z, z_scale, dopamine, rate, reward_table, rewards, fparams, iparams, scratch):
    """:func:`run_tick`'s loops over networks and steps, in the scratch arrays it allocated; False if not finite.

    Compiled without numba's reference counting (``_nrt=False``, numba's
    option for its own string and sort helpers; the functions it calls
    inherit it): the arrays it reaches belong to :func:`run_tick` or its
    caller, which hold them for the call, so counting them bought nothing.
    Neither it nor its callees may allocate: numba refuses to compile an
    allocation without the counting.
    """
    n_steps, batch, n_pre = arrivals.shape[0] - 1, arrivals.shape[1], arrivals.shape[2]
    n_post = potential.shape[1]
    n_inputs, rule, izhikevich_neurons = n_pre - n_post, iparams[1], iparams[5] == IZHIKEVICH_NEURONS
    timer, pending, keep, threshold = lif
    recovery, cells = izhikevich
    incoming, pre, pre_index, post_index, extents, kept, events, n_kept, lists, compact = scratch
    eligibility, by_synapse = rule == MSTDPET_RULE, rule == DOPAMINE_RULE
    finite = True
    for b in range(batch):
        if rule != NO_RULE and not by_synapse:
            _extents(mask, b, extents[0, :n_post], extents[1, :n_post], extents[2, :n_pre], extents[3, :n_pre])
        if by_synapse:
            _synapse_lists(mask, b, *lists)
            _gather(values, b, lists[0], lists[1], compact[0])
            _gather(z, b, lists[0], lists[1], compact[1])
        for t in range(n_steps):
            if by_synapse:
                _compact_input(arrivals[t, b], compact[0], lists[0], lists[1], incoming)
            else:
                _synaptic_input(arrivals[t, b], values, b, incoming)
            if izhikevich_neurons:
                _izhikevich_step(b, t, potential, recovery, cells, per_step, injected, fparams[1], incoming,
                                 arrivals[t + 1, b, n_inputs:])
            else:
                _lif_step(b, t, potential, timer, pending, per_step, injected, keep, threshold, fparams, iparams,
                          incoming, arrivals[t + 1, b, n_inputs:])
            if rule != NO_RULE:
                finite &= _learn(b, t, arrivals, values, mask, low, high, p_plus, p_minus, last_pre, last_post, z,
                                 z_scale, dopamine, rate, reward_table, rewards, fparams, iparams, pre, pre_index,
                                 post_index, extents, kept, events, n_kept, lists, compact)
        if by_synapse:
            _scatter(compact[0], b, lists[0], lists[1], values)
            _scatter(compact[1], b, lists[0], lists[1], z)
        if eligibility:
            finite &= _add_kept_columns(z, kept, events, n_kept, mask, b, extents)
    return finite
