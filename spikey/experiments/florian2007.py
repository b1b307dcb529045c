"""Florian (2007)'s XOR experiments on Spikey's parts: rate-coded (section 4.2) and temporally coded (4.3).

The model of the paper's section 4.1, shared by every template here:

- Leaky integrate-and-fire neurons, potentials relative to rest:
  ``u(t) = u(t-1) e^(-1/τm) + Σ_j w_j f_j(t-1)`` with ``τm = 20`` ms; a neuron
  fires when ``u`` reaches ``θ = 16`` mV and resets to rest, with no
  refractory period. Every spike, input or body, is a voltage jump on the
  next step (``input_delay=1``), and the rules pair spikes at emission
  (``spike_pairing="emission"``).
- Feed-forward: inputs -> hidden -> one output neuron, all to all. Hidden
  neurons are excitatory; initial weights are uniform within their bounds.
- Reward at each output spike, at the step of the spike: +1 if XOR of the
  pattern is true, -1 if false. No reward while the output is silent.
- MSTDP or MSTDPET with ``τ+ = τ- = 20`` ms, ``A+ = 1``, ``A- = -1``, ``τz = 25`` ms.
- Each pattern is shown for 500 ms, with no state reset between patterns;
  an epoch shows the four patterns in random order (play them on
  ``spikey.games.Logic(preset="XOR", pattern_order="epochs")``).

Rate coding (section 4.2): two groups of 30 Poisson inputs, 40 Hz for a true
bit and silent for a false one, half of each group inhibitory; 60 hidden
neurons; input -> hidden weights in ``[0, 5]`` mV (excitatory inputs) or
``[-5, 0]`` mV (inhibitory), hidden -> output in ``[0, 5]`` mV. MSTDPET uses
the learning rate ``γ = 0.625`` mV (key ``learning_rate``), MSTDP ``γ = 0.1`` mV.

Temporal coding (section 4.3): two inputs, each replaying one of two frozen
random 500 ms trains of 50 spikes, one per bit value, drawn once per network;
20 hidden neurons; input -> hidden weights in ``[-10, 10]`` mV (either sign),
hidden -> output in ``[0, 10]`` mV. MSTDPET uses ``γ = 0.25`` mV, MSTDP
``γ = 0.01`` mV.

Deliberate differences from the paper: Poisson inputs are drawn as one
Bernoulli trial per 1 ms step (probability 0.04); a neuron fires when its
potential reaches the threshold (the paper's "exceeds" differs only on a
set of measure zero). The replication (``examples/florian2007_xor.py``)
reports the success rates these templates reach, beside the paper's.

Measured over 1000 networks each (``python examples/florian2007_xor.py
--coding <rate|temporal> --rule <mstdpet|mstdp> --runs 1000``), Florian's
criterion on the last 10 of 200 epochs, with the paper's figure: rate
MSTDPET 96.6 % (98.2 %), rate MSTDP 99.6 % (99.1 %), temporal MSTDPET
99.6 % (99.5 %), temporal MSTDP 93.1 % (89.7 %); the README has the
intervals, the controls and the timing variants.

What keeps the output from falling silent, the usual failure of
reward-modulated STDP on XOR: inputs of both signs in every input group
(half of each rate-coded group inhibitory; either sign in temporal coding),
so no hidden neuron is driven hardest by (1,1) and the output is not
punished into silence; and initial weights drawn over the whole bounds, so
the hidden layer fires from the first pattern. With them no rate-coded run
ended silent, and 4 of 1000 temporally coded ones did (a rule rewarded only
at output spikes stops learning once the output is silent).

Reference: R. V. Florian, "Reinforcement learning through modulation of
spike-timing-dependent synaptic plasticity", Neural Computation
19(6):1468-1502, 2007.
"""
from __future__ import annotations

import math

import numpy as np
from tqdm import tqdm

from spikey.core.callback import RLCallback
from spikey.games.logic import ALL_PATTERNS, logical_xor
from spikey.games.vector import VectorGame
from spikey.snn.input import RateMap, SymbolTrains
from spikey.snn.rl_network import ActiveRLNetwork
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import MSTDP, MSTDPET
from spikey.snn.weight import Random

__all__ = ["FlorianXOR", "FlorianXORMSTDP", "FlorianTemporalXOR", "FlorianTemporalXORMSTDP", "XORRates", "play_xor",
           "xor_success"]

MODEL = {
    "n_observations": 2,
    "n_outputs": 1,
    "processing_time": 500,
    "magnitude": 1.0,
    "firing_threshold": 16.0,
    "potential_decay": 1 - math.exp(-1 / 20),
    "refractory_period": 0,
    "neuron_pct_inhibitory": 0.0,
    "input_delay": 1,
    "spike_pairing": "emission",
    "prob_connection": 1.0,
    "tau_plus": 20.0,
    "tau_minus": 20.0,
    "a_plus": 1.0,
    "a_minus": -1.0,
    "expected_value": logical_xor,
    "reward_mult": 1.0,
    "punish_mult": 1.0,
    "action_threshold": 0.02,
}
RATE = {
    **MODEL,
    "n_inputs": 60,
    "n_neurons": 61,
    "layer_sizes": (60, 1),
    "input_rate": 0.04,
    "input_polarity": np.tile(np.repeat([1, -1], 15), 2),
    "max_weight": 5.0,
    "weight_scale": 5.0,
}
TEMPORAL = {
    **MODEL,
    "n_inputs": 2,
    "n_neurons": 21,
    "layer_sizes": (20, 1),
    "n_symbols": 2,
    "train_length": 500,
    "train_spikes": 50,
    "input_polarity": np.zeros(2),
    "max_weight": 10.0,
    "weight_scale": 10.0,
}
PARTS = {"neurons": LIF, "weights": Random, "readout": Threshold, "rewarder": MatchExpected}


class FlorianXOR(ActiveRLNetwork):
    """Florian (2007)'s rate-coded XOR network, section 4.2, learning with MSTDPET (γ = 0.625 mV).

    See the module docstring for the model. Play it on
    ``spikey.games.Logic(preset="XOR", pattern_order="epochs")``.

    Examples
    --------
    >>> net = FlorianXOR(keys={"seed": 0})
    >>> net.reset()
    >>> action = net.tick(np.array([1, 0]))
    >>> net.spike_log.shape, bool(net.weights[0, 15:30, :60].max() <= 0)  # inputs 15-29 are inhibitory
    ((500, 1, 121), True)
    """

    parts = {**PARTS, "inputs": RateMap, "synapses": MSTDPET}
    keys = {**RATE, "tau_z": 25.0, "learning_rate": 0.625}


class FlorianXORMSTDP(ActiveRLNetwork):
    """Florian (2007)'s rate-coded XOR network, section 4.2, learning with MSTDP (γ = 0.1 mV).

    Examples
    --------
    >>> net = FlorianXORMSTDP(keys={"seed": 0})
    >>> type(net.parts["synapses"]).__name__, net.parts["synapses"].params.learning_rate
    ('MSTDP', 0.1)
    """

    parts = {**PARTS, "inputs": RateMap, "synapses": MSTDP}
    keys = {**RATE, "learning_rate": 0.1}


class FlorianTemporalXOR(ActiveRLNetwork):
    """Florian (2007)'s temporally coded XOR network, section 4.3, learning with MSTDPET (γ = 0.25 mV).

    Examples
    --------
    >>> net = FlorianTemporalXOR(keys={"seed": 0, "batch_size": 2})
    >>> net.reset()
    >>> trains = net.state["inputs"].trains  # drawn once per network, kept by reset()
    >>> trains.shape, trains.sum(axis=2)[..., 0].tolist()
    ((2, 2, 500, 1), [[50, 50], [50, 50]])
    """

    parts = {**PARTS, "inputs": SymbolTrains, "synapses": MSTDPET}
    keys = {**TEMPORAL, "tau_z": 25.0, "learning_rate": 0.25}


class FlorianTemporalXORMSTDP(ActiveRLNetwork):
    """Florian (2007)'s temporally coded XOR network, section 4.3, learning with MSTDP (γ = 0.01 mV).

    Examples
    --------
    >>> net = FlorianTemporalXORMSTDP(keys={"seed": 0})
    >>> float(net.state["weights"].low[0, 0]), float(net.state["weights"].high[0, 0])  # inputs of either sign
    (-10.0, 10.0)
    """

    parts = {**PARTS, "inputs": SymbolTrains, "synapses": MSTDP}
    keys = {**TEMPORAL, "learning_rate": 0.01}


PATTERN_RESULTS = ("rate_00", "rate_01", "rate_10", "rate_11")


class XORRates(RLCallback):
    """An RLCallback that also records the output rate (Hz) for each XOR pattern in each episode.

    ``results`` gains ``rate_00``, ``rate_01``, ``rate_10``, ``rate_11``, arrays
    (n_episodes, B): the mean output rate over the episode's ticks showing
    that pattern (NaN if it was not shown).

    Examples
    --------
    >>> from spikey.core import GenericLoop
    >>> from spikey.games import Logic
    >>> loop = GenericLoop(FlorianXOR, Logic, callback=XORRates(), n_episodes=1, len_episode=4, preset="XOR",
    ...                    pattern_order="epochs", seed=0, processing_time=50, progress=False)
    >>> results = loop()[2]
    >>> sorted(name for name in results if name.startswith("rate_"))
    ['rate_00', 'rate_01', 'rate_10', 'rate_11']
    """

    def reset(self, network, game, n_episodes):
        super().reset(network, game, n_episodes)
        for name in PATTERN_RESULTS:
            self.results[name] = np.full((n_episodes, self.batch_size), np.nan)
        self._sums, self._counts = np.zeros((self.batch_size, 4)), np.zeros((self.batch_size, 4))

    def on_tick(self, network, observations, actions):
        super().on_tick(network, observations, actions)
        patterns = np.asarray(observations).reshape(self.batch_size, 2) @ np.array([2, 1])
        networks = np.arange(self.batch_size)
        self._sums[networks, patterns] += network.spike_log[:, :, -1].mean(axis=0) * 1000.0
        self._counts[networks, patterns] += 1

    def on_episode_end(self, network, copies, episodes):
        counted = copies & (episodes < self.n_episodes)
        with np.errstate(invalid="ignore"):
            means = self._sums / self._counts
        for k, name in enumerate(PATTERN_RESULTS):
            self.results[name][episodes[counted], counted] = means[counted, k]
        self._sums[copies], self._counts[copies] = 0.0, 0.0
        super().on_episode_end(network, copies, episodes)


def play_xor(net, n_epochs: int, seed: int, progress: bool = False) -> np.ndarray:
    """Show ``n_epochs`` epochs of the four XOR patterns to every network of the batch; return the output rates.

    Each network plays its own copy of ``Logic(preset="XOR", pattern_order="epochs")``
    (copies seeded from ``seed`` by :func:`~spikey.games.vector.copy_seeds`),
    one pattern per tick of ``processing_time`` ms, with no reset between
    patterns: the network learns during the ticks if it is in training mode.

    Parameters
    ----------
    net : ActiveRLNetwork
        A network with the XOR rewarder, such as :class:`FlorianXOR`; ``reset()`` must have been called.
    n_epochs : int
    seed : int
        Seed of the pattern orders.
    progress : bool, default False
        Show a tqdm progress bar over the epochs.

    Returns
    -------
    ndarray of shape (n_epochs, B, 4), float64
        Output firing rate (Hz) of each network in each epoch for the patterns
        (0, 0), (0, 1), (1, 0), (1, 1).
    """
    if not isinstance(n_epochs, int) or isinstance(n_epochs, bool) or n_epochs < 1:
        raise ValueError(f"play_xor: n_epochs must be an int >= 1. Got {n_epochs!r}.")
    batch, duration = net.params.batch_size, net.params.processing_time
    games = VectorGame("spikey/Logic-v0", batch, preset="XOR", pattern_order="epochs", max_steps=4 * n_epochs)
    observations, _ = games.reset(seed=seed)
    rates = np.zeros((n_epochs, batch, 4))
    for epoch in tqdm(range(n_epochs), desc="epochs", disable=not progress):
        for _ in range(4):
            pattern = observations[:, 0] * 2 + observations[:, 1]
            actions = net.tick(observations if batch > 1 else observations[0])
            rates[epoch, np.arange(batch), pattern] = net.spike_log[:, :, -1].sum(axis=0) * 1000.0 / duration
            observations, *_ = games.step(np.atleast_1d(actions))
    return rates


def xor_success(rates: np.ndarray, last: int = 10) -> np.ndarray:
    """Florian (2007)'s criterion: over the last ``last`` epochs, both true patterns fire faster than both false ones.

    Parameters
    ----------
    rates : ndarray of shape (n_epochs, B, 4)
        As returned by :func:`play_xor`.
    last : int, default 10

    Returns
    -------
    ndarray of shape (B,), bool

    Raises
    ------
    ValueError
        If ``rates`` is not (n_epochs, B, 4) or ``last`` not in [1, n_epochs].

    Examples
    --------
    >>> rates = np.array([[[5.0, 40.0, 35.0, 10.0], [5.0, 40.0, 8.0, 10.0]]])
    >>> xor_success(rates, last=1).tolist()
    [True, False]
    """
    rates = np.asarray(rates, dtype=np.float64)
    if rates.ndim != 3 or rates.shape[2] != 4:
        raise ValueError(f"xor_success: rates must have shape (n_epochs, B, 4), as play_xor returns. Got {rates.shape}.")
    if not 1 <= last <= len(rates):
        raise ValueError(f"xor_success: last must be in [1, n_epochs={len(rates)}]. Got {last!r}.")
    mean = rates[-last:].mean(axis=0)
    expected = logical_xor(ALL_PATTERNS)
    return mean[:, expected].min(axis=1) > mean[:, ~expected].max(axis=1)
