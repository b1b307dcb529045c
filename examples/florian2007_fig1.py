"""Florian (2007) Fig. 1: one synapse under STDP, MSTDP and MSTDPET.

A single input (presynaptic row 0) projects to a single neuron (column 0); the
spike times are imposed, not simulated. Presynaptic spikes at 5, 80, 115 and
135 ms, postsynaptic at 10, 70, 110 and 140 ms; reward +1 before 100 ms and -1
from 100 ms on; ``τ+ = τ- = 20`` ms, ``τz = 25`` ms, ``A+ = 1``, ``A- = -1``,
learning rate ``γ = 0.2`` (``η`` for STDP), initial weight 0.2 and no upper bound in
practice (bounds ``[0, 1e9]``). The weight is recorded after each of 200
1 ms steps. Reference: R. V. Florian, Neural Computation 19(6):1468-1502, 2007.

Usage::

    python examples/florian2007_fig1.py --out /tmp/fig1.npz --png /tmp/fig1.png
"""
from __future__ import annotations

import argparse

import numpy as np

from spikey.snn.synapse import MSTDP, MSTDPET, STDP
from spikey.snn.weight.template import Weight, bounds

N_STEPS = 200
PRE_TIMES = (5, 80, 115, 135)
POST_TIMES = (10, 70, 110, 140)
REWARD_SWITCH = 100
INITIAL_WEIGHT = 0.2
MAX_WEIGHT = 1e9
CONFIG = {
    "n_inputs": 1,
    "n_neurons": 1,
    "tau_plus": 20.0,
    "tau_minus": 20.0,
    "tau_z": 25.0,
    "a_plus": 1.0,
    "a_minus": -1.0,
    "learning_rate": 0.2,
}
RULES = {"stdp": STDP, "mstdp": MSTDP, "mstdpet": MSTDPET}


def protocol():
    """Imposed activity: ``(pre, post, reward)`` of shapes (T, 2), (T, 1), (T,).

    The presynaptic body-neuron row (index 1) stays silent: that synapse is absent.
    """
    pre = np.zeros((N_STEPS, 2), dtype=bool)
    post = np.zeros((N_STEPS, 1), dtype=bool)
    pre[list(PRE_TIMES), 0] = True
    post[list(POST_TIMES), 0] = True
    reward = np.where(np.arange(N_STEPS) < REWARD_SWITCH, 1.0, -1.0)
    return pre, post, reward


def run(rule_name: str) -> np.ndarray:
    """Weight of the input -> neuron synapse after each step, shape (200,), for one rule."""
    rule = RULES[rule_name](**CONFIG)
    state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    mask = np.zeros((1, 2, 1), dtype=bool)
    mask[0, 0, 0] = True
    weights = Weight.State(np.where(mask, INITIAL_WEIGHT, 0.0), mask, *bounds(np.ones((1, 2)), MAX_WEIGHT))
    trajectory = np.empty(N_STEPS)
    for t, (pre, post, reward) in enumerate(zip(*protocol())):
        state = rule.timestep(state, weights, pre[None], post[None], np.array([reward]))
        trajectory[t] = weights.values[0, 0, 0]
    return trajectory


def run_all() -> dict:
    """``{"w_stdp": ..., "w_mstdp": ..., "w_mstdpet": ...}``, each of shape (200,)."""
    return {f"w_{name}": run(name) for name in RULES}


def plot(trajectories: dict, path: str) -> None:
    """Draw spikes and reward, then one weight panel per rule, into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pre, post, reward = protocol()
    time = np.arange(N_STEPS)
    fig, axes = plt.subplots(len(trajectories) + 1, 1, sharex=True, figsize=(6, 8))
    axes[0].eventplot([np.flatnonzero(pre[:, 0]), np.flatnonzero(post[:, 0])], lineoffsets=[1, 0], colors="k")
    axes[0].set_yticks([0, 1], ["post", "pre"])
    twin = axes[0].twinx()
    twin.step(time, reward, where="post", color="tab:red")
    twin.set_ylabel("reward", color="tab:red")
    twin.set_ylim(-1.5, 1.5)
    for ax, (name, weights) in zip(axes[1:], trajectories.items()):
        ax.plot(time, weights, drawstyle="steps-post")
        ax.set_ylabel(name.removeprefix("w_").upper() + " w")
    axes[-1].set_xlabel("t (ms)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="save w_stdp, w_mstdp, w_mstdpet to this .npz file")
    parser.add_argument("--png", default="florian2007_fig1.png", help="figure path (default: %(default)s)")
    args = parser.parse_args(argv)
    trajectories = run_all()
    if args.out:
        np.savez(args.out, **trajectories)
    plot(trajectories, args.png)
    for name, weights in trajectories.items():
        print(f"{name}: min {weights.min():.6f}, final {weights[-1]:.6f}")
    return trajectories


if __name__ == "__main__":
    main()
