"""Plots: a spike raster, output rates per game state, a learning curve, a weight matrix, a series with error bars.

Each returns a ``matplotlib.figure.Figure`` built without pyplot's global
state, so library code never opens a window; save it with ``fig.savefig``,
or show it in a notebook.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["raster", "output_rates", "learning_curve", "weights", "series_errorbars"]


def raster(spike_log: np.ndarray, copy: int = 0, n_inputs: int | None = None) -> Figure:
    """Spike raster of a tick: ``spike_log`` (T, B, n) bool, one row per neuron, inputs below a line.

    Examples
    --------
    >>> fig = raster(np.random.default_rng(0).random((50, 1, 8)) < 0.1, n_inputs=3)
    >>> fig.axes[0].get_xlabel()
    'time (ms)'
    """
    log = np.asarray(spike_log)
    if log.ndim != 3 or log.dtype != bool:
        raise ValueError(f"raster: spike_log must be a bool array (T, B, n); got {log.dtype} {log.shape}.")
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    steps, neurons = np.nonzero(log[:, copy])
    ax.scatter(steps, neurons, s=2, marker="|", color="k")
    if n_inputs:
        ax.axhline(n_inputs - 0.5, color="tab:red", lw=0.8)
    ax.set(xlabel="time (ms)", ylabel="neuron (inputs first)", xlim=(0, len(log)), ylim=(-0.5, log.shape[2] - 0.5))
    return fig


def output_rates(rates: np.ndarray, labels) -> Figure:
    """Output rate (Hz) for each game state, mean and spread over networks: ``rates`` (B, n_states).

    Examples
    --------
    >>> fig = output_rates(np.array([[1.0, 40.0, 38.0, 5.0]]), ["(0,0)", "(0,1)", "(1,0)", "(1,1)"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['(0,0)', '(0,1)', '(1,0)', '(1,1)']
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=np.float64))
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    positions = np.arange(rates.shape[1])
    ax.bar(positions, rates.mean(axis=0), yerr=rates.std(axis=0) if len(rates) > 1 else None, color="tab:blue")
    ax.set_xticks(positions, labels)
    ax.set(ylabel="output rate (Hz)")
    return fig


def learning_curve(df, metrics, by: str = "episode", ylabel: str | None = None) -> Figure:
    """Metrics against ``by`` from a results DataFrame (a :class:`~spikey.logging.Reader`'s ``df``): mean and spread.

    Parameters
    ----------
    df : pandas.DataFrame
    metrics : str or list of str
        Columns to plot, one line each.
    by : str, default "episode"
    ylabel : str, optional
        Default: the metric's name, for one metric.

    The mean is over every row with the same ``by`` (workers, copies,
    trials); the band is one standard deviation.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"episode": [0, 0, 1, 1], "total_reward": [1.0, 3.0, 4.0, 6.0]})
    >>> learning_curve(df, "total_reward").axes[0].get_ylabel()
    'total_reward'
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = [name for name in [*metrics, by] if name not in df]
    if missing:
        raise ValueError(f"learning_curve: the DataFrame has no column {missing}; it has {list(df.columns)}.")
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    for metric in metrics:
        grouped = df.groupby(by)[metric]
        mean, spread = grouped.mean(), grouped.std().fillna(0.0)
        line, = ax.plot(mean.index, mean.values, label=metric)
        ax.fill_between(mean.index, mean - spread, mean + spread, color=line.get_color(), alpha=0.2)
    ax.set(xlabel=by, ylabel=ylabel or (metrics[0] if len(metrics) == 1 else "value"))
    if len(metrics) > 1:
        ax.legend()
    return fig


def weights(network, copy: int = 0) -> Figure:
    """Heat map of a network's signed weights (presynaptic rows, inputs first; postsynaptic columns), in mV.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> weights(FlorianXOR(keys={"seed": 0})).axes[0].get_xlabel()
    'postsynaptic neuron'
    """
    values = network.weights[copy]
    limit = max(float(np.abs(values).max()), 1e-12)
    fig = Figure(figsize=(5, 6))
    ax = fig.add_subplot()
    image = ax.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    ax.axhline(network.parts["inputs"].params.n_inputs - 0.5, color="k", lw=0.6)
    ax.set(xlabel="postsynaptic neuron", ylabel="presynaptic neuron (inputs first)")
    fig.colorbar(image, ax=ax, label="weight (mV)")
    return fig


def series_errorbars(df, by: str, metric: str) -> Figure:
    """A Series' result against the varied key: the mean over repeats with standard-error bars.

    Parameters
    ----------
    df : pandas.DataFrame
        What :meth:`spikey.meta.Series.run` returns: columns ``by``,
        ``<metric>_mean`` and ``<metric>_sem``.
    by : str
        The varied key, on the x axis.
    metric : str
        The result, on the y axis.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"tau_z": [10.0, 20.0], "total_reward_mean": [2.0, 3.0], "total_reward_sem": [0.5, 0.4]})
    >>> series_errorbars(df, "tau_z", "total_reward").axes[0].get_ylabel()
    'total_reward (mean ± s.e.m.)'
    """
    columns = [by, f"{metric}_mean", f"{metric}_sem"]
    missing = [name for name in columns if name not in df]
    if missing:
        raise ValueError(f"series_errorbars: the DataFrame has no column {missing}; it has {list(df.columns)}.")
    points = df[columns].drop_duplicates(by).sort_values(by)
    fig = Figure(figsize=(6, 3.5), layout="constrained")  # the x label inside the figure
    ax = fig.add_subplot()
    ax.errorbar(points[by], points[columns[1]], yerr=points[columns[2]], marker="o", capsize=3)
    ax.set(xlabel=by, ylabel=f"{metric} (mean ± s.e.m.)")
    return fig
