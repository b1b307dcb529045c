"""Spiking neuron groups: the body of a network."""
from spikey.snn.neuron.rand_potential import RandPotential
from spikey.snn.neuron.template import Neuron, lif_step

__all__ = ["Neuron", "RandPotential", "lif_step"]
