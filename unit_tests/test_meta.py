"""spikey.meta without Ray: Series specs and their checks, search spaces, and the genetic Population on a known landscape."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.meta import Population, Series, configurations, search_space
from spikey.module import InvalidParameterError

PARAMS = {"n_episodes": 1, "len_episode": 4, "preset": "XOR", "pattern_order": "epochs", "seed": 0,
          "processing_time": 20}
TARGET = np.array([3, -2, 5, 0])


def distance(genes):
    """A synthetic landscape: squared distance of four integer genes to TARGET (0 at the optimum)."""
    return float(((np.array([genes[f"x{i}"] for i in range(4)]) - TARGET) ** 2).sum())


def landscape_population(**options):
    return Population({f"x{i}": (-10, 11, 1) for i in range(4)}, metric="distance", mode="min",
                      population_size=16, **options)


def test_spec_forms():
    assert configurations(("learning_rate", 0.1, 0.5, 0.1)) == [{"learning_rate": v} for v in (0.1, 0.2, 0.3, 0.4)]
    assert configurations(("tau_z", [10.0, 20.0])) == [{"tau_z": 10.0}, {"tau_z": 20.0}]
    assert configurations((("tau_z", "tau_plus"), [(10.0, 5.0), (20.0, 6.0)])) == [
        {"tau_z": 10.0, "tau_plus": 5.0}, {"tau_z": 20.0, "tau_plus": 6.0}]
    grid = configurations([("tau_z", [10.0, 20.0]), ("learning_rate", 0.1, 0.4, 0.1)])
    assert len(grid) == 6 and grid[1] == {"tau_z": 10.0, "learning_rate": 0.2}


@pytest.mark.parametrize("spec, message", [
    (("learning_rat", [0.1]), "Series spec \\('learning_rat', \\[0.1\\]\\): Unknown key 'learning_rat' for this "
                              "experiment. Did you mean 'learning_rate'\\?"),
    (("learning_rate", [0.1, -1.0]), "Series spec \\('learning_rate', \\[0.1, -1.0\\]\\): The 'learning_rate' "
                                     "parameter of MSTDPET must be a float in the range \\[0, inf\\)"),
    (("seed", [1, 2]), "key 'seed' is set by the experiment"),
    (("tau_z", 5.0, 1.0, 1.0), "a range \\(key, start, stop, step\\) needs numbers with start < stop"),
    ((("tau_z", "tau_plus"), [(10.0,)]), "with one value per key"),
    ("tau_z", "is none of"),
    (("input_rate", [0.5, 1.5]), "The 'input_rate' parameter of RateMap must be a float in the range \\[0, 1\\]"),
])
def test_bad_specs_are_refused_naming_the_key_and_spec(spec, message):
    with pytest.raises(InvalidParameterError, match=message):
        Series(FlorianXOR, Logic, spec, **PARAMS)


def test_a_seed_list_needs_one_seed_per_repeat_and_each_is_checked():
    with pytest.raises(InvalidParameterError, match="The seed of Series must be an int >= 0, None, or n_repeats=3 "
                                                    "ints, one per repeat. Got 2 seeds instead"):
        Series(FlorianXOR, Logic, ("tau_z", [10.0]), n_repeats=3, **{**PARAMS, "seed": [1, 2]})
    with pytest.raises(InvalidParameterError, match="The 'seed' parameter of FlorianXOR must be an int >= 0 or None, "
                                                    "or a 1-D array with one value per network, each an int in the "
                                                    "range \\[0, 2\\*\\*63 - 1\\]. Got \\[1, None\\] instead."):
        Series(FlorianXOR, Logic, ("tau_z", [10.0]), n_repeats=2, **{**PARAMS, "seed": [1, None]})
    assert Series(FlorianXOR, Logic, ("tau_z", [10.0]), n_repeats=2, **{**PARAMS, "seed": [1, 2]}).n_repeats == 2


def test_a_structural_key_cannot_vary_inside_a_batch():
    with pytest.raises(InvalidParameterError, match="key 'tau_z' \\(MSTDPET\\) is not batched"):
        Series(FlorianXOR, Logic, ("tau_z", [10.0, 20.0]), share_batch=True, **PARAMS)
    Series(FlorianXOR, Logic, ("learning_rate", [0.1, 0.2]), share_batch=True, **PARAMS)  # batched: accepted


def test_a_configuration_the_network_refuses_is_an_error_before_any_trial():
    with pytest.raises(InvalidParameterError, match="n_neurons"):
        Series(FlorianXOR, Logic, ("n_neurons", [61, 30]), **PARAMS)  # layer_sizes (60, 1) no longer sum to it


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-2.0, 3.0, allow_nan=False), min_size=1, max_size=4))
def test_input_rate_values_are_accepted_exactly_when_the_key_accepts_them(values):
    if all(0.0 <= value <= 1.0 for value in values):
        assert Series(FlorianXOR, Logic, ("input_rate", values), **PARAMS).configurations == [
            {"input_rate": value} for value in values]
    else:
        with pytest.raises(InvalidParameterError, match="'input_rate' parameter of RateMap"):
            Series(FlorianXOR, Logic, ("input_rate", values), **PARAMS)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_unknown_keys_are_refused_by_name(name):
    from spikey.meta.spaces import declared_keys

    if name in declared_keys(FlorianXOR, Logic):
        return
    with pytest.raises(InvalidParameterError, match=f"Unknown key '{name}' for this experiment"):
        Series(FlorianXOR, Logic, (name, [1]), **PARAMS)


def test_search_space_from_key_declarations():
    space = search_space(FlorianXOR, Logic, ["weight_dist", "spike_delay", "input_rate"])
    assert space["weight_dist"].categories == ["uniform", "lognormal"]
    assert (space["spike_delay"].lower, space["spike_delay"].upper) == (0, 101)  # randint's upper is exclusive
    assert (space["input_rate"].lower, space["input_rate"].upper) == (0.0, 1.0)
    with pytest.raises(InvalidParameterError, match="'learning_rate' is a float in the range \\[0, inf\\)"):
        search_space(FlorianXOR, Logic, ["learning_rate"])  # unbounded: bounds must be given
    with pytest.raises(InvalidParameterError, match="'input_rate' parameter of RateMap"):
        search_space(FlorianXOR, Logic, {"input_rate": (0.0, 2.0)})


def test_population_genes_from_key_declarations():
    population = Population.from_keys(FlorianXOR, Logic, {"weight_dist": None, "spike_delay": (0, 10, 5),
                                                          "input_rate": None}, metric="m", mode="max")
    assert population.genes["weight_dist"] == ["uniform", "lognormal"] and population.genes["spike_delay"] == [0, 5]
    assert population.genes["input_rate"] == pytest.approx(np.linspace(0, 1, 11))
    with pytest.raises(InvalidParameterError, match="Did you mean 'input_rate'"):
        Population.from_keys(FlorianXOR, Logic, ["input_rat"])
    with pytest.raises(InvalidParameterError, match="The 'population_size' parameter of Population must be an int"):
        Population({"x": [1, 2]}, population_size=1)


@pytest.mark.parametrize("selection", ["tournament", "truncation"])
def test_the_genetic_search_finds_the_optimum_region_in_a_few_generations(selection):
    found, random_best = [], []
    for seed in range(5):
        population = landscape_population(n_generations=10, selection=selection, seed=seed)
        history = population.optimize(distance)
        found.append(population.best()[1])
        draws = np.random.default_rng(seed).integers(-10, 11, size=(len(history), 4))  # as many random genotypes
        random_best.append(((draws - TARGET) ** 2).sum(axis=1).min())
    assert max(found) <= 8 and np.mean(found) < np.mean(random_best) / 2  # near the optimum, far better than chance
    assert history.groupby("generation")["fitness"].min().is_monotonic_decreasing  # the elite is kept


def test_evaluated_genotypes_are_not_evaluated_again():
    calls = []
    population = landscape_population(n_generations=6, seed=0)
    history = population.optimize(lambda genes: calls.append(genes) or distance(genes))
    assert len(calls) == (~history["cached"]).sum() < len(history)
    assert len({json.dumps(genes, sort_keys=True) for genes in calls}) == len(calls)


def test_save_and_restore_continue_the_same_population(tmp_path):
    whole = landscape_population(n_generations=5, seed=3)
    whole.optimize(distance)
    half = landscape_population(n_generations=5, seed=3)
    for trial in range(40):  # two and a half generations, then a stop
        half.on_trial_complete(str(trial), {"distance": distance(half.suggest(str(trial)))})
    half.save(tmp_path / "population.json")
    restored = Population({"unused": [0]})
    restored.restore(tmp_path / "population.json")
    restored.optimize(distance)
    assert restored.history == whole.history and restored.best() == whole.best()


def test_a_generation_in_which_every_trial_failed_is_an_error():
    population = Population({"x": [1, 2, 3]}, metric="m", mode="max", population_size=3, seed=0)
    trials = [str(i) for i in range(3)]
    for trial in trials:
        population.suggest(trial)
    population.on_trial_complete(trials[0], error=True)
    population.on_trial_complete(trials[1], error=True)
    population.on_trial_complete(trials[2], error=True)
    assert population.suggest("3") == Population.FINISHED  # not waited on forever
    with pytest.raises(RuntimeError, match="Every trial of generation 0 of the Population failed \\(3 members\\)"):
        population.check()


def test_a_fitness_metric_never_reported_is_an_error_naming_it():
    population = Population({"x": [1, 2]}, metric="total_rewrd", mode="max", population_size=2, seed=0)
    with pytest.raises(ValueError, match="fitness metric 'total_rewrd' is not among the results .*'total_reward'"):
        population.on_trial_complete("0", {"total_reward": 1.0}) if population.suggest("0") else None
