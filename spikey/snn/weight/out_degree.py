"""Sparse random connectivity with a fixed number of postsynaptic targets per neuron, all of one weight.

The connectivity of Izhikevich (2003)'s and Izhikevich (2007)'s cortical
networks: each body neuron makes ``n_synapses`` synapses (``M = 100`` in both
papers) onto targets drawn at random, an inhibitory neuron only onto
excitatory ones, and every synapse starts at ``initial_weight`` mV, signed
by its presynaptic neuron (``+1`` and ``-1`` mV in Izhikevich 2007). Inputs
make no synapses.

Departure: the papers' code draws the targets with replacement, so a neuron
may contact a target twice (about 5 of 100 synapses for 1000 neurons); a
weight matrix holds one synapse per pair, so the targets here are distinct.
As in the papers' code, a neuron may synapse onto itself.
"""
from __future__ import annotations

import numpy as np

from spikey.module import Interval, InvalidParameterError, Key
from spikey.snn.weight.template import Weight

__all__ = ["OutDegree"]


class OutDegree(Weight):
    """Each body neuron synapses onto ``n_synapses`` distinct random targets; inhibitory ones onto excitatory only.

    Raises
    ------
    InvalidParameterError
        At :meth:`init_state`, if a neuron has fewer possible targets than
        ``n_synapses`` (an inhibitory one needs that many excitatory neurons);
        if ``initial_weight`` exceeds ``max_weight``.

    References
    ----------
    E. M. Izhikevich (2003), IEEE Trans. Neural Networks 14(6):1569-1572;
    E. M. Izhikevich (2007), Cerebral Cortex 17(10):2443-2452.

    Examples
    --------
    >>> weights = OutDegree(n_inputs=1, n_neurons=5, max_weight=4.0, n_synapses=2, initial_weight=1.0)
    >>> polarity = np.array([[1.0, 1.0, 1.0, 1.0, -1.0, -1.0]])  # the input, then 3 excitatory, 2 inhibitory neurons
    >>> state = weights.init_state(1, np.random.default_rng(0), polarity)
    >>> state.mask[0].sum(axis=1).tolist()  # the input makes none, each neuron two
    [0, 2, 2, 2, 2, 2]
    >>> bool(state.mask[0, 4:, 3:].any()), sorted(set(state.values[0][state.mask[0]].tolist()))
    (False, [-1.0, 1.0])
    """

    NECESSARY_KEYS = Weight.extend_keys(
        Key("n_synapses", Interval(int, 0, None),
            "Postsynaptic targets of each body neuron, M (Izhikevich 2003, 2007: 100).", fixed=True),
        Key("initial_weight", Interval(float, 0, None),
            "Magnitude (mV) of every synapse at the start, signed by its presynaptic neuron (Izhikevich 2007: 1 mV; "
            "at most max_weight).", fixed=True),
    )

    def __init__(self, **config):
        super().__init__(**config)
        p = self.params
        if p.initial_weight > p.max_weight:
            raise InvalidParameterError(
                f"The 'initial_weight' parameter of OutDegree must be at most max_weight={p.max_weight}. "
                f"Got {p.initial_weight} instead."
            )

    def initial(self, batch_size, rng, polarity):
        p = self.params
        body = polarity[:, p.n_inputs:]
        excitatory = body > 0
        allowed = np.where(body[:, :, None] < 0, excitatory[:, None, :], True)  # (B, pre, post)
        self._check_targets(allowed.sum(axis=2).min())
        keys = np.where(allowed, rng.random(allowed.shape), np.inf)
        chosen = np.argpartition(keys, p.n_synapses - 1, axis=2)[:, :, :p.n_synapses] if p.n_synapses else None
        mask = np.zeros((batch_size, *self.shape), dtype=bool)
        if chosen is not None:
            np.put_along_axis(mask[:, p.n_inputs:], chosen, True, axis=2)
        return np.where(mask, p.initial_weight * polarity[:, :, None], 0.0), mask

    def _check_targets(self, fewest: int):
        if fewest < self.params.n_synapses:
            raise InvalidParameterError(
                f"The 'n_synapses' parameter of OutDegree must be at most the {fewest} targets some neuron can "
                f"reach (an inhibitory neuron synapses onto excitatory ones only). Got {self.params.n_synapses} instead."
            )
