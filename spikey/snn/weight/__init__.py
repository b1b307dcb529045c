"""Weight initializers: starting synaptic weights and connectivity."""
from spikey.snn.weight.manual import Manual
from spikey.snn.weight.out_degree import OutDegree
from spikey.snn.weight.random import Random
from spikey.snn.weight.template import Weight

__all__ = ["Manual", "OutDegree", "Random", "Weight"]
