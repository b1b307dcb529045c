"""A Series on Florian (2007)'s XOR network: XOR performance against the learning rate, repeats batched per trial.

Runs :class:`spikey.meta.Series` on Ray Tune (a local Ray started here):
each learning rate is one Tune trial that plays ``--repeats`` seeded copies
of :class:`spikey.experiments.FlorianXOR` as one batched network, for
``--episodes`` episodes of 10 XOR epochs (40 patterns of 500 ms, one
continuous run). The score of a copy is ``total_reward`` of its last
episode: the number of the 40 patterns it answered correctly. It prints
the mean, standard deviation and standard error over repeats for each
learning rate, saves ``<out>/series.png`` (mean with standard-error bars),
and reads the per-episode reports back from Tune's folder with
:class:`spikey.logging.Reader`. Running it again with the same ``--out``
resumes the series: finished trials are not run again.

Usage::

    python examples/run_series.py            # 5 learning rates x 8 repeats, a few minutes
    python examples/run_series.py --quick    # a small, short version, well under a minute
"""
from __future__ import annotations

import argparse
from pathlib import Path

from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.logging import Reader
from spikey.meta import Series
from spikey.viz import series_errorbars

METRIC = "total_reward"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 learning rates, 2 repeats, short episodes")
    parser.add_argument("--repeats", type=int, default=8, help="repeats per learning rate (default: %(default)s)")
    parser.add_argument("--episodes", type=int, default=4, help="episodes of 10 epochs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="the trials' seed (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("results") / "run_series",
                        help="Tune's storage folder (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no Tune progress table")
    args = parser.parse_args(argv)
    spec = ("learning_rate", [0.1, 0.6, 1.2]) if args.quick else ("learning_rate", 0.125, 1.375, 0.25)
    params = {"n_episodes": 2 if args.quick else args.episodes, "len_episode": 8 if args.quick else 40,
              "processing_time": 50 if args.quick else 500, "reset_network": False, "preset": "XOR",
              "pattern_order": "epochs", "seed": args.seed}
    series = Series(FlorianXOR, Logic, spec, n_repeats=2 if args.quick else args.repeats, **params)
    df = series.run(name="learning_rate", storage_path=args.out, progress=not args.quiet)
    table = df.drop_duplicates("learning_rate")[["learning_rate", f"{METRIC}_mean", f"{METRIC}_std", f"{METRIC}_sem"]]
    print(f"FlorianXOR, {series.n_repeats} repeats per learning rate: {METRIC} of the last episode "
          f"(of {params['len_episode']} patterns)")
    print(table.to_string(index=False, float_format="%.3f"))
    figure = args.out / "series.png"
    series_errorbars(df, "learning_rate", METRIC).savefig(figure)
    reader = Reader(args.out / "learning_rate")
    print(f"Plot: {figure}. Tune's folder holds {len(reader.df)} episode reports of "
          f"{reader.df['trial'].nunique()} trials.")
    return {"df": df, "table": table, "reader": reader}


if __name__ == "__main__":
    main()
