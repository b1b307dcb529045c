"""How long a float32 network's spikes stay those of its float64 twin, and how close their weights stay.

Each network runs twice from the same seed, with ``dtype="float64"`` and
``dtype="float32"``, tick by tick on the same observations, rewarded after each
tick by its rewarder. Printed per network: the first step whose spikes differ
(or none within the run), the largest weight difference divided by
``max_weight`` up to that step, and at the end of the run.

- ``FlorianXOR``: Florian (2007)'s rate-coded XOR (60 RateMap inputs, 61 LIF
  neurons, MSTDPET), 500 ms per pattern, the four patterns in turn;
- ``Izhikevich``: the same network with Izhikevich (2003) regular-spiking
  neurons (``magnitude=10``), deterministic between input spikes;
- ``CorticalIzhikevich``: the same with CorticalIzhikevich neurons driven by
  Izhikevich (2007)'s random thalamic current (``thalamic_input=13``).

Usage::

    python benchmarks/dtype_agreement.py             # 40 ticks (20 s of network time) each
    python benchmarks/dtype_agreement.py --ticks 8
"""
from __future__ import annotations

import argparse

import numpy as np

from spikey.experiments import FlorianXOR
from spikey.snn.neuron import CorticalIzhikevich, Izhikevich

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
NETWORKS = {  # name: (parts swapped in, keys changed)
    "FlorianXOR": ({}, {}),
    "Izhikevich": ({"neurons": Izhikevich}, {"magnitude": 10.0}),
    "CorticalIzhikevich": ({"neurons": CorticalIzhikevich}, {"magnitude": 10.0, "thalamic_input": 13.0}),
}


def twins(name: str, seed: int) -> list:
    """The network ``name`` in float64 and float32, reset."""
    parts, keys = NETWORKS[name]
    nets = [FlorianXOR(parts=parts, keys={**keys, "seed": seed, "dtype": dtype}) for dtype in ("float64", "float32")]
    for net in nets:
        net.reset()
    return nets


def agreement(name: str, ticks: int, seed: int) -> dict:
    """The first differing step, and the weight differences (/ max_weight) before it and at the end."""
    nets = twins(name, seed)
    max_weight = nets[0].parts["weights"].params.max_weight
    steps, first, before = nets[0].params.processing_time, None, 0.0
    for tick in range(ticks):
        state = PATTERNS[tick % 4]
        for net in nets:
            net.reward(state, net.tick(state))
        difference = float(np.max(np.abs(nets[0].weights - nets[1].weights))) / max_weight
        differs = np.flatnonzero((nets[0].spike_log != nets[1].spike_log).any(axis=(1, 2)))
        if first is None and differs.size:
            first = tick * steps + int(differs[0])
        if first is None:
            before = difference
    return {"network": name, "steps": ticks * steps, "first": first, "before": before, "end": difference}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ticks", type=int, default=40, help="ticks of 500 steps per network (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"float32 against float64, same seed {args.seed}, {args.ticks} ticks of 500 steps, rewarded after each")
    print(f"{'network':>18} {'steps':>6} {'first differing step':>21} {'max |dw| / max_weight before it':>32} "
          f"{'at the end':>11}")
    for name in NETWORKS:
        row = agreement(name, args.ticks, args.seed)
        first = "none" if row["first"] is None else str(row["first"])
        print(f"{row['network']:>18} {row['steps']:>6} {first:>21} {row['before']:>32.2e} {row['end']:>11.2e}",
              flush=True)


if __name__ == "__main__":
    main()
