"""spikey.meta on Ray Tune: Series trials are the batched loop itself, resume without rerunning, and Population
composes with Tune's concurrency limits and schedulers.

These tests share the session's local Ray (the ``ray_session`` fixture) and keep to small Florian XOR runs.
"""
import functools
import json

import numpy as np
import pytest

from spikey.core import GenericLoop
from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.logging import Reader
from spikey.meta import Population, Series, run, search_space
from spikey.testing.faults import FailAlways, FailOnce

PARAMS = {"n_episodes": 2, "len_episode": 4, "preset": "XOR", "pattern_order": "epochs", "seed": 5,
          "processing_time": 30}
RESULTS = ["total_reward", "total_learning_reward", "steps", "output_rate"]


def last_episode(**keys):
    """Each copy's results in the last episode of the same loop run without Ray: {result: array (B,)}."""
    _, _, results, _ = GenericLoop(FlorianXOR, Logic, **{**PARAMS, "progress": False, **keys})()
    return {name: results[name][-1] for name in RESULTS}


def test_a_series_trial_is_the_batched_loop_itself(ray_session, tmp_path):
    series = Series(FlorianXOR, Logic, ("learning_rate", [0.3, 1.2]), n_repeats=4, **PARAMS)
    df = series.run(name="series", storage_path=tmp_path, progress=False)
    assert len(df) == 8 and df["trial_id"].nunique() == 2  # one trial per configuration, its repeats one batch
    for value, rows in df.groupby("learning_rate"):
        expected = last_episode(learning_rate=value, batch_size=4)
        for name in RESULTS:
            np.testing.assert_array_equal(rows.sort_values("repeat")[name], expected[name])
        assert rows["total_reward_mean"].iloc[0] == pytest.approx(expected["total_reward"].mean())
        assert rows["total_reward_sem"].iloc[0] == pytest.approx(expected["total_reward"].std(ddof=1) / 2)
    reader = Reader(tmp_path / "series")  # the same numbers read back from Tune's folder, one row per episode
    assert reader.kind == "tune" and len(reader.df) == 4 and set(reader.df["episode"]) == {0, 1}
    last = reader.df[reader.df["episode"] == 1].sort_values("config/point/learning_rate")
    assert [copies["total_reward"] for copies in last["copies"]] == \
        [list(rows.sort_values("repeat")["total_reward"]) for _, rows in df.groupby("learning_rate")]


def test_a_series_with_a_seed_per_repeat_gives_each_repeat_a_lone_run(ray_session, tmp_path):
    """Eight repeats, one batched trial: repeat k's results are those of a lone network seeded seeds[k]."""
    seeds = [5, 6, 11, 40, 41, 77, 123, 2**40]
    params = {**PARAMS, "pattern_order": "uniform", "seed": seeds}
    series = Series(FlorianXOR, Logic, ("learning_rate", [0.6]), n_repeats=8, **params)
    df = series.run(name="repeats", storage_path=tmp_path, progress=False).sort_values("repeat")
    assert len(df) == 8 and df["trial_id"].nunique() == 1 and list(df["copy"]) == list(range(8))
    for name in RESULTS:
        lone = [last_episode(learning_rate=0.6, pattern_order="uniform", seed=seed)[name][0] for seed in seeds]
        np.testing.assert_array_equal(df[name], lone, err_msg=name)
    assert df["total_reward"].nunique() > 1  # the repeats differ: each has its own stream and games


def test_values_of_a_batched_key_share_one_trial(ray_session, tmp_path):
    series = Series(FlorianXOR, Logic, ("learning_rate", [0.3, 1.2]), n_repeats=2, share_batch=True, **PARAMS)
    df = series.run(name="shared", storage_path=tmp_path, progress=False)
    assert df["trial_id"].nunique() == 1 and list(df["learning_rate"]) == [0.3, 0.3, 1.2, 1.2]
    expected = last_episode(learning_rate=np.array([0.3, 0.3, 1.2, 1.2]), batch_size=4)
    np.testing.assert_array_equal(df["output_rate"], expected["output_rate"])


def test_a_series_resumes_without_rerunning_finished_trials(ray_session, tmp_path):
    callback = functools.partial(FailOnce, tmp_path / "failed", 1)  # the first trial fails once, at its last episode
    series = Series(FlorianXOR, Logic, ("learning_rate", [0.3, 1.2]), n_repeats=2, **PARAMS)
    with pytest.raises(RuntimeError, match="1 trial\\(s\\) of the series 'resumed' failed"):
        series.run(name="resumed", storage_path=tmp_path, progress=False, callback=callback, max_concurrent_trials=1)
    reports = {path.parent.name: path.read_text().count("\n") for path in (tmp_path / "resumed").glob("*/result.json")}
    finished = [name for name, count in reports.items() if count == 2]
    assert len(finished) == 1
    df = series.run(name="resumed", storage_path=tmp_path, progress=False, callback=callback)
    assert len(df) == 4 and df["total_reward"].notna().all()
    assert (tmp_path / "resumed" / finished[0] / "result.json").read_text().count("\n") == 2  # not run again
    expected = last_episode(learning_rate=0.3, batch_size=2)
    np.testing.assert_array_equal(df[df["learning_rate"] == 0.3]["total_reward"], expected["total_reward"])


def test_population_under_a_concurrency_limit_and_asha(ray_session, tmp_path):
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search import ConcurrencyLimiter

    population = Population.from_keys(FlorianXOR, Logic, {"learning_rate": (0.2, 1.4, 0.4), "weight_dist": None},
                                      population_size=4, n_generations=2, seed=0)
    run(FlorianXOR, Logic, {}, name="ga", storage_path=tmp_path, search_alg=ConcurrencyLimiter(population, 2),
        scheduler=ASHAScheduler(max_t=2, grace_period=1), num_samples=-1, metric="total_reward", mode="max",
        progress=False, **PARAMS)
    history = population.results()
    assert list(history["generation"]) == [0] * 4 + [1] * 4 and history["fitness"].notna().all()
    reader = Reader(tmp_path / "ga")
    assert reader.df["trial"].nunique() == (~history["cached"]).sum()  # cached genotypes ran no trial
    assert json.loads(next((tmp_path / "ga").glob("searcher-state-*.pkl")).read_text())["generation"] == 1


def test_a_generation_of_failed_trials_ends_the_search_with_an_error(ray_session, tmp_path):
    population = Population({"learning_rate": [0.3, 1.2]}, metric="total_reward", mode="max", population_size=2)
    with pytest.raises(RuntimeError, match="Every trial of generation 0 of the Population failed"):
        population.run(FlorianXOR, Logic, name="failing", storage_path=tmp_path, progress=False,
                       callback=functools.partial(FailAlways, 0), **PARAMS)


def test_a_fitness_metric_the_trials_never_report_is_an_error_naming_it(ray_session, tmp_path):
    population = Population({"learning_rate": [0.3, 1.2]}, metric="total_rewrd", mode="max", population_size=2)
    with pytest.raises(ValueError, match="total_rewrd"):
        population.run(FlorianXOR, Logic, name="typo", storage_path=tmp_path, progress=False, **PARAMS)


def test_optuna_runs_on_a_spikey_experiment_in_one_line(ray_session, tmp_path):
    from ray.tune.search.optuna import OptunaSearch as optuna_search  # optuna is in the test extra
    grid = run(FlorianXOR, Logic, search_space(FlorianXOR, Logic, {"learning_rate": (0.1, 1.5)}), name="optuna",
               storage_path=tmp_path, search_alg=optuna_search(seed=0), num_samples=2, metric="total_reward",
               mode="max", progress=False, **PARAMS)
    assert len(grid) == 2 and not grid.errors
