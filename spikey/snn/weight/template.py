"""Weight base: the initial synaptic weights, connectivity and weight bounds of a network.

Weights have shape ``(B, n_inputs + n_neurons, n_neurons)``: rows are
presynaptic (inputs first, then body neurons), columns are postsynaptic body
neurons. ``values`` are signed efficacies: a presynaptic spike through synapse
``(i, j)`` delivers ``magnitude * values[i, j]`` to neuron ``j``. Each
presynaptic row has bounds ``[low, high]`` set by its neuron's polarity:
``[0, max_weight]`` for an excitatory neuron (+1), ``[-max_weight, 0]`` for an
inhibitory one (-1), and ``[-max_weight, max_weight]`` for a neuron whose
synapses may take either sign (0), such as the inputs of Florian (2007)'s
temporally coded XOR. Learning rules clip to these bounds, so Dale's law holds
through learning. ``mask`` marks which synapses exist, kept apart from the
values; absent synapses hold 0 and never learn.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import MAX_WEIGHT, N_INPUTS, N_NEURONS
from spikey.module import InvalidParameterError, Module

__all__ = ["Weight", "WeightState", "bounds"]

_POLARITY_NAMES = {1.0: "excitatory", -1.0: "inhibitory", 0.0: "either-sign"}


class WeightState(NamedTuple):
    values: np.ndarray  # (B, n_pre, n_post) float64 (or the network's dtype), signed efficacies in [low, high]
    mask: np.ndarray  # (B, n_pre, n_post) bool, the synapses that exist
    low: np.ndarray  # (B, n_pre) float64 (or the network's dtype), lower bound of each presynaptic row
    high: np.ndarray  # (B, n_pre) float64 (or the network's dtype), upper bound of each presynaptic row


def bounds(polarity: np.ndarray, max_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-row weight bounds ``(low, high)`` for presynaptic polarities (B, n_pre) of +1, -1 or 0.

    Examples
    --------
    >>> low, high = bounds(np.array([[1.0, -1.0, 0.0]]), 5.0)
    >>> low.tolist(), high.tolist()
    ([[0.0, -5.0, -5.0]], [[5.0, 0.0, 5.0]])
    """
    polarity = np.asarray(polarity, dtype=np.float64)
    return np.where(polarity > 0, 0.0, -max_weight), np.where(polarity < 0, 0.0, max_weight)


class Weight(Module):
    """Base class of weight initializers.

    Subclasses implement ``initial(batch_size, rng, polarity) -> (values, mask)``.

    Attributes
    ----------
    State.values : ndarray of shape (B, n_inputs + n_neurons, n_neurons), float64 (or the network's ``dtype``)
        Signed efficacies, within the bounds of their presynaptic row; built
        in float64, cast by a network to its ``dtype``.
    State.mask : ndarray of shape (B, n_inputs + n_neurons, n_neurons), bool
    State.low, State.high : ndarray of shape (B, n_inputs + n_neurons), float64 (or the network's ``dtype``)
        Bounds of each presynaptic row, from its polarity (see :func:`bounds`).
    """

    NECESSARY_KEYS = (N_INPUTS, N_NEURONS, MAX_WEIGHT)

    State = WeightState

    @property
    def shape(self) -> tuple:
        """(n_pre, n_post) of one network."""
        return (self.params.n_inputs + self.params.n_neurons, self.params.n_neurons)

    def init_state(self, batch_size: int, rng: np.random.Generator, polarity: np.ndarray) -> WeightState:
        """The starting weights of ``batch_size`` networks, given presynaptic polarity (B, n_pre).

        Raises
        ------
        InvalidParameterError
            If a given weight lies outside the bounds its presynaptic polarity sets.
        """
        low, high = bounds(polarity, self.params.max_weight)
        values, mask = self.initial(batch_size, rng, polarity)
        for name, array in (("values", values), ("mask", mask)):
            if np.ndim(array) == 3 and len(array) != batch_size:
                raise InvalidParameterError(
                    f"The initial weight {name} of {type(self).__name__} hold {len(array)} networks (a leading axis "
                    f"of {len(array)}), but batch_size={batch_size}."
                )
        values, mask = np.broadcast_to(values, (batch_size, *self.shape)), np.broadcast_to(mask, (batch_size, *self.shape))
        values = np.where(mask, values, 0.0)
        self._check_bounds(values, low, high, polarity)
        return WeightState(values, mask.copy(), low, high)

    def state_problem(self, state: WeightState) -> str | None:
        """Bounds within ``[-max_weight, max_weight]`` around 0, values within their row's bounds, 0 where absent."""
        values, mask, low, high = state
        limit = self.params.max_weight
        if np.any(low > 0) or np.any(high < 0) or np.any(low < -limit) or np.any(high > limit):
            return f"row bounds must satisfy -max_weight <= low <= 0 <= high <= max_weight (max_weight={limit})"
        outside = (values < low[:, :, None]) | (values > high[:, :, None])
        if outside.any():
            b, i, j = (int(k) for k in np.argwhere(outside)[0])
            return f"values[{b}, {i}, {j}] = {values[b, i, j]} lies outside its row's bounds [{low[b, i]}, {high[b, i]}]"
        if np.any(values[~mask]):
            return "values must be 0 where the mask has no synapse"
        return None

    def _check_bounds(self, values, low, high, polarity):
        outside = (values < low[:, :, None]) | (values > high[:, :, None])
        if outside.any():
            b, i, j = (int(k) for k in np.argwhere(outside)[0])
            raise InvalidParameterError(
                f"The initial weights of {type(self).__name__} must lie within the bounds of their presynaptic "
                f"neuron: row {i} is {_POLARITY_NAMES[float(polarity[b, i])]}, bounds [{low[b, i]}, {high[b, i]}]. "
                f"Got {values[b, i, j]} at [{b}, {i}, {j}] instead."
            )

    def initial(self, batch_size: int, rng: np.random.Generator, polarity: np.ndarray):
        """Return ``(values, mask)``, each of shape (n_pre, n_post) or (B, n_pre, n_post)."""
        raise NotImplementedError

    def check_matrix(self, key: str, matrix) -> np.ndarray:
        """Validate a user-given (n_pre, n_post) or (B, n_pre, n_post) matrix of efficacies."""
        array = np.asarray(matrix, dtype=np.float64)
        owner = type(self).__name__
        if array.shape[-2:] != self.shape or array.ndim not in (2, 3):
            raise InvalidParameterError(
                f"The {key!r} parameter of {owner} must have shape {self.shape} "
                f"(n_inputs + n_neurons, n_neurons) or (batch_size, *{self.shape}). Got shape {array.shape} instead."
            )
        if not np.all(np.isfinite(array)) or np.abs(array).max(initial=0) > self.params.max_weight:
            raise InvalidParameterError(
                f"The {key!r} parameter of {owner} must hold finite efficacies in [-max_weight, max_weight] "
                f"(max_weight={self.params.max_weight}). Got values in [{array.min()}, {array.max()}] instead."
            )
        return array
