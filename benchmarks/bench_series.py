"""What batching repeats saves: a Series of 8 configurations x 8 repeats, batched per trial or one trial per repeat.

The experiment is Florian's rate XOR network (``FlorianXOR``) playing
``--episodes`` episodes of ``--steps`` patterns of ``--ms`` ms each, over 8
learning rates. Batched: :class:`spikey.meta.Series` with ``n_repeats=8``,
8 Tune trials of one network of 8 copies. One trial per repeat: the same 64
runs as 64 Tune trials of one network each (``spikey.meta.run`` over a grid of
learning rates and seeds). Both run in one local Ray, side by side, after
Ray has started (timed apart) and a warm-up trial has imported Spikey in the
workers; the ratio is printed. Use ``--rounds`` to repeat each and take the
best time.

Usage::

    python benchmarks/bench_series.py              # about 3-5 min on 2 cores
    python benchmarks/bench_series.py --episodes 1 --ms 100 --rounds 1
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
from timeit import timeit

from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.meta import Series, run

LEARNING_RATES = [0.125 * (k + 1) for k in range(8)]
N_REPEATS = 8


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2, help="episodes per run (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=8, help="patterns per episode (default: %(default)s)")
    parser.add_argument("--ms", type=int, default=500, help="ms per pattern (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=1, help="times each variant is run (default: %(default)s)")
    args = parser.parse_args(argv)
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    keys = {"n_episodes": args.episodes, "len_episode": args.steps, "processing_time": args.ms, "preset": "XOR",
            "pattern_order": "epochs", "progress": False}
    folder = tempfile.mkdtemp(prefix="bench_series_")
    import ray

    start = timeit(lambda: ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False), number=1)
    warm = timeit(lambda: Series(FlorianXOR, Logic, ("learning_rate", [1.0]), seed=0, **keys).run(
        name="warm-up", storage_path=folder), number=1)
    batched, single = [], []
    for round_ in range(args.rounds):
        series = Series(FlorianXOR, Logic, ("learning_rate", LEARNING_RATES), n_repeats=N_REPEATS, seed=0, **keys)
        batched.append(timeit(lambda: series.run(name=f"batched-{round_}", storage_path=folder), number=1))
        space = {"learning_rate": {"grid_search": LEARNING_RATES}, "seed": {"grid_search": list(range(N_REPEATS))}}
        single.append(timeit(lambda: run(FlorianXOR, Logic, space, name=f"single-{round_}", storage_path=folder,
                                         **keys), number=1))
    print(f"Series of {len(LEARNING_RATES)} configurations x {N_REPEATS} repeats, FlorianXOR, {args.episodes} "
          f"episode(s) of {args.steps} patterns x {args.ms} ms; {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, Ray {ray.__version__}")
    print(f"  Ray start {start:.1f} s, warm-up trial {warm:.1f} s (not counted)")
    print(f"  batched repeats: {len(LEARNING_RATES)} trials of B={N_REPEATS}:  best {min(batched):6.1f} s  "
          f"(all: {', '.join(f'{t:.1f}' for t in batched)})")
    print(f"  one trial per repeat: {len(LEARNING_RATES) * N_REPEATS} trials of B=1:  best {min(single):6.1f} s  "
          f"(all: {', '.join(f'{t:.1f}' for t in single)})")
    print(f"  ratio (one trial per repeat / batched): {min(single) / min(batched):.2f}x")
    ray.shutdown()
    return {"batched": batched, "single": single}


if __name__ == "__main__":
    main()
