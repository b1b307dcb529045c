"""Series: one experiment over a series of key values, with repeats, on Ray Tune.

A spec names the values to try:

- a range, ``(key, start, stop, step)``: ``start, start + step, ...`` below ``stop``;
- a list, ``(key, [v1, v2, ...])``;
- several keys iterated together, ``((key1, key2), [(a1, b1), (a2, b2), ...])``;
- a grid, a list of the specs above: every combination of their values.

Each configuration runs ``n_repeats`` times as one batched network in one
Tune trial (see :mod:`spikey.meta.trial` for seeds and reports). With
``seed`` a list of ``n_repeats`` ints, repeat ``k`` is exactly a lone run
seeded ``seed[k]``. With
``share_batch=True`` every configuration shares a single trial, which needs
every varied key to be batched (one value per network, e.g.
``learning_rate``). Every value is checked against its Key before any trial
starts.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from spikey.core.loop import GenericLoop
from spikey.meta.spaces import check_not_shared, check_value, declared_keys, value_range
from spikey.meta.trial import run
from spikey.module import InvalidParameterError

__all__ = ["Series", "configurations"]


def configurations(spec) -> list:
    """The configurations a spec describes, ``[{key: value}, ...]``, grids in row-major order.

    Raises
    ------
    InvalidParameterError
        For a spec of none of the forms, naming it.

    Examples
    --------
    >>> configurations(("tau_z", 10.0, 40.0, 10.0))
    [{'tau_z': 10.0}, {'tau_z': 20.0}, {'tau_z': 30.0}]
    >>> configurations([("a", [1, 2]), (("b", "c"), [(3, 4), (5, 6)])])
    [{'a': 1, 'b': 3, 'c': 4}, {'a': 1, 'b': 5, 'c': 6}, {'a': 2, 'b': 3, 'c': 4}, {'a': 2, 'b': 5, 'c': 6}]
    """
    if isinstance(spec, list) and spec:
        grids = [configurations(part) for part in spec]
        names = [name for grid in grids for name in grid[0]]
        if len(set(names)) == len(names):
            return [dict(itertools.chain(*(part.items() for part in parts))) for parts in itertools.product(*grids)]
        raise InvalidParameterError(f"Series spec {spec!r} varies {sorted({n for n in names if names.count(n) > 1})} "
                                    "in more than one of its parts; vary each key in one part.")
    if isinstance(spec, tuple) and len(spec) == 4 and isinstance(spec[0], str):
        return [{spec[0]: value} for value in value_range(spec)]
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], (list, tuple)) \
            and spec[1]:
        return [{spec[0]: value} for value in spec[1]]
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], (tuple, list)) and spec[0] \
            and all(isinstance(name, str) for name in spec[0]) and isinstance(spec[1], (list, tuple)):
        together = [dict(zip(spec[0], values)) for values in spec[1]
                    if isinstance(values, (list, tuple)) and len(values) == len(spec[0])]
        if together and len(together) == len(spec[1]):
            return together
    raise InvalidParameterError(
        f"Series spec {spec!r} is none of (key, start, stop, step), (key, [values]), ((key1, key2), [(v1, v2), ...]) "
        "with one value per key and at least one value, or a non-empty list of these (a grid).")



class Series:
    """One experiment over a series of key values, ``n_repeats`` seeded repeats each, as batched Tune trials.

    Parameters
    ----------
    network_template, game_template : type
        As for :class:`~spikey.core.loop.GenericLoop`; importable classes.
    spec : tuple or list
        The values to try (see the module docstring).
    n_repeats : int, default 1
        Repeats of each configuration: copies of one batched network.
    share_batch : bool, default False
        Run every configuration in one trial, one batch of
        ``n_configurations * n_repeats`` networks; every varied key must be batched.
    **params
        The loop's, network's and game's keys all configurations share
        (``n_episodes``, ``len_episode``, ``seed``...). ``seed`` is an int (the
        repeats share one random stream, as a batch seeded with it does), or
        ``n_repeats`` ints, one per repeat: repeat ``k`` of every
        configuration then gives the results of a lone run (``batch_size=1``)
        seeded ``seed[k]``.

    Attributes
    ----------
    configurations : list of dict
        ``{key: value}`` of each configuration, checked.

    Raises
    ------
    InvalidParameterError
        Before any trial, naming the key and the spec: a malformed spec, an
        unknown key (with a did-you-mean hint), a value its Key refuses, a key
        the experiment sets itself (``seed``, ``batch_size``), or with
        ``share_batch`` a key that is not batched; a ``seed`` list whose length
        is not ``n_repeats``; and any configuration the network or game refuses
        when built.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> from spikey.games import Logic
    >>> Series(FlorianXOR, Logic, ("n_neurons", [61, 0]), n_episodes=1, len_episode=4)
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: Series spec ('n_neurons', [61, 0]): The 'n_neurons' parameter of LIF must be an int in the range [1, 2**63 - 1]. Got 0 instead.
    """

    def __init__(self, network_template, game_template, spec, n_repeats: int = 1, share_batch: bool = False,
                 **params):
        if not isinstance(n_repeats, int) or isinstance(n_repeats, bool) or n_repeats < 1:
            raise InvalidParameterError(f"The n_repeats of Series must be an int >= 1. Got {n_repeats!r} instead.")
        seed = params.get("seed")
        per_repeat = seed is not None and np.ndim(seed) == 1
        if per_repeat and len(seed) != n_repeats:
            raise InvalidParameterError(f"The seed of Series must be an int >= 0, None, or n_repeats={n_repeats} "
                                        f"ints, one per repeat. Got {len(seed)} seeds instead: {seed!r}.")
        declared = declared_keys(network_template, game_template)
        where = f"Series spec {spec!r}"
        self.configurations = [{name: check_value(declared, name, value, where) for name, value in config.items()}
                               for config in configurations(spec)]
        check_not_shared(self.configurations[0], params, where)
        if share_batch:
            for name in self.configurations[0]:
                if not declared[name][0].batched:
                    raise InvalidParameterError(
                        f"{where}: key {name!r} ({declared[name][1]}) is not batched: every network of a batch has "
                        "the same value, so its values cannot share one batch; use share_batch=False.")
        for config in self.configurations:  # cross-key checks and game fit, before any trial
            GenericLoop(network_template, game_template, **{**params, **config},
                        **({"batch_size": n_repeats} if per_repeat else {})).build()
        self.network_template, self.game_template, self.spec = network_template, game_template, spec
        self.n_repeats, self.share_batch, self.params = n_repeats, share_batch, params

    def run(self, *, name: str, storage_path, **options) -> pd.DataFrame:
        """Run the series on Ray Tune (or resume it: same ``name`` and ``storage_path``); return its results.

        Parameters
        ----------
        name, storage_path
            The experiment's folder, as for :func:`spikey.meta.run`.
        **options
            Passed to :func:`spikey.meta.run` (``address``, ``max_failures``,
            ``max_concurrent_trials``, ``progress``, ``callback``...).

        Returns
        -------
        pandas.DataFrame
            One row per configuration and repeat: the varied keys,
            ``repeat``, ``copy`` (in its trial's batch), ``trial_id``, each
            result of the last episode, and per configuration
            ``<result>_mean``, ``<result>_std`` (ddof 1) and ``<result>_sem``
            (std / sqrt(n_repeats)) over repeats.

        Raises
        ------
        RuntimeError
            If a trial failed (after ``max_failures`` retries), from its error.
        """
        names = list(self.configurations[0])
        points = [{name: [config[name] for config in self.configurations] for name in names}] if self.share_batch \
            else self.configurations
        from ray import tune

        space = {"point": tune.grid_search([{"configuration": index, **point} for index, point in enumerate(points)])}
        identity = {"configurations": self.configurations, "n_repeats": self.n_repeats, "share": self.share_batch}
        grid = run(self.network_template, self.game_template, space, name=name, storage_path=storage_path,
                   n_repeats=self.n_repeats, shared=names if self.share_batch else (), identity=identity, **options,
                   **self.params)
        if grid.errors:
            raise RuntimeError(f"{len(grid.errors)} trial(s) of the series {name!r} failed; the first: "
                               f"{grid.errors[0]!r}") from grid.errors[0]
        if any("copies" not in result.metrics for result in grid):
            raise RuntimeError(f"The series {name!r} stopped before every trial reported (interrupted?); run it again "
                               "with the same name and storage_path to resume it.")
        return self._frame(grid)

    def _frame(self, grid) -> pd.DataFrame:
        """One row per configuration and repeat, with aggregates over repeats."""
        rows = []
        for result in grid:
            per_copy = result.metrics["copies"]
            for copy in range(len(next(iter(per_copy.values())))):
                value, repeat = divmod(copy, self.n_repeats)
                configuration = value if self.share_batch else result.config["point"]["configuration"]
                rows.append({"configuration": configuration, **self.configurations[configuration], "repeat": repeat,
                             "copy": copy, "trial_id": result.metrics["trial_id"],
                             **{metric: values[copy] for metric, values in per_copy.items()}})
        frame = pd.DataFrame(rows).sort_values(["configuration", "repeat"], ignore_index=True)
        by_configuration = frame.groupby("configuration")
        for metric in result.metrics["copies"]:
            frame[f"{metric}_mean"] = by_configuration[metric].transform("mean")
            frame[f"{metric}_std"] = by_configuration[metric].transform("std")
            frame[f"{metric}_sem"] = frame[f"{metric}_std"] / np.sqrt(self.n_repeats)
        return frame
