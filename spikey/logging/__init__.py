"""Reading results (Ray Train runs of :func:`spikey.core.ray_train.train` and Ray Tune experiments, as DataFrames) and summarizing them."""
from spikey.logging.reader import Reader
from spikey.logging.stats import wilson_interval

__all__ = ["Reader", "wilson_interval"]
