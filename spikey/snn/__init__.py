"""The numpy core: parts and the networks that compose them (no Ray, no torch)."""
from spikey.snn import input, modifier, neuron, readout, reward, synapse, weight
from spikey.snn.network import Network
from spikey.snn.rl_network import ActiveRLNetwork, RLNetwork

__all__ = [
    "ActiveRLNetwork",
    "Network",
    "RLNetwork",
    "input",
    "modifier",
    "neuron",
    "readout",
    "reward",
    "synapse",
    "weight",
]
