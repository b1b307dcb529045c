"""Synapse base: learning rules that change the weight values of a network.

A synapse part owns no arrays. ``init_state`` builds its traces (leading batch
axis), and ``step`` advances them by one 1 ms timestep and applies the weight
change, given the presynaptic spikes that arrived this step (inputs emitted
this step, body neurons emitted the step before) and the postsynaptic body
spikes of this step. Weight values are magnitudes in ``[0, max_weight]``; the
sign of a synapse is its presynaptic neuron's polarity, so rules never flip it.
Only synapses present in the connectivity mask ever change.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey._keys import MAX_WEIGHT, N_INPUTS, N_NEURONS
from spikey.module import Module


class Synapse(Module):
    """Base class of every learning rule.

    Subclasses declare their keys with ``Synapse.extend_keys(...)``, define a
    ``State`` NamedTuple of arrays whose first axis is the batch, and implement
    ``init_state``, ``step`` and, for reward-modulated rules, ``reward``.

    Attributes
    ----------
    params : Params
        Validated keys: ``n_inputs``, ``n_neurons``, ``max_weight`` plus the rule's own.
    """

    NECESSARY_KEYS = (N_INPUTS, N_NEURONS, MAX_WEIGHT)

    class State(NamedTuple):
        pass

    @property
    def n_pre(self) -> int:
        return self.params.n_inputs + self.params.n_neurons

    def init_state(self, batch_size: int, rng: np.random.Generator):
        """Fresh traces for ``batch_size`` networks."""
        return self.State()

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance traces one timestep and update the weights.

        Parameters
        ----------
        state : State
            This rule's traces.
        weights : spikey.snn.weight.template.Weight.State
            ``values`` (B, n_pre, n_post) float64, changed in place and clipped to
            ``[0, max_weight]``; ``mask`` (B, n_pre, n_post) bool, the synapses that exist.
        pre_spikes : ndarray of shape (B, n_inputs + n_neurons), bool
            Presynaptic spikes arriving this step.
        post_spikes : ndarray of shape (B, n_neurons), bool
            Body spikes of this step.
        reward : ndarray of shape (B,), float
            Reward signal at this step (zeros when none is given).

        Returns
        -------
        State
            The new traces; ``weights.values`` has been updated in place.
        """
        raise NotImplementedError

    def reward(self, state, weights, reward):
        """Apply a reward of shape (B,) given after a tick; unsupervised rules ignore it."""
        return state

