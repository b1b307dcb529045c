"""Weights given by hand: one full matrix, or a list of feed-forward layer matrices."""
from __future__ import annotations

import numpy as np

from spikey.module import InstanceOf, InvalidParameterError, Key
from spikey.snn.weight.template import Weight


def _is_matrix_or_layers(value) -> bool:
    return isinstance(value, np.ndarray) or (
        isinstance(value, (list, tuple)) and len(value) > 0 and all(isinstance(m, np.ndarray) for m in value)
    )


def stack_layers(layers, n_inputs: int, n_neurons: int) -> tuple[np.ndarray, np.ndarray]:
    """Place feed-forward layer matrices into one (n_pre, n_post) matrix and its mask.

    Layer k connects group k to group k + 1, where group 0 is the inputs and the
    body neurons are split into consecutive groups sized by the layers' columns.
    """
    shapes = [layer.shape for layer in layers]
    chained_rows = [n_inputs] + [shape[-1] for shape in shapes[:-1]]
    if any(len(shape) != 2 for shape in shapes) or [shape[0] for shape in shapes] != chained_rows \
            or sum(shape[1] for shape in shapes) != n_neurons:
        raise InvalidParameterError(
            "The 'matrix' parameter of Manual, given as layers, must chain: layer 0 has n_inputs rows, each next "
            "layer has as many rows as the previous has columns, and the columns sum to n_neurons="
            f"{n_neurons}. Got layer shapes {shapes} with n_inputs={n_inputs} instead."
        )
    values = np.zeros((n_inputs + n_neurons, n_neurons))
    mask = np.zeros_like(values, dtype=bool)
    row, col = 0, 0
    for layer in layers:
        n_from, n_to = layer.shape
        values[row:row + n_from, col:col + n_to] = layer
        mask[row:row + n_from, col:col + n_to] = True
        row, col = n_inputs + col, col + n_to
    return values, mask


class Manual(Weight):
    """Weights set by hand, as a full matrix or as feed-forward layers.

    Entries are signed efficacies, each within the bounds of its presynaptic
    row (``[0, max_weight]`` for an excitatory neuron, ``[-max_weight, 0]`` for
    an inhibitory one). A full matrix has shape (n_inputs + n_neurons,
    n_neurons) or (B, ...) and its synapses are its non-zero entries unless
    ``connectivity`` says otherwise. Layers ``[W_in_hidden, W_hidden_out, ...]`` connect inputs to the
    first body group, that group to the next, and so on; their synapses are
    exactly the layer blocks.

    Examples
    --------
    >>> layers = [np.full((2, 3), 0.5), np.full((3, 1), 1.0)]
    >>> weights = Manual(n_inputs=2, n_neurons=4, max_weight=1.0, matrix=layers)
    >>> state = weights.init_state(1, np.random.default_rng(0), np.ones((1, 6)))
    >>> state.values.shape, int(state.mask.sum())
    ((1, 6, 4), 9)
    """

    NECESSARY_KEYS = Weight.extend_keys(
        Key("matrix", InstanceOf((np.ndarray, list, tuple), "an array or a list of layer arrays",
                                 _is_matrix_or_layers), "Initial signed efficacies (full matrix or layers).",
            fixed=True),
        Key("connectivity", InstanceOf((np.ndarray, type(None)), "a bool array shaped like the matrix, or None",
                                       lambda v: v is None or v.dtype == bool),
            "Which synapses exist; None: the non-zero entries of a full matrix.", default=None, fixed=True),
    )

    def __init__(self, **config):
        super().__init__(**config)
        self.initial(1, None, None)  # validate the matrix at construction

    def initial(self, batch_size, rng, polarity):
        p = self.params
        if isinstance(p.matrix, np.ndarray):
            values = self.check_matrix("matrix", p.matrix)
            mask = values != 0 if p.connectivity is None else p.connectivity
            if np.shape(mask)[-2:] != self.shape:
                raise InvalidParameterError(
                    f"The 'connectivity' parameter of Manual must have shape {self.shape}. "
                    f"Got {np.shape(mask)} instead."
                )
            contradictions = np.argwhere((values != 0) & ~mask)
            if len(contradictions):
                raise InvalidParameterError(
                    "The 'matrix' and 'connectivity' parameters of Manual disagree: the matrix has nonzero weights "
                    f"where connectivity says no synapse exists, e.g. at {tuple(int(i) for i in contradictions[0])}."
                )
            return values, mask
        values, mask = stack_layers([np.asarray(m, dtype=np.float64) for m in p.matrix], p.n_inputs, p.n_neurons)
        return self.check_matrix("matrix", values), mask
