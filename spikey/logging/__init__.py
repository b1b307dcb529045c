"""Reading results: Ray Train runs of :func:`spikey.core.ray_train.train` and Ray Tune experiments, as DataFrames."""
from spikey.logging.reader import Reader

__all__ = ["Reader"]
