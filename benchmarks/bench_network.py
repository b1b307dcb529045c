"""W1: wall time of Florian (2007)'s rate-coded XOR network, per simulated millisecond.

The network is ``spikey.experiments.FlorianXOR`` unchanged (60 RateMap inputs,
61 LIF neurons, MSTDPET, ActiveRLNetwork, 500 ms per pattern), in training
mode, shown the four XOR patterns in turn. With ``batch_size=64`` network b
sees pattern ``(tick + b) % 4``, so the batch holds all four patterns at once.

Figures, for each backend (``numpy`` and ``numba``, run side by side: their
timed repeats alternate, so both see the same machine load), in wall ms per
simulated ms (one 1 ms timestep) per network, with the ratio numpy / numba:

- ``<backend>_b1``: one network;
- ``<backend>_b64``: a batch of 64, divided by 64;
- ``<backend>_seeds_b<B>``: the same with per-copy seeds (``seed`` an array,
  one Generator per network, ``seed + b`` for network b), timed in
  alternation with the others, and its ratio to the one-seed figure.

Targets for numba: B=1 at most 0.002, B=64 at most 0.0015. Each figure is the
best of a few timed repeats after one warm-up tick (the numba warm-up
compiles the kernel, or loads it from numba's cache). BLAS threads are pinned
(``--blas-threads``, default 1) and printed. ``--json`` prints the figures as
the last line.

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

from blas import pinned_blas
from spikey.experiments import FlorianXOR

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
BACKENDS = ("numpy", "numba")
TARGETS = {1: 0.002, 64: 0.0015}  # numba, ms per network per simulated ms


def xor(states):
    return np.logical_xor(states[..., 0], states[..., 1])


def observations(tick: int, batch_size: int):
    """The tick's pattern(s): one pattern for B=1, else pattern (tick + b) % 4 for network b."""
    if batch_size == 1:
        return PATTERNS[tick % 4]
    return PATTERNS[(tick + np.arange(batch_size)) % 4]


def build(batch_size: int, backend: str, processing_time: int, seed):
    """The W1 network on ``backend``, reset, after one warm-up tick (which compiles the kernel if needed)."""
    net = FlorianXOR(keys={"seed": seed, "batch_size": batch_size, "expected_value": xor,
                           "processing_time": processing_time, "backend": backend})
    net.train()
    net.reset()
    net.tick(observations(0, batch_size))
    return net


def measure(batch_size: int, n_ticks: int, repeats: int, processing_time: int = 500, seed: int = 0,
            per_copy_seeds: bool = False) -> dict:
    """Time ``repeats`` runs of ``n_ticks`` training ticks on each backend, all variants alternating.

    Returns ``{variant: {"best", "median", "body_rate_hz"}}``, times in wall ms per simulated ms; the
    variants are the backends, and with ``per_copy_seeds`` also ``<backend>_seeds``, seeded with
    ``seed + b`` for network b.
    """
    seeds = {backend: seed for backend in BACKENDS}
    if per_copy_seeds:
        seeds.update({f"{backend}_seeds": seed + np.arange(batch_size) for backend in BACKENDS})
    nets = {name: build(batch_size, name.split("_")[0], processing_time, value) for name, value in seeds.items()}
    per_sim_ms = {name: [] for name in nets}
    for _ in range(repeats):
        for backend, net in nets.items():
            net.reset()
            start = time.perf_counter()
            for tick in range(1, n_ticks + 1):
                net.tick(observations(tick, batch_size))
            per_sim_ms[backend].append((time.perf_counter() - start) * 1000.0 / (n_ticks * processing_time))
    results = {}
    for backend, net in nets.items():
        n_inputs, body_rates = net.parts["inputs"].params.n_inputs, []
        for tick in range(4):  # untimed: the mean body firing rate over the four patterns
            net.tick(observations(tick, batch_size))
            body_rates.append(net.spike_log[:, :, n_inputs:].mean() * 1000.0)
        results[backend] = {"best": min(per_sim_ms[backend]), "median": statistics.median(per_sim_ms[backend]),
                            "body_rate_hz": float(np.mean(body_rates))}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args(argv)

    if args.quick:
        runs = {1: (4, 2), 64: (1, 2)}  # batch_size: (ticks per repeat, repeats)
    else:
        runs = {1: (8, 5), 64: (4, 3)}

    print(f"W1 FlorianXOR (60 inputs, 61 LIF, MSTDPET, 500 ms/pattern, training) | python {platform.python_version()}"
          f", numpy {np.__version__}, {platform.machine()}")
    with pinned_blas(args.blas_threads):
        results = {batch: measure(batch, ticks, repeats, seed=args.seed, per_copy_seeds=True)
                   for batch, (ticks, repeats) in runs.items()}

    header = (f"{'batch':>5} {'backend':>13} {'ticks x reps':>12} {'wall ms / sim ms':>17} {'median':>8} "
              f"{'per net':>9} {'body Hz':>8}")
    print(header)
    print("-" * len(header))
    figures = {}
    for batch, by_backend in results.items():
        ticks, repeats = runs[batch]
        for backend, result in by_backend.items():
            print(f"{batch:>5} {backend:>13} {f'{ticks} x {repeats}':>12} {result['best']:>17.4f} "
                  f"{result['median']:>8.4f} {result['best'] / batch:>9.5f} {result['body_rate_hz']:>8.1f}")
            figures[f"{backend}_b{batch}"] = result["best"] / batch
    for batch in results:
        ratio = figures[f"numpy_b{batch}"] / figures[f"numba_b{batch}"]
        target = TARGETS[batch]
        print(f"B={batch:<3} ms per network per sim ms: numpy {figures[f'numpy_b{batch}']:.5f}, "
              f"numba {figures[f'numba_b{batch}']:.5f} (target <= {target}): numba {ratio:.1f}x faster")
        for backend in BACKENDS:
            one, per_copy = figures[f"{backend}_b{batch}"], figures[f"{backend}_seeds_b{batch}"]
            print(f"B={batch:<3} {backend} per-copy seeds: {per_copy:.5f}, {per_copy / one:.2f}x the one-seed figure")
    if args.json:
        print(json.dumps({name: round(value, 6) for name, value in figures.items()}))


if __name__ == "__main__":
    main()
