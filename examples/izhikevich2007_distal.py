"""Izhikevich (2007) Fig. 1: the distal reward problem, one rewarded synapse among 80,000.

Runs ``--networks`` copies of :class:`spikey.experiments.DistalReward`
(1000 neurons, 100 synapses each, a reward 1-3 s after each n1 -> n2
coincidence) as one batch for ``--seconds`` of simulated time, one tick per
second; network k is seeded ``seed + k`` and is exactly the lone network of
that seed. Every ``--checkpoint`` seconds it saves the networks and the record
so far into a new checkpoint folder in ``--out``; run the same command again
to continue from the last one.
Prints when each chosen synapse reached the maximum weight, the fraction that
did with its 95 % Wilson interval, and plots the chosen weights beside the
mean of the other excitatory synapses (``--png``).

Usage::

    python examples/izhikevich2007_distal.py --seconds 3600 --networks 4 --out distal --png distal.png
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from spikey.experiments import DistalReward, play_distal_reward, time_to_max
from spikey.logging import load_checkpoint, open_run, save_checkpoint, wilson_interval


def run(out: Path, seconds: int, seeds: list, checkpoint: int, keys: dict) -> tuple:
    """Run (or continue) the experiment saved in ``out``; return the network and the record of every second so far."""
    try:
        last = open_run(out, {"seed": seeds, "keys": keys})
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if last is not None:
        net, record = load_checkpoint(last, DistalReward)
    else:
        net, record = DistalReward(keys={"seed": seeds, "batch_size": len(seeds), **keys}), {}
        net.reset()
    done = len(record.get("time", ()))
    with tqdm(total=seconds, initial=done, desc="simulated s") as bar:
        while done < seconds:
            piece = play_distal_reward(net, min(checkpoint, seconds - done))
            piece["time"] = piece["time"] + done
            record = {name: np.concatenate((record[name], values)) if record else values
                      for name, values in piece.items()}
            done = len(record["time"])
            save_checkpoint(out, net, record, done)
            bar.update(len(piece["time"]))
    return net, record


def plot(record: dict, png: str, max_weight: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for k in range(record["chosen"].shape[1]):
        first = k == 0
        ax.plot(record["time"], record["chosen"][:, k], color="C0", label="chosen synapse n1 → n2" if first else None)
        ax.plot(record["time"], record["others"][:, k], color="C1",
                label="mean of the other excitatory synapses" if first else None)
    rewarded = record["time"][record["rewards"][:, 0] > 0]
    ax.plot(rewarded, np.zeros_like(rewarded), "rx", markersize=4, label="second with a reward (network 0)")
    ax.axhline(max_weight, color="gray", linestyle=":", linewidth=1)
    ax.set(xlabel="simulated time (s)", ylabel="weight (mV)", title="Izhikevich (2007) Fig. 1: distal reward")
    ax.legend(loc="center right", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def report(record: dict, seeds: list, max_weight: float):
    """Print each network's outcome and the fraction whose chosen synapse reached the maximum."""
    reached = time_to_max(record, max_weight)
    for k, seed in enumerate(seeds):
        when = f"{reached[k]:.0f} s" if np.isfinite(reached[k]) else "not reached"
        print(f"seed {seed}: chosen synapse {record['chosen'][-1, k]:.3f} mV after {len(record['time'])} s; "
              f"other excitatory synapses: mean {record['others'][-1, k]:.3f} mV; "
              f"rewards: {int(record['rewards'][:, k].sum())}; mean rate {record['rate'][:, k].mean():.2f} Hz; "
              f"time to the maximum ({max_weight} mV): {when}")
    n_reached = int(np.isfinite(reached).sum())
    low, high = wilson_interval(n_reached, len(seeds))
    median = f"; median time {np.median(reached[np.isfinite(reached)]):.0f} s" if n_reached else ""
    print(f"reached the maximum: {n_reached} of {len(seeds)} networks ({100 * low:.1f}-{100 * high:.1f} %, 95 % "
          f"Wilson interval){median}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600, help="simulated seconds (the paper's hour)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first network")
    parser.add_argument("--networks", type=int, default=1, help="networks run as one batch, seeded seed, seed + 1...")
    parser.add_argument("--keys", type=json.loads, default={}, help="other key values, as JSON")
    parser.add_argument("--out", type=Path, required=True, help="folder of the checkpoint and the record")
    parser.add_argument("--checkpoint", type=int, default=60, help="simulated seconds between checkpoints")
    parser.add_argument("--png", default=None, help="where to save the figure")
    args = parser.parse_args(argv)
    for option in ("seconds", "networks", "checkpoint"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be at least 1; got {getattr(args, option)}")
    if not isinstance(args.keys, dict) or {"seed", "batch_size"} & set(args.keys):
        parser.error(f"--keys must be a JSON object without seed or batch_size (see --seed, --networks); "
                     f"got {args.keys!r}")
    seeds = list(range(args.seed, args.seed + args.networks))
    net, record = run(args.out, args.seconds, seeds, args.checkpoint, args.keys)
    max_weight = net.parts["weights"].params.max_weight
    report(record, seeds, max_weight)
    if args.png:
        plot(record, args.png, max_weight)
    return record


if __name__ == "__main__":
    main()
