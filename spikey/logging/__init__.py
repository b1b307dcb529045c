"""Reading results (Ray Train runs of :func:`spikey.core.ray_train.train` and Ray Tune experiments, as DataFrames),
summarizing them, and the checkpoint folders of long local runs."""
from spikey.logging.checkpoints import load_checkpoint, open_run, save_checkpoint
from spikey.logging.reader import Reader
from spikey.logging.stats import wilson_interval

__all__ = ["Reader", "wilson_interval", "open_run", "save_checkpoint", "load_checkpoint"]
