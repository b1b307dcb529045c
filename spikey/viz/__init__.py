"""Plots of networks and results with matplotlib; every function returns a Figure and shows nothing."""
from spikey.viz.plots import learning_curve, output_rates, raster, series_errorbars, weights

__all__ = ["raster", "output_rates", "learning_curve", "weights", "series_errorbars"]
