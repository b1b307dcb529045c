"""Izhikevich (2007)'s distal-reward network on both backends: ms of wall time per simulated ms.

:class:`~spikey.experiments.DistalReward` as the paper runs it: cortical
Izhikevich neurons (80 % regular spiking, 20 % fast spiking) with a random
thalamic current, ``n_synapses`` random targets per neuron (``OutDegree``),
``DopamineSTDP`` with the weights updated every 10 ms and tonic dopamine,
rewards 1-3 s after each coincidence of the chosen synapse. Two sizes:

- N = 1000 neurons, 100 synapses each, one network (the paper's);
- N = 100 neurons, 10 synapses each, a batch of 16 networks (a sweep of small copies).

Each tick runs ``processing_time`` ms; the two backends' timed ticks
alternate, so both see the same machine load, and the ratio numpy / numba is
printed. The kernel is compiled (or loaded from numba's cache) and each
network warmed up by one tick before anything is timed. BLAS threads are
pinned (``--blas-threads``, default 1) and printed.

Columns:

- ``ms_per_ms``: wall ms per simulated 1 ms step of the whole batch (best timed tick);
- ``body Hz``: mean firing rate of the body neurons over the timed ticks.

``--json`` prints ``{"rows": [{"n_neurons", "batch_size", "backend", "ms_per_ms"}, ...]}`` as the
last line; ``--quick`` runs ticks of 200 ms instead of 1000 ms.

Usage::

    python benchmarks/bench_izhikevich.py            # ~10 s
    python benchmarks/bench_izhikevich.py --quick    # ~3 s
"""
from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from blas import pinned_blas
from spikey.experiments import DistalReward

CASES = ((1000, 100, 1), (100, 10, 16))  # n_neurons, n_synapses, batch_size
TIMED_TICKS = 3


def build(n_neurons: int, n_synapses: int, batch: int, backend: str, processing_time: int, seed: int):
    """The distal-reward network, reset, on ``backend``."""
    net = DistalReward(keys={"n_neurons": n_neurons, "n_synapses": n_synapses, "batch_size": batch,
                             "processing_time": processing_time, "seed": seed, "backend": backend})
    net.reset()
    return net


def play(net) -> float:
    """One tick; returns its wall ms."""
    observation = np.zeros((net.params.batch_size, 1)) if net.params.batch_size > 1 else np.zeros(1)
    start = time.perf_counter()
    net.tick(observation)
    return (time.perf_counter() - start) * 1000.0


def measure(n_neurons: int, n_synapses: int, batch: int, processing_time: int, seed: int) -> list[dict]:
    """One row per backend; their timed ticks alternate."""
    nets = {backend: build(n_neurons, n_synapses, batch, backend, processing_time, seed)
            for backend in ("numpy", "numba")}
    for net in nets.values():
        play(net)  # warm-up
    per_ms = {backend: [] for backend in nets}
    rates = {backend: [] for backend in nets}
    for _ in range(TIMED_TICKS):
        for backend, net in nets.items():
            per_ms[backend].append(play(net) / processing_time)
            rates[backend].append(net.spike_log[:, :, 1:].mean() * 1000.0)
    return [{"n_neurons": n_neurons, "n_synapses": n_synapses, "batch_size": batch, "backend": backend,
             "ms_per_ms": round(min(per_ms[backend]), 4), "body_hz": round(float(np.mean(rates[backend])), 1)}
            for backend in nets]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="ticks of 200 ms instead of 1000 ms")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args(argv)
    processing_time = 200 if args.quick else 1000

    print(f"DistalReward (Izhikevich 2007): CorticalIzhikevich, OutDegree, DopamineSTDP every 10 ms, ticks of "
          f"{processing_time} ms | python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    header = f"{'n_neurons':>9} {'synapses':>8} {'batch':>5} {'backend':>7} {'ms_per_ms':>9} {'body Hz':>7}"
    rows = []
    with pinned_blas(args.blas_threads):
        build(100, 10, 1, "numba", 10, 0).tick(np.zeros(1))  # compile or load the kernel
        print(header)
        print("-" * len(header))
        for n_neurons, n_synapses, batch in CASES:
            pair = measure(n_neurons, n_synapses, batch, processing_time, args.seed)
            rows += pair
            for row in pair:
                print(f"{n_neurons:>9} {n_synapses:>8} {batch:>5} {row['backend']:>7} {row['ms_per_ms']:>9.4f} "
                      f"{row['body_hz']:>7.1f}", flush=True)
            print(f"{'':>9} {'':>8} {'':>5} numpy / numba: {pair[0]['ms_per_ms'] / pair[1]['ms_per_ms']:.1f}x",
                  flush=True)
    if args.json:
        keys = ("n_neurons", "batch_size", "backend", "ms_per_ms")
        print(json.dumps({"rows": [{key: row[key] for key in keys} for row in rows]}))


if __name__ == "__main__":
    main()
