"""Population: a genetic algorithm over key values, as a Ray Tune ``Searcher``.

A genotype gives each gene (a key) one of its values. Generation 0 draws
``population_size`` genotypes uniformly. When every member of a generation
has a fitness (the trial's last reported ``metric``, negated for
``mode="min"``), the next generation keeps the ``n_elite`` fittest
genotypes (elitism) and fills the rest with children: two parents chosen
by tournament selection (the fittest of ``tournament_size`` members drawn
with replacement; Goldberg & Deb 1991, Miller & Goldberg 1995) or
truncation selection (uniformly among the best ``truncation`` fraction;
Mühlenbein & Schlierkamp-Voosen 1993), uniform crossover with probability
``crossover_rate`` (each gene from either parent; Syswerda 1989), then each
gene changed with probability ``mutation_rate`` (:func:`mutate`: a creep
along an ordered gene, a uniform redraw of another).
A genotype evaluated before, or being evaluated, is not run again: its
cached fitness is used.
Members whose trials failed take no part in selection; a generation in
which every trial failed ends the search with an error.

Every draw comes from one ``numpy.random.Generator`` seeded with
``seed``; its state is saved with the rest as JSON (``save``/``restore``,
which Tune calls to checkpoint and resume an experiment), so a restored
search continues with the same population and the same draws.

References
----------
Goldberg, D. E. & Deb, K. (1991). A comparative analysis of selection schemes used in genetic algorithms.
Foundations of Genetic Algorithms 1, 69-93.
Miller, B. L. & Goldberg, D. E. (1995). Genetic algorithms, tournament selection, and the effects of noise.
Complex Systems 9, 193-212.
Mühlenbein, H. & Schlierkamp-Voosen, D. (1993). Predictive models for the breeder genetic algorithm.
Evolutionary Computation 1(1), 25-49.
Syswerda, G. (1989). Uniform crossover in genetic algorithms. Proc. 3rd ICGA, 2-9.
Davis, L. (1991). Handbook of Genetic Algorithms. Van Nostrand Reinhold (creep mutation).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from ray.tune.search import Searcher

from spikey.meta.spaces import check_not_shared, check_value, declared_key, declared_keys, key_values, value_range
from spikey.meta.trial import run
from spikey.module import InvalidParameterError

__all__ = ["Population"]

SELECTIONS = ("tournament", "truncation")


def gene_values(name: str, constraint) -> list:
    """The values of a gene given as ``[values]`` or ``(start, stop, step)``.

    Raises
    ------
    InvalidParameterError
        For any other form or an empty list, naming the key.
    """
    if isinstance(constraint, tuple) and len(constraint) == 3:
        return value_range((name, *constraint))
    if isinstance(constraint, list) and constraint:
        return [value.item() if isinstance(value, np.generic) else value for value in constraint]  # JSON-ready
    raise InvalidParameterError(f"The genotype constraint of {name!r} must be a non-empty list of values or "
                                f"(start, stop, step). Got {constraint!r} instead.")


def tournament(fitness: np.ndarray, size: int, rng: np.random.Generator) -> int:
    """The index of the fittest of ``size`` members drawn with replacement among those with a finite fitness."""
    entrants = rng.choice(np.flatnonzero(np.isfinite(fitness)), size=size)
    return int(entrants[np.argmax(fitness[entrants])])


def truncation(fitness: np.ndarray, fraction: float, rng: np.random.Generator) -> int:
    """The index of a member drawn uniformly among the best ``fraction`` (at least one) of those with a fitness."""
    ranked = np.flatnonzero(np.isfinite(fitness))[np.argsort(-fitness[np.isfinite(fitness)], kind="stable")]
    return int(rng.choice(ranked[:max(1, math.ceil(fraction * len(ranked)))]))


def uniform_crossover(first: list, second: list, rng: np.random.Generator) -> list:
    """Each gene from ``first`` or ``second`` with probability 1/2."""
    return [a if pick else b for a, b, pick in zip(first, second, rng.random(len(first)) < 0.5)]


def mutate(genotype: list, genes: list, rate: float, rng: np.random.Generator) -> list:
    """Each gene index changed with probability ``rate``: a creep along an ordered gene, a redraw of any other.

    An ordered gene (numbers in increasing order, e.g. a range) moves by
    ``round(normal(0, max(1, n_values / 10)))`` steps, clipped to its ends,
    so the search refines near good values (creep mutation; Davis 1991);
    another gene takes a value drawn uniformly.
    """
    changed = []
    for index, values, change in zip(genotype, genes, rng.random(len(genotype)) < rate):
        if change and _ordered(values):
            index = int(np.clip(index + round(rng.normal(0.0, max(1.0, len(values) / 10))), 0, len(values) - 1))
        elif change:
            index = int(rng.integers(len(values)))
        changed.append(index)
    return changed


def _ordered(values: list) -> bool:
    numbers = all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)
    return numbers and all(a < b for a, b in zip(values, values[1:]))


class Population(Searcher):
    """A genetic algorithm over key values, as a Ray Tune Searcher (see the module docstring).

    Parameters
    ----------
    genotype : dict of str -> list or (start, stop, step)
        Each gene's values; :meth:`from_keys` derives them from Key declarations.
    metric : str, optional
        The reported result that is the fitness; Tune's ``TuneConfig(metric=)`` sets it otherwise.
    mode : {"max", "min"}, optional
        Whether a higher or a lower metric is fitter; ``TuneConfig(mode=)`` sets it otherwise.
    population_size : int, default 8
        Genotypes per generation.
    n_generations : int, default 5
        Generations, the first one drawn at random.
    selection : {"tournament", "truncation"}, default "tournament"
    tournament_size : int, default 3
    truncation : float, default 0.5
        The fraction of a generation truncation selection draws parents from.
    crossover_rate : float, default 0.7
        Probability that a child mixes two parents (else it copies the first).
    mutation_rate : float, default 0.2
        Probability that each gene of a child is redrawn.
    n_elite : int, default 1
        Fittest genotypes carried unchanged into the next generation.
    seed : int, optional
        Seed of the search's Generator.

    Attributes
    ----------
    genes : dict of str -> list
        Each gene's values.
    history : list of dict
        One row per member of each finished generation: ``generation``, the
        genes, ``fitness`` (the metric as reported; NaN if its trial failed)
        and ``cached`` (not run again).

    Raises
    ------
    InvalidParameterError
        For bad options or genotype constraints.
    RuntimeError
        From :meth:`optimize`, :meth:`run` and :meth:`check` when every trial of a
        generation failed: the search ends there (a Tune run sees ``FINISHED``).
    ValueError
        From :meth:`on_trial_complete` when a result lacks the metric (naming it).

    Examples
    --------
    Without Ray, on a plain function of the genes:

    >>> population = Population({"x": (0, 10, 1), "y": [-1, 0, 1]}, metric="score", mode="max",
    ...                         population_size=6, n_generations=4, seed=1)
    >>> history = population.optimize(lambda genes: -(genes["x"] - 7) ** 2 - genes["y"] ** 2)
    >>> population.best()
    ({'x': 7, 'y': 0}, 0.0)
    """

    def __init__(self, genotype: dict, *, metric: str | None = None, mode: str | None = None,
                 population_size: int = 8, n_generations: int = 5, selection: str = "tournament",
                 tournament_size: int = 3, truncation: float = 0.5, crossover_rate: float = 0.7,
                 mutation_rate: float = 0.2, n_elite: int = 1, seed: int | None = None):
        _check_options(genotype, mode, population_size, n_generations, selection, tournament_size, truncation,
                       crossover_rate, mutation_rate, n_elite)
        super().__init__(metric=metric, mode=mode)
        self.genes = {name: gene_values(name, constraint) for name, constraint in genotype.items()}
        self.options = {"population_size": population_size, "n_generations": n_generations, "selection": selection,
                        "tournament_size": tournament_size, "truncation": truncation, "crossover_rate": crossover_rate,
                        "mutation_rate": mutation_rate, "n_elite": n_elite}
        self.rng = np.random.default_rng(seed)
        sizes = [len(values) for values in self.genes.values()]
        self._start_generation(0, [[int(self.rng.integers(size)) for size in sizes] for _ in range(population_size)])
        self.cache, self.running, self.history, self.finished, self.failure = {}, {}, [], False, None

    @classmethod
    def from_keys(cls, network_template, game_template, genotype, **options) -> "Population":
        """A Population over keys of an experiment, each gene checked against its Key declaration.

        Parameters
        ----------
        network_template, game_template : type
            The experiment's templates.
        genotype : iterable of str, or dict of str -> None, list or (start, stop, step)
            Key names (or None) take the values :func:`spikey.meta.spaces.key_values`
            derives from the declaration (options, a bounded int range, 11
            evenly spaced floats of a bounded range); other values are checked.
        **options
            As for :class:`Population`.

        Raises
        ------
        InvalidParameterError
            Naming the key: unknown (with a did-you-mean hint), set by the
            experiment, a value its Key refuses, or no default values.
        """
        declared = declared_keys(network_template, game_template)
        genotype = genotype if isinstance(genotype, dict) else dict.fromkeys(genotype)
        genes = {}
        for name, constraint in genotype.items():
            where = f"Population genotype {name}={constraint!r}"
            key = declared_key(declared, name, where)
            values = key_values(key) if constraint is None else gene_values(name, constraint)
            genes[name] = [check_value(declared, name, value, where) for value in values]
        return cls(genes, **options)

    # ------------------------------------------------------------------ the Searcher interface
    def set_search_properties(self, metric, mode, config, **spec) -> bool:
        """Take Tune's metric and mode where none was given; always accepted."""
        self._metric = self._metric or metric
        self._mode = self._mode or mode
        return True

    def suggest(self, trial_id: str):
        """The genes of the next member to evaluate, None to wait for the generation, or ``FINISHED``."""
        if self._metric is None or self._mode not in ("max", "min"):
            raise ValueError(f"Population needs a metric and a mode ('max' or 'min'); got metric={self._metric!r}, "
                             f"mode={self._mode!r}. Give them to Population or to TuneConfig.")
        while not self.finished:
            if self.next_member < len(self.members):
                member = self.next_member
                self.next_member += 1
                key = _genotype_key(self.members[member])
                running = {_genotype_key(self.members[other]) for other in self.running.values()}
                if key in self.cache or key in running:  # its fitness is known, or will be when that trial ends
                    self.fitness[member], self.cached[member] = self.cache.get(key, math.nan), True
                    continue
                self.running[trial_id] = member
                return self._config(self.members[member])
            if self.running:
                return None
            self._end_generation()
        return Searcher.FINISHED

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False):
        """Record a member's fitness (NaN if its trial failed); breed the next generation once all are in.

        Raises
        ------
        ValueError
            If ``result`` lacks the metric, naming it and what was reported.
        """
        member = self.running.pop(trial_id, None)
        if member is None:
            return
        if not error and result is not None:
            if self._metric not in result:
                raise ValueError(f"Population's fitness metric {self._metric!r} is not among the results the trial "
                                 f"reported: {sorted(result)}.")
            fitness = float(result[self._metric]) * (1.0 if self._mode == "max" else -1.0)
            self.cache[_genotype_key(self.members[member])] = fitness
            for other, genotype in enumerate(self.members):  # this member and its duplicates waiting for it
                if other == member or self.cached[other] and genotype == self.members[member]:
                    self.fitness[other] = fitness
        if self.next_member == len(self.members) and not self.running:
            self._end_generation()

    # ------------------------------------------------------------------ generations
    def _start_generation(self, generation: int, members: list):
        self.generation, self.members, self.next_member = generation, members, 0
        self.fitness, self.cached = [math.nan] * len(members), [False] * len(members)

    def _end_generation(self):
        """Record the generation; breed the next, or finish after the last."""
        if not any(math.isfinite(value) for value in self.fitness):  # nothing to breed from: the search ends
            self.failure, self.finished = (f"Every trial of generation {self.generation} of the Population failed "
                                           f"({len(self.members)} members); see the trials' errors."), True
            return
        sign = 1.0 if self._mode == "max" else -1.0
        self.history += [{"generation": self.generation, **self._config(genotype), "fitness": sign * fitness,
                          "cached": cached} for genotype, fitness, cached in zip(self.members, self.fitness, self.cached)]
        if self.generation + 1 == self.options["n_generations"]:
            self.finished = True
        else:
            self._start_generation(self.generation + 1, self._breed())

    def _breed(self) -> list:
        """The next generation: the elite, then children of selected parents, crossed over and mutated."""
        options, fitness = self.options, np.asarray(self.fitness)
        evaluated = np.flatnonzero(np.isfinite(fitness))
        elite = evaluated[np.argsort(-fitness[evaluated], kind="stable")][:options["n_elite"]]
        children = [list(self.members[member]) for member in elite]
        while len(children) < options["population_size"]:
            first, second = (self.members[self._select(fitness)] for _ in range(2))
            child = uniform_crossover(first, second, self.rng) if self.rng.random() < options["crossover_rate"] \
                else list(first)
            children.append(mutate(child, list(self.genes.values()), options["mutation_rate"], self.rng))
        return children

    def _select(self, fitness: np.ndarray) -> int:
        if self.options["selection"] == "tournament":
            return tournament(fitness, self.options["tournament_size"], self.rng)
        return truncation(fitness, self.options["truncation"], self.rng)

    def _config(self, genotype: list) -> dict:
        return {name: values[index] for (name, values), index in zip(self.genes.items(), genotype)}

    # ------------------------------------------------------------------ results, running, saving
    def results(self) -> pd.DataFrame:
        """:attr:`history` as a DataFrame, one row per member of each finished generation."""
        return pd.DataFrame(self.history)

    def best(self) -> tuple:
        """``(genes, fitness)`` of the fittest member evaluated so far (fitness as reported)."""
        sign = 1.0 if self._mode == "max" else -1.0
        key, fitness = max(self.cache.items(), key=lambda item: item[1])
        return self._config(json.loads(key)), sign * fitness

    def optimize(self, fitness) -> pd.DataFrame:
        """Run the search without Ray on ``fitness(genes) -> float``; return :meth:`results`.

        A member whose evaluation raises is a failed trial, as in Tune.

        Raises
        ------
        RuntimeError
            If every evaluation of a generation raised (see :meth:`check`).
        """
        trial = 0
        while (config := self.suggest(str(trial))) is not Searcher.FINISHED:
            try:
                value = fitness(config)
            except Exception:  # noqa: BLE001 - a failed member, as a trial that raises in Tune
                self.on_trial_complete(str(trial), error=True)
            else:
                self.on_trial_complete(str(trial), {self._metric: value})
            trial += 1
        self.check()
        return self.results()

    def check(self):
        """Raise RuntimeError if the search ended because every trial of a generation failed."""
        if self.failure is not None:
            raise RuntimeError(self.failure)

    def run(self, network_template, game_template, *, name: str, storage_path, **options) -> pd.DataFrame:
        """Run the search on a Spikey experiment with Ray Tune (or resume it); return :meth:`results`.

        Parameters
        ----------
        network_template, game_template : type
            The experiment.
        name, storage_path
            The experiment's folder, as for :func:`spikey.meta.run`.
        **options
            Passed to :func:`spikey.meta.run`: ``n_repeats`` (each member's
            repeats, one batch), the shared keys (``n_episodes``...),
            ``scheduler``, ``max_failures``, ``address``...;
            ``max_concurrent_trials`` is ``population_size`` unless given (Tune
            keeps one trial of a custom searcher pending at a time otherwise,
            which runs short trials one after another).

        Raises
        ------
        InvalidParameterError
            For a gene or key an experiment refuses, before Ray starts.
        RuntimeError
            If every trial of a generation failed (see :meth:`check`).
        ValueError
            If the trials never report the metric (Tune's message names it).
        """
        declared = declared_keys(network_template, game_template)
        for name_, values in self.genes.items():
            for value in values:
                check_value(declared, name_, value, f"Population genotype {name_}={values!r}")
        check_not_shared(self.genes, options, f"Population {sorted(self.genes)}")
        options.setdefault("max_concurrent_trials", self.options["population_size"])
        identity = {"genes": self.genes, "options": self.options, "metric": self._metric, "mode": self._mode}
        run(network_template, game_template, {}, name=name, storage_path=storage_path, search_alg=self,
            num_samples=-1, metric=self._metric, mode=self._mode, identity=identity, **options)
        self.restore_from_dir(str(Path(storage_path).absolute() / name))  # Tune's copy of the search, resumed or not
        self.check()
        return self.results()

    def get_state(self) -> dict:
        """Everything the search needs to continue, as JSON-ready values."""
        return {"genes": self.genes, "options": self.options, "metric": self._metric, "mode": self._mode,
                "rng": self.rng.bit_generator.state, "generation": self.generation, "members": self.members,
                "next_member": self.next_member, "fitness": [None if math.isnan(f) else f for f in self.fitness],
                "cached": self.cached, "cache": self.cache, "running": self.running, "history": self.history,
                "finished": self.finished, "failure": self.failure}

    def set_state(self, state: dict):
        """Continue from :meth:`get_state`'s values."""
        self.genes, self.options, self._metric, self._mode = state["genes"], state["options"], state["metric"], \
            state["mode"]
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = state["rng"]
        self._start_generation(state["generation"], state["members"])
        self.next_member, self.cached, self.cache = state["next_member"], state["cached"], state["cache"]
        self.fitness = [math.nan if f is None else f for f in state["fitness"]]
        self.running, self.history, self.finished = state["running"], state["history"], state["finished"]
        self.failure = state["failure"]

    def save(self, checkpoint_path: str):
        """Write :meth:`get_state` to ``checkpoint_path`` as JSON (Tune calls this to checkpoint)."""
        with open(checkpoint_path, "w") as file:
            json.dump(self.get_state(), file)

    def restore(self, checkpoint_path: str):
        """Continue from a file :meth:`save` wrote."""
        with open(checkpoint_path) as file:
            self.set_state(json.load(file))


def _genotype_key(genotype: list) -> str:
    return json.dumps([int(gene) for gene in genotype])


def _check_options(genotype, mode, population_size, n_generations, selection, tournament_size, truncation,
                   crossover_rate, mutation_rate, n_elite):
    checks = [
        ("genotype", genotype, isinstance(genotype, dict) and genotype, "a non-empty dict of key: values"),
        ("mode", mode, mode in (None, "max", "min"), "'max', 'min' or None"),
        ("population_size", population_size, _is_int(population_size, 2), "an int >= 2"),
        ("n_generations", n_generations, _is_int(n_generations, 1), "an int >= 1"),
        ("selection", selection, selection in SELECTIONS, f"one of {SELECTIONS}"),
        ("tournament_size", tournament_size, _is_int(tournament_size, 1), "an int >= 1"),
        ("truncation", truncation, _is_fraction(truncation) and truncation > 0, "a float in (0, 1]"),
        ("crossover_rate", crossover_rate, _is_fraction(crossover_rate), "a float in [0, 1]"),
        ("mutation_rate", mutation_rate, _is_fraction(mutation_rate), "a float in [0, 1]"),
        ("n_elite", n_elite, _is_int(n_elite, 0) and _is_int(population_size, 2) and n_elite < population_size,
         "an int in [0, population_size)"),
    ]
    for name, value, ok, expected in checks:
        if not ok:
            raise InvalidParameterError(f"The {name!r} parameter of Population must be {expected}. Got {value!r} instead.")


def _is_int(value, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _is_fraction(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
