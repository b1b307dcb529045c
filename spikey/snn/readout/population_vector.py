"""Population-vector readout: group rates normalized to sum to one."""
from __future__ import annotations

import numpy as np

from spikey.snn.readout.template import GroupReadout


class PopulationVector(GroupReadout):
    """Relative activity of each output group, (B, n_actions), rows summing to 1 (all 0 when silent).

    Examples
    --------
    >>> PopulationVector(n_outputs=2, n_actions=2)(np.array([[0.1, 0.3], [0.0, 0.0]]), np.random.default_rng(0))
    array([[0.25, 0.75],
           [0.  , 0.  ]])
    """

    VECTOR_ACTIONS = True

    def __call__(self, rates, rng):
        groups = self.group_rates(rates)
        total = groups.sum(axis=1, keepdims=True)
        return np.divide(groups, total, out=np.zeros_like(groups), where=total > 0)
