"""What one timestep of a learning rule costs, as spike density grows: a dense rule shows a flat curve.

CONTRIBUTING asks a rule's timestep to cost work in the rows and columns of
the neurons that spiked, plus one decay of the traces. :func:`rule_cost`
times ``timestep`` at several spike densities on a large network; a rule that
touches every synapse every step costs about the same at every density.
Timing is for benchmarks (``benchmarks/bench_rule_cost.py``), never for tests.
"""
from __future__ import annotations

import time

import numpy as np

from spikey.testing._drive import synthetic_weights

__all__ = ["rule_cost"]


def rule_cost(rule_class, config: dict, *, n_inputs: int = 100, n_neurons: int = 1000,
              densities=(0.001, 0.01, 0.1), n_steps: int = 20, reward: float = 0.0, repeats: int = 3,
              seed: int = 0) -> dict:
    """Best wall time (ms) of one ``timestep`` of a rule at each spike density, on one network.

    Parameters
    ----------
    rule_class : type
        A :class:`~spikey.snn.synapse.Synapse` subclass.
    config : dict
        Its keys; ``n_inputs`` and ``n_neurons`` are set here.
    n_inputs, n_neurons : int
        Network size: weights are (n_inputs + n_neurons, n_neurons), all present but a fifth.
    densities : sequence of float
        Fraction of presynaptic and postsynaptic neurons spiking at each step.
    n_steps : int
        Timesteps per timed run; the rule's state carries over between them.
    reward : float
        Reward given at every step (0: none, the cost of keeping traces).
    repeats : int
        Timed runs per density; the best is kept.
    seed : int

    Returns
    -------
    dict
        ``{density: ms per timestep}``.

    Examples
    --------
    >>> from spikey.snn.synapse import STDP
    >>> costs = rule_cost(STDP, {"learning_rate": 0.01}, n_neurons=50, n_inputs=10, n_steps=2, repeats=1)
    >>> sorted(costs)
    [0.001, 0.01, 0.1]
    """
    rule = rule_class(**{**config, "n_inputs": n_inputs, "n_neurons": n_neurons})
    rng = np.random.default_rng(seed)
    n_pre = n_inputs + n_neurons
    weights = synthetic_weights(lambda make: make(1, rng), n_pre, n_neurons)
    rewards = np.full(1, reward)
    costs = {}
    for density in densities:
        pre = rng.random((n_steps, 1, n_pre)) < density
        post = rng.random((n_steps, 1, n_neurons)) < density
        state, best = rule.init_state(1, rng), np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            for t in range(n_steps):
                state = rule.timestep(state, weights, pre[t], post[t], rewards)
            best = min(best, (time.perf_counter() - start) * 1000.0 / n_steps)
        costs[density] = best
    return costs
