"""Random weights: each synapse exists with ``prob_connection`` and draws its efficacy from a distribution."""
from __future__ import annotations

import numpy as np

from spikey.module import InstanceOf, Interval, InvalidParameterError, Key, Options
from spikey.snn.weight.manual import stack_layers
from spikey.snn.weight.template import Weight


class Random(Weight):
    """Random connectivity and weight magnitudes, drawn per network of the batch.

    Magnitudes are ``U(0, weight_scale)`` or ``weight_scale * LogNormal(0, 0.5)``,
    clipped to ``max_weight`` and signed by the presynaptic polarity; a
    presynaptic neuron of either sign (polarity 0) gives each of its synapses
    a random sign, so with ``weight_scale = max_weight`` every weight is
    uniform within its bounds. With ``layer_sizes``, only feed-forward synapses
    between consecutive groups may exist. Synapses from inhibitory presynaptic
    neurons are scaled by ``inhibitory_weight_mult`` before clipping.

    Examples
    --------
    >>> weights = Random(n_inputs=3, n_neurons=5, max_weight=1.0, prob_connection=0.5, weight_scale=0.5)
    >>> state = weights.init_state(2, np.random.default_rng(0), np.ones((2, 8)))
    >>> state.values.shape, bool(state.values.max() <= 0.5), bool(state.mask[:, 3:].diagonal(axis1=1, axis2=2).any())
    ((2, 8, 5), True, False)
    >>> inhibitory_first = np.where(np.arange(8) == 0, -1.0, 1.0)[None].repeat(2, axis=0)
    >>> bool(weights.init_state(2, np.random.default_rng(0), inhibitory_first).values[:, 0].max() <= 0)
    True
    """

    NECESSARY_KEYS = Weight.extend_keys(
        Key("prob_connection", Interval(float, 0, 1), "Probability that each possible synapse exists.", fixed=True),
        Key("weight_dist", Options("uniform", "lognormal"), "Distribution of weight magnitudes.", default="uniform",
            fixed=True),
        Key("weight_scale", Interval(float, 0, None), "Scale of the weight distribution (mV).", fixed=True),
        Key("inhibitory_weight_mult", Interval(float, 0, None),
            "Factor on the weights of synapses from inhibitory neurons.", default=1.0, fixed=True),
        Key("allow_self_connections", Options(False, True), "Whether a body neuron may synapse onto itself.",
            default=False, fixed=True),
        Key("layer_sizes", InstanceOf((tuple, list, type(None)), "a sequence of body group sizes, or None",
                                      lambda v: v is None or all(isinstance(n, int) and n > 0 for n in v)),
            "Feed-forward body groups (inputs -> group 0 -> group 1 ...); None connects all to all.", default=None,
            fixed=True),
    )

    def __init__(self, **config):
        super().__init__(**config)
        sizes, n_neurons = self.params.layer_sizes, self.params.n_neurons
        if sizes is not None and sum(sizes) != n_neurons:
            raise InvalidParameterError(
                f"The 'layer_sizes' parameter of Random must sum to n_neurons={n_neurons}. "
                f"Got {tuple(sizes)} (sum {sum(sizes)}) instead."
            )

    def initial(self, batch_size, rng, polarity):
        p = self.params
        shape = (batch_size, *self.shape)
        mask = rng.random(shape) < p.prob_connection
        if p.layer_sizes is not None:
            mask &= self.layer_mask()
        if not p.allow_self_connections:
            body = mask[:, p.n_inputs:]
            body[:, np.arange(p.n_neurons), np.arange(p.n_neurons)] = False
        if p.weight_dist == "uniform":
            values = rng.uniform(0.0, p.weight_scale, shape)
        else:
            values = p.weight_scale * rng.lognormal(0.0, 0.5, shape)
        values *= np.where(polarity < 0, p.inhibitory_weight_mult, 1.0)[:, :, None]
        np.clip(values, 0.0, p.max_weight, out=values)
        sign = np.broadcast_to(polarity[:, :, None], shape)
        if (polarity == 0).any():
            sign = np.where(sign == 0, np.where(rng.random(shape) < 0.5, -1.0, 1.0), sign)
        return values * sign, mask

    def layer_mask(self) -> np.ndarray:
        """Connectivity (n_pre, n_post) of the feed-forward chain given by ``layer_sizes``."""
        p = self.params
        sizes = (p.n_inputs, *p.layer_sizes)
        layers = [np.ones((n_from, n_to)) for n_from, n_to in zip(sizes, sizes[1:])]
        return stack_layers(layers, p.n_inputs, p.n_neurons)[1]
