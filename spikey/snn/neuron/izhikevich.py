"""Izhikevich (2003) neurons: a quadratic potential with a recovery variable.

Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE Transactions
on Neural Networks 14(6), 1569-1572. Each neuron has a membrane potential
``v`` (mV) and a recovery variable ``u`` (in the units of ``v'`` and ``I``)::

    v' = 0.04 v² + 5 v + 140 - u + I
    u' = a (b v - u)
    if v >= 30 mV: spike, v <- c, u <- u + d

One network step is 1 ms and runs, in this order, as the paper's MATLAB code
does:

1. ``v <- v + 0.5 (0.04 v² + 5 v + 140 - u + I)``, twice (two 0.5 ms
   half-steps with the same ``u`` and ``I``);
2. ``u <- u + a (b v - u)``, once, with the ``v`` of step 1;
3. the neurons with ``v >= 30`` spike; for them ``v <- c`` and ``u <- u + d``.

``I`` is the charge arriving this step (``incoming``, mV). It is held over both
half-steps, as the input current of the MATLAB code is, so a constant ``I``
has its published meaning, and alone it would raise ``v`` by ``I`` mV.

The MATLAB code tests ``v >= 30`` and resets at the *start* of the next step,
with the previous step's values; here the test and reset end the step that
crossed, so ``step`` returns the spikes of this step. The sequence of
operations on ``(v, u)`` is the same: a neuron spikes here at step ``t`` when
the MATLAB code records it at step ``t + 1``. The potential of a spiking
neuron overshoots 30 mV after the half-steps, by an amount that depends on
where in the step it crossed (31 to 1600 mV for a regular spiking neuron
driven by ``I = 10``), and ``u`` is updated with that overshoot, as in the
MATLAB code; so the interspike intervals under a constant current vary within
a band rather than settling on one value. The state holds ``v = c`` after a
spike, never the peak.

So that the state stays finite for every finite input, ``v`` is clipped to
``[-V_GUARD, V_GUARD]`` (``V_GUARD = 1e4`` mV) after each half-step. Without
the clip the explicit half-steps run to inf and NaN after a single step of
about 1e4 mV. The clip leaves the MATLAB code's numbers unchanged while no
half-step goes past 1e4 mV, which takes more than about 800 mV of excitation
in one step (1300 mV from rest), or more than about 1500 mV of inhibition
(the half-steps turn a large negative ``v`` into a large positive one).

A new state is at rest: ``u = b v`` and ``v`` the stable root of
``0.04 v² + (5 - b) v + 140 = 0`` (-70 mV for the regular spiking preset), so
that without input nothing moves and no neuron spikes. Where there is no root,
``b > 5 - sqrt(22.4) ≈ 0.267``, the neuron has no resting state, fires without
input, and starts at ``v = c``. The MATLAB code starts every neuron at
``v = -65``, which sets off a spike in the resonator preset; starting at
``v = c`` would in the chattering and intrinsically bursting ones.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import Interval, Key, per_network, state_typed
from spikey.snn.neuron.template import Neuron

__all__ = ["Izhikevich", "IzhikevichState", "izhikevich_step", "resting_potential", "V_PEAK", "V_GUARD"]

V_PEAK = 30.0
"""Spike cutoff (mV): a neuron whose potential reaches it spikes and resets (Izhikevich 2003)."""

V_GUARD = 1e4
"""Bound (mV) of the potential after each half-step; it only keeps the state finite (see the module docstring)."""


def resting_potential(b, c):
    """The potential (mV) at rest without input, per value of ``b``; ``c`` where no rest exists.

    The stable root of ``0.04 v² + (5 - b) v + 140 = 0``, where ``v' = 0`` and
    ``u' = 0`` with ``u = b v``; it exists for ``b <= 5 - sqrt(22.4)``.
    """
    b = np.asarray(b, dtype=np.float64)
    discriminant = (5.0 - b) ** 2 - 4 * 0.04 * 140.0
    root = ((b - 5.0) - np.sqrt(np.maximum(discriminant, 0.0))) / (2 * 0.04)
    return np.where(discriminant >= 0, root, c)


class IzhikevichState(NamedTuple):
    potential: np.ndarray  # (B, n_neurons) float64 (or the network's dtype), v (mV)
    recovery: np.ndarray  # (B, n_neurons) float64 (or the network's dtype), u


def izhikevich_step(state: IzhikevichState, incoming: np.ndarray, p, rng: np.random.Generator):
    """Advance every network of the batch one 1 ms step; return ``(spikes, new_state)``.

    Two 0.5 ms half-steps of ``v`` with ``u`` and ``incoming`` held, one step of
    ``u`` with the new ``v``, then the threshold test and reset of this step.
    ``state`` and ``incoming`` are not changed; ``rng`` is not used.
    """
    return advance(state, incoming, *(per_network(p[name], 2) for name in "abcd"))


def _typed(cells: tuple, state: IzhikevichState) -> tuple:
    """The cell parameters ``(a, b, c, d)`` in the state's float type."""
    return tuple(state_typed(value, state.potential.dtype) for value in cells)


def advance(state: IzhikevichState, incoming: np.ndarray, a, b, c, d):
    """:func:`izhikevich_step` with the cell parameters given as arrays that broadcast against (B, n_neurons).

    The arithmetic keeps the state's float type.
    """
    a, b, c, d = _typed((a, b, c, d), state)
    v, u = state.potential, state.recovery
    for _ in range(2):  # the MATLAB code's expression, term for term
        v = v + 0.5 * (0.04 * v ** 2 + 5.0 * v + 140.0 - u + incoming)
        np.clip(v, -V_GUARD, V_GUARD, out=v)
    u = u + a * (b * v - u)
    spikes = v >= V_PEAK
    np.copyto(v, c, where=spikes)
    u += spikes * d
    return spikes, IzhikevichState(v, u)


class Izhikevich(Neuron):
    """A group of Izhikevich (2003) neurons, regular spiking by default.

    ``PRESETS`` holds the parameters ``a, b, c, d`` of the cortical and
    thalamic cell classes of Izhikevich (2003), Fig. 2; pass one as keys.

    Attributes
    ----------
    PRESETS : dict of str to dict
        Cell class name -> ``{"a", "b", "c", "d"}``: ``regular_spiking``,
        ``intrinsically_bursting``, ``chattering``, ``fast_spiking``,
        ``low_threshold_spiking``, ``thalamo_cortical``, ``resonator``.
    State.potential : ndarray of shape (B, n_neurons), float64 (or the network's ``dtype``)
        Membrane potential v (mV); ``c`` right after a spike.
    State.recovery : ndarray of shape (B, n_neurons), float64 (or the network's ``dtype``)
        Recovery variable u.

    Examples
    --------
    >>> neurons = Izhikevich(n_neurons=2, magnitude=10.0, **Izhikevich.PRESETS["fast_spiking"])
    >>> rng = np.random.default_rng(0)
    >>> state = neurons.init_state(batch_size=1, rng=rng)
    >>> fired = []
    >>> for t in range(60):
    ...     spikes, state = neurons.step(state, np.array([[10.0, 0.0]]), rng)
    ...     fired.append(spikes[0])
    >>> np.flatnonzero(np.array(fired)[:, 0]).tolist()  # driven by I = 10 from rest: tonic firing
    [4, 22, 34, 45, 58]
    >>> bool(np.array(fired)[:, 1].any()), state.potential.dtype, spikes.dtype
    (False, dtype('float64'), dtype('bool'))
    """

    NECESSARY_KEYS = Neuron.extend_keys(
        Key("a", Interval(float, 0, 1, closed="right"),
            "Time scale (1/ms) of the recovery variable u: the fraction of (b v - u) u gains per ms; smaller is "
            "slower recovery (Izhikevich 2003; typical 0.02). At most 1: at 1 the 1 ms Euler step of u sets u to "
            "b v; beyond, it would overshoot.", default=0.02, batched=True),
        Key("b", Interval(float, -1, 1),
            "Sensitivity of the recovery variable u to the subthreshold potential v: u relaxes to b v. Larger b "
            "couples u and v more strongly, giving subthreshold oscillations and low-threshold spiking "
            "(Izhikevich 2003; typical 0.2).", default=0.2, batched=True),
        Key("c", Interval(float, -100, 30, closed="left"),
            "After-spike reset value (mV) of the potential v, set by the fast high-threshold K+ conductances "
            "(Izhikevich 2003; typical -65 mV). Below the 30 mV spike cutoff, and at least -100 mV, above the "
            "-112.5 mV where the 0.5 ms Euler half-step turns unstable.",
            default=-65.0, batched=True),
        Key("d", Interval(float, -100, 100),
            "After-spike increment of the recovery variable u (units of u, as I: mV/ms), set by the slow "
            "high-threshold Na+ and K+ conductances (Izhikevich 2003: 8 for regular, 2 for fast spiking).", default=8.0,
            batched=True),
    )

    PRESETS = {
        "regular_spiking": {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0},
        "intrinsically_bursting": {"a": 0.02, "b": 0.2, "c": -55.0, "d": 4.0},
        "chattering": {"a": 0.02, "b": 0.2, "c": -50.0, "d": 2.0},
        "fast_spiking": {"a": 0.1, "b": 0.2, "c": -65.0, "d": 2.0},
        "low_threshold_spiking": {"a": 0.02, "b": 0.25, "c": -65.0, "d": 2.0},
        "thalamo_cortical": {"a": 0.02, "b": 0.25, "c": -65.0, "d": 0.05},
        "resonator": {"a": 0.1, "b": 0.26, "c": -65.0, "d": 2.0},
    }

    State = IzhikevichState

    def cell_parameters(self) -> tuple:
        """``(a, b, c, d)``, each broadcasting against (B, n_neurons): the keys, per network."""
        return tuple(per_network(self.params[name], 2) for name in "abcd")

    def init_state(self, batch_size: int, rng: np.random.Generator) -> IzhikevichState:
        """Neurons at rest, ``u = b v`` (see the module docstring); ``c`` where there is no rest."""
        _, b, c, _ = self.cell_parameters()
        v = np.broadcast_to(resting_potential(b, c), (batch_size, self.params.n_neurons)).astype(np.float64)
        return IzhikevichState(v, b * v)

    def step(self, state: IzhikevichState, incoming: np.ndarray, rng: np.random.Generator):
        """One 1 ms timestep.

        Parameters
        ----------
        state : IzhikevichState
        incoming : ndarray of shape (B, n_neurons)
            Charge (mV) arriving this step, held as the current I over both half-steps.
        rng : numpy.random.Generator
            Not used: the model draws nothing.

        Returns
        -------
        spikes : ndarray of shape (B, n_neurons), bool
            The neurons whose potential reached 30 mV in this step.
        state : IzhikevichState
        """
        return advance(state, incoming, *self.cell_parameters())
