"""Synapse base: learning rules that change the weight values of a network.

A synapse part owns no arrays. ``init_state`` builds its traces (leading batch
axis), and ``step`` advances them by a block of 1 ms timesteps and applies the
weight changes, given the presynaptic spikes that arrived at each step (inputs
emitted that step, body neurons emitted the step before) and the postsynaptic
body spikes of each step. Weight values are signed efficacies; rules clip
each to the bounds ``[low, high]`` of its presynaptic row, which keep an
excitatory neuron's synapses excitatory and an inhibitory one's inhibitory.
Only synapses present in the connectivity mask ever change.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import N_INPUTS, N_NEURONS
from spikey.module import Module


class Synapse(Module):
    """Base class of every learning rule.

    Subclasses declare their keys with ``Synapse.extend_keys(...)``, define a
    ``State`` NamedTuple of arrays whose first axis is the batch, implement
    ``init_state``, one of ``timestep`` (one step) or ``step`` (a block of
    steps; the other follows), and, for reward-modulated rules, ``reward``.

    Attributes
    ----------
    params : Params
        Validated keys: ``n_inputs``, ``n_neurons`` plus the rule's own.
    REWARD_GATED : bool
        True for rules whose weights change only at steps with a nonzero reward
        (MSTDP, MSTDPET). A network then hands them blocks of steps that end at
        a rewarded step, instead of one call per step.
    IN_PLACE_STATE : tuple of str
        State fields the rule updates in place for speed (MSTDPET's ``z``);
        every other field of the state passed in is left unchanged.
    """

    NECESSARY_KEYS = (N_INPUTS, N_NEURONS)
    REWARD_GATED = False
    IN_PLACE_STATE: tuple = ()

    class State(NamedTuple):
        pass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.step is Synapse.step and cls.timestep is Synapse.timestep:
            raise TypeError(f"{cls.__name__} must implement timestep() or step().")

    @property
    def n_pre(self) -> int:
        return self.params.n_inputs + self.params.n_neurons

    def init_state(self, batch_size: int, rng: np.random.Generator):
        """Fresh traces for ``batch_size`` networks."""
        return self.State()

    def zeros(self, batch_size: int, *shapes: str, dtype=np.float64) -> tuple:
        """Zero arrays for a fresh state, one per named shape.

        ``"pre"`` is (B, n_pre), ``"post"`` (B, n_post), ``"synapses"``
        (B, n_pre, n_post) and ``"network"`` (B,).
        """
        sizes = {"pre": (self.n_pre,), "post": (self.params.n_neurons,), "network": (),
                 "synapses": (self.n_pre, self.params.n_neurons)}
        return tuple(np.zeros((batch_size, *sizes[shape]), dtype=dtype) for shape in shapes)

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance the traces through a block of S timesteps, updating the weights at each.

        Parameters
        ----------
        state : State
            This rule's traces.
        weights : spikey.snn.weight.template.Weight.State
            ``values`` (B, n_pre, n_post) float64 or float32 (the rule's traces have
            the same type, which ``step`` keeps), changed in place and clipped to
            their row's bounds; ``mask`` (B, n_pre, n_post) bool, the synapses that
            exist; ``low`` and ``high`` (B, n_pre), the bounds of each presynaptic row.
        pre_spikes : ndarray of shape (S, B, n_inputs + n_neurons), bool
            Presynaptic spikes arriving at each step.
        post_spikes : ndarray of shape (S, B, n_neurons), bool
            Body spikes of each step.
        reward : ndarray of shape (S, B), float
            Reward at each step (zeros when none is given).

        Returns
        -------
        State
            The traces after the block; ``weights.values`` has been updated in place.
        """
        for pre, post, step_reward in zip(pre_spikes, post_spikes, reward):
            state = self.timestep(state, weights, pre, post, step_reward)
        return state

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """One timestep: ``step`` with arrays of shape (B, ...) instead of (S, B, ...)."""
        return self.step(state, weights, pre_spikes[None], post_spikes[None], np.asarray(reward)[None])

    def reward(self, state, weights, reward):
        """Apply a reward of shape (B,) given after a tick; unsupervised rules ignore it."""
        return state

