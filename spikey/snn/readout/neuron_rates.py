"""Rate readout: the mean firing rate of each action's group of output neurons."""
from __future__ import annotations

from spikey.snn.readout.template import GroupReadout


class NeuronRates(GroupReadout):
    """Firing rate of each of ``n_actions`` output groups, (B, n_actions), in spikes per step.

    Examples
    --------
    >>> import numpy as np
    >>> NeuronRates(n_outputs=4, n_actions=2)(np.array([[0.1, 0.3, 0.0, 0.2]]), np.random.default_rng(0))
    array([[0.2, 0.1]])
    """

    VECTOR_ACTIONS = True

    def __call__(self, rates, rng):
        return self.group_rates(rates)
