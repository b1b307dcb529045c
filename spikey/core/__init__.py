"""Training: loops that make a network play a game and learn, and callbacks that record them.

The loops make no Ray call; :mod:`spikey.core` runs them locally, and the
same loop runs in a Ray Train worker or a Tune trial through its ``report``
argument.
"""
from spikey.core.callback import ExperimentCallback, RLCallback
from spikey.core.loop import GenericLoop, TrainingLoop

__all__ = ["TrainingLoop", "GenericLoop", "ExperimentCallback", "RLCallback"]
