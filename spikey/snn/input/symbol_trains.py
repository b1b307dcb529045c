"""Temporal coding with frozen random spike trains, one per symbol (Florian 2007, section 4.3).

Each network draws, once at construction, ``n_symbols`` spike trains of
``train_length`` steps with exactly ``train_spikes`` spikes each, at distinct
steps chosen uniformly at random. Each observation value is a symbol; every
input of its group (see :meth:`~spikey.snn.input.template.Input.spread`)
replays that symbol's train from its start when the observation arrives, and
the train repeats after ``train_length`` steps. The trains are network state:
kept by ``reset()``, saved by ``get_state()``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import Interval, InvalidParameterError, Key
from spikey.snn.input.template import Input


class SymbolTrainsState(NamedTuple):
    trains: np.ndarray  # (B, n_symbols, train_length) bool, drawn once per network
    symbols: np.ndarray  # (B, n_inputs) int64, the symbol each input replays
    shown: np.ndarray  # (B,) bool, whether an observation has arrived (inputs are silent before)
    time: np.ndarray  # (B,) int64, steps since the observation arrived


class SymbolTrains(Input):
    """Inputs that replay a frozen random spike train per symbol, drawn once per network.

    Attributes
    ----------
    State.trains : ndarray of shape (B, n_symbols, train_length), bool
    State.symbols : ndarray of shape (B, n_inputs), int64
    State.shown : ndarray of shape (B,), bool
    State.time : ndarray of shape (B,), int64

    References
    ----------
    R. V. Florian (2007), Neural Computation 19(6):1468-1502, section 4.3: two
    trains of 50 spikes in 500 ms, one per bit value.

    Examples
    --------
    >>> inputs = SymbolTrains(n_inputs=2, magnitude=1.0, n_symbols=2, train_length=500, train_spikes=50)
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([[0, 1]]))
    >>> spikes, state = inputs.step(state, rng, n_steps=500)
    >>> spikes.sum(axis=0).tolist(), bool((spikes[:, 0, 1] == state.trains[0, 1]).all())
    ([[50, 50]], True)
    """

    NECESSARY_KEYS = Input.extend_keys(
        Key("n_symbols", Interval(int, 1, None), "Number of symbols, each with its own spike train.", default=2),
        Key("train_length", Interval(int, 1, None), "Length of each spike train in steps (ms).", default=500),
        Key("train_spikes", Interval(int, 0, None), "Spikes in each spike train, at distinct random steps.",
            default=50),
    )

    State = SymbolTrainsState

    def __init__(self, **config):
        super().__init__(**config)
        if self.params.train_spikes > self.params.train_length:
            raise InvalidParameterError(
                f"The 'train_spikes' parameter of SymbolTrains must be at most train_length="
                f"{self.params.train_length}. Got {self.params.train_spikes} instead."
            )

    def init_state(self, batch_size, rng):
        """Draw the trains of ``batch_size`` networks; every input silent until an observation arrives."""
        p = self.params
        ranks = rng.random((batch_size, p.n_symbols, p.train_length)).argsort(axis=-1).argsort(axis=-1)
        return self.reset(SymbolTrainsState(ranks < p.train_spikes, None, None, None), rng)

    def reset(self, state, rng):
        """Keep the trains; forget the observation."""
        batch = len(state.trains)
        return SymbolTrainsState(state.trains, np.zeros((batch, self.params.n_inputs), dtype=np.int64),
                                 np.zeros(batch, dtype=bool), np.zeros(batch, dtype=np.int64))

    def encode(self, state, observations):
        symbols = self.groups(observations)
        n_symbols = self.params.n_symbols
        if not np.all((symbols == np.round(symbols)) & (symbols >= 0) & (symbols < n_symbols)):
            raise ValueError(f"SymbolTrains observations must be integer symbols in [0, {n_symbols}); got {symbols}.")
        shown = np.ones_like(state.shown)
        return SymbolTrainsState(state.trains, self.spread(symbols.astype(np.int64)), shown, np.zeros_like(state.time))

    def step(self, state, rng, n_steps=1):
        """Replay each input's train: ``(spikes (n_steps, B, n_inputs) bool, state)``; silent before an observation."""
        trains = state.trains
        times = (state.time + np.arange(n_steps)[:, None]) % trains.shape[2]  # (n_steps, B)
        spikes = trains[np.arange(len(trains))[:, None], state.symbols, times[:, :, None]]
        spikes &= state.shown[:, None]
        return spikes, state._replace(time=state.time + n_steps)
