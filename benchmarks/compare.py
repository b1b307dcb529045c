"""W1 figures of the working tree beside those of an earlier revision, measured in alternation.

Shared machines drift by a factor of two within minutes, so a figure measured
now cannot be compared with one measured an hour ago. This script checks the
revision out into a temporary git worktree, then alternates W1 measurements of
the two trees (``bench_network.measure``, each in a fresh process) and prints
the best figure of each and their ratio. The revision must have
``benchmarks/bench_network.py``; a tree whose ``measure`` runs both backends
is measured on the compiled one, the default.

Usage::

    python benchmarks/compare.py b39c1a2             # 3 rounds, ~1 min
    python benchmarks/compare.py HEAD~3 --rounds 5
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = """
import json, sys
sys.path.insert(0, "benchmarks")
from bench_network import measure
batch = int(sys.argv[1])
result = measure(batch, 4 if batch == 1 else 1, 2)
result = result.get("numba", result)  # by backend since the compiled tick: its default, numba
print(json.dumps(result["best"] / batch))
"""
BATCHES = (1, 64)


def per_network_ms(tree: Path, batch: int) -> float:
    """Wall ms per network per simulated ms of one W1 measurement of ``tree``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    result = subprocess.run([sys.executable, "-c", MEASURE, str(batch)], cwd=tree, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", help="the git revision to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements per tree and batch size")
    args = parser.parse_args(argv)
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                               check=True).stdout.strip())
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.revision], cwd=root, check=True,
                       capture_output=True)
        try:
            trees = {args.revision: old, "working tree": root}
            best = {(name, batch): float("inf") for name in trees for batch in BATCHES}
            for _ in range(args.rounds):
                for batch in BATCHES:
                    for name, tree in trees.items():
                        best[name, batch] = min(best[name, batch], per_network_ms(tree, batch))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=root, check=True)
    print(f"W1 wall ms per network per simulated ms, best of {args.rounds} alternating rounds")
    for batch in BATCHES:
        before, after = best[args.revision, batch], best["working tree", batch]
        print(f"B={batch:<3} {args.revision}: {before:.5f}  working tree: {after:.5f}  speedup {before / after:.2f}x")


if __name__ == "__main__":
    main()
