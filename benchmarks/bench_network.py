"""W1: wall time of Florian (2007)'s rate-coded XOR network, per simulated millisecond.

The network is ``spikey.experiments.FlorianXOR`` unchanged (60 RateMap inputs,
61 LIF neurons, MSTDPET, ActiveRLNetwork, 500 ms per pattern), in training
mode, shown the four XOR patterns in turn. With ``batch_size=64`` network b
sees pattern ``(tick + b) % 4``, so the batch holds all four patterns at once.

Figures:

- ``ms_per_sim_ms_b1``: wall ms per simulated ms (one 1 ms timestep) of one network;
- ``ms_per_net_sim_ms_b64``: wall ms per simulated ms of a batch of 64, divided by 64.

Each figure is the best of a few timed repeats after one warm-up tick.
``--json`` prints them as the last line.

Usage::

    python benchmarks/bench_network.py            # ~15 s
    python benchmarks/bench_network.py --quick    # ~3 s
    python benchmarks/bench_network.py --json
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

from spikey.experiments import FlorianXOR

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def xor(states):
    return np.logical_xor(states[..., 0], states[..., 1])


def observations(tick: int, batch_size: int):
    """The tick's pattern(s): one pattern for B=1, else pattern (tick + b) % 4 for network b."""
    if batch_size == 1:
        return PATTERNS[tick % 4]
    return PATTERNS[(tick + np.arange(batch_size)) % 4]


def measure(batch_size: int, n_ticks: int, repeats: int, processing_time: int = 500, seed: int = 0) -> dict:
    """Time ``repeats`` runs of ``n_ticks`` training ticks; return per-run wall ms per simulated ms."""
    net = FlorianXOR(keys={"seed": seed, "batch_size": batch_size, "expected_value": xor,
                           "processing_time": processing_time})
    net.train()
    net.reset()
    net.tick(observations(0, batch_size))  # warm-up
    tick = 1
    n_inputs = net.parts["inputs"].params.n_inputs
    per_sim_ms, body_rates = [], []
    for _ in range(repeats):
        net.reset()
        start = time.perf_counter()
        for _ in range(n_ticks):
            net.tick(observations(tick, batch_size))
            tick += 1
        elapsed_ms = (time.perf_counter() - start) * 1000.0
        per_sim_ms.append(elapsed_ms / (n_ticks * processing_time))
    for _ in range(4):  # untimed: the mean body firing rate over the four patterns
        net.tick(observations(tick, batch_size))
        body_rates.append(net.spike_log[:, :, n_inputs:].mean() * 1000.0)
        tick += 1
    return {
        "batch_size": batch_size,
        "best": min(per_sim_ms),
        "median": statistics.median(per_sim_ms),
        "body_rate_hz": float(np.mean(body_rates)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.quick:
        runs = {1: (4, 2), 64: (1, 2)}  # batch_size: (ticks per repeat, repeats)
    else:
        runs = {1: (8, 5), 64: (4, 3)}

    print(f"W1 FlorianXOR (60 inputs, 61 LIF, MSTDPET, 500 ms/pattern, training) | python {platform.python_version()}"
          f", numpy {np.__version__}, {platform.machine()}")
    results = {batch: measure(batch, ticks, repeats, seed=args.seed) for batch, (ticks, repeats) in runs.items()}
    b1, b64 = results[1], results[64]

    header = f"{'batch':>5} {'ticks x reps':>12} {'wall ms / sim ms':>17} {'median':>8} {'per net':>9} {'body Hz':>8}"
    print(header)
    print("-" * len(header))
    for batch, result in results.items():
        ticks, repeats = runs[batch]
        print(f"{batch:>5} {f'{ticks} x {repeats}':>12} {result['best']:>17.4f} {result['median']:>8.4f} "
              f"{result['best'] / batch:>9.5f} {result['body_rate_hz']:>8.1f}")
    per_net_b64 = b64["best"] / 64
    print(f"ms_per_sim_ms_b1      = {b1['best']:.4f}  ({1.0 / b1['best']:.1f}x real time)")
    print(f"ms_per_net_sim_ms_b64 = {per_net_b64:.5f}")
    print(f"B=64 vs B=1 per-network throughput: {b1['best'] / per_net_b64:.1f}x")
    if args.json:
        print(json.dumps({"ms_per_sim_ms_b1": round(b1["best"], 6), "ms_per_net_sim_ms_b64": round(per_net_b64, 6)}))


if __name__ == "__main__":
    main()
