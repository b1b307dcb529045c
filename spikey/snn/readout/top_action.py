"""Winner-take-all readout: the action whose output group fired most."""
from __future__ import annotations

import numpy as np

from spikey.snn.readout.template import GroupReadout


def argmax_random_ties(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise argmax of (B, k) values, ties broken uniformly at random by ``rng``."""
    best = values == values.max(axis=1, keepdims=True)
    noise = rng.random(values.shape)
    return np.argmax(np.where(best, noise, -1.0), axis=1)


class TopAction(GroupReadout):
    """Index of the output group with the highest rate, (B,); ties drawn from the network's Generator.

    Examples
    --------
    >>> TopAction(n_outputs=3, n_actions=3)(np.array([[0.0, 0.2, 0.1]]), np.random.default_rng(0))
    array([1])
    """

    def __call__(self, rates, rng):
        return argmax_random_ties(self.group_rates(rates), rng)
