"""Compile time of the compiled tick: cold (empty numba cache) and cached, each in a fresh process.

Each run starts a new Python process with ``NUMBA_CACHE_DIR`` set to a new
temporary folder (cold) or to the folder the cold run filled (cached), builds
FlorianXOR with ``backend="numba"``, and times its first tick (which imports
numba and compiles or loads the kernel) against its second. ``--workers N``
also starts N processes at once on the filled cache, as N Ray workers of a
node would.

Usage::

    python benchmarks/bench_compile.py
    python benchmarks/bench_compile.py --workers 2
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

FIRST_TICK = """
import json, time
import numpy as np
from spikey.experiments import FlorianXOR
net = FlorianXOR(keys={"seed": 0, "backend": "numba", "processing_time": 100})
net.reset()
start = time.perf_counter(); net.tick(np.array([1, 0])); first = time.perf_counter() - start
start = time.perf_counter(); net.tick(np.array([0, 1])); second = time.perf_counter() - start
print(json.dumps({"first_tick_s": first, "second_tick_s": second}))
"""


def run(cache_dir: str, n_processes: int = 1) -> list[dict]:
    """Start ``n_processes`` at once on ``cache_dir``; return each one's first and second tick times."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    processes = [subprocess.Popen([sys.executable, "-c", FIRST_TICK], env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(n_processes)]
    return [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in processes]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=0, help="processes started at once on the filled cache")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache_dir:
        rows = [("cold", *run(cache_dir)), ("cached", *run(cache_dir))]
        if args.workers:
            rows += [(f"cached, {args.workers} at once", *run(cache_dir, args.workers))]
    print("compile cost of the compiled tick (first tick minus second, FlorianXOR, 100 ms ticks), fresh processes")
    for label, *results in rows:
        costs = ", ".join(f"{r['first_tick_s'] - r['second_tick_s']:.2f} s" for r in results)
        print(f"{label:>20}: {costs}")


if __name__ == "__main__":
    main()
