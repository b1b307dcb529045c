"""spikey.meta on a Ray cluster: a simulated 2-node cluster on this machine (``ray.cluster_utils.Cluster``).

A Population joins the cluster by its address and runs trials on both
nodes; when a worker node is lost mid-search its trials are retried
elsewhere and the search ends with every member's fitness. The
``ray_cluster`` fixture stops the session's Ray for this module and starts
it again after.
"""
import os
import re
import signal
import threading
import time
from pathlib import Path

import numpy as np

from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.logging import Reader
from spikey.meta import Population

from conftest import _descendants

PARAMS = {"n_episodes": 4, "len_episode": 4, "preset": "XOR", "pattern_order": "epochs", "seed": 0,
          "processing_time": 500, "progress": False}  # trials of about a second: both nodes' actors start meanwhile


def search(population_size: int):
    """One generation of 3 distinct genotypes (seed 0) and a copy of one, started together."""
    return Population({"learning_rate": [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]}, metric="total_reward", mode="max",
                      population_size=population_size, n_generations=1, seed=0)


def test_a_population_runs_its_trials_on_both_nodes(ray_cluster, tmp_path):
    worker = ray_cluster.add_node(num_cpus=1)
    population = search(4)  # 3 trials: the head runs one or two while the worker's trial process starts
    history = population.run(FlorianXOR, Logic, name="two_nodes", storage_path=tmp_path, address=ray_cluster.address,
                             **PARAMS)
    assert history["fitness"].notna().all()
    assert set(Reader(tmp_path / "two_nodes").df["node"]) == {ray_cluster.head_node.node_id, worker.node_id}
    ray_cluster.remove_node(worker)


def training(raylet: int) -> bool:
    """Whether a Tune trial is running under this raylet (a worker titled ``ray::ImplicitFunc.train()``)."""
    for pid in _descendants(raylet):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::ImplicitFunc.train"):
                return True
        except OSError:
            continue
    return False


def test_a_lost_node_loses_no_result(ray_cluster, tmp_path):
    worker = ray_cluster.add_node(num_cpus=1)
    raylet = worker.all_processes["raylet"][0].process.pid

    def lose_the_worker_mid_trial():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not training(raylet):
            time.sleep(0.05)  # then a trial has just begun there
        for pid in _descendants(raylet):  # the machine is lost: its workers die with it
            os.kill(pid, signal.SIGKILL)
        ray_cluster.remove_node(worker, allow_graceful=False)

    remover = threading.Thread(target=lose_the_worker_mid_trial, daemon=True)
    remover.start()
    history = search(4).run(FlorianXOR, Logic, name="node_lost", storage_path=tmp_path, address=ray_cluster.address,
                           max_failures=2, **{**PARAMS, "n_episodes": 8})
    remover.join()
    assert len(history) == 4 and np.isfinite(history["fitness"]).all()  # no result lost
    state = next((tmp_path / "node_lost").glob("experiment_state-*.json")).read_text()
    assert re.search(r'num_failures\\": [1-9]', state)  # the lost node's trial failed and was run again
    reports = Reader(tmp_path / "node_lost").df
    assert set(reports.groupby("trial")["node"].last()) == {ray_cluster.head_node.node_id}
