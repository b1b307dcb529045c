"""Florian (2007)'s rate-coded XOR network learns XOR, trained on Ray Train: rates before and after, and a verdict.

Builds :class:`spikey.experiments.FlorianXOR` (60 Poisson inputs, 60 hidden
and 1 output LIF neurons, MSTDPET, a reward of +1 or -1 at every output
spike) and trains it for ``--epochs`` epochs of the four XOR patterns, each
shown for 500 ms, in a random order per epoch, as one continuous run (no
state reset). Training runs in a Ray Train worker on a local Ray started
here (``--local``: in this process, without Ray), in episodes of 10 epochs,
checkpointed every 5 episodes into ``--out``. It prints the output firing
rate (Hz) of each pattern before training, over the last 10 training epochs
and after training with learning off, each with a verdict by Florian's
criterion: the network has learned XOR when both true patterns, (0,1) and
(1,0), make the output fire faster than both false ones, (0,0) and (1,1).
The learning curve (rate per pattern per episode) goes to
``<out>/learning_curve.png``.

Usage::

    python examples/florian_xor.py --epochs 200 --seed 0
    python examples/florian_xor.py --local --epochs 40
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from spikey.core import GenericLoop, train
from spikey.experiments import FlorianXOR, FlorianXORMSTDP
from spikey.experiments.florian2007 import PATTERN_RESULTS, XORRates, play_xor, xor_success
from spikey.games import Logic
from spikey.games.logic import ALL_PATTERNS, logical_xor
from spikey.viz import learning_curve

EPOCHS_PER_EPISODE = 10
SCORED_EPOCHS = 10
TEMPLATES = {"mstdpet": FlorianXOR, "mstdp": FlorianXORMSTDP}


def verdict(rates: np.ndarray) -> str:
    """One line: learned or not, by Florian's criterion, for rates (epochs, 1, 4)."""
    mean = rates.mean(axis=(0, 1))
    true, false = mean[logical_xor(ALL_PATTERNS)], mean[~logical_xor(ALL_PATTERNS)]
    learned = bool(xor_success(rates, last=len(rates))[0])
    relation = ">" if learned else "is not above"
    return (f"{'LEARNED' if learned else 'NOT LEARNED'}: slowest true pattern {true.min():.1f} Hz {relation} "
            f"fastest false pattern {false.max():.1f} Hz")


def train_network(template, args):
    """Train on Ray Train (or locally); return the trained network and the per-episode rows."""
    params = {"n_episodes": args.epochs // EPOCHS_PER_EPISODE, "len_episode": 4 * EPOCHS_PER_EPISODE,
              "reset_network": False, "preset": "XOR", "pattern_order": "epochs", "seed": args.seed}
    if args.local:
        rows = []
        network, *_ = GenericLoop(template, Logic, callback=XORRates(), progress=not args.quiet, **params)(
            report=rows.append)
        return network, rows
    run = train(template, Logic, callback=XORRates, checkpoint_every=5, num_cpus=2, progress=not args.quiet,
                name=f"{template.__name__}-seed{args.seed}-{time.strftime('%Y%m%d-%H%M%S')}", storage_path=args.out,
                **params)
    return run.network(0), run.rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="training epochs, a multiple of 10 (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="network and pattern-order seed (default: %(default)s)")
    parser.add_argument("--rule", choices=sorted(TEMPLATES), default="mstdpet", help="learning rule (default: %(default)s)")
    parser.add_argument("--local", action="store_true", help="train in this process, without Ray")
    parser.add_argument("--out", type=Path, default=Path("results") / "florian_xor",
                        help="folder for Ray results and the learning curve (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.epochs < SCORED_EPOCHS or args.epochs % EPOCHS_PER_EPISODE:
        parser.error(f"--epochs must be a positive multiple of {EPOCHS_PER_EPISODE}: the verdict scores the last "
                     f"{SCORED_EPOCHS}.")
    template = TEMPLATES[args.rule]
    untrained = template(keys={"seed": args.seed})
    untrained.reset()
    before = play_xor(untrained.eval(), SCORED_EPOCHS, seed=args.seed + 1)
    network, rows = train_network(template, args)
    last_row = max((row for row in rows if row["copy"] == 0), key=lambda row: row["episode"])
    last = np.array([[[last_row[name] for name in PATTERN_RESULTS]]])  # the last episode: the last 10 epochs
    network.reset()
    after = play_xor(network.eval(), SCORED_EPOCHS, seed=args.seed + 2)

    print(f"{template.__name__}, seed {args.seed}, {args.epochs} epochs{' (local)' if args.local else ' on Ray Train'}: "
          f"output rate (Hz) per pattern")
    print("  pattern  XOR  before  last 10 training epochs  after, learning off")
    for k, pattern in enumerate(ALL_PATTERNS):
        print(f"  ({pattern[0]}, {pattern[1]})     {int(logical_xor(pattern))}  {before[:, 0, k].mean():6.1f}  "
              f"{last[0, 0, k]:23.1f}  {after[:, 0, k].mean():19.1f}")
    for label, rates in (("Before training", before), (f"Last {SCORED_EPOCHS} of {args.epochs} training epochs", last),
                         ("After training, learning off", after)):
        print(f"{label + ':':36s}{verdict(rates)}")
    args.out.mkdir(parents=True, exist_ok=True)
    curve = args.out / "learning_curve.png"
    frame = pd.DataFrame(rows).rename(columns=dict(zip(PATTERN_RESULTS, ("(0,0)", "(0,1)", "(1,0)", "(1,1)"))))
    frame["epoch"] = (frame["episode"] + 1) * EPOCHS_PER_EPISODE
    learning_curve(frame, ["(0,0)", "(0,1)", "(1,0)", "(1,1)"], by="epoch", ylabel="output rate (Hz)").savefig(curve)
    print(f"Learning curve: {curve}")
    return {"before": before, "last": last, "after": after, "rows": rows,
            "learned": bool(xor_success(last, last=1)[0]), "learned_after": bool(xor_success(after)[0])}


if __name__ == "__main__":
    main()
