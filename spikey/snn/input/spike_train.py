"""Temporal coding: each observation is a symbol that replays its own fixed spike train.

``spike_trains[s, t]`` is the input spike pattern of symbol ``s`` at step ``t``
after the symbol was shown; trains repeat with their length.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import InstanceOf, InvalidParameterError, Key
from spikey.snn.input.template import Input


def _is_train_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == bool and value.ndim == 3 and value.shape[1] > 0


class SpikeTrainState(NamedTuple):
    symbol: np.ndarray  # (B,) int64, the symbol being replayed
    time: np.ndarray  # (B,) int64, steps since the symbol was shown


class SpikeTrain(Input):
    """Replays a fixed boolean spike train per symbol; observations are symbol indices (B,).

    Examples
    --------
    >>> trains = np.zeros((2, 3, 2), dtype=bool)
    >>> trains[1, 1, 0] = True
    >>> inputs = SpikeTrain(n_inputs=2, magnitude=1.0, spike_trains=trains)
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([1]))
    >>> spikes, state = inputs.step(state, rng, n_steps=3)
    >>> spikes[:, 0, 0].tolist(), state.time.tolist()
    ([False, True, False], [3])
    """

    NECESSARY_KEYS = Input.extend_keys(
        Key("spike_trains", InstanceOf(np.ndarray, "a bool array of shape (n_symbols, length, n_inputs)",
                                       _is_train_array), "Spike pattern of each symbol at each step."),
    )

    State = SpikeTrainState

    def __init__(self, **config):
        super().__init__(**config)
        width = self.params.spike_trains.shape[2]
        if width != self.params.n_inputs:
            raise InvalidParameterError(
                f"The 'spike_trains' parameter of SpikeTrain must have shape (n_symbols, length, "
                f"n_inputs={self.params.n_inputs}). Got shape {self.params.spike_trains.shape} instead."
            )

    def state_problem(self, state) -> str | None:
        """Symbols in [0, n_symbols), times >= 0."""
        n_symbols = len(self.params.spike_trains)
        if np.any(state.symbol < 0) or np.any(state.symbol >= n_symbols) or np.any(state.time < 0):
            return f"symbols must lie in [0, {n_symbols}) and times be >= 0"
        return None

    def own_observation_size(self) -> int:
        """One symbol per observation."""
        return 1

    def init_state(self, batch_size, rng):
        return SpikeTrainState(np.zeros(batch_size, dtype=np.int64), np.zeros(batch_size, dtype=np.int64))

    def encode(self, state, observations):
        symbols = np.asarray(observations).reshape(-1)
        n_symbols = len(self.params.spike_trains)
        if symbols.dtype.kind not in "iu" or symbols.min() < 0 or symbols.max() >= n_symbols:
            raise InvalidParameterError(f"SpikeTrain observations must be integer symbols in [0, {n_symbols}); got {symbols}.")
        return SpikeTrainState(symbols.astype(np.int64), np.zeros_like(state.time))

    def step(self, state, rng, n_steps=1):
        trains = self.params.spike_trains
        times = state.time + np.arange(n_steps)[:, None]
        spikes = trains[state.symbol, times % trains.shape[1]]
        return spikes, SpikeTrainState(state.symbol, state.time + n_steps)
