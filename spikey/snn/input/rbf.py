"""Population (radial basis function) coding of continuous observations.

Observation dimension d gets an equal group of inputs whose preferred values
are evenly spaced over ``[rbf_low[d], rbf_high[d]]``. An input with preferred
value ``c`` spikes each step with probability
``input_rate * exp(-(x - c)^2 / (2 sigma^2))``, with ``sigma = rbf_width`` times
the spacing of preferred values in its group.
"""
from __future__ import annotations

import numpy as np

from spikey.constraints import FloatVector
from spikey.module import Interval, InvalidParameterError, Key
from spikey.snn.input.template import INPUT_RATE, Input, InputState


BOUNDS = FloatVector(finite=True, description="one per observation value")


class RBF(Input):
    """Gaussian population coding of each observation dimension.

    Examples
    --------
    >>> inputs = RBF(n_inputs=10, magnitude=1.0, input_rate=0.5, rbf_low=[-1.0, 0.0], rbf_high=[1.0, 2.0])
    >>> rng = np.random.default_rng(0)
    >>> state = inputs.encode(inputs.init_state(1, rng), np.array([[-1.0, 2.0]]))
    >>> np.round(state.drive[0, [0, 4, 5, 9]], 3)
    array([0.5, 0. , 0. , 0.5])
    """

    NECESSARY_KEYS = Input.extend_keys(
        INPUT_RATE,
        Key("rbf_low", BOUNDS, "Lowest preferred value of each observation dimension."),
        Key("rbf_high", BOUNDS, "Highest preferred value of each observation dimension."),
        Key("rbf_width", Interval(float, 0, None, closed="neither"),
            "Tuning-curve standard deviation, in units of the spacing between preferred values.", default=1.0),
    )

    def __init__(self, **config):
        super().__init__(**config)
        low, high = np.asarray(self.params.rbf_low, float), np.asarray(self.params.rbf_high, float)
        if low.shape != high.shape or np.any(low >= high):
            raise InvalidParameterError(
                f"The 'rbf_low' and 'rbf_high' parameters of RBF must have equal lengths with rbf_low < rbf_high "
                f"everywhere. Got {self.params.rbf_low!r} and {self.params.rbf_high!r} instead."
            )
        if self.params.n_inputs % low.size or self.params.n_inputs // low.size < 2:
            raise InvalidParameterError(
                f"The 'n_inputs' parameter of RBF must be a multiple of len(rbf_low)={low.size} with at least 2 "
                f"inputs per dimension. Got {self.params.n_inputs} instead."
            )

    def own_observation_size(self) -> int:
        """One value per observation dimension: ``len(rbf_low)``."""
        return len(self.params.rbf_low)

    def centers(self) -> tuple[np.ndarray, np.ndarray]:
        """Preferred values (n_inputs,) and tuning widths (n_inputs,)."""
        low, high = np.asarray(self.params.rbf_low, float), np.asarray(self.params.rbf_high, float)
        per_dim = self.params.n_inputs // low.size
        unit = np.linspace(0.0, 1.0, per_dim)
        centers = (low[:, None] + (high - low)[:, None] * unit).ravel()
        sigma = np.repeat((high - low) / (per_dim - 1) * self.params.rbf_width, per_dim)
        return centers, sigma

    def encode(self, state, observations):
        values = self.groups(observations)
        if values.shape[1] != len(self.params.rbf_low):
            raise ValueError(f"RBF expects {len(self.params.rbf_low)} observation values per network; "
                             f"got {values.shape[1]}.")
        centers, sigma = self.centers()
        distance = (self.spread(values) - centers) / sigma
        return InputState(self.params.input_rate * np.exp(-0.5 * distance**2))
