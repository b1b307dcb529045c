"""W2: how one timestep's cost and the memory grow with network size, for two learning rules.

For ``n_neurons`` N in {100, 300, 1000, 3000} body neurons (a fifth inhibitory)
and N // 2 RateMap inputs firing at 50 Hz, every possible synapse exists
(``Random`` weights, ``prob_connection=1.0``), so the weights are
(1, 1.5 N, N). ``weight_scale = 4 / N`` keeps the mean drive per neuron the
same at every size, which with ``firing_threshold = 1`` holds the body at
roughly 20-35 Hz (the ``body Hz`` column shows the measured mean). The network
learns with

- ``MSTDPET``, rewarded after every tick of 100 steps, as an RL game rewards
  each game step (``RLNetwork.reward``; +1 when the output neuron fired, else -1);
- ``MSTDPET_every_step``, rewarded at every timestep (r = 1, small ``learning_rate``):
  the upper bound of its cost, since the dense ``w += γ r z`` then runs every step;
- ``STDP`` (small ``learning_rate``): only the rows and columns of each step's
  spikes change.

Each rule runs on both backends where the compiled tick supports it (not
``MSTDPET_every_step``, whose network overrides ``continuous_reward``), their
timed ticks alternating so both see the same machine load; the ratio numpy /
numba is printed. Targets for numba, ``MSTDPET``: 0.25 ms per step at N = 1000
and 2.5 at N = 3000. BLAS threads are pinned (``--blas-threads``, default 1)
and printed; the kernel is compiled (or loaded from numba's cache) before
anything is measured.

``--dtype float32`` runs the networks with float32 state (the ``dtype`` key),
``--dtype both`` runs each rule and backend in float64 and float32, their
timed ticks alternating with the others', and prints the ratio float64 /
float32 of the time per step and of the peak memory. ``--rules`` picks the
rules to run.

Columns:

- ``ms_per_step``: wall ms per 1 ms timestep (best of the timed ticks of 100 steps each);
- ``peak_mb``: tracemalloc's peak of numpy and Python allocations from building the
  network through one warm-up tick (untimed; tracemalloc is off while timing);
- ``tick_mb``: of that, the peak of a tick's temporary arrays (peak during the warm-up tick
  minus what was allocated when it began);
- ``state_mb``: the bytes of the weight arrays (values, mask, sign) plus the rule's
  traces (for MSTDPET, the (1, 1.5 N, N) eligibility z), for comparison with ``peak_mb``.

``--json`` prints ``{"sizes": [{"n_neurons", "rule", "backend", "dtype", "ms_per_step", "peak_mb"}, ...]}``
as the last line; ``--quick`` runs only N = 100 and 300, ``--sizes 1000 3000`` the sizes given.

Usage::

    python benchmarks/bench_scaling.py            # ~30 s
    python benchmarks/bench_scaling.py --quick    # ~2 s
    python benchmarks/bench_scaling.py --json
    python benchmarks/bench_scaling.py --sizes 1000 3000 --rules MSTDPET --dtype both   # float32 against float64
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import time
import tracemalloc

import numpy as np

from blas import pinned_blas
from spikey.snn import Network, RLNetwork
from spikey.snn.input import RateMap
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import MSTDPET, STDP
from spikey.snn.weight import Random

SIZES = (100, 300, 1000, 3000)
TIMED_TICKS = {100: 10, 300: 5, 1000: 3, 3000: 2}  # ticks of 100 timesteps, after one warm-up tick
TARGETS = {1000: 0.25, 3000: 2.5}  # numba, MSTDPET rewarded after each tick, ms per step
OBSERVATION = np.array([1.0])  # one group: every input at input_rate


def always_true(states):
    return np.ones(len(states), dtype=bool)


class RewardedEachTick(RLNetwork):
    """Rewarded after each tick: +1 if the output neuron fired enough to answer 1, else -1."""


class RewardedEveryStep(Network):
    """A plain network whose learning rule gets reward 1 at every timestep."""

    def continuous_reward(self, spikes):
        return self._ones


RULES = {  # name: (network class, learning rule)
    "MSTDPET": (RewardedEachTick, MSTDPET),
    "MSTDPET_every_step": (RewardedEveryStep, MSTDPET),
    "STDP": (Network, STDP),
}


def build(n_neurons: int, rule: str, backend: str = "numpy", seed: int = 0, dtype: str = "float64") -> Network:
    weight_scale = 4.0 / n_neurons
    keys = {
        "n_inputs": n_neurons // 2, "n_neurons": n_neurons, "n_outputs": 1, "processing_time": 100,
        "seed": seed, "input_rate": 0.05, "magnitude": 1.0, "firing_threshold": 1.0,
        "potential_decay": 1 - math.exp(-1 / 20), "refractory_period": 2, "neuron_pct_inhibitory": 0.2,
        "max_weight": 1.0, "prob_connection": 1.0, "weight_scale": weight_scale, "action_threshold": 0.01,
        "backend": backend, "dtype": dtype,
    }
    network, synapses = RULES[rule]
    keys["learning_rate"] = 1e-3 * weight_scale
    parts = {"inputs": RateMap, "neurons": LIF, "weights": Random, "synapses": synapses, "readout": Threshold}
    if network is RewardedEachTick:
        parts["rewarder"] = MatchExpected
        keys["expected_value"] = always_true
    net = network(parts=parts, keys=keys)
    net._ones = np.ones(net.params.batch_size)
    return net.train()


def play(net: Network) -> None:
    """One tick, then the tick's reward for a network rewarded after each tick."""
    action = net.tick(OBSERVATION)
    if isinstance(net, RLNetwork):
        net.reward(OBSERVATION, action)


def state_mb(net: Network) -> float:
    arrays = [*net.state["weights"], *net.state["synapses"]]
    return sum(array.nbytes for array in arrays if array is not None) / 2**20


def memory(n_neurons: int, rule: str, backend: str, seed: int, dtype: str) -> dict:
    """tracemalloc's peaks (bytes) from construction through one warm-up tick, and the built network.

    numba's own allocations inside the kernel (a few arrays of n_pre values) are not traced.
    """
    tracemalloc.start()
    net = build(n_neurons, rule, backend, seed, dtype)
    build_peak = tracemalloc.get_traced_memory()[1]
    net.reset()
    before_tick = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    play(net)  # warm-up, with tracemalloc on
    tick_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return net, {"peak_mb": round(max(tick_peak, build_peak) / 2**20, 1),
                 "tick_extra_mb": round((tick_peak - before_tick) / 2**20, 1)}


def measure(n_neurons: int, rule: str, timed_ticks: int, seed: int = 0, dtypes=("float64",)) -> list[dict]:
    """One row per backend that runs ``rule`` and dtype; their timed ticks alternate (side by side)."""
    backends = ("numpy", "numba") if build(100, rule, "auto").backend == "numba" else ("numpy",)
    variants = [(backend, dtype) for backend in backends for dtype in dtypes]
    nets, rows = {}, {}
    for variant in variants:
        nets[variant], rows[variant] = memory(n_neurons, rule, variant[0], seed, variant[1])
    per_step = {variant: [] for variant in variants}
    rates = {variant: [] for variant in variants}
    n_inputs, steps = n_neurons // 2, 100
    for _ in range(timed_ticks):
        for variant, net in nets.items():
            start = time.perf_counter()
            play(net)
            per_step[variant].append((time.perf_counter() - start) * 1000.0 / steps)
            rates[variant].append(net.spike_log[:, :, n_inputs:].mean() * 1000.0)
    return [{
        "n_neurons": n_neurons, "rule": rule, "backend": backend, "dtype": dtype,
        "ms_per_step": round(min(per_step[backend, dtype]), 4), **rows[backend, dtype],
        "state_mb": round(state_mb(nets[backend, dtype]), 1),
        "body_hz": round(float(np.mean(rates[backend, dtype])), 1), "timed_ticks": timed_ticks,
    } for backend, dtype in variants]


def warm_kernel(dtypes):
    """Compile (or load from numba's cache) the compiled tick, for each dtype, before anything is measured."""
    for dtype in dtypes:
        net = build(100, "MSTDPET", "numba", dtype=dtype)
        net.reset()
        play(net)


def print_ratios(rows: list[dict], rule: str, n_neurons: int) -> None:
    """numpy / numba for each dtype, and float64 / float32 (time and peak memory) for each backend."""
    by = {(row["backend"], row["dtype"]): row for row in rows}
    for dtype in dict.fromkeys(row["dtype"] for row in rows):
        if ("numba", dtype) in by:
            ratio = by["numpy", dtype]["ms_per_step"] / by["numba", dtype]["ms_per_step"]
            target = (f" (target for numba: <= {TARGETS[n_neurons]} ms per step)"
                      if rule == "MSTDPET" and n_neurons in TARGETS and dtype == "float64" else "")
            print(f"{'':>9} {'':>6} {rule:>18} {dtype} numpy / numba: {ratio:.1f}x{target}", flush=True)
    for backend in dict.fromkeys(row["backend"] for row in rows):
        if (backend, "float32") in by and (backend, "float64") in by:
            wide, narrow = by[backend, "float64"], by[backend, "float32"]
            print(f"{'':>9} {'':>6} {rule:>18} {backend} float64 / float32: "
                  f"{wide['ms_per_step'] / narrow['ms_per_step']:.2f}x time, "
                  f"{wide['peak_mb'] / narrow['peak_mb']:.2f}x peak memory", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only n_neurons 100 and 300")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--sizes", type=int, nargs="+", help="n_neurons to run (default 100 300 1000 3000)")
    parser.add_argument("--rules", nargs="+", choices=list(RULES), default=list(RULES),
                        help="rules to run (default all)")
    parser.add_argument("--dtype", choices=("float64", "float32", "both"), default="float64",
                        help="the networks' dtype key; both: each in float64 and float32, side by side")
    args = parser.parse_args(argv)
    sizes = args.sizes or (SIZES[:2] if args.quick else SIZES)
    dtypes = ("float64", "float32") if args.dtype == "both" else (args.dtype,)

    print(f"W2 scaling: N body LIF (20% inhibitory), N//2 RateMap inputs at 50 Hz, all-to-all Random weights, "
          f"100 steps/tick, B=1 | python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    header = (f"{'n_neurons':>9} {'n_pre':>6} {'rule':>18} {'backend':>7} {'dtype':>7} {'ms_per_step':>11} "
              f"{'peak_mb':>8} {'tick_mb':>7} {'state_mb':>8} {'body Hz':>7} {'ticks':>5}")
    rows = []
    with pinned_blas(args.blas_threads):
        warm_kernel(dtypes)
        print(header)
        print("-" * len(header))
        for n_neurons in sizes:
            for rule in args.rules:
                measured = measure(n_neurons, rule, TIMED_TICKS.get(n_neurons, 2), args.seed, dtypes)
                rows += measured
                for row in measured:
                    print(f"{n_neurons:>9} {n_neurons + n_neurons // 2:>6} {rule:>18} {row['backend']:>7} "
                          f"{row['dtype']:>7} {row['ms_per_step']:>11.4f} {row['peak_mb']:>8.1f} "
                          f"{row['tick_extra_mb']:>7.1f} {row['state_mb']:>8.1f} {row['body_hz']:>7.1f} "
                          f"{row['timed_ticks']:>5}", flush=True)
                print_ratios(measured, rule, n_neurons)
    print("peak_mb: tracemalloc peak from construction through one warm-up tick; tick_mb: temporaries of that "
          "tick; state_mb: weights (values, mask, sign) + rule traces.")
    if args.json:
        keys = ("n_neurons", "rule", "backend", "dtype", "ms_per_step", "peak_mb")
        print(json.dumps({"sizes": [{key: row[key] for key in keys} for row in rows]}))


if __name__ == "__main__":
    main()
