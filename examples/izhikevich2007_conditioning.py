"""Izhikevich (2007) Fig. 2: classical conditioning, S1 rewarded up to 1 s after each presentation.

Runs ``--networks`` copies of :class:`spikey.experiments.ClassicalConditioning`
(1000 neurons; 100 stimuli of 50 neurons, one every 200 ms, in random order
from a ``RandState`` game; a reward 1-1000 ms after each S1) as one batch for
``--seconds`` of simulated time, with :class:`spikey.core.GenericLoop`, one
episode per ``--checkpoint`` seconds; network k is seeded ``seed + k`` and
is exactly the lone network of that seed, stimuli included. After each
episode it saves the networks and the record so far into a new checkpoint
folder in ``--out``; run the same command again to continue from the last one.

Prints, per network, the mean response to S1 and to the other stimuli (the
spikes the rest of the network fires in the 20 ms after the pulse) over the
first and the last ``--compare`` seconds, and the weights from S1's
excitatory neurons against the other excitatory synapses; then how many
networks respond more to S1 than to any other stimulus at the end, with its
95 % Wilson interval. ``--png`` plots the responses and weights over time.

Usage::

    python examples/izhikevich2007_conditioning.py --seconds 3600 --networks 4 --out conditioning --png cc.png
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from spikey.core import GenericLoop
from spikey.experiments import ClassicalConditioning, ConditioningCallback
from spikey.games import RandState
from spikey.logging import load_checkpoint, open_run, save_checkpoint, wilson_interval

WINDOW = 20
"""ms after the pulse in which a response is counted."""
LOOP_KEYS = {"n_episodes", "len_episode", "reset_network", "progress", "n_states", "max_steps", "encoding"}
"""Keys of the loop and the game, which this script sets."""


def run(out: Path, seconds: int, seeds: list, checkpoint: int, keys: dict) -> tuple:
    """Run (or continue) the experiment saved in ``out``; return the network and the record of every tick so far."""
    try:
        last = open_run(out, {"seed": seeds, "keys": keys, "checkpoint": checkpoint})
    except ValueError as error:
        raise SystemExit(str(error)) from None
    net, record = load_checkpoint(last, ClassicalConditioning) if last is not None else (None, {})
    ticks = checkpoint * 1000 // processing_time(keys)
    keys = {"seed": seeds, "batch_size": len(seeds), **keys}
    episodes, done = seconds // checkpoint, len(record.get("stimulus", ())) // ticks
    for episode in tqdm(range(done, episodes), initial=done, total=episodes, desc=f"{checkpoint} s episodes"):
        callback = ConditioningCallback(window=WINDOW)
        loop = GenericLoop(ClassicalConditioning, RandState, callback=callback, n_episodes=1, len_episode=ticks,
                           reset_network=False, progress=False, n_states=keys.get("n_stimuli", 100),
                           max_steps=ticks, **keys)
        net, _, _, info = loop(network=net, first_episode=episode)
        record = {name: np.concatenate((record[name], values)) if record else values for name, values in info.items()}
        save_checkpoint(out, net, record, episode + 1)
    return net, record


def processing_time(keys: dict) -> int:
    """The tick (ms) of the networks these keys build: one stimulus interval."""
    return keys.get("processing_time", ClassicalConditioning.keys["processing_time"])


def summary(record: dict, seconds: float, tick_ms: int, rewarded: int) -> dict:
    """Per network, the mean responses to the rewarded stimulus and to the others over a span of ticks.

    Returns ``{"first": (rewarded, others), "last": (rewarded, others), "best_other": ...}``,
    each array (B,), over the first and the last ``seconds``; ``best_other`` is the largest mean
    response to one other stimulus over the last ``seconds``.
    """
    span = max(1, int(seconds * 1000 // tick_ms))
    result = {}
    for name, ticks in (("first", slice(0, span)), ("last", slice(-span, None))):
        stimulus, response = record["stimulus"][ticks], record["response"][ticks]
        result[name] = tuple(np.array([_mean(response[:, k], chosen[:, k]) for k in range(stimulus.shape[1])])
                             for chosen in (stimulus == rewarded, stimulus != rewarded))
    stimulus, response = record["stimulus"][-span:], record["response"][-span:]
    result["best_other"] = np.array([
        max((_mean(response[:, k], stimulus[:, k] == s) for s in np.unique(stimulus[:, k]) if s != rewarded),
            default=np.nan)
        for k in range(stimulus.shape[1])
    ])
    return result


def _mean(values: np.ndarray, chosen: np.ndarray) -> float:
    """The mean of the chosen values; NaN if none is."""
    return values[chosen].mean() if chosen.any() else np.nan


def report(record: dict, seeds: list, compare: float, net: ClassicalConditioning) -> int:
    """Print each network's responses and weights; return how many respond most to S1 at the end."""
    result = summary(record, compare, net.params.processing_time, net.params.rewarded_stimulus)
    for k, seed in enumerate(seeds):
        print(f"seed {seed}: response to S1 {result['first'][0][k]:.1f} -> {result['last'][0][k]:.1f} spikes, "
              f"to the others {result['first'][1][k]:.1f} -> {result['last'][1][k]:.1f} (largest other "
              f"{result['best_other'][k]:.1f}); S1's excitatory synapses {record['rewarded_weight'][-1, k]:.2f} mV, "
              f"the others {record['other_weight'][-1, k]:.2f} mV; rewards {int(record['rewards'][:, k].sum())}")
    most = int((result["last"][0] > result["best_other"]).sum())
    low, high = wilson_interval(most, len(seeds))
    ratio = result["last"][0] / result["last"][1]
    print(f"responding most to S1 over the last {compare:g} s: {most} of {len(seeds)} networks ({100 * low:.1f}-"
          f"{100 * high:.1f} %, 95 % Wilson interval); response to S1 / mean response to the others: median "
          f"{np.nanmedian(ratio):.2f}, range {np.nanmin(ratio):.2f}-{np.nanmax(ratio):.2f} (first {compare:g} s: median "
          f"{np.nanmedian(result['first'][0] / result['first'][1]):.2f})")
    return most


def plot(record: dict, png: str, net: ClassicalConditioning):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    time = np.arange(len(record["stimulus"])) * net.params.processing_time / 1000.0  # the pulse of each tick
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    shown = record["stimulus"][:, 0] == net.params.rewarded_stimulus
    top.plot(time[~shown], record["response"][~shown, 0], ".", color="C1", markersize=1, alpha=0.3,
             label="other stimuli")
    top.plot(time[shown], record["response"][shown, 0], "o", color="C0", markersize=3, label="S1 (rewarded)")
    top.set(ylabel=f"spikes in {WINDOW} ms", title="Izhikevich (2007) Fig. 2: response to each stimulus (network 0)")
    top.legend(loc="upper left", fontsize=8)
    for k in range(record["stimulus"].shape[1]):
        first = k == 0
        bottom.plot(time, record["rewarded_weight"][:, k], color="C0", label="from S1's excitatory neurons" if first
                    else None)
        bottom.plot(time, record["other_weight"][:, k], color="C1", label="other excitatory synapses" if first
                    else None)
    bottom.set(xlabel="simulated time (s)", ylabel="mean weight (mV)")
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600, help="simulated seconds (the paper's hour)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first network")
    parser.add_argument("--networks", type=int, default=1, help="networks run as one batch, seeded seed, seed + 1...")
    parser.add_argument("--keys", type=json.loads, default={}, help="other key values, as JSON")
    parser.add_argument("--out", type=Path, required=True, help="folder of the checkpoint and the record")
    parser.add_argument("--checkpoint", type=int, default=60, help="simulated seconds per episode and checkpoint")
    parser.add_argument("--compare", type=float, default=300.0, help="seconds at the start and end compared")
    parser.add_argument("--png", default=None, help="where to save the figure")
    args = parser.parse_args(argv)
    for option in ("seconds", "networks", "checkpoint", "compare"):
        if not 0 < getattr(args, option) < float("inf"):
            parser.error(f"--{option} must be positive and finite; got {getattr(args, option)}")
    if args.seconds % args.checkpoint:
        parser.error(f"--seconds must be a multiple of --checkpoint={args.checkpoint}; got {args.seconds}")
    if not isinstance(args.keys, dict) or {"seed", "batch_size", *LOOP_KEYS} & set(args.keys):
        parser.error(f"--keys must be a JSON object without seed or batch_size (see --seed, --networks) or the "
                     f"loop's and game's keys {sorted(LOOP_KEYS)}, which this script sets; got {args.keys!r}")
    tick = processing_time(args.keys)
    if not isinstance(tick, int) or tick < 1 or (1000 * args.checkpoint) % tick:
        parser.error(f"--checkpoint={args.checkpoint} s must hold a whole number of ticks of processing_time="
                     f"{tick!r} ms")
    seeds = list(range(args.seed, args.seed + args.networks))
    net, record = run(args.out, args.seconds, seeds, args.checkpoint, args.keys)
    report(record, seeds, args.compare, net)
    if args.png:
        plot(record, args.png, net)
    return record


if __name__ == "__main__":
    main()
