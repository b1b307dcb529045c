"""Training: loops that make a network play a game and learn, and callbacks that record them.

The loops make no Ray call: a loop runs locally as it is, and
:func:`~spikey.core.ray_train.train` runs the same loop in Ray Train
workers, reporting through its ``report`` argument (Ray is imported only
when ``train`` is called).
"""
from spikey.core.callback import ExperimentCallback, RLCallback
from spikey.core.loop import GenericLoop, TrainingLoop
from spikey.core.ray_train import TrainRun, train

__all__ = ["TrainingLoop", "GenericLoop", "ExperimentCallback", "RLCallback", "train", "TrainRun"]
