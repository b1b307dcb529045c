"""A genetic search on Florian (2007)'s XOR network: Population as a Ray Tune Searcher, a few generations.

Runs :class:`spikey.meta.Population` on Ray Tune (a local Ray started
here) over three keys of :class:`spikey.experiments.FlorianXOR`: the
learning rate, the eligibility time constant ``tau_z`` and the input
rate. Each member is one trial of ``--repeats`` seeded copies batched in
one network, for a few episodes of XOR epochs; its fitness is the mean
``total_reward`` (patterns answered correctly) of its last episode. It
prints every generation's members, the best genotype, saves
``<out>/fitness.png`` (fitness per generation, mean and spread) and reads
the trials' reports back with :class:`spikey.logging.Reader`. Running it
again with the same ``--out`` resumes the search from Tune's checkpoint.

Usage::

    python examples/run_meta.py              # 4 generations of 6, a few minutes
    python examples/run_meta.py --quick      # 2 generations of 4, short episodes
"""
from __future__ import annotations

import argparse
from pathlib import Path

from spikey.experiments import FlorianXOR
from spikey.games import Logic
from spikey.logging import Reader
from spikey.meta import Population
from spikey.viz import learning_curve

GENOTYPE = {"learning_rate": (0.125, 2.0, 0.125), "tau_z": (5.0, 55.0, 5.0), "input_rate": (0.02, 0.1, 0.02)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 generations of 4, short episodes")
    parser.add_argument("--generations", type=int, default=4, help="generations (default: %(default)s)")
    parser.add_argument("--size", type=int, default=6, help="population size (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=4, help="repeats per member (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="the search's and trials' seed (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("results") / "run_meta",
                        help="Tune's storage folder (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no Tune progress table")
    args = parser.parse_args(argv)
    population = Population.from_keys(
        FlorianXOR, Logic, GENOTYPE, metric="total_reward", mode="max", seed=args.seed,
        population_size=4 if args.quick else args.size, n_generations=2 if args.quick else args.generations)
    params = {"n_episodes": 2, "len_episode": 4 if args.quick else 40, "processing_time": 50 if args.quick else 500,
              "reset_network": False, "preset": "XOR", "pattern_order": "epochs", "seed": args.seed}
    history = population.run(FlorianXOR, Logic, name="ga", storage_path=args.out, progress=not args.quiet,
                             n_repeats=2 if args.quick else args.repeats, **params)
    print(f"Population on FlorianXOR: fitness = mean total_reward of the last episode (of {params['len_episode']} "
          "patterns); cached members were not run again")
    print(history.to_string(index=False, float_format="%.3f"))
    genes, fitness = population.best()
    print(f"Best: {genes}, fitness {fitness:.3f}")
    figure = args.out / "fitness.png"
    learning_curve(history, "fitness", by="generation").savefig(figure)
    reader = Reader(args.out / "ga")
    print(f"Plot: {figure}. Tune's folder holds {len(reader.df)} episode reports of "
          f"{reader.df['trial'].nunique()} trials.")
    return {"history": history, "best": (genes, fitness), "reader": reader}


if __name__ == "__main__":
    main()
