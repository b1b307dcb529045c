"""Poisson rate coding: each observation value sets the firing rate of a group of inputs.

An observation value ``x`` in ``[observation_low, observation_high]`` (by
default [0, 1]) is scaled to ``u = (x - low) / (high - low)`` in [0, 1], and
each input of its group spikes each step with probability ``u * input_rate``,
independently (a Bernoulli approximation of a Poisson process with 1 ms
steps). Florian (2007)'s XOR inputs are RateMap groups at 40 Hz
(``input_rate=0.04``) for a true bit and silent for a false one.

A game's bounds reach RateMap through the shared keys: a
:class:`~spikey.games.GymWrapper` reads ``observation_low``/``observation_high``
from its observation space, so a bounded Box is scaled to [0, 1] with no
other setting; an unbounded one (CartPole's velocities) is refused at
construction until finite bounds are given as keys.
"""
from __future__ import annotations

import numpy as np

from spikey.keys import OBSERVATION_HIGH, OBSERVATION_LOW
from spikey.module import InvalidParameterError
from spikey.snn.input.template import INPUT_RATE, Input, InputState


class RateMap(Input):
    """Poisson rate-coded inputs: observation values in [observation_low, observation_high] set each group's rate.

    Raises
    ------
    InvalidParameterError
        At construction, if only one bound is given, if their lengths differ,
        if a bound is infinite, or if a low bound is not below its high bound.
    InvalidParameterError
        In ``encode``, for a value outside the bounds (or NaN), or a number of
        values per network other than the bounds'.

    Examples
    --------
    >>> inputs = RateMap(n_inputs=60, magnitude=1.0, input_rate=0.04)
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([[1, 0]]))
    >>> spikes, state = inputs.step(state, rng, n_steps=500)
    >>> spikes.shape, bool(spikes[:, 0, 30:].any()), round(float(spikes[:, 0, :30].mean()), 3)
    ((500, 1, 60), False, 0.04)
    >>> scaled = RateMap(n_inputs=2, magnitude=1.0, input_rate=0.04, observation_low=[-1.2], observation_high=[0.6])
    >>> scaled.encode(scaled.init_state(1, rng), np.array([[-0.3]])).drive
    array([[0.02, 0.02]])
    """

    NECESSARY_KEYS = Input.extend_keys(INPUT_RATE, OBSERVATION_LOW, OBSERVATION_HIGH)

    def __init__(self, **config):
        super().__init__(**config)
        low, high = self.params.observation_low, self.params.observation_high
        problem = _bounds_problem(low, high)
        if problem:
            raise InvalidParameterError(
                f"RateMap maps observation values from [observation_low, observation_high] to rates in "
                f"[0, input_rate], so it needs {problem}. Got observation_low={low!r}, observation_high={high!r}; "
                "give finite bounds as keys (e.g. keys={'observation_low': [...], 'observation_high': [...]}), "
                "or None for both to encode values in [0, 1]."
            )

    def own_observation_size(self) -> int | None:
        """One value per bound, if bounds are given."""
        return None if self.params.observation_low is None else len(self.params.observation_low)

    def encode(self, state, observations):
        values, p = self.groups(observations), self.params
        if p.observation_low is None:
            low, high, bounds = 0.0, 1.0, "[0, 1] (set observation_low/observation_high for other ranges)"
        else:
            low, high, bounds = np.array(p.observation_low), np.array(p.observation_high), "[observation_low, observation_high]"
            if values.shape[1] != low.size:
                raise InvalidParameterError(f"RateMap has bounds for {low.size} observation values per network; "
                                            f"got {values.shape[1]}.")
        outside = ~((values >= low) & (values <= high))  # NaN is outside too
        if outside.any():
            b, i = (int(k) for k in np.argwhere(outside)[0])
            raise InvalidParameterError(f"RateMap observation values must lie in {bounds}; value {i} of network {b} "
                                        f"is {values[b, i]} (observations {values.tolist()}).")
        return InputState(self.spread((values - low) / (high - low)) * self.params.input_rate)


def _bounds_problem(low, high) -> str:
    """What is wrong with a pair of bounds, or ''."""
    if low is None and high is None:
        return ""
    if low is None or high is None:
        return "both bounds or neither"
    if len(low) != len(high):
        return "bounds of equal lengths"
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        unbounded = [i for i, pair in enumerate(zip(low, high)) if not np.isfinite(pair).all()]
        return f"finite bounds (observation values {unbounded} are unbounded)"
    if not (np.array(low) < np.array(high)).all():
        return "observation_low < observation_high for every value"
    return ""
