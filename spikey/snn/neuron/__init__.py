"""Spiking neuron groups: the body of a network."""
from spikey.snn.neuron.cortical_izhikevich import CorticalIzhikevich
from spikey.snn.neuron.izhikevich import Izhikevich, izhikevich_step
from spikey.snn.neuron.lif import LIF, lif_step
from spikey.snn.neuron.rand_potential import RandPotential
from spikey.snn.neuron.template import Neuron

__all__ = ["Neuron", "LIF", "RandPotential", "Izhikevich", "CorticalIzhikevich", "lif_step", "izhikevich_step"]
