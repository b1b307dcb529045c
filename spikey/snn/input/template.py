"""Input base: turns game observations into input spikes, a game step's 1 ms timesteps at once.

``encode`` is called once per game step with a batch of observations and
returns the part's state; ``step`` then emits the spikes of the next
``n_steps`` timesteps, shape ``(n_steps, B, n_inputs)`` bool (one draw per
game step, not one per timestep). Inputs are presynaptic only; each has a
polarity, given input by input (``input_polarity``) or drawn (inhibitory with
probability ``input_pct_inhibitory``), which sets the bounds of its weights
(see :mod:`spikey.snn.weight.template`), and delivers ``magnitude`` charge per
spike before weighting.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import MAGNITUDE, N_INPUTS, N_OBSERVATIONS
from spikey.constraints import Optional, SignVector
from spikey.module import Interval, InvalidParameterError, Key, Module
from spikey.snn.neuron.template import draw_polarity
from spikey.snn.streams import random_steps

INPUT_RATE = Key(
    "input_rate", Interval(float, 0, 1),
    "Per-step spike probability of a fully driven input (40 Hz is 0.04 with 1 ms steps).",
)


INPUT_POLARITY = Key(
    "input_polarity", Optional(SignVector()),
    "Polarity of each input, one value per input: +1 excitatory (weights in [0, max_weight]), -1 inhibitory "
    "([-max_weight, 0]), 0 either sign ([-max_weight, max_weight]); None draws them with input_pct_inhibitory.",
    default=None, fixed=True,
)


class InputState(NamedTuple):
    drive: np.ndarray  # (B, n_inputs) float64: per-step spike probability (or 0/1 for static inputs)


class Input(Module):
    """Base class of input encoders.

    Subclasses implement ``encode(state, observations)`` and may override ``step``.
    """

    NECESSARY_KEYS = (
        N_INPUTS,
        MAGNITUDE,
        Key("input_pct_inhibitory", Interval(float, 0, 1),
            "Probability that an input is inhibitory, drawn for each input independently.", default=0.0, fixed=True),
        INPUT_POLARITY,
        N_OBSERVATIONS,
    )

    State = InputState

    def __init__(self, **config):
        super().__init__(**config)
        p, owner = self.params, type(self).__name__
        if p.input_polarity is not None and len(p.input_polarity) != p.n_inputs:
            raise InvalidParameterError(
                f"The 'input_polarity' parameter of {owner} must have one value per input, shape "
                f"(n_inputs={p.n_inputs},). Got shape {p.input_polarity.shape} instead."
            )
        if p.input_polarity is not None and p.input_pct_inhibitory:
            raise InvalidParameterError(
                f"The 'input_polarity' and 'input_pct_inhibitory' parameters of {owner} both set the input "
                f"polarities; give one (a template may set input_polarity: pass input_polarity=None to draw them "
                f"instead). Got input_pct_inhibitory={p.input_pct_inhibitory} with an input_polarity array."
            )
        own = self.own_observation_size()
        if p.n_observations is not None and (p.n_observations > p.n_inputs or own not in (None, p.n_observations)):
            too_many = p.n_observations > p.n_inputs
            expected = f"at most n_inputs={p.n_inputs} (one input group per value)" if too_many else \
                f"{own}, as its other keys fix"
            raise InvalidParameterError(
                f"The 'n_observations' parameter of {owner} must be {expected}. Got {p.n_observations} instead."
            )

    def own_observation_size(self) -> int | None:
        """Values per observation that the part's own keys fix (e.g. RBF's ``len(rbf_low)``); None if any."""
        return None

    def observation_size(self) -> int | None:
        """Values in one flattened observation: ``n_observations``, else :meth:`own_observation_size`."""
        return self.params.n_observations if self.params.n_observations is not None else self.own_observation_size()

    def init_state(self, batch_size: int, rng: np.random.Generator) -> InputState:
        """Silent inputs."""
        return InputState(np.zeros((batch_size, self.params.n_inputs)))

    def reset(self, state, rng: np.random.Generator):
        """The state at the start of an episode, given the state the last one ended in.

        Inputs start silent (:meth:`init_state`); a part whose state holds arrays
        drawn once per network at construction keeps them.
        """
        return self.init_state(len(state[0]), rng)

    def polarity(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Each input's polarity (B, n_inputs): +1 excitatory, -1 inhibitory, 0 either sign."""
        if self.params.input_polarity is not None:
            return np.tile(self.params.input_polarity.astype(np.float64), (batch_size, 1))
        return draw_polarity(batch_size, self.params.n_inputs, self.params.input_pct_inhibitory, rng)

    def encode(self, state, observations: np.ndarray):
        """Return the state after a new batch of observations (B, ...) arrives."""
        raise NotImplementedError

    def step(self, state, rng: np.random.Generator, n_steps: int = 1):
        """Emit ``n_steps`` timesteps of input spikes: ``(spikes (n_steps, B, n_inputs) bool, state)``."""
        return random_steps(rng, n_steps, state.drive.shape) < state.drive, state

    def groups(self, observations: np.ndarray) -> np.ndarray:
        """Observations flattened to (B, k), checked to fit ``k <= n_inputs`` groups."""
        flat = np.asarray(observations, dtype=np.float64).reshape(len(observations), -1)
        if flat.shape[1] > self.params.n_inputs:
            raise ValueError(
                f"{type(self).__name__} got observations with {flat.shape[1]} values per network, "
                f"more than n_inputs={self.params.n_inputs}."
            )
        return flat

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Give each of the k observation values to an equal consecutive group of inputs: (B, n_inputs)."""
        k = values.shape[1]
        group_of_input = np.arange(self.params.n_inputs) * k // self.params.n_inputs
        return values[:, group_of_input]
