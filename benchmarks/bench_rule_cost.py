"""Cost of one learning-rule timestep as spike density grows: sparse rules scale with it, dense ones stay flat.

For each built-in rule, ``spikey.testing.rule_cost`` times ``timestep`` on one
network of 100 inputs and 1000 neurons (weights 1100 x 1000, four fifths
present) at spike densities 0.001, 0.01 and 0.1, without reward (the cost of
keeping traces) and with a reward at every step (the cost of learning). The
ratio of the densest to the sparsest run tells a rule that works only where
neurons spiked (ratio well above 1) from one that touches every synapse
every step (ratio near 1).

Usage::

    python benchmarks/bench_rule_cost.py          # ~1 min
    python benchmarks/bench_rule_cost.py --quick  # 200 neurons
"""
from __future__ import annotations

import argparse
import platform

import numpy as np

from spikey.snn.synapse import LTP, MSTDP, MSTDPET, RLSTDP, STDP, DopamineSTDP
from spikey.testing import rule_cost

RULES = {
    STDP: {"learning_rate": 1e-3},
    LTP: {"learning_rate": 1e-3, "trace_decay": 0.1},
    RLSTDP: {"learning_rate": 1e-3, "trace_decay": 0.1},
    MSTDP: {"learning_rate": 1e-3},
    MSTDPET: {"learning_rate": 1e-3},
    DopamineSTDP: {"learning_rate": 1e-3, "a_plus": 0.1, "a_minus": -0.15},
}
DENSITIES = (0.001, 0.01, 0.1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 neurons, fewer repeats")
    args = parser.parse_args(argv)
    size = {"n_inputs": 20, "n_neurons": 200, "n_steps": 10, "repeats": 2} if args.quick else {}
    print(f"ms per timestep, one network | python {platform.python_version()}, numpy {np.__version__}")
    header = f"{'rule':>14} {'reward':>6} " + " ".join(f"{f'p={d}':>9}" for d in DENSITIES) + f" {'ratio':>6}"
    print(header)
    print("-" * len(header))
    results = {}
    for rule, config in RULES.items():
        for reward in (0.0, 1.0):
            costs = rule_cost(rule, config, densities=DENSITIES, reward=reward, **size)
            ratio = costs[DENSITIES[-1]] / costs[DENSITIES[0]]
            results[rule.__name__, reward] = costs
            print(f"{rule.__name__:>14} {reward:>6.0f} " + " ".join(f"{costs[d]:>9.3f}" for d in DENSITIES)
                  + f" {ratio:>6.1f}")
    return results


if __name__ == "__main__":
    main()
