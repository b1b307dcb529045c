"""Input encoders: game observations to input spikes."""
from spikey.snn.input.rate_map import RateMap
from spikey.snn.input.rbf import RBF
from spikey.snn.input.spike_train import SpikeTrain
from spikey.snn.input.static_map import StaticMap
from spikey.snn.input.symbol_trains import SymbolTrains
from spikey.snn.input.template import Input

__all__ = ["Input", "RateMap", "RBF", "SpikeTrain", "StaticMap", "SymbolTrains"]
