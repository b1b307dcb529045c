"""Readout base: output firing rates to actions.

A readout receives the firing rate of each output neuron over one game step,
shape ``(B, n_outputs)`` in spikes per timestep, and returns one action per
network (B,) or an action vector per network (B, n_actions).
"""
from __future__ import annotations

import numpy as np

from spikey.keys import N_ACTIONS, N_OUTPUTS
from spikey.module import InvalidParameterError, Module


class Readout(Module):
    """Base class of readouts; subclasses implement ``__call__(rates, rng)``.

    ``VECTOR_ACTIONS`` says which: False (the default) for one discrete action
    per network (B,), True for an action vector per network (B, n_actions),
    which a game with a continuous (Box) action space needs.
    """

    NECESSARY_KEYS = (N_OUTPUTS,)
    VECTOR_ACTIONS = False

    def __call__(self, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Actions from output rates (B, n_outputs)."""
        raise NotImplementedError


class GroupReadout(Readout):
    """Readouts that average the outputs in ``n_actions`` equal groups."""

    NECESSARY_KEYS = Readout.extend_keys(N_ACTIONS)

    def __init__(self, **config):
        super().__init__(**config)
        if self.params.n_outputs % self.params.n_actions:
            raise InvalidParameterError(
                f"The 'n_actions' parameter of {type(self).__name__} must divide n_outputs="
                f"{self.params.n_outputs}. Got {self.params.n_actions} instead."
            )

    def group_rates(self, rates: np.ndarray) -> np.ndarray:
        """Mean rate of each action's output group, (B, n_actions)."""
        return rates.reshape(len(rates), self.params.n_actions, -1).mean(axis=2)
