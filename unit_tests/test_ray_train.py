"""Ray Train: workers train their own seeded networks, checkpoints restore them, failures and stops resume exactly.

These tests share one local Ray with 2 CPUs (the ``ray_session`` fixture) and
keep to a few real fits of a small Florian XOR network.
"""
import functools
import sys

import numpy as np
import pytest

from spikey.core import GenericLoop
from spikey.core.ray_train import load_worker_network, train, worker_seed
from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.logging import Reader
from spikey.module import InvalidParameterError
from spikey.testing.faults import FailAlways, FailOnce

PARAMS = {"n_episodes": 3, "len_episode": 4, "preset": "XOR", "pattern_order": "epochs", "seed": 7,
          "processing_time": 40, "progress": False}


def local(seed, n_episodes=3):
    """The same run without Ray: the loop in pieces of one episode, as a worker with checkpoint_every=1 plays it."""
    network = None
    for episode in range(n_episodes):
        loop = GenericLoop(FlorianXOR, Logic, **{**PARAMS, "seed": seed, "n_episodes": 1})
        network, *_ = loop(network=network, first_episode=episode)
    return network


def same_state(a, b):
    for name, array in a.get_state().items():
        np.testing.assert_array_equal(b.get_state()[name], array, err_msg=name)


def test_two_workers_train_their_own_seeded_networks(ray_session, tmp_path):
    run = train(FlorianXOR, Logic, num_workers=2, name="two", storage_path=tmp_path, **PARAMS)
    assert sorted((row["worker"], row["episode"]) for row in run.rows) == [(w, e) for w in (0, 1) for e in range(3)]
    assert {row["seed"] for row in run.rows if row["worker"] == 1} == {worker_seed(7, 1)} != {7}
    for worker in (0, 1):  # each worker's network is the run a lone process makes with its seed
        same_state(run.network(worker), local(worker_seed(7, worker)))
    reader = Reader(run.path)
    assert reader.kind == "train" and len(reader.df) == 6 and set(reader.df["worker"]) == {0, 1}
    assert {"total_reward", "total_learning_reward", "steps", "output_rate", "episode", "seed"} <= set(reader.df)
    same_state(reader.network(1), run.network(1))


def test_a_failed_worker_resumes_from_its_checkpoint_and_ends_the_same(ray_session, tmp_path):
    callback = functools.partial(FailOnce, tmp_path / "failed", 1)
    run = train(FlorianXOR, Logic, name="failing", storage_path=tmp_path / "runs", max_failures=1, callback=callback,
                **PARAMS)
    assert (tmp_path / "failed").exists()  # it did fail, at the end of episode 1
    assert sorted(row["episode"] for row in run.rows) == [0, 1, 2]
    same_state(run.network(0), local(7))


def test_a_stopped_run_resumes_where_it_stopped(ray_session, tmp_path):
    train(FlorianXOR, Logic, name="stopped", storage_path=tmp_path, **{**PARAMS, "n_episodes": 1})
    run = train(FlorianXOR, Logic, name="stopped", storage_path=tmp_path, **PARAMS)
    assert sorted(row["episode"] for row in run.rows) == [0, 1, 2]
    same_state(run.network(0), local(7))


def test_a_worker_that_keeps_failing_ends_the_run_with_its_own_error(ray_session, tmp_path):
    with pytest.raises(RuntimeError, match="FailAlways: a failure on purpose at the end of training episode 1") as info:
        train(FlorianXOR, Logic, name="broken", storage_path=tmp_path, max_failures=1,
              callback=functools.partial(FailAlways, 1), **PARAMS)
    if sys.version_info >= (3, 11):  # exceptions carry notes
        assert "Raised in Ray Train worker 0 of the run 'broken', after 1 restart(s)" in info.value.__notes__[0]
    assert "FailAlways" in str(info.value.__cause__)  # Ray's error, with the worker's traceback


def test_a_corrupt_checkpoint_is_refused_by_name_and_the_previous_one_stays_usable(ray_session, tmp_path):
    run = train(FlorianXOR, Logic, name="corrupt", storage_path=tmp_path, **{**PARAMS, "n_episodes": 2})
    previous, last = sorted(folder for folder in run.path.glob("checkpoint_*") if folder.is_dir())
    assert last == run.checkpoint
    (last / "worker-0" / "state.npz").write_bytes(b"not an npz archive")
    with pytest.raises(ValueError, match="worker-0/state.npz is not an npz archive") as info:
        train(FlorianXOR, Logic, name="corrupt", storage_path=tmp_path, **PARAMS)
    assert str(last) in str(info.value)
    same_state(load_worker_network(previous), local(7, n_episodes=1))


def test_bad_keys_fail_before_ray_starts(tmp_path):
    with pytest.raises(InvalidParameterError, match="Unknown key 'n_episode' for GenericLoop"):
        train(FlorianXOR, Logic, name="bad", storage_path=tmp_path, **{**PARAMS, "n_episode": 2})


def test_bad_values_fail_before_ray_starts(tmp_path):
    with pytest.raises(InvalidParameterError, match="The 'potential_decay' parameter of LIF"):
        train(FlorianXOR, Logic, name="bad", storage_path=tmp_path, **{**PARAMS, "potential_decay": 2.0})
    with pytest.raises(InvalidParameterError, match="The 'n_observations' parameter of RateMap must be 4"):
        train(FlorianXOR, "CartPole-v1", name="bad", storage_path=tmp_path, n_episodes=1, len_episode=1)
