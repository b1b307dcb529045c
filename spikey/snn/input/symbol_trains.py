"""Temporal coding with frozen random spike trains, one per symbol (Florian 2007, section 4.3).

Each network draws, once at construction, ``n_symbols`` spike trains of
``train_length`` steps with exactly ``train_spikes`` spikes each, at distinct
steps chosen uniformly at random (with ``shared_trains=False``, such a set
for every input). Each observation value is a symbol; every input of its
group (see :meth:`~spikey.snn.input.template.Input.spread`) replays that
symbol's train from its start when the observation arrives, and the train
repeats after ``train_length`` steps. The trains are network state: kept by
``reset()``, saved by ``get_state()``.

With shared trains, as in Florian (2007), inputs given equal symbols fire in
synchrony: (0, 0) and (1, 1) differ from (0, 1) and (1, 0) by synchrony
alone, which an untrained network with inputs of either sign already tells
apart in most runs (see the replication's control).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.module import Interval, InvalidParameterError, Key, Options
from spikey.snn.input.template import Input


class SymbolTrainsState(NamedTuple):
    trains: np.ndarray  # (B, n_symbols, train_length, 1 or n_inputs) bool, drawn once per network
    symbols: np.ndarray  # (B, n_inputs) int64, the symbol each input replays
    shown: np.ndarray  # (B,) bool, whether an observation has arrived (inputs are silent before)
    time: np.ndarray  # (B,) int64, steps since the observation arrived


class SymbolTrains(Input):
    """Inputs that replay a frozen random spike train per symbol, drawn once per network.

    Attributes
    ----------
    State.trains : ndarray of shape (B, n_symbols, train_length, 1 or n_inputs), bool
        The trains of each symbol: one shared by all inputs, or one per input.
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
    >>> spikes.sum(axis=0).tolist(), bool((spikes[:, 0, 1] == state.trains[0, 1, :, 0]).all())
    ([[50, 50]], True)
    """

    NECESSARY_KEYS = Input.extend_keys(
        Key("n_symbols", Interval(int, 1, None), "Number of symbols, each with its own spike train.", default=2,
            fixed=True),
        Key("train_length", Interval(int, 1, None), "Length of each spike train in steps (ms).", default=500,
            fixed=True),
        Key("train_spikes", Interval(int, 0, None), "Spikes in each spike train, at distinct random steps.",
            default=50, fixed=True),
        Key("shared_trains", Options(True, False),
            "Whether all inputs replay the same train for a symbol (Florian 2007: two trains, one per bit value, "
            "so equal bits give synchronous inputs) or each input has trains of its own.", default=True, fixed=True),
    )

    State = SymbolTrainsState

    def __init__(self, **config):
        super().__init__(**config)
        if self.params.train_spikes > self.params.train_length:
            raise InvalidParameterError(
                f"The 'train_spikes' parameter of SymbolTrains must be at most train_length="
                f"{self.params.train_length}. Got {self.params.train_spikes} instead."
            )

    def state_problem(self, state) -> str | None:
        """Symbols in [0, n_symbols), times >= 0."""
        if np.any(state.symbols < 0) or np.any(state.symbols >= self.params.n_symbols) or np.any(state.time < 0):
            return f"symbols must lie in [0, {self.params.n_symbols}) and times be >= 0"
        return None

    def init_state(self, batch_size, rng):
        """Draw the trains of ``batch_size`` networks; every input silent until an observation arrives."""
        p = self.params
        n_trains = 1 if p.shared_trains else p.n_inputs
        ranks = rng.random((batch_size, p.n_symbols, n_trains, p.train_length)).argsort(axis=-1).argsort(axis=-1)
        trains = np.moveaxis(ranks < p.train_spikes, 2, 3)
        return self.reset(SymbolTrainsState(trains, None, None, None), rng)

    def reset(self, state, rng):
        """Keep the trains; forget the observation."""
        batch = len(state.trains)
        return SymbolTrainsState(state.trains, np.zeros((batch, self.params.n_inputs), dtype=np.int64),
                                 np.zeros(batch, dtype=bool), np.zeros(batch, dtype=np.int64))

    def encode(self, state, observations):
        symbols = self.groups(observations)
        n_symbols = self.params.n_symbols
        if not np.all((symbols == np.round(symbols)) & (symbols >= 0) & (symbols < n_symbols)):
            raise InvalidParameterError(f"SymbolTrains observations must be integer symbols in [0, {n_symbols}); got {symbols}.")
        shown = np.ones_like(state.shown)
        return SymbolTrainsState(state.trains, self.spread(symbols.astype(np.int64)), shown, np.zeros_like(state.time))

    def step(self, state, rng, n_steps=1):
        """Replay each input's train: ``(spikes (n_steps, B, n_inputs) bool, state)``; silent before an observation."""
        trains = state.trains
        times = (state.time + np.arange(n_steps)[:, None]) % trains.shape[2]  # (n_steps, B)
        own = np.arange(self.params.n_inputs) % trains.shape[3]  # the train of each input: 0 when shared
        spikes = trains[np.arange(len(trains))[:, None], state.symbols, times[:, :, None], own]
        spikes &= state.shown[:, None]
        return spikes, state._replace(time=state.time + n_steps)
