"""Neuron base: what every neuron model provides to a network.

A neuron part owns no arrays. ``init_state`` builds the state of a batch of
``n_neurons`` neurons (arrays with a leading batch axis), and ``step``
advances it by one 1 ms timestep given the charge arriving at each neuron,
returning the spikes emitted at that step. Every spike delivers ``magnitude``
times the synapse's weight to its postsynaptic neurons; ``polarity`` draws
each neuron's sign (+1 excitatory, -1 inhibitory), which bounds its outgoing
weights.
"""
from __future__ import annotations

import numpy as np

from spikey.keys import MAGNITUDE, N_NEURONS
from spikey.module import Interval, Key, Module

__all__ = ["Neuron", "draw_polarity"]


def draw_polarity(batch_size: int, n: int, pct_inhibitory: float, rng: np.random.Generator) -> np.ndarray:
    """Polarity (B, n) of +1 (excitatory) or -1 (inhibitory), each inhibitory with probability ``pct_inhibitory``."""
    if pct_inhibitory == 0:
        return np.ones((batch_size, n))
    return np.where(rng.random((batch_size, n)) < pct_inhibitory, -1.0, 1.0)


class Neuron(Module):
    """Base class of neuron models: subclasses implement ``init_state`` and ``step``.

    A network reads ``params.n_neurons`` and ``params.magnitude``, and calls
    :meth:`polarity` once at construction, :meth:`init_state` at every
    ``reset()`` and :meth:`step` at every timestep.

    See Also
    --------
    spikey.snn.neuron.LIF : Leaky integrate-and-fire neurons.
    spikey.testing.check_part : Checks a neuron model against this contract.
    """

    NECESSARY_KEYS = (
        N_NEURONS,
        MAGNITUDE,
        Key("neuron_pct_inhibitory", Interval(float, 0, 1), "Probability that a body neuron is inhibitory.",
            default=0.0, fixed=True),
    )

    def polarity(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw each neuron's sign (B, n_neurons): +1 excitatory, -1 inhibitory."""
        return draw_polarity(batch_size, self.params.n_neurons, self.params.neuron_pct_inhibitory, rng)

    def init_state(self, batch_size: int, rng: np.random.Generator):
        """The state of ``batch_size`` networks' neurons at rest: a NamedTuple of (B, ...) arrays."""
        raise NotImplementedError

    def step(self, state, incoming: np.ndarray, rng: np.random.Generator):
        """One timestep.

        Parameters
        ----------
        state : NamedTuple
            The neurons' state, arrays with a leading batch axis; not changed in place.
        incoming : ndarray of shape (B, n_neurons)
            Charge (mV) arriving this step; not changed.
        rng : numpy.random.Generator

        Returns
        -------
        spikes : ndarray of shape (B, n_neurons), bool
        state : NamedTuple
        """
        raise NotImplementedError
