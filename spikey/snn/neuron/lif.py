"""Leaky integrate-and-fire (LIF) neurons.

Each timestep the potential relaxes toward ``resting_mv`` by the fraction
``potential_decay`` and adds the incoming charge:
``v(t) = resting_mv + (v(t-1) - resting_mv) (1 - potential_decay) + I(t)``.
A neuron whose potential reaches ``firing_threshold`` (or that fires at random
with probability ``prob_rand_fire``) spikes, returns to ``resting_mv`` and stays
silent, holding ``resting_mv`` and ignoring input, for ``refractory_period``
steps. Its spike leaves it ``spike_delay`` steps after the threshold crossing.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import Interval, InvalidParameterError, Key, per_network, state_typed
from spikey.snn.neuron.template import Neuron

__all__ = ["LIF", "NeuronState", "lif_step", "integrate", "fire"]


class NeuronState(NamedTuple):
    potential: np.ndarray  # (B, n_neurons) float64, or the network's dtype
    refractory_timer: np.ndarray  # (B, n_neurons) int64, steps of silence left (<= 0: ready)
    pending: np.ndarray  # (B, spike_delay, n_neurons) bool, spikes waiting to leave


def integrate(state: NeuronState, incoming: np.ndarray, p) -> tuple[np.ndarray, np.ndarray]:
    """Leak and integrate one step; return ``(potential, ready)``, refractory neurons held at rest."""
    ready = state.refractory_timer <= 0
    decay = state_typed(1.0 - per_network(p.potential_decay, 2), state.potential.dtype)
    potential = (state.potential - p.resting_mv if p.resting_mv else state.potential) * decay
    potential += incoming
    potential *= ready  # refractory neurons stay at rest
    if p.resting_mv:
        potential += p.resting_mv
    return potential, ready


def fire(state: NeuronState, potential, ready, fired, p) -> tuple[np.ndarray, NeuronState]:
    """Reset ready neurons that fired, start their refractory period and emit (possibly delayed) spikes.

    ``potential`` and ``fired`` are new arrays of this step and are changed in place.
    """
    fired &= ready
    np.copyto(potential, p.resting_mv, where=fired)
    timer = state.refractory_timer - 1
    np.copyto(timer, p.refractory_period, where=fired)
    if p.spike_delay == 0:
        return fired, NeuronState(potential, timer, state.pending)
    emitted = state.pending[:, 0]
    pending = np.concatenate((state.pending[:, 1:], fired[:, None]), axis=1)
    return emitted, NeuronState(potential, timer, pending)


def lif_step(state: NeuronState, incoming: np.ndarray, p, rng: np.random.Generator):
    """Advance every network of the batch one step; return ``(spikes, new_state)``."""
    potential, ready = integrate(state, incoming, p)
    fired = potential >= state_typed(per_network(p.firing_threshold, 2), potential.dtype)
    if p.prob_rand_fire > 0:
        fired |= rng.random(potential.shape) < p.prob_rand_fire
    return fire(state, potential, ready, fired, p)


class LIF(Neuron):
    """A group of leaky integrate-and-fire neurons.

    Attributes
    ----------
    State.potential : ndarray of shape (B, n_neurons), float64 (or the network's ``dtype``)
    State.refractory_timer : ndarray of shape (B, n_neurons), int64
        Steps of silence left; zero or negative when the neuron is ready.
    State.pending : ndarray of shape (B, spike_delay, n_neurons), bool

    Examples
    --------
    >>> neurons = LIF(n_neurons=4, magnitude=1.0, firing_threshold=1.0, potential_decay=0.1, refractory_period=2)
    >>> rng = np.random.default_rng(0)
    >>> state = neurons.init_state(batch_size=2, rng=rng)
    >>> spikes, state = neurons.step(state, np.full((2, 4), 0.6), rng)
    >>> spikes, state = neurons.step(state, np.full((2, 4), 0.6), rng)
    >>> spikes.shape, spikes.dtype, bool(spikes.all())
    ((2, 4), dtype('bool'), True)
    """

    NECESSARY_KEYS = Neuron.extend_keys(
        Key("firing_threshold", Interval(float),
            "Potential (mV) at which a neuron spikes; above resting_mv.", batched=True),
        Key("potential_decay", Interval(float, 0, 1), "Fraction of (potential - resting_mv) lost per step.",
            batched=True),
        Key("refractory_period", Interval(int, 0, None), "Steps a neuron stays silent after it spikes.", default=0),
        Key("resting_mv", Interval(float), "Potential a neuron rests at and resets to after a spike.", default=0.0),
        Key("spike_delay", Interval(int, 0, 100), "Steps between crossing the threshold and the spike leaving.",
            default=0, fixed=True),
        Key("prob_rand_fire", Interval(float, 0, 1), "Per-step probability that a neuron spikes at random.",
            default=0.0),
    )

    State = NeuronState

    def __init__(self, **config):
        super().__init__(**config)
        p = self.params
        if np.any(np.asarray(p.firing_threshold) <= p.resting_mv):
            raise InvalidParameterError(
                f"The 'firing_threshold' parameter of {type(self).__name__} must lie above resting_mv={p.resting_mv} "
                f"(both in mV). Got {p.firing_threshold!r} instead."
            )

    def init_state(self, batch_size: int, rng: np.random.Generator) -> NeuronState:
        """Neurons at rest with nothing pending."""
        shape = (batch_size, self.params.n_neurons)
        return NeuronState(
            np.full(shape, self.params.resting_mv),
            np.zeros(shape, dtype=np.int64),
            np.zeros((batch_size, self.params.spike_delay, self.params.n_neurons), dtype=bool),
        )

    def step(self, state: NeuronState, incoming: np.ndarray, rng: np.random.Generator):
        """One timestep.

        Parameters
        ----------
        state : NeuronState
        incoming : ndarray of shape (B, n_neurons)
            Charge arriving this step.
        rng : numpy.random.Generator

        Returns
        -------
        spikes : ndarray of shape (B, n_neurons), bool
        state : NeuronState
        """
        return lif_step(state, incoming, self.params, rng)
