"""LIF neurons driven by random charge instead of random spikes.

Each step, every neuron independently receives, with probability
``prob_rand_fire``, an extra charge drawn from ``U(0, leak_scalar)``, before the
threshold test. No neuron fires at random outright.
"""
from __future__ import annotations

import numpy as np

from spikey.module import Interval, Key, per_network, state_typed
from spikey.snn.neuron.lif import LIF, NeuronState, fire, integrate


def rand_potential_step(state: NeuronState, incoming: np.ndarray, p, rng: np.random.Generator):
    """Advance one step with random charge; return ``(spikes, new_state)``."""
    potential, ready = integrate(state, incoming, p)
    if p.prob_rand_fire > 0:
        hit = rng.random(potential.shape) < p.prob_rand_fire
        potential += (hit * rng.uniform(0.0, p.leak_scalar, potential.shape)).astype(potential.dtype, copy=False)
    fired = potential >= state_typed(per_network(p.firing_threshold, 2), potential.dtype)
    return fire(state, potential, ready, fired, p)


class RandPotential(LIF):
    """LIF neurons that receive random charge ``U(0, leak_scalar)`` with probability ``prob_rand_fire``.

    Examples
    --------
    >>> neurons = RandPotential(n_neurons=3, magnitude=1.0, firing_threshold=1.0, potential_decay=0.0,
    ...                         prob_rand_fire=1.0, leak_scalar=0.5)
    >>> rng = np.random.default_rng(1)
    >>> state = neurons.init_state(1, rng)
    >>> spikes, state = neurons.step(state, np.zeros((1, 3)), rng)
    >>> bool((state.potential > 0).all())
    True
    """

    NECESSARY_KEYS = LIF.extend_keys(
        Key("leak_scalar", Interval(float, 0, None), "Largest random charge added in one step."),
    )

    def step(self, state, incoming, rng):
        return rand_potential_step(state, incoming, self.params, rng)
