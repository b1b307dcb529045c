"""Florian (2007) XOR replication: success rates of rate-coded and temporally coded XOR over many seeds.

Trains ``--runs`` networks of one template for ``--epochs`` epochs of the four
XOR patterns (500 ms each, random order per epoch, no reset), in batches of up
to ``--batch`` networks that run as one batched network, and scores each run
by Florian's criterion (both true patterns fire faster than both false ones,
rates over the last 10 training epochs). It also scores every run after
training with learning off (10 more epochs) and a control: the same networks,
untrained, with learning off (γ = 0). It prints the success rates with 95 %
Wilson confidence intervals beside the paper's, the mean rate per pattern
and the wall time, and writes to ``--out``:

- ``results.json``: the configuration, the summary and one record per run;
- ``rates.npz``: ``train`` (runs, epochs, 4), ``evaluation`` and ``control``
  (runs, 10, 4) output rates in Hz;
- ``success.png``: success over training epochs and the mean rate per pattern.

A finished batch is saved at once; rerunning the same command resumes after
the last finished batch, and a larger (or smaller) ``--runs`` adds runs to (or
scores a prefix of) the saved ones.

Usage::

    python examples/florian2007_xor.py --coding rate --rule mstdpet --runs 200
    python examples/florian2007_xor.py --coding temporal --rule mstdp --runs 200 --out results/temporal-mstdp
    python examples/florian2007_xor.py --runs 200 --keys '{"input_delay": 0}'   # a timing choice the other way
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from spikey.experiments import florian2007
from spikey.logging import wilson_interval
from spikey.module import InvalidParameterError

TEMPLATES = {
    ("rate", "mstdpet"): florian2007.FlorianXOR,
    ("rate", "mstdp"): florian2007.FlorianXORMSTDP,
    ("temporal", "mstdpet"): florian2007.FlorianTemporalXOR,
    ("temporal", "mstdp"): florian2007.FlorianTemporalXORMSTDP,
}
PAPER = {  # Florian (2007), success over 1000 runs, sections 4.2 and 4.3
    ("rate", "mstdpet"): 0.982, ("rate", "mstdp"): 0.991, ("temporal", "mstdpet"): 0.995, ("temporal", "mstdp"): 0.897,
}
PATTERN_NAMES = ("(0,0)", "(0,1)", "(1,0)", "(1,1)")
SCORED_EPOCHS = 10


def run_batch(template, keys: dict, batch_seed: int, size: int, epochs: int, progress: bool) -> dict:
    """Train ``size`` networks as one batch; return their rates in training, evaluation and control."""
    config = {**keys, "seed": batch_seed, "batch_size": size}
    control_net = template(keys=config).eval()
    control_net.reset()
    control = florian2007.play_xor(control_net, SCORED_EPOCHS, seed=batch_seed + 2)
    net = template(keys=config)
    net.reset()
    train = florian2007.play_xor(net, epochs, seed=batch_seed, progress=progress)
    evaluation = florian2007.play_xor(net.eval(), SCORED_EPOCHS, seed=batch_seed + 1)
    return {"train": train, "evaluation": evaluation, "control": control}


def summarize(rates: dict, coding: str, rule: str) -> dict:
    """Success rates with intervals, mean rates per pattern and silent runs, from the rates of all runs."""
    summary = {}
    for phase, array in rates.items():  # (runs, epochs, 4)
        scored = array[:, -SCORED_EPOCHS:]
        success = florian2007.xor_success(scored.transpose(1, 0, 2))
        low, high = wilson_interval(int(success.sum()), len(success))
        summary[phase] = {
            "success": float(success.mean()), "ci95": [round(low, 4), round(high, 4)], "n": len(success),
            "mean_rate_hz": dict(zip(PATTERN_NAMES, scored.mean(axis=(0, 1)).round(2).tolist())),
            "silent_runs": int((scored.sum(axis=(1, 2)) == 0).sum()),
        }
    summary["paper_success"] = PAPER[coding, rule]
    return summary


def success_over_epochs(train: np.ndarray) -> np.ndarray:
    """Fraction of runs meeting the criterion on the 10 epochs up to each epoch (from epoch 10 on)."""
    epochs = train.shape[1]
    return np.array([
        florian2007.xor_success(train[:, end - SCORED_EPOCHS:end].transpose(1, 0, 2)).mean()
        for end in range(SCORED_EPOCHS, epochs + 1)
    ])


def plot(train: np.ndarray, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 6))
    top.plot(np.arange(SCORED_EPOCHS, train.shape[1] + 1), success_over_epochs(train))
    top.set_ylabel("success (last 10 epochs)")
    top.set_ylim(0, 1.02)
    top.set_title(title)
    for pattern, name in enumerate(PATTERN_NAMES):
        bottom.plot(np.arange(1, train.shape[1] + 1), train[:, :, pattern].mean(axis=0), label=name)
    bottom.set_ylabel("output rate (Hz)")
    bottom.set_xlabel("epoch")
    bottom.legend(title="pattern")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def load_finished(out: Path, config: dict) -> tuple[dict, list]:
    """Rates and per-batch wall times of the runs a previous invocation finished and saved in ``out``.

    The saved configuration must equal ``config`` but for the number of runs.
    """
    results, rates = out / "results.json", out / "rates.npz"
    if not (results.exists() and rates.exists()):
        return {}, []
    saved = json.loads(results.read_text())
    differ = sorted(name for name in config if name != "runs" and saved["config"].get(name) != config[name])
    if differ:
        raise SystemExit(f"{out} holds results of another configuration (it differs in {', '.join(differ)}: "
                         f"{ {name: saved['config'].get(name) for name in differ} }); choose another --out.")
    with np.load(rates, allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}, saved["batch_seconds"]


def save(out: Path, config: dict, rates: dict, batch_seconds: list, summary: dict | None) -> None:
    np.savez(out / "rates.npz", **rates)
    runs = [
        {"batch_seed": config["seed"] + index // config["batch"], "copy": index % config["batch"],
         "success_train": bool(ok_train), "success_evaluation": bool(ok_eval), "success_control": bool(ok_control)}
        for index, (ok_train, ok_eval, ok_control) in enumerate(zip(*(
            florian2007.xor_success(rates[phase][:, -SCORED_EPOCHS:].transpose(1, 0, 2))
            for phase in ("train", "evaluation", "control"))))
    ]
    record = {"config": config, "batch_seconds": batch_seconds, "summary": summary, "runs": runs}
    (out / "results.json").write_text(json.dumps(record, indent=1))


def report(summary: dict, config: dict, wall: float) -> None:
    keys = f", keys {config['keys']}" if config["keys"] else ""
    print(f"Florian (2007) {config['coding']}-coded XOR, {config['rule'].upper()}{keys}: {summary['train']['n']} "
          f"runs, {config['epochs']} epochs, wall {wall:.0f} s")
    labels = {"train": "learning on, last 10 epochs", "evaluation": "learning off, after training",
              "control": "control, untrained, learning off"}
    for phase, label in labels.items():
        s = summary[phase]
        rates = "  ".join(f"{name} {rate:6.1f}" for name, rate in s["mean_rate_hz"].items())
        print(f"  {label:34s} success {100 * s['success']:5.1f} % (95 % CI {100 * s['ci95'][0]:.1f}-"
              f"{100 * s['ci95'][1]:.1f})  silent runs {s['silent_runs']}  mean Hz {rates}")
    print(f"  paper (1000 runs, learning on): {100 * summary['paper_success']:.1f} %")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coding", choices=("rate", "temporal"), default="rate")
    parser.add_argument("--rule", choices=("mstdpet", "mstdp"), default="mstdpet")
    parser.add_argument("--runs", type=int, default=200, help="networks trained (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=200, help="networks per batched network (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=200, help="training epochs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first batch; batch k uses seed + k")
    parser.add_argument("--keys", type=json.loads, default={},
                        help="JSON object of keys overriding the template's, e.g. '{\"input_delay\": 0}'")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: results/<coding>-<rule>)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.epochs < SCORED_EPOCHS or args.runs < 1 or args.batch < 1:
        parser.error(f"--epochs must be at least {SCORED_EPOCHS}, --runs and --batch at least 1.")
    template = TEMPLATES[args.coding, args.rule]
    check_keys(parser, template, args.keys)
    out = args.out or Path("results") / f"{args.coding}-{args.rule}"
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} is a file; give a folder.")
    out.mkdir(parents=True, exist_ok=True)
    config = {"coding": args.coding, "rule": args.rule, "template": template.__name__, "runs": args.runs,
              "batch": args.batch, "epochs": args.epochs, "seed": args.seed, "keys": args.keys}
    rates, batch_seconds = load_finished(out, config)
    saved = len(rates.get("train", ()))
    if saved > args.runs:  # score a prefix of the saved runs; the files stay as they are
        print(f"Scoring the first {args.runs} of the {saved} runs saved in {out}; its files are left as they are.")
        summary = summarize({phase: array[:args.runs] for phase, array in rates.items()}, args.coding, args.rule)
        report(summary, config, sum(batch_seconds[:-(-args.runs // args.batch)]))
        return summary
    if saved == args.runs:
        print(f"All {saved} runs are already saved in {out}; nothing to run.")
    done = saved if saved == args.runs else saved // args.batch * args.batch  # a last, smaller batch is run again
    rates = {phase: array[:done] for phase, array in rates.items()}
    batch_seconds = batch_seconds[:-(-done // args.batch)]
    for start in range(done, args.runs, args.batch):
        size, began = min(args.batch, args.runs - start), time.perf_counter()
        batch = run_batch(template, args.keys, args.seed + start // args.batch, size, args.epochs, not args.quiet)
        for phase, array in batch.items():  # (epochs, B, 4) -> runs first
            rates[phase] = np.concatenate([rates[phase], array.transpose(1, 0, 2)]) if phase in rates \
                else array.transpose(1, 0, 2)
        batch_seconds.append(time.perf_counter() - began)
        save(out, config, rates, batch_seconds, None)
        print(f"batch {start // args.batch + 1}: runs {start}-{start + size - 1} done in {batch_seconds[-1]:.0f} s")
    summary = summarize(rates, args.coding, args.rule)
    save(out, config, rates, batch_seconds, summary)
    keys = f", {args.keys}" if args.keys else ""
    plot(rates["train"], f"{template.__name__}{keys}: {args.runs} runs", out / "success.png")
    report(summary, config, sum(batch_seconds))
    return summary


def check_keys(parser, template, keys) -> None:
    """Refuse --keys that are not a dict of valid keys of the template, or that --seed and --batch set."""
    if not isinstance(keys, dict):
        parser.error(f"--keys must be a JSON object of key: value. Got {keys!r}.")
    taken = sorted({"seed", "batch_size"} & set(keys))
    if taken:
        parser.error(f"--keys may not set {taken}: use --seed and --batch.")
    try:
        template(keys={**keys, "seed": 0})
    except InvalidParameterError as error:
        parser.error(f"--keys: {error}")


if __name__ == "__main__":
    main()
