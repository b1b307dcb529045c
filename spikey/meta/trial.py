"""Spikey experiments as Ray Tune trials: repeats (and shared-batch values) run as one batched network per trial.

A trial plays :class:`~spikey.core.loop.GenericLoop` once, on one network
of ``batch_size = n_values * n_repeats`` copies: copy ``v * n_repeats + k``
is repeat ``k`` of value ``v`` of the keys given in ``shared`` (each a Key
declared ``batched``, one value per network). After each episode that every
copy has finished, the trial reports with ``ray.tune.report`` one row: the
mean over copies of each result of the callback (``total_reward``...),
``episode``, the Ray ``node`` it ran on, and ``copies``, each result's value
per copy (lists of length B, in copy order). Tune's schedulers (ASHA) see
one iteration per episode.

Seeds: the network of a trial is seeded with the experiment's ``seed``
(every trial the same: configurations are compared on common random
numbers). An int seeds one Generator stream for the whole batch, and copy
``k`` plays games seeded ``spikey.games.copy_seeds(seed, B)[k]``: copy ``k``
is reproduced by the same trial (same configuration, ``seed`` and batch),
not by a lone network. A list of ``n_repeats`` seeds gives repeat ``k`` (of
every value of a shared batch) the seed ``seed[k]``: its own stream and
games, so it is exactly a lone run seeded ``seed[k]`` (see
:mod:`spikey.snn.streams`).

Ray is embedded as in :func:`spikey.core.ray_train.train`: a local Ray
starts if none runs; ``address=`` or ``RAY_ADDRESS`` joins a cluster.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from spikey.core.loop import GenericLoop
from spikey.core.ray_train import _start_ray
from spikey.module import InvalidParameterError

__all__ = ["experiment_trial", "run", "batch_keys"]

IDENTITY_FILE = "spikey_experiment.json"


def batch_keys(config: dict, shared, n_repeats: int) -> tuple[dict, int]:
    """The network keys of a trial and its batch size: each ``shared`` key's values repeated ``n_repeats`` times.

    Examples
    --------
    >>> batch_keys({"learning_rate": [0.1, 0.2], "tau_z": 20.0}, ["learning_rate"], 2)
    ({'learning_rate': array([0.1, 0.1, 0.2, 0.2]), 'tau_z': 20.0}, 4)
    """
    keys, n_values = dict(config), 1
    for name in shared:
        n_values = len(config[name])
        keys[name] = np.repeat(np.asarray(config[name]), n_repeats)
    return keys, n_values * n_repeats


def experiment_trial(config: dict, experiment: dict):
    """The function a Tune trial runs: the loop on one batched network, one report per episode (see the module)."""
    import ray
    from ray import tune

    keys = dict(config.get("point", config))  # a Series' trial: {"point": {"configuration": index, key: value}}
    keys.pop("configuration", None)
    keys, batch = batch_keys(keys, experiment["shared"], experiment["n_repeats"])
    params = dict(experiment["params"])
    if np.ndim(params.get("seed")) == 1:  # a seed per repeat, the same for every value of a shared batch
        params["seed"] = np.tile(np.asarray(params["seed"]), batch // experiment["n_repeats"])
    callback = None if experiment["callback"] is None else experiment["callback"]()
    loop = GenericLoop(experiment["network_template"], experiment["game_template"], callback=callback,
                       **params, **keys, batch_size=batch, progress=False)
    node, episodes = ray.get_runtime_context().get_node_id(), {}

    def report(row):
        copies = episodes.setdefault(row["episode"], {})
        copies[row["copy"]] = row
        if len(copies) == batch:
            tune.report({**episode_row(episodes.pop(row["episode"])), "node": node})

    loop(report=report)


def episode_row(copies: dict) -> dict:
    """One report from the rows of every copy for an episode: means, ``episode`` and ``copies`` (values per copy)."""
    rows = [copies[copy] for copy in sorted(copies)]
    names = [name for name in rows[0] if name not in ("episode", "copy")]
    per_copy = {name: [row[name] for row in rows] for name in names}
    return {**{name: float(np.mean(values)) for name, values in per_copy.items()}, "episode": rows[0]["episode"],
            "copies": per_copy}


def run(network_template, game_template, param_space: dict, *, name: str, storage_path, metric: str | None = None,
        mode: str | None = None, n_repeats: int = 1, shared=(), search_alg=None, scheduler=None, num_samples: int = 1,
        max_concurrent_trials: int | None = None, max_failures: int = 0, callback=None, address: str | None = None,
        num_cpus: int | None = None, progress: bool = True, identity: dict | None = None, **params):
    """Run an experiment on Ray Tune, or resume it; return Tune's ResultGrid.

    Parameters
    ----------
    network_template, game_template : type
        As for :class:`~spikey.core.loop.GenericLoop`; importable classes.
    param_space : dict
        Tune's ``param_space``: the keys each trial sets (values, grid
        searches, or domains such as :func:`spikey.meta.search_space` makes).
    name : str
        The experiment's folder in ``storage_path``. If it holds an
        interrupted experiment, it is resumed (``Tuner.restore``): finished
        trials are kept, the others run (again).
    storage_path : str or path
        Where Tune writes results (made absolute).
    metric, mode : str, optional
        The result to optimize and ``"max"`` or ``"min"``, for the search
        algorithm and the scheduler.
    n_repeats : int, default 1
        Copies of the network per configuration, run as one batch.
    shared : sequence of str
        Batched keys whose values in ``param_space`` are lists sharing one trial.
    search_alg, scheduler, num_samples, max_concurrent_trials
        As for ``ray.tune.TuneConfig``.
    max_failures : int, default 0
        Retries of a failed trial (a lost node, an error).
    callback : callable, optional
        Makes each trial's loop callback (importable).
    address : str, optional
        A Ray cluster to join; by default ``RAY_ADDRESS``, else a local Ray.
    num_cpus : int, optional
        CPUs of a local Ray started here.
    progress : bool, default True
        Tune's progress table.
    identity : dict, optional
        What else makes this experiment the one in ``name`` (a Series passes
        its configurations); with the templates, ``params``, ``n_repeats`` and
        ``shared`` it is written to ``spikey_experiment.json`` in the folder,
        and a resumed experiment must match it.
    **params
        The loop's, network's and game's keys every trial shares (``n_episodes``, ``seed``...).

    Returns
    -------
    ray.tune.ResultGrid

    Raises
    ------
    InvalidParameterError
        For an unknown key or a bad value of the loop's keys, before Ray starts;
        for a ``name`` whose folder holds an experiment run with other
        templates, keys or configurations (resuming it would mix the two).
    ValueError
        If trials never report ``metric`` (Tune's message names it; Tune's
        TuneError is its cause).
    """
    GenericLoop(network_template, game_template, **params)  # the keys every trial shares, checked here
    _start_ray(address, num_cpus)
    from ray import tune

    experiment = {"network_template": network_template, "game_template": game_template, "params": params,
                  "n_repeats": n_repeats, "shared": tuple(shared), "callback": callback}
    trainable = tune.with_parameters(experiment_trial, experiment=experiment)
    path = Path(storage_path).absolute() / name
    if search_alg is not None and not param_space:  # Tune tells a searcher the metric only with a param_space
        search_alg.set_search_properties(metric, mode, param_space)
    fingerprint = _fingerprint({**experiment, "identity": identity, "search_alg": type(search_alg).__name__})
    if tune.Tuner.can_restore(path):
        _check_same_experiment(path, name, fingerprint)
        tuner = tune.Tuner.restore(str(path), trainable=trainable, resume_errored=True)
    else:
        path.mkdir(parents=True, exist_ok=True)
        (path / IDENTITY_FILE).write_text(fingerprint)
        tuner = tune.Tuner(trainable, param_space=param_space, tune_config=tune.TuneConfig(
            metric=metric, mode=mode, search_alg=search_alg, scheduler=scheduler, num_samples=num_samples,
            max_concurrent_trials=max_concurrent_trials, reuse_actors=True), run_config=tune.RunConfig(
            name=name, storage_path=str(path.parent), verbose=1 if progress else 0,
            failure_config=tune.FailureConfig(max_failures=max_failures)))
    try:
        return tuner.fit()
    except tune.TuneError as error:  # Tune wraps an error of its result handling in a TuneError of its traceback
        if isinstance(error.__context__, ValueError):
            raise error.__context__ from error
        raise


def _fingerprint(experiment: dict) -> str:
    """The experiment as canonical JSON: classes and functions by import path, arrays as lists."""
    def plain(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        if callable(value):
            return f"{getattr(value, '__module__', '?')}:{getattr(value, '__qualname__', repr(value))}"
        return repr(value)
    return json.dumps(experiment, sort_keys=True, default=plain)


def _check_same_experiment(path: Path, name: str, fingerprint: str) -> None:
    """Refuse to resume the experiment in ``path`` if it was started with another configuration."""
    saved = path / IDENTITY_FILE
    if saved.is_file() and saved.read_text() != fingerprint:
        raise InvalidParameterError(
            f"The experiment {name!r} in {path.parent} was started with other templates, keys or configurations "
            f"(see {IDENTITY_FILE} there); resuming it would mix the two. Give this run another name, or remove "
            "the folder to start again.")
