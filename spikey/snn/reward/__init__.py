"""Rewarders: how much reward a network earns for its actions."""
from spikey.snn.reward.match_expected import MatchExpected
from spikey.snn.reward.template import Reward

__all__ = ["MatchExpected", "Reward"]
