"""What Ray Train costs: the same training run in this process and through ``spikey.core.train``.

The run is Florian's rate XOR network (``FlorianXOR``) playing ``--episodes``
episodes of one epoch (four 500 ms patterns). It is played by
``GenericLoop`` here, then by ``train`` with one worker checkpointing once at
the end, with one worker checkpointing every episode, and with two workers
(each its own network, so twice the work on two cores). Starting the local
Ray is timed apart: ``train`` does it once per process. Every fit starts new
worker processes, so the fixed cost is paid per call.

Usage::

    python benchmarks/bench_ray_train.py              # ~3 min
    python benchmarks/bench_ray_train.py --episodes 200
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

from spikey.core import GenericLoop, train
from spikey.experiments import FlorianXOR
from spikey.games import Logic

KEYS = {"len_episode": 4, "preset": "XOR", "pattern_order": "epochs", "seed": 0}


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=50, help="episodes of one epoch each (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="times each fit is run (default: %(default)s)")
    args = parser.parse_args(argv)
    keys = {**KEYS, "n_episodes": args.episodes}
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    os.environ.setdefault("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", "0.1")  # as train sets them when it starts Ray
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{args.episodes} episodes of 2 s simulated")
    local = timed(lambda: GenericLoop(FlorianXOR, Logic, progress=False, **keys)())
    print(f"  GenericLoop in this process           {local:6.1f} s")

    import ray

    start = timed(lambda: ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False))
    print(f"  starting a local Ray (once)           {start:6.1f} s")
    with tempfile.TemporaryDirectory() as storage:
        runs = [("train, 1 worker, 1 checkpoint", 1, args.episodes),
                ("train, 1 worker, a checkpoint/episode", 1, 1),
                ("train, 2 workers, 1 checkpoint", 2, args.episodes)]
        for round in range(args.rounds):  # the first fit of a Ray also warms it up: compare within rounds
            print(f" round {round + 1}")
            for label, workers, every in runs:
                seconds = timed(lambda: train(FlorianXOR, Logic, num_workers=workers, checkpoint_every=every,
                                              name=f"{round}-{workers}-{every}", storage_path=storage,
                                              progress=False, **keys))
                print(f"  {label:37s} {seconds:6.1f} s   {seconds - local:+6.1f} s over the local run, "
                      f"{seconds / local:4.1f}x")
    ray.shutdown()


if __name__ == "__main__":
    main()
