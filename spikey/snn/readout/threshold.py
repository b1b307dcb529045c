"""Binary readout: the high action when the mean output rate reaches a threshold."""
from __future__ import annotations

from numbers import Real

import numpy as np

from spikey.module import InstanceOf, Interval, Key
from spikey.snn.readout.template import Readout


class Threshold(Readout):
    """``output_range[mean output rate >= action_threshold]`` for each network.

    Examples
    --------
    >>> readout = Threshold(n_outputs=2, action_threshold=0.1)
    >>> readout(np.array([[0.0, 0.1], [0.2, 0.2]]), np.random.default_rng(0))
    array([0, 1])
    """

    NECESSARY_KEYS = Readout.extend_keys(
        Key("action_threshold", Interval(float, 0, 1), "Mean output rate (spikes per step, at most 1) of the high action."),
        Key("output_range", InstanceOf((list, tuple), "a pair (low action, high action), each a number, bool or str",
                                       lambda v: len(v) == 2 and all(isinstance(a, (Real, np.bool_, str)) for a in v)),
            "Actions for below and at-or-above the threshold.", default=(0, 1)),
    )

    def __call__(self, rates, rng):
        high = rates.mean(axis=1) >= self.params.action_threshold
        return np.asarray(self.params.output_range)[high.astype(np.intp)]
