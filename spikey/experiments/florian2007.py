"""Florian (2007)'s rate-coded XOR network, section 4.1, on Spikey's LIF neurons.

Two groups of 30 Poisson inputs fire at 40 Hz for a true bit and stay silent
for a false one; 60 hidden neurons and one output neuron are connected feed
forward (inputs -> hidden -> output) and learn with MSTDPET (tau+ = tau- = 20
ms, tau_z = 25 ms, A+ = 1, A- = -1). Each pattern is shown for 500 ms, and the
network is rewarded at each output spike: +1 if XOR of the pattern is true, -1
if it is false. Florian used spike-response-model neurons and signed weights;
here neurons are LIF with a 20 ms membrane time constant, a fifth of the
neurons are inhibitory, and learning changes weight magnitudes while signs
stay fixed.

Reference: R. V. Florian, "Reinforcement learning through modulation of
spike-timing-dependent synaptic plasticity", Neural Computation 19(6):1468-1502, 2007.
"""
from __future__ import annotations

import math

from spikey.snn.input import RateMap
from spikey.snn.network import ActiveRLNetwork
from spikey.snn.neuron import Neuron
from spikey.snn.readout import Threshold
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import MSTDPET
from spikey.snn.weight import Random


class FlorianXOR(ActiveRLNetwork):
    """Florian (2007)'s rate-coded XOR network; play it on ``spikey.games.Logic(preset="XOR")``.

    Examples
    --------
    >>> import numpy as np
    >>> net = FlorianXOR(keys={"seed": 0, "expected_value": lambda s: np.logical_xor(s[:, 0], s[:, 1])})
    >>> net.reset()
    >>> action = net.tick(np.array([1, 0]))
    >>> net.spike_log.shape
    (500, 1, 121)
    """

    parts = {
        "inputs": RateMap,
        "neurons": Neuron,
        "weights": Random,
        "synapses": MSTDPET,
        "readout": Threshold,
        "rewarder": MatchExpected,
    }
    keys = {
        "n_inputs": 60,
        "n_neurons": 61,
        "n_outputs": 1,
        "processing_time": 500,
        "input_rate": 0.04,
        "magnitude": 1.0,
        "firing_threshold": 10.0,
        "potential_decay": 1 - math.exp(-1 / 20),
        "refractory_period": 2,
        "neuron_pct_inhibitory": 0.2,
        "max_weight": 5.0,
        "prob_connection": 1.0,
        "weight_scale": 1.0,
        "layer_sizes": (60, 1),
        "tau_plus": 20.0,
        "tau_minus": 20.0,
        "tau_z": 25.0,
        "a_plus": 1.0,
        "a_minus": -1.0,
        "gamma": 0.2,
        "action_threshold": 0.01,
        "reward_mult": 1.0,
        "punish_mult": 1.0,
    }
