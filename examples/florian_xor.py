"""Florian (2007)'s rate-coded XOR network learns XOR: output rates before and after training, and a verdict.

Builds :class:`spikey.experiments.FlorianXOR` (60 Poisson inputs, 60 hidden
and 1 output LIF neurons, MSTDPET, a reward of +1 or -1 at every output
spike) and trains it for ``--epochs`` epochs of the four XOR patterns, each
shown for 500 ms, in a random order per epoch. It prints the output firing
rate (Hz) of each pattern before training, over the last 10 training epochs
and after training with learning off, then a verdict by Florian's criterion:
the network has learned XOR when both true patterns, (0,1) and (1,0), make the
output fire faster than both false ones, (0,0) and (1,1).

Usage::

    python examples/florian_xor.py --epochs 200 --seed 0
"""
from __future__ import annotations

import argparse

import numpy as np

from spikey.experiments import FlorianXOR, FlorianXORMSTDP
from spikey.experiments.florian2007 import play_xor, xor_success
from spikey.games.logic import ALL_PATTERNS, logical_xor

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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="training epochs of 4 patterns (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="network and pattern-order seed (default: %(default)s)")
    parser.add_argument("--rule", choices=sorted(TEMPLATES), default="mstdpet", help="learning rule (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.epochs < SCORED_EPOCHS:
        parser.error(f"--epochs must be at least {SCORED_EPOCHS}: the verdict scores the last {SCORED_EPOCHS}.")

    net = TEMPLATES[args.rule](keys={"seed": args.seed})
    net.reset()
    before = play_xor(net.eval(), SCORED_EPOCHS, seed=args.seed + 1)
    training = play_xor(net.train(), args.epochs, seed=args.seed, progress=not args.quiet)
    after = play_xor(net.eval(), SCORED_EPOCHS, seed=args.seed + 2)
    last = training[-SCORED_EPOCHS:]

    print(f"{type(net).__name__}, seed {args.seed}: output rate (Hz) per pattern, mean of {SCORED_EPOCHS} epochs")
    print("  pattern  XOR  before  last training epochs  after, learning off")
    for k, pattern in enumerate(ALL_PATTERNS):
        print(f"  ({pattern[0]}, {pattern[1]})     {int(logical_xor(pattern))}  {before[:, 0, k].mean():6.1f}  "
              f"{last[:, 0, k].mean():20.1f}  {after[:, 0, k].mean():19.1f}")
    for label, rates in (("Before training", before), (f"Last {SCORED_EPOCHS} of {args.epochs} training epochs", last),
                         ("After training, learning off", after)):
        print(f"{label + ':':36s}{verdict(rates)}")
    return {"before": before, "training": training, "after": after,
            "learned": bool(xor_success(last)[0]), "learned_after": bool(xor_success(after)[0])}


if __name__ == "__main__":
    main()
