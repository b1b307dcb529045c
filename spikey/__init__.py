"""Spikey: batched numpy spiking neural networks for reinforcement-learning experiments."""
from spikey.module import InvalidParameterError, Key, Module

__version__ = "0.1.0"

__all__ = ["InvalidParameterError", "Key", "Module", "__version__"]
