"""Deterministic input: a group fires on every step while its observation value is non-zero."""
from __future__ import annotations

import numpy as np

from spikey.snn.input.template import Input, InputState


class StaticMap(Input):
    """Each observation value drives an equal group of inputs, which spike every step while it is non-zero.

    Examples
    --------
    >>> inputs = StaticMap(n_inputs=4, magnitude=1.0)
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([[1, 0]]))
    >>> inputs.step(state, rng, n_steps=2)[0]
    array([[[ True,  True, False, False]],
    <BLANKLINE>
           [[ True,  True, False, False]]])
    """

    def encode(self, state, observations):
        return InputState(self.spread(self.groups(observations) != 0).astype(np.float64))

    def step(self, state, rng, n_steps=1):
        return np.broadcast_to(state.drive > 0, (n_steps, *state.drive.shape)), state
