"""The training loop's overhead over bare tick / game step / reward calls, and the cost of monitors, on W1.

W1 is Florian's rate XOR network (``FlorianXOR``, 500 ms ticks) playing
Logic XOR. The same episodes are played three ways, alternated in rounds so
the machine's drift hits all alike: a hand-written loop of ``tick``,
``game.step`` and ``reward``; ``GenericLoop`` with its RLCallback; and
``GenericLoop`` with a monitor of the neurons' potentials at every step.

Usage::

    python benchmarks/bench_loop.py            # ~1 min
    python benchmarks/bench_loop.py --quick
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from spikey.core import ExperimentCallback, GenericLoop, RLCallback
from spikey.experiments import FlorianXOR
from spikey.games import Logic

KEYS = {"preset": "XOR", "pattern_order": "epochs", "seed": 0, "progress": False}


def bare(n_episodes: int, len_episode: int) -> float:
    """Seconds for the episodes written by hand."""
    game = Logic(preset="XOR", pattern_order="epochs", max_steps=len_episode)
    network = FlorianXOR(keys={"seed": 0}, game=game)
    start = time.perf_counter()
    for episode in range(n_episodes):
        network.reset()
        observation, _ = game.reset(seed=episode)
        for _ in range(len_episode):
            action = network.tick(observation)
            next_observation, reward, terminated, truncated, _ = game.step(action)
            network.reward(observation, action, next_observation)
            observation = next_observation
    return time.perf_counter() - start


def looped(n_episodes: int, len_episode: int, callback) -> float:
    loop = GenericLoop(FlorianXOR, Logic, callback=callback, n_episodes=n_episodes, len_episode=len_episode, **KEYS)
    start = time.perf_counter()
    loop()
    return time.perf_counter() - start


def monitored() -> ExperimentCallback:
    callback = RLCallback()
    callback.monitor("potential", lambda neuron_state, spikes: neuron_state.potential.copy(), every="step")
    return callback


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n_episodes, len_episode, rounds = (2, 8, 2) if args.quick else (4, 8, 4)
    times = {"bare": [], "GenericLoop": [], "GenericLoop + step monitor": []}
    for _ in range(rounds):
        times["bare"].append(bare(n_episodes, len_episode))
        times["GenericLoop"].append(looped(n_episodes, len_episode, RLCallback()))
        times["GenericLoop + step monitor"].append(looped(n_episodes, len_episode, monitored()))
    best = {name: min(values) for name, values in times.items()}
    print(f"W1, {n_episodes} episodes of {len_episode} ticks, best of {rounds} alternated rounds | "
          f"python {platform.python_version()}, numpy {np.__version__}")
    for name, seconds in best.items():
        print(f"{name:>28}: {seconds:7.3f} s   {seconds / best['bare']:.3f} x bare")
    return best


if __name__ == "__main__":
    main()
