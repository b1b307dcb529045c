"""Plots of networks and results with matplotlib; every function returns a Figure and shows nothing."""
from spikey.viz.plots import learning_curve, output_rates, raster, weights

__all__ = ["raster", "output_rates", "learning_curve", "weights"]
