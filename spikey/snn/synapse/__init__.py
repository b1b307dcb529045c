"""Learning rules: how synaptic weights change with spike timing and reward.

All rules are in trace form (a timestep costs a decay of the traces plus work
on the rows and columns of its spikes; a block of steps of a reward-gated rule
costs two matrix products over the rows and columns that spiked in it) and
keep each weight within the bounds of its presynaptic row, with absent
synapses at 0. DopamineSTDP (Izhikevich 2007) is the exception to the cost:
while a network's dopamine is nonzero, each step changes all its weights.
"""
from spikey.snn.synapse.dopamine_stdp import DopamineSTDP
from spikey.snn.synapse.ltp import LTP
from spikey.snn.synapse.mstdp import MSTDP
from spikey.snn.synapse.mstdpet import MSTDPET
from spikey.snn.synapse.rlstdp import RLSTDP
from spikey.snn.synapse.stdp import STDP
from spikey.snn.synapse.template import Synapse

__all__ = ["Synapse", "STDP", "LTP", "RLSTDP", "MSTDP", "MSTDPET", "DopamineSTDP"]
