"""Weight base: the initial synaptic weights and connectivity of a network.

Weights have shape ``(B, n_inputs + n_neurons, n_neurons)``: rows are
presynaptic (inputs first, then body neurons), columns are postsynaptic body
neurons. ``values`` are magnitudes in ``[0, max_weight]``; the sign of a synapse
comes from its presynaptic neuron's polarity. ``mask`` marks which synapses
exist, kept apart from the values; absent synapses hold 0 and never learn.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey._keys import MAX_WEIGHT, N_INPUTS, N_NEURONS
from spikey.module import InvalidParameterError, Module


class Weight(Module):
    """Base class of weight initializers.

    Subclasses implement ``initial(batch_size, rng) -> (values, mask)``.

    Attributes
    ----------
    State.values : ndarray of shape (B, n_inputs + n_neurons, n_neurons), float64
    State.mask : ndarray of shape (B, n_inputs + n_neurons, n_neurons), bool
    State.sign : ndarray of shape (B, n_inputs + n_neurons), float64
        Presynaptic polarity, +1 or -1 (None in a hand-built state means all +1).
    """

    NECESSARY_KEYS = (N_INPUTS, N_NEURONS, MAX_WEIGHT)

    class State(NamedTuple):
        values: np.ndarray
        mask: np.ndarray
        sign: np.ndarray | None = None

    @property
    def shape(self) -> tuple:
        """(n_pre, n_post) of one network."""
        return (self.params.n_inputs + self.params.n_neurons, self.params.n_neurons)

    def init_state(self, batch_size: int, rng: np.random.Generator, polarity: np.ndarray) -> "Weight.State":
        """The starting weights of ``batch_size`` networks, given presynaptic polarity (B, n_pre)."""
        values, mask = self.initial(batch_size, rng, polarity)
        values, mask = np.broadcast_to(values, (batch_size, *self.shape)), np.broadcast_to(mask, (batch_size, *self.shape))
        return self.State(np.where(mask, values, 0.0), mask.copy(), np.array(polarity, dtype=np.float64))

    def initial(self, batch_size: int, rng: np.random.Generator, polarity: np.ndarray):
        """Return ``(values, mask)``, each of shape (n_pre, n_post) or (B, n_pre, n_post)."""
        raise NotImplementedError

    def check_matrix(self, key: str, matrix) -> np.ndarray:
        """Validate a user-given (n_pre, n_post) or (B, n_pre, n_post) matrix."""
        array = np.asarray(matrix, dtype=np.float64)
        owner = type(self).__name__
        if array.shape[-2:] != self.shape or array.ndim not in (2, 3):
            raise InvalidParameterError(
                f"The {key!r} parameter of {owner} must have shape {self.shape} "
                f"(n_inputs + n_neurons, n_neurons) or (batch_size, *{self.shape}). Got shape {array.shape} instead."
            )
        if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > self.params.max_weight:
            raise InvalidParameterError(
                f"The {key!r} parameter of {owner} must hold magnitudes in [0, max_weight={self.params.max_weight}]"
                f" (signs come from neuron polarity). Got values in [{array.min()}, {array.max()}] instead."
            )
        return array
