"""Poisson rate coding: each observation value in [0, 1] sets the firing rate of a group of inputs.

An input of a group whose value is ``x`` spikes each step with probability
``x * input_rate``, independently (a Bernoulli approximation of a Poisson
process with 1 ms steps). Florian (2007)'s XOR inputs are RateMap groups at
40 Hz (``input_rate=0.04``) for a true bit and silent for a false one.
"""
from __future__ import annotations

import numpy as np

from spikey.snn.input.template import INPUT_RATE, Input, InputState


class RateMap(Input):
    """Poisson rate-coded inputs; observation values must lie in [0, 1].

    Examples
    --------
    >>> inputs = RateMap(n_inputs=60, magnitude=1.0, input_rate=0.04)
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([[1, 0]]))
    >>> spikes, state = inputs.step(state, rng, n_steps=500)
    >>> spikes.shape, bool(spikes[:, 0, 30:].any()), round(float(spikes[:, 0, :30].mean()), 3)
    ((500, 1, 60), False, 0.04)
    """

    NECESSARY_KEYS = Input.extend_keys(INPUT_RATE)

    def encode(self, state, observations):
        values = self.groups(observations)
        if not np.all((values >= 0) & (values <= 1)):  # NaN fails too
            raise ValueError(f"RateMap observation values must lie in [0, 1]; got {values.tolist()}.")
        return InputState(self.spread(values) * self.params.input_rate)
