"""What a part's outputs and states must look like: shapes, dtypes, bounds, finiteness."""
from __future__ import annotations

import numpy as np

from spikey._conformance import FLOAT16_FIX, Problem, require
from spikey.testing._trees import leaves

__all__ = ["expect_array", "expect_polarity", "expect_weights", "check_outputs", "check_states"]


def expect_array(value, what: str, shape: tuple, kind: str | None = None) -> None:
    require(isinstance(value, np.ndarray), f"{what}: a {type(value).__name__}, not a numpy array.",
            "return numpy arrays.")
    require(value.shape == shape, f"{what}: shape {value.shape}, expected {shape}.",
            "keep the batch axis first and size the rest from the part's keys (shapes in CONTRIBUTING.md).")
    require(value.dtype != np.float16, f"{what}: dtype float16.", FLOAT16_FIX)
    if kind == "bool":
        require(value.dtype == bool, f"{what}: dtype {value.dtype}, expected bool.",
                "spikes are bool: return the comparison itself (e.g. `potential >= threshold`), without casting.")
    if kind == "float":
        require(value.dtype.kind == "f", f"{what}: dtype {value.dtype}, expected a float dtype.",
                "return float64 values.")


def expect_polarity(polarity, what: str, shape: tuple) -> None:
    expect_array(polarity, what, shape)
    require(np.isin(polarity, (-1, 0, 1)).all(), f"{what} holds values other than +1, -1 and 0.",
            "return +1.0 for excitatory, -1.0 for inhibitory and 0.0 for either sign "
            "(see spikey.snn.neuron.template.draw_polarity).")


def expect_weights(weights, what: str, shape: tuple) -> None:
    require(all(hasattr(weights, f) for f in ("values", "mask", "low", "high")),
            f"{what} lacks some of `values`, `mask`, `low`, `high`.", "return Weight.State(values, mask, low, high).")
    expect_array(weights.values, f"{what}.values", shape, "float")
    expect_array(weights.mask, f"{what}.mask", shape, "bool")
    values, low, high = weights.values, weights.low[:, :, None], weights.high[:, :, None]
    outside = ~np.isfinite(values) | (values < low) | (values > high)
    if outside.any():
        b, i, j = (int(k) for k in np.argwhere(outside)[0])
        raise Problem(f"{what}.values[{b}, {i}, {j}] = {values[b, i, j]} leaves its row's bounds "
                      f"[{weights.low[b, i]}, {weights.high[b, i]}].",
                      "clip every weight to the bounds of its presynaptic row, weights.low and weights.high.")
    require(not values[~weights.mask].any(), f"{what}.values are nonzero where mask is False.",
            "absent synapses hold 0: multiply values and updates by the mask.")


def check_outputs(part, role: str, batch: int, trace) -> None:
    """Each recorded output has its role's shape and dtype."""
    p, name = part.params, type(part).__name__
    if role in ("input", "neuron"):
        n = p.n_inputs if role == "input" else p.n_neurons
        for polarity in trace.outputs["polarity"]:
            expect_polarity(polarity, f"{name}.polarity({batch}, rng)", (batch, n))
        for t, spikes in enumerate(trace.outputs["spikes"]):
            expect_array(spikes, f"the spikes {name}.step returned for step {t}", (batch, n), "bool")
    elif role in ("weight", "synapse"):
        shape = (batch, p.n_inputs + p.n_neurons, p.n_neurons)
        what = "init_state" if role == "weight" else "the weights after update"
        for t, weights in enumerate(trace.outputs["weights"]):
            expect_weights(weights, f"{what} {t}" if role == "synapse" else what, shape)
    elif role == "readout":
        for t, actions in enumerate(trace.outputs["actions"]):
            what = f"the actions {name}(rates, rng) returned at call {t}"
            require(isinstance(actions, np.ndarray) and actions.ndim in (1, 2) and actions.shape[0] == batch,
                    f"{what} have shape {np.shape(actions)}; expected ({batch},) or ({batch}, n_actions).",
                    "return a numpy array with one action (or action vector) per network, batch axis first.")
            if actions.ndim == 2 and "n_actions" in p:
                expect_array(actions, what, (batch, p.n_actions))
            require(actions.dtype != np.float16, f"{what} are float16.", FLOAT16_FIX)
    elif role == "reward":
        for t, rewards in enumerate(trace.outputs["rewards"]):
            expect_array(rewards, f"the rewards {name}(states, actions, next_states) returned at call {t}",
                         (batch,), "float")


def check_states(trace) -> None:
    """States keep one type, and their float arrays are float64 and finite."""
    if not trace.states:
        return
    first = type(trace.states[0][1])
    for label, state in trace.states:
        require(type(state) is first, f"{label} is a {type(state).__name__}, but init_state returned a "
                f"{first.__name__}.", "return the one State type from init_state, encode, step and reward.")
        for path, leaf in leaves(state, "state"):
            dtype = getattr(leaf, "dtype", None)
            require(dtype != np.float16, f"{label}: {path} is float16.", FLOAT16_FIX)
            if dtype is not None and dtype.kind == "f":
                require(dtype == np.float64, f"{label}: {path} is {dtype}; continuous state is float64.",
                        "allocate float state with dtype float64 (np.zeros(shape) is float64 already).")
                require(np.isfinite(leaf).all(), f"{label}: {path} is not finite (inf or NaN), e.g. "
                        f"{leaf[~np.isfinite(leaf)][:3]}.", "reset neurons after they spike and keep every update "
                        "bounded, so that no input the checks give makes the state diverge.")
