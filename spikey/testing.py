"""Conformance checks for Spikey parts: does a part keep the contract every network relies on?

:func:`check_part` runs every applicable check on a part class, given a valid
configuration, and raises ``AssertionError`` naming the failed check and the
fix. The checks are small public functions
``check_*(part_class, config, *, observations=None)`` that can be run alone, and
:func:`parametrize_with_checks` turns them into pytest cases, one per (part,
check) pair, as scikit-learn's ``parametrize_with_checks`` does::

    from spikey.testing import parametrize_with_checks

    @parametrize_with_checks([(MyNeurons, MY_CONFIG)],
                             expected_failed_checks={MyNeurons: {"check_pickle": "holds a lambda"}})
    def test_parts(part, check):
        check(part)

How each role is driven, and with what synthetic inputs, is described in
:func:`check_part`.
"""
from __future__ import annotations

import functools
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from spikey import keys as _keys
from spikey.games.checks import check_game
from spikey.module import Constraint, InvalidParameterError, Key, Module, Params
from spikey.snn.input.template import Input
from spikey.snn.neuron.template import Neuron
from spikey.snn.readout.template import Readout
from spikey.snn.reward.template import Reward
from spikey.snn.synapse.template import Synapse
from spikey.snn.weight.template import Weight, bounds

__all__ = [
    "N_STEPS",
    "check_game",
    "PartCase",
    "check_part",
    "checks_for",
    "parametrize_with_checks",
    "check_keys_declared",
    "check_param_validation",
    "check_clone",
    "check_state_batch_axis",
    "check_step_contract",
    "check_params_not_mutated",
    "check_input_not_mutated",
    "check_seed_determinism",
    "check_batch_consistency",
    "check_pickle",
    "check_blocks_equal_steps",
]

N_STEPS = 20
"""Steps (or calls) each check drives a part for."""

_SEED = 0
_DATA_SEED = 20070601
_BATCH_SIZES = (1, 3)
_PERIOD = 5  # steps between new observations (inputs) and between reward() calls (synapses)
_RTOL = 1e-9

_ROLES = (
    ("input", Input), ("neuron", Neuron), ("weight", Weight),
    ("synapse", Synapse), ("readout", Readout), ("reward", Reward),
)
_ABSTRACT_METHODS = {
    "input": ("encode",), "neuron": ("step",), "weight": ("initial", "init_state"),
    "synapse": ("step", "timestep"), "readout": ("__call__",), "reward": ("__call__",),
}
_ROLE_KEYS = {
    "input": ("n_inputs",), "neuron": ("n_neurons",), "weight": ("n_inputs", "n_neurons", "max_weight"),
    "synapse": ("n_inputs", "n_neurons"), "readout": ("n_outputs",), "reward": (),
}
_STATEFUL = ("input", "neuron", "weight", "synapse")
_SHARED_KEYS = {key.name: (attr, key) for attr, key in vars(_keys).items() if isinstance(key, Key)}

_FLOAT16_FIX = "use float64 (or float32 through a dtype key); float16 is never used in Spikey."
_RAISED_FIX = (
    "the part must run on the synthetic inputs of its role (see the spikey.testing module docstring); "
    "if it needs other observations pass observations=...; if the configuration suits one batch size only, "
    "say so with a batch_size key; otherwise fix the error in the traceback."
)


class PartCase(NamedTuple):
    """A part class with the configuration (and observations) the checks drive it with."""

    part_class: type
    config: dict
    observations: object = None

    def __repr__(self):
        return f"PartCase({self.part_class.__name__}, {self.config!r})"


class _BadType:
    """A value no constraint should accept."""

    def __repr__(self):
        return "BadType()"


class _Problem(Exception):
    """A broken contract: what is wrong and how to fix it."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def _require(condition, problem: str, fix: str) -> None:
    if not condition:
        raise _Problem(problem, fix)


_CHECK_PARAMETERS = """
    Parameters
    ----------
    part_class : type
        The part's class.
    config : dict
        A valid configuration of the part.
    observations : array-like or callable, optional
        Observations for Input and Reward parts (see :func:`check_part`);
        ignored by checks that do not run the part.
"""


def _check(func):
    """Turn problems and unexpected errors of a check into one AssertionError naming it.

    The check's docstring gets the Parameters section every check shares.
    """

    @functools.wraps(func)
    def run(part_class, config, *, observations=None):
        name = getattr(part_class, "__name__", repr(part_class))
        try:
            func(part_class, dict(config), observations=observations)
        except _Problem as problem:
            message = f"{func.__name__} failed for {name}: {problem.problem}\nFix: {problem.fix}"
            raise AssertionError(message) from problem.__cause__
        except AssertionError:
            raise
        except Exception as error:
            raised = f"it raised {type(error).__name__}: {error}"
            raise AssertionError(f"{func.__name__} failed for {name}: {raised}\nFix: {_RAISED_FIX}") from error

    run.__doc__ = func.__doc__.rstrip() + "\n" + _CHECK_PARAMETERS
    return run


# ---------------------------------------------------------------------------------------------- roles


def _role(part_class) -> str | None:
    for role, base in _ROLES:
        if issubclass(part_class, base):
            return role
    return None


def _is_driven(part_class) -> bool:
    """Whether the part has a role and implements it (abstract bases do not)."""
    role = _role(part_class)
    if role is None:
        return False
    base = dict(_ROLES)[role]
    methods = _ABSTRACT_METHODS[role]
    return not (methods and all(getattr(part_class, m) is getattr(base, m) for m in methods))


def _build(part_class, config) -> Module:
    try:
        return part_class(**config)
    except Exception as error:
        raise _Problem(
            f"{part_class.__name__}(**config) raised {type(error).__name__}: {error}",
            "pass a configuration the part accepts: the checks start from a valid one.",
        ) from error


def _batch_sizes(config, part) -> tuple:
    """(1, 3), or the one batch size the configuration fixes."""
    if "batch_size" in config:
        return (int(config["batch_size"]),)
    arrays = [v for k, v in part.params.items() if isinstance(v, np.ndarray) and k in _batched_names(part)]
    return (len(arrays[0]),) if arrays else _BATCH_SIZES


def _batched_names(part) -> set:
    return {key.name for key in type(part).NECESSARY_KEYS if key.batched}


def _row_part(part, row: int) -> Module:
    """The part of network ``row`` alone: per-network arrays of batched keys replaced by their value there."""
    names = _batched_names(part)
    rows = {k: v[row].item() for k, v in part.params.items() if k in names and isinstance(v, np.ndarray)}
    return type(part)(**{**part.get_params(), **rows}) if rows else part


# ---------------------------------------------------------------------------------------------- trees


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _children(value):
    if _is_namedtuple(value):
        return [(f".{name}", child) for name, child in zip(value._fields, value)]
    if isinstance(value, (tuple, list)):
        return [(f"[{i}]", child) for i, child in enumerate(value)]
    if isinstance(value, Mapping):
        return [(f"[{k!r}]", child) for k, child in value.items()]
    return None


def _copy_tree(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if _is_namedtuple(value):
        return type(value)(*(_copy_tree(v) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(_copy_tree(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _copy_tree(v) for k, v in value.items()}
    return value


def _leaves(value, path: str):
    children = _children(value)
    if children is None:
        yield path, value
        return
    for suffix, child in children:
        yield from _leaves(child, path + suffix)


def _zip_leaves(a, b, path: str):
    """Yield ``(path, leaf_a, leaf_b)``; raise _Problem where the structures differ."""
    ca, cb = _children(a), _children(b)
    if ca is None and cb is None:
        yield path, a, b
        return
    same = ca is not None and cb is not None and type(a) is type(b) and [s for s, _ in ca] == [s for s, _ in cb]
    _require(same, f"{path} differs in structure: {type(a).__name__} vs {type(b).__name__}",
             "return the same structure (State type, fields, lengths) every time.")
    for (suffix, x), (_, y) in zip(ca, cb):
        yield from _zip_leaves(x, y, path + suffix)


def _leaf_difference(a, b, path: str, rtol: float = 0.0) -> str | None:
    """Where two leaves differ, as a message, or None when equal (floats to ``rtol`` when given)."""
    if not (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        try:
            same = bool(a == b)
        except Exception:
            same = a is b
        return None if same else f"{path} differs: {a!r} vs {b!r}"
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"{path} differs: shape {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
    if a.dtype.kind in "fc" and rtol:
        equal = np.isclose(a, b, rtol=rtol, atol=rtol * 1e-3, equal_nan=True)
    elif a.dtype.kind in "fc":
        equal = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        try:
            equal = np.asarray(a == b, dtype=bool)
        except Exception:
            equal = np.asarray(np.array_equal(a, b))
    if equal.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~equal)[0]) if equal.ndim else ()
    return f"{path}{list(index) if index else ''} differs: {a[index]!r} vs {b[index]!r}"


def _difference(a, b, path: str, rtol: float = 0.0) -> str | None:
    """The first place two trees differ, or None."""
    for leaf_path, x, y in _zip_leaves(a, b, path):
        found = _leaf_difference(x, y, leaf_path, rtol)
        if found:
            return found
    return None


# ---------------------------------------------------------------------------------------------- driving


@dataclass
class _Trace:
    """What one run showed: outputs by kind, states by label, and the inputs handed to the part."""

    outputs: dict = field(default_factory=dict)
    states: list = field(default_factory=list)
    given: list = field(default_factory=list)

    def give(self, label: str, array: np.ndarray) -> np.ndarray:
        self.given.append((label, array, array.copy()))
        return array

    def output(self, kind: str, value) -> None:
        self.outputs.setdefault(kind, []).append(_copy_tree(value))

    def keep(self, label: str, state) -> None:
        self.states.append((label, _copy_tree(state)))


class _Feed:
    """Synthetic inputs from a seeded Generator; ``tile`` draws one row and repeats it over the batch."""

    def __init__(self, batch_size: int, tile: bool = False, scale: float = 1.0):
        self.rng, self.batch_size, self.tile = np.random.default_rng(_DATA_SEED), batch_size, tile
        self.scale = scale  # neurons' charge unit: the largest firing_threshold of the reference part

    def draw(self, make) -> np.ndarray:
        rows = 1 if self.tile else self.batch_size
        value = np.asarray(make(rows, self.rng))
        _require(value.ndim >= 1 and value.shape[0] == rows,
                 f"the observations drawn for batch_size={rows} have shape {value.shape}.",
                 "observations(batch_size, rng) must return an array whose first axis is batch_size.")
        return np.repeat(value, self.batch_size, axis=0) if self.tile else value


def _observation_source(observations, part, role):
    if callable(observations):
        return observations
    if observations is not None:
        pool = np.asarray(observations)
        return lambda rows, rng: pool[rng.integers(0, len(pool), rows)]
    if role == "reward":
        return lambda rows, rng: rng.integers(0, 2, (rows, 2))
    if role == "input":
        width = min(2, part.params.n_inputs)
        return lambda rows, rng: rng.integers(0, 3, (rows, width)) / 2
    return None


def _pair(result, what: str):
    _require(isinstance(result, tuple) and len(result) == 2,
             f"{what} returned a {type(result).__name__}, not a pair (spikes, state).",
             f"return `spikes, state` from {what}.")
    return result


def _drive_input(part, trace, batch, rng, feed, n_steps, observe):
    state = part.init_state(batch, rng)
    trace.keep("init_state", state)
    trace.output("polarity", part.polarity(batch, rng))
    for t in range(0, n_steps, _PERIOD):
        state = part.encode(state, trace.give(f"observations at step {t}", feed.draw(observe)))
        trace.keep(f"the state encode returned at step {t}", state)
        steps = min(_PERIOD, n_steps - t)
        what = f"{type(part).__name__}.step(state, rng, {steps})"
        spikes, state = _pair(part.step(state, rng, steps), what)
        _expect_array(spikes, f"the spikes {what} returned", (steps, batch, part.params.n_inputs), "bool")
        for step_spikes in spikes:
            trace.output("spikes", step_spikes)
        trace.keep(f"the state step returned at step {t}", state)


def _drive_neuron(part, trace, batch, rng, feed, n_steps, observe):
    n, scale = part.params.n_neurons, feed.scale
    state = part.init_state(batch, rng)
    trace.keep("init_state", state)
    trace.output("polarity", part.polarity(batch, rng))
    for t in range(n_steps):
        incoming = trace.give(f"incoming at step {t}", feed.draw(lambda b, r: r.uniform(-0.5, 1.5, (b, n)) * scale))
        spikes, state = _pair(part.step(state, incoming, rng), f"{type(part).__name__}.step")
        trace.output("spikes", spikes)
        trace.keep(f"the state step returned at step {t}", state)


def _drive_weight(part, trace, batch, rng, feed, n_steps, observe):
    n_pre = part.params.n_inputs + part.params.n_neurons
    polarity = feed.draw(lambda b, r: np.where(r.random((b, n_pre)) < 0.2, 0.0, 1.0))
    state = part.init_state(batch, rng, trace.give("polarity", polarity))
    trace.keep("init_state", state)
    trace.output("weights", state)


def _drive_synapse(part, trace, batch, rng, feed, n_steps, observe):
    p = part.params
    n_pre, n_post = p.n_inputs + p.n_neurons, p.n_neurons
    polarity = feed.draw(lambda b, r: _mixed_polarity(r, (b, n_pre)))
    coins = feed.draw(lambda b, r: r.random((b, n_pre)))
    values = feed.draw(lambda b, r: r.uniform(0.0, _MAX_WEIGHT, (b, n_pre, n_post))) * _signs(polarity, coins)
    mask = trace.give("weights.mask", np.ones(values.shape, dtype=bool))
    weights = Weight.State(values, mask, *bounds(polarity, _MAX_WEIGHT))
    rewards = lambda b, r: np.where(r.random(b) < 0.5, 0.0, r.normal(0.0, 1.0, b))  # noqa: E731
    state = part.init_state(batch, rng)
    trace.keep("init_state", state)
    for t in range(0, n_steps, _PERIOD):
        pre = trace.give(f"pre at steps {t}+", _in_time(feed, lambda b, r: r.random((b, n_pre)) < 0.3))
        post = trace.give(f"post at steps {t}+", _in_time(feed, lambda b, r: r.random((b, n_post)) < 0.3))
        state = part.step(state, weights, pre, post, trace.give(f"rewards at steps {t}+", _in_time(feed, rewards)))
        trace.keep(f"the state step returned at step {t}", state)
        trace.output("weights", weights)
        state = part.reward(state, weights, trace.give(f"reward() after step {t + _PERIOD - 1}", feed.draw(rewards)))
        trace.keep(f"the state reward() returned after step {t + _PERIOD - 1}", state)
        trace.output("weights", weights)


_MAX_WEIGHT = 1.0  # bound of the synthetic weights learning rules are driven with


def _mixed_polarity(rng, shape) -> np.ndarray:
    """Presynaptic polarities: 70 % excitatory, 20 % inhibitory, 10 % either sign."""
    draw = rng.random(shape)
    return np.where(draw < 0.2, -1.0, np.where(draw < 0.3, 0.0, 1.0))


def _signs(polarity, coins) -> np.ndarray:
    """Signs (B, n_pre, 1) of weights from rows of these polarities; either-sign rows take the sign of a coin in [0, 1)."""
    return np.where(polarity == 0, np.where(coins < 0.5, -1.0, 1.0), polarity)[:, :, None]


def _in_time(feed, draw):
    """``_PERIOD`` draws stacked on a leading time axis."""
    return np.stack([feed.draw(draw) for _ in range(_PERIOD)])


def _drive_readout(part, trace, batch, rng, feed, n_steps, observe):
    n_outputs = part.params.n_outputs
    for t in range(n_steps):
        rates = trace.give(f"rates at call {t}", feed.draw(lambda b, r: r.integers(0, 11, (b, n_outputs)) / 10))
        trace.output("actions", part(rates, rng))


def _drive_reward(part, trace, batch, rng, feed, n_steps, observe):
    states = trace.give("states at call 0", feed.draw(observe))
    for t in range(n_steps):
        actions = trace.give(f"actions at call {t}", feed.draw(lambda b, r: r.integers(0, 2, b)))
        next_states = trace.give(f"next_states at call {t}", feed.draw(observe))
        trace.output("rewards", part(states, actions, next_states))
        states = next_states


_DRIVERS = {
    "input": _drive_input, "neuron": _drive_neuron, "weight": _drive_weight,
    "synapse": _drive_synapse, "readout": _drive_readout, "reward": _drive_reward,
}


def _run(part, batch_size: int, *, observations=None, seed: int = _SEED, n_steps: int = N_STEPS, tile=False,
         reference=None):
    """Drive ``part`` as its role for ``n_steps``; return ``(trace, rng)``.

    The synthetic data depend on ``reference`` (default ``part``), so that a lone
    network of a batch gets the same data as the batch.
    """
    role = _role(type(part))
    _require(role in _DRIVERS, f"{type(part).__name__} subclasses none of Input, Neuron, Weight, Synapse, "
             "Readout, Reward, so it cannot be driven.", "subclass the base class of the part's role.")
    rng = np.random.default_rng(seed)
    trace = _Trace()
    reference = part if reference is None else reference
    observe = _observation_source(observations, reference, role)
    feed = _Feed(batch_size, tile, float(np.max(reference.params.get("firing_threshold", 1.0))))
    _DRIVERS[role](part, trace, batch_size, rng, feed, n_steps, observe)
    return trace, rng


def _rng_moved(rng) -> bool:
    return rng.bit_generator.state != np.random.default_rng(_SEED).bit_generator.state


# ---------------------------------------------------------------------------------------------- contracts


def _expect_array(value, what: str, shape: tuple, kind: str | None = None) -> None:
    _require(isinstance(value, np.ndarray), f"{what}: a {type(value).__name__}, not a numpy array.",
             "return numpy arrays.")
    _require(value.shape == shape, f"{what}: shape {value.shape}, expected {shape}.",
             "keep the batch axis first and size the rest from the part's keys (shapes in ARCHITECTURE.md).")
    _require(value.dtype != np.float16, f"{what}: dtype float16.", _FLOAT16_FIX)
    if kind == "bool":
        _require(value.dtype == bool, f"{what}: dtype {value.dtype}, expected bool.",
                 "spikes are bool: return the comparison itself (e.g. `potential >= threshold`), without casting.")
    if kind == "float":
        _require(value.dtype.kind == "f", f"{what}: dtype {value.dtype}, expected a float dtype.",
                 "return float64 values.")


def _expect_polarity(polarity, what: str, shape: tuple) -> None:
    _expect_array(polarity, what, shape)
    _require(np.isin(polarity, (-1, 0, 1)).all(), f"{what} holds values other than +1, -1 and 0.",
             "return +1.0 for excitatory, -1.0 for inhibitory and 0.0 for either sign "
             "(see spikey.snn.neuron.template.draw_polarity).")


def _expect_weights(weights, what: str, shape: tuple) -> None:
    _require(all(hasattr(weights, f) for f in ("values", "mask", "low", "high")),
             f"{what} lacks some of `values`, `mask`, `low`, `high`.", "return Weight.State(values, mask, low, high).")
    _expect_array(weights.values, f"{what}.values", shape, "float")
    _expect_array(weights.mask, f"{what}.mask", shape, "bool")
    values, low, high = weights.values, weights.low[:, :, None], weights.high[:, :, None]
    outside = ~np.isfinite(values) | (values < low) | (values > high)
    if outside.any():
        b, i, j = (int(k) for k in np.argwhere(outside)[0])
        raise _Problem(f"{what}.values[{b}, {i}, {j}] = {values[b, i, j]} leaves its row's bounds "
                       f"[{weights.low[b, i]}, {weights.high[b, i]}].",
                       "clip every weight to the bounds of its presynaptic row, weights.low and weights.high.")
    _require(not values[~weights.mask].any(), f"{what}.values are nonzero where mask is False.",
             "absent synapses hold 0: multiply values and updates by the mask.")


def _check_outputs(part, role: str, batch: int, trace: _Trace) -> None:
    p, name = part.params, type(part).__name__
    if role in ("input", "neuron"):
        n = p.n_inputs if role == "input" else p.n_neurons
        for polarity in trace.outputs["polarity"]:
            _expect_polarity(polarity, f"{name}.polarity({batch}, rng)", (batch, n))
        for t, spikes in enumerate(trace.outputs["spikes"]):
            _expect_array(spikes, f"the spikes {name}.step returned for step {t}", (batch, n), "bool")
    elif role in ("weight", "synapse"):
        shape = (batch, p.n_inputs + p.n_neurons, p.n_neurons)
        what = "init_state" if role == "weight" else "the weights after update"
        for t, weights in enumerate(trace.outputs["weights"]):
            _expect_weights(weights, f"{what} {t}" if role == "synapse" else what, shape)
    elif role == "readout":
        for t, actions in enumerate(trace.outputs["actions"]):
            what = f"the actions {name}(rates, rng) returned at call {t}"
            _require(isinstance(actions, np.ndarray) and actions.ndim in (1, 2) and actions.shape[0] == batch,
                     f"{what} have shape {np.shape(actions)}; expected ({batch},) or ({batch}, n_actions).",
                     "return a numpy array with one action (or action vector) per network, batch axis first.")
            if actions.ndim == 2 and "n_actions" in p:
                _expect_array(actions, what, (batch, p.n_actions))
            _require(actions.dtype != np.float16, f"{what} are float16.", _FLOAT16_FIX)
    elif role == "reward":
        for t, rewards in enumerate(trace.outputs["rewards"]):
            _expect_array(rewards, f"the rewards {name}(states, actions, next_states) returned at call {t}",
                          (batch,), "float")


def _check_states(trace: _Trace) -> None:
    if not trace.states:
        return
    first = type(trace.states[0][1])
    for label, state in trace.states:
        _require(type(state) is first, f"{label} is a {type(state).__name__}, but init_state returned a "
                 f"{first.__name__}.", "return the one State type from init_state, encode, step and reward.")
        for path, leaf in _leaves(state, "state"):
            _require(getattr(leaf, "dtype", None) != np.float16, f"{label}: {path} is float16.", _FLOAT16_FIX)


def _global_rng_state():
    return np.random.get_state()


def _same_global_rng(before, after) -> bool:
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in zip(before, after))


# ---------------------------------------------------------------------------------------------- checks


@_check
def check_keys_declared(part_class, config, *, observations=None):
    """Every key is a Key with a constraint and a doc; ``__init__`` sets only ``params``.

    Also: key names are unique snake_case, defaults satisfy their own
    constraint, shared keys (``spikey.keys``) are reused rather than
    re-declared, and the keys the part's role needs are declared.
    """
    keys = getattr(part_class, "NECESSARY_KEYS", None)
    _require(isinstance(keys, tuple) and all(isinstance(k, Key) for k in keys),
             f"NECESSARY_KEYS is {keys!r}, not a tuple of Key.", "declare NECESSARY_KEYS = Base.extend_keys(Key(...)).")
    names = [key.name for key in keys]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    _require(not duplicated, f"keys {duplicated} are declared twice.",
             "use Base.extend_keys(...), which replaces a parent key of the same name.")
    for key in keys:
        _check_key(key, part_class.__name__)
    missing = [n for n in _ROLE_KEYS.get(_role(part_class), ()) if n not in names]
    _require(not missing, f"the role's keys {missing} are not declared.",
             "extend the base class's keys (Base.extend_keys) instead of replacing NECESSARY_KEYS.")
    part = _build(part_class, config)
    extra = sorted(set(getattr(part, "__dict__", {})) - {"params"})
    _require(not extra, f"__init__ set attributes {extra} besides params.",
             "__init__ only validates (super().__init__(**config)); arrays and randomness go in init_state, "
             "derived values in methods.")
    _require(isinstance(getattr(part, "params", None), Params) and list(part.params) == names,
             f"params holds {list(getattr(part, 'params', {}))}, not the declared keys {names}.",
             "let Module.__init__ build params: call super().__init__(**config).")


def _check_key(key: Key, owner: str) -> None:
    name = key.name
    _require(isinstance(name, str) and name.isidentifier() and name == name.lower() and not name.startswith("_"),
             f"key name {name!r} is not snake_case.", "name keys in snake_case without a leading underscore.")
    _require(isinstance(key.constraint, Constraint), f"key {name!r} has constraint {key.constraint!r}.",
             "give every key a Constraint: Interval(...), Options(...) or InstanceOf(...).")
    _require(isinstance(key.doc, str) and key.doc.strip(), f"key {name!r} has no doc.",
             "describe what the key means, with its unit.")
    if not key.required:
        try:
            key.validate(key.default, owner)
        except InvalidParameterError as error:
            raise _Problem(f"the default of key {name!r} breaks its own constraint: {error}",
                           "choose a default the constraint accepts.") from None
    if name in _SHARED_KEYS:
        attr, shared = _SHARED_KEYS[name]
        _require(key.same_declaration(shared), f"key {name!r} re-declares the shared key spikey.keys.{attr} "
                 "differently.", f"reuse spikey.keys.{attr} instead of declaring {name!r} again.")


def _expect_rejected(part_class, config, name: str, value) -> None:
    pattern = f"The {name!r} parameter of {part_class.__name__} must be"
    try:
        part_class(**{**config, name: value})
    except InvalidParameterError as error:
        _require(re.search(re.escape(pattern), str(error)),
                 f"{name}={value!r} raised InvalidParameterError({str(error)!r}), which does not say {pattern!r}.",
                 "let Module.__init__ validate declared keys, or raise Key.error(owner, value).")
        return
    except Exception as error:
        raise _Problem(f"{name}={value!r} raised {type(error).__name__}: {error}, not InvalidParameterError.",
                       "validate keys through their Key constraints (Module.__init__) before using them.") from error
    raise _Problem(f"{name}={value!r} was accepted.",
                   f"give key {name!r} a constraint that rejects it, and do not bypass Module.__init__.")


def _accepts(constraint, value) -> bool:
    try:
        constraint.normalize(value)
    except Exception:
        return False
    return True


@_check
def check_param_validation(part_class, config, *, observations=None):
    """Invalid values of every key raise ``InvalidParameterError`` naming the key and the part.

    Each key gets a ``BadType()`` instance and ``key.constraint.invalid_example()``
    (batched keys also a 2-D array); each must raise an error matching
    ``"The '<key>' parameter of <Part> must be"``. Keys whose constraint accepts
    arbitrary objects are skipped. Leaving out a required key must raise too.
    """
    for key in part_class.NECESSARY_KEYS:
        if key.required:
            rest = {k: v for k, v in config.items() if k != key.name}
            try:
                part_class(**rest)
            except InvalidParameterError as error:
                _require(repr(key.name) in str(error), f"leaving out {key.name!r} raised an error not naming it: "
                         f"{error}", "let Module.__init__ report missing keys.")
            else:
                raise _Problem(f"leaving out the required key {key.name!r} raised nothing.",
                               "let Module.__init__ report missing keys: call super().__init__(**config) first.")
        if _accepts(key.constraint, _BadType()):
            continue
        bad = [_BadType(), key.constraint.invalid_example()] + ([np.zeros((2, 2))] if key.batched else [])
        for value in bad:
            if value is not None:
                _expect_rejected(part_class, config, key.name, value)


@_check
def check_clone(part_class, config, *, observations=None):
    """``type(p)(**p.get_params()) == p``: the validated params configure an equal part.
    """
    part = _build(part_class, config)
    params = part.get_params()
    _require(isinstance(params, dict) and list(params) == [k.name for k in part_class.NECESSARY_KEYS],
             f"get_params() returned {params!r}.", "do not override get_params(); Module's returns dict(params).")
    try:
        clone = type(part)(**params)
    except Exception as error:
        raise _Problem(f"type(p)(**p.get_params()) raised {type(error).__name__}: {error}",
                       "every validated value must be accepted again as configuration.") from error
    _require(clone == part, f"the clone differs: {_difference(params, clone.get_params(), 'params')}",
             "validation must be idempotent: normalize a value to a form that normalizes to itself.")


@_check
def check_state_batch_axis(part_class, config, *, observations=None):
    """Every state array has the batch size as its first axis, for batch sizes 1 and 3.
    """
    part = _build(part_class, config)
    for batch in _batch_sizes(config, part):
        trace, _ = _run(part, batch, observations=observations)
        for label, state in trace.states:
            for path, leaf in _leaves(state, "state"):
                _require(isinstance(leaf, np.ndarray), f"{label}: {path} is a {type(leaf).__name__}, not an array.",
                         "a State holds only numpy arrays; keep configuration in params.")
                _require(leaf.ndim >= 1 and leaf.shape[0] == batch,
                         f"{label} at batch_size={batch}: {path} has shape {leaf.shape}, whose first axis is not "
                         f"{batch}.", "allocate every state array with shape (batch_size, ...) in init_state; "
                         "a per-network scalar is a (batch_size,) array.")


@_check
def check_step_contract(part_class, config, *, observations=None):
    """Outputs have the documented shape and dtype, spikes are bool and nothing is float16.

    Inputs and neurons: ``polarity`` (B, n) of +1, -1 or 0 and spikes (B, n)
    bool (inputs: (n_steps, B, n)).
    Weights: ``values`` (B, n_pre, n_post) float within the bounds ``low``,
    ``high`` (B, n_pre) of their presynaptic row, 0 where ``mask`` (bool) is False. Synapses: the same of the weights after
    every ``step`` and ``reward``. Readouts: actions (B,) or (B, n_actions).
    Rewarders: rewards (B,) float. States keep one type and no float16 arrays.
    """
    part = _build(part_class, config)
    for batch in _batch_sizes(config, part):
        trace, _ = _run(part, batch, observations=observations)
        _check_states(trace)
        _check_outputs(part, _role(part_class), batch, trace)


@_check
def check_params_not_mutated(part_class, config, *, observations=None):
    """After ``N_STEPS`` steps, ``params`` is the same object with the same values and nothing was added.
    """
    part = _build(part_class, config)
    params, before = part.params, _copy_tree(part.get_params())
    _run(part, max(_batch_sizes(config, part)), observations=observations)
    _require(part.params is params, "params was replaced while the part ran.",
             "parameters are fixed after construction; keep changing values in the State.")
    changed = _difference(before, part.get_params(), "params")
    _require(changed is None, f"running changed {changed}.",
             "never write into parameter arrays; copy them first (`x = params.x.copy()`).")
    extra = sorted(set(getattr(part, "__dict__", {})) - {"params"})
    _require(not extra, f"running set attributes {extra} on the part.",
             "keep everything that changes in the State returned by init_state and step, not on self.")


@_check
def check_input_not_mutated(part_class, config, *, observations=None):
    """The arrays handed to the part (observations, incoming, pre, post, reward, rates...) are left unchanged.
    """
    part = _build(part_class, config)
    trace, _ = _run(part, max(_batch_sizes(config, part)), observations=observations)
    for label, array, copy in trace.given:
        changed = _leaf_difference(copy, array, label)
        _require(changed is None, f"the part modified its input in place: {changed} (before vs after).",
                 "never write into arguments; compute new arrays (`x = x + y`, not `x += y`) or copy first.")


@_check
def check_seed_determinism(part_class, config, *, observations=None):
    """Same seed, same outputs and states, bit for bit; numpy's global RNG is never touched.

    Two fresh parts run ``N_STEPS`` steps from ``np.random.default_rng(0)``.
    A part with ``prob_rand_fire > 0`` must also draw from the ``rng`` it is given.
    """
    before = _global_rng_state()
    runs = []
    for _ in range(2):
        part = _build(part_class, config)
        runs.append(_run(part, max(_batch_sizes(config, part)), observations=observations))
    _require(_same_global_rng(before, _global_rng_state()), "the part used numpy's global RNG (np.random.*).",
             "draw every random number from the `rng` Generator argument (rng.random, rng.uniform, ...).")
    (first, rng1), (second, rng2) = runs
    changed = _difference((first.outputs, first.states), (second.outputs, second.states), "run")
    _require(changed is None, f"two runs with the same seed differ: {changed}.",
             "draw randomness only from `rng` and keep no hidden state between calls.")
    _require(rng1.bit_generator.state == rng2.bit_generator.state,
             "two runs with the same seed drew different amounts from rng.",
             "draw randomness only from `rng`, a fixed amount per call given the same inputs.")
    rate = part.params.get("prob_rand_fire")
    if rate is not None and np.any(np.asarray(rate) > 0):
        _require(_rng_moved(rng1), "prob_rand_fire > 0, but the part never drew from rng.",
                 "draw spontaneous activity from the rng argument, e.g. rng.random(shape) < prob_rand_fire.")


@_check
def check_batch_consistency(part_class, config, *, observations=None):
    """B identical networks fed identical rows each match a lone network fed that row.

    Only parts that draw no random numbers are compared value by value (floats
    to a relative 1e-9); per-network arrays of batched keys are compared with a
    lone network configured with that row's value. For parts that draw from
    ``rng`` the batch shares one random stream, so only shapes are compared.
    Configurations with a ``batch_size`` key (e.g. per-network weight
    matrices) cannot be split into lone networks and are skipped. Identical
    rows reveal a sum over the batch axis, but not a mean or a max.
    """
    part = _build(part_class, config)
    if "batch_size" in config:
        return
    batch = max(_batch_sizes(config, part))
    batched, batch_rng = _run(part, batch, observations=observations, tile=True)
    singles, random = {}, _rng_moved(batch_rng)
    for row in range(batch):
        lone = _row_part(part, row)
        if id(lone) not in singles:
            trace, rng = _run(lone, 1, observations=observations, reference=part)
            singles[id(lone)] = (lone, trace)
            random |= _rng_moved(rng)
        _compare_row(batched, singles[id(lone)][1], row, batch, random)


def _compare_row(batched: _Trace, single: _Trace, row: int, batch: int, random: bool) -> None:
    pairs = _zip_leaves((batched.outputs, batched.states), (single.outputs, single.states), "run")
    for path, x, y in pairs:
        if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
            continue
        _require(x.ndim >= 1 and y.ndim >= 1 and x.shape == (batch, *y.shape[1:]),
                 f"{path} has shape {x.shape} at batch_size={batch} but {y.shape} at batch_size=1.",
                 "give every array a leading batch axis and the same shape otherwise.")
        if not random:
            changed = _leaf_difference(x[row], y[0], f"{path}[{row}]", _RTOL)
            _require(changed is None, f"network {row} of a batch of {batch} identical networks differs from a lone "
                     f"network: {changed} (batched vs lone).", "networks of a batch must not interact: no "
                     "reductions over axis 0, no state shared across the batch; batched keys broadcast as (B, 1).")


@_check
def check_pickle(part_class, config, *, observations=None):
    """``pickle.loads(pickle.dumps(p)) == p``, and the copy runs exactly as the original.
    """
    part = _build(part_class, config)
    try:
        copy = pickle.loads(pickle.dumps(part))
    except Exception as error:
        raise _Problem(f"pickling failed: {type(error).__name__}: {error}",
                       "keep params picklable: module-level functions rather than lambdas or closures.") from error
    unequal = [k for k in part.params if Params({k: part.params[k]}) != Params({k: copy.params.get(k)})]
    _require(copy == part, f"the unpickled part is not equal to the original (params {unequal} differ).",
             "give the part params that compare equal after a round trip (numbers, strings, tuples, arrays, "
             "module-level functions); Params compares values with spikey.module._same_value.")
    if _is_driven(part_class):
        batch = max(_batch_sizes(config, part))
        original, _ = _run(part, batch, observations=observations)
        restored, _ = _run(copy, batch, observations=observations)
        changed = _difference(original.outputs, restored.outputs, "outputs")
        _require(changed is None, f"the unpickled part runs differently: {changed}.",
                 "keep all configuration in params so that pickling restores it.")


@_check
def check_blocks_equal_steps(part_class, config, *, observations=None):
    """A learning rule's ``step`` over a block of steps equals one ``timestep`` per step.

    At batch sizes 1 and 3, both runs start from the same weights (of
    magnitude ``U[0, 1]``, a fifth of the synapses absent, presynaptic rows as
    for the other synapse checks) and see the same block of ``4 * N_STEPS``
    steps (longer than a network's 64-step blocks) of Bernoulli(0.3) spikes
    with rewards at a third of the steps; weights and traces must agree to a
    relative 1e-9. Networks hand reward-gated rules whole blocks, so a rule
    whose block form drops or misplaces a step learns differently inside a
    network than alone.
    """
    part = _build(part_class, config)
    for batch in _batch_sizes(config, part):
        block, stepped = _block_and_steps(part, batch, 4 * N_STEPS)
        changed = _difference(block, stepped, "(weights, state)", _RTOL)
        _require(changed is None, f"at batch_size={batch}, a block of {4 * N_STEPS} steps and as many single steps "
                 f"differ: {changed} (block vs steps).", "make step() apply each step of the block in order, with "
                 "that step's reward, exactly as timestep() would.")


def _block_and_steps(part, batch: int, n_steps: int):
    """``(weights, state)`` after one ``step`` over ``n_steps`` steps, and after as many ``timestep`` calls."""
    p, rng = part.params, np.random.default_rng(_DATA_SEED)
    n_pre, n_post = p.n_inputs + p.n_neurons, p.n_neurons
    mask = rng.random((batch, n_pre, n_post)) < 0.8
    polarity = _mixed_polarity(rng, (batch, n_pre))
    values = np.where(mask, rng.uniform(0.0, _MAX_WEIGHT, mask.shape) * _signs(polarity, rng.random((batch, n_pre))), 0.0)
    low, high = bounds(polarity, _MAX_WEIGHT)
    pre = rng.random((n_steps, batch, n_pre)) < 0.3
    post = rng.random((n_steps, batch, n_post)) < 0.3
    rewards = np.where(rng.random((n_steps, batch)) < 1 / 3, rng.normal(0.0, 1.0, (n_steps, batch)), 0.0)
    block = Weight.State(values.copy(), mask, low, high)
    block_state = part.step(part.init_state(batch, np.random.default_rng(_SEED)), block, pre, post, rewards)
    stepped = Weight.State(values.copy(), mask, low, high)
    state = part.init_state(batch, np.random.default_rng(_SEED))
    for t in range(n_steps):
        state = part.timestep(state, stepped, pre[t], post[t], rewards[t])
    return (block.values, block_state), (stepped.values, state)


# ---------------------------------------------------------------------------------------------- entry points


_ALL_CHECKS = (
    check_keys_declared, check_param_validation, check_clone, check_state_batch_axis, check_step_contract,
    check_params_not_mutated, check_input_not_mutated, check_seed_determinism, check_batch_consistency, check_pickle,
    check_blocks_equal_steps,
)


def checks_for(part_class) -> list:
    """The checks that apply to ``part_class``, in the order they run.

    Parameters
    ----------
    part_class : type
        A :class:`~spikey.module.Module` subclass.

    Returns
    -------
    list of callable
        ``check(part_class, config, *, observations=None)`` functions. Parts
        without a role (modifiers) and abstract bases get only the
        configuration checks; readouts and rewarders, which have no state, skip
        ``check_state_batch_axis``; only learning rules get ``check_blocks_equal_steps``.
    """
    if not (isinstance(part_class, type) and issubclass(part_class, Module)):
        raise TypeError(f"Expected a spikey Module subclass, got {part_class!r}.")
    if not _is_driven(part_class):
        return [check_keys_declared, check_param_validation, check_clone, check_pickle]
    role = _role(part_class)
    skip = set() if role in _STATEFUL else {check_state_batch_axis}
    if role != "synapse":
        skip.add(check_blocks_equal_steps)
    return [check for check in _ALL_CHECKS if check not in skip]


def check_part(part_class, config, *, observations=None, expected_failed_checks=None) -> None:
    """Run every applicable check on a part class; raise at the first contract it breaks.

    Parameters
    ----------
    part_class : type
        A subclass of a role base (``Input``, ``Neuron``, ``Weight``,
        ``Synapse``, ``Readout``, ``Reward``) or any other Module.
    config : dict
        A valid configuration of the part; keys it does not declare are ignored.
    observations : array-like or callable, optional
        Example observation rows, or ``observations(batch_size, rng) -> array
        (batch_size, ...)``, for Input parts (what ``encode`` receives) and Reward
        parts (the states). Defaults are described in the module docstring.
    expected_failed_checks : dict, optional
        ``{check name: reason}`` of checks to skip.

    Raises
    ------
    AssertionError
        Naming the failed check, what is wrong and the fix.

    Notes
    -----
    The part's role comes from its base class (``Input``, ``Neuron``,
    ``Weight``, ``Synapse``, ``Readout`` or ``Reward``) and decides how the
    checks drive it: with synthetic inputs from a seeded Generator, for
    ``N_STEPS`` steps (or calls), at batch sizes 1 and 3, or only at the batch
    size the configuration fixes (a ``batch_size`` key, or per-network arrays
    given for batched keys).

    - neurons: charge ~ ``U[-0.5, 1.5) * max(firing_threshold)``;
    - synapses: blocks of 5 steps of Bernoulli(0.3) pre and post spikes, rewards
      that are 0 half the time and N(0, 1) otherwise (also given through
      ``reward()`` after each block), weights of magnitude ``U[0, 1]`` on all
      synapses, from presynaptic rows 70 % excitatory, 20 % inhibitory and 10 %
      of either sign (bounds ``[0, 1]``, ``[-1, 0]``, ``[-1, 1]``);
    - weights: presynaptic polarities, 20 % of either sign, the others excitatory;
    - readouts: rates in {0, 0.1, ..., 1};
    - inputs: a new batch of observations for each block of 5 steps, by default values in
      {0, 0.5, 1} of shape (B, min(2, n_inputs));
    - rewarders: states, actions in {0, 1} and next states, the states by
      default integers in {0, 1} of shape (B, 2).

    Other Modules (modifiers) and abstract bases get only the configuration
    checks. ``check_batch_consistency`` compares values only for parts that
    draw no random numbers (see its docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.neuron import LIF
    >>> config = {"n_neurons": 4, "magnitude": 1.0, "firing_threshold": 1.0, "potential_decay": 0.1}
    >>> check_part(LIF, config)
    >>> class FloatNeuron(LIF):
    ...     def step(self, state, incoming, rng):
    ...         spikes, state = super().step(state, incoming, rng)
    ...         return spikes.astype(np.float64), state
    >>> check_part(FloatNeuron, config)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: check_step_contract failed for FloatNeuron: the spikes ... step 0: dtype float64, expected bool.
    Fix: spikes are bool: return the comparison itself (e.g. `potential >= threshold`), without casting.
    """
    skip = dict(expected_failed_checks or {})
    _check_names(skip, part_class)
    for check in checks_for(part_class):
        if check.__name__ not in skip:
            check(part_class, config, observations=observations)


def _check_names(expected: dict, part_class) -> None:
    unknown = sorted(set(expected) - {check.__name__ for check in _ALL_CHECKS})
    if unknown:
        known = ", ".join(check.__name__ for check in _ALL_CHECKS)
        raise ValueError(f"Unknown checks {unknown} expected to fail for {part_class.__name__}; known: {known}.")


class _BoundCheck:
    """A check applied to a PartCase (or a part instance): ``check(part)``."""

    def __init__(self, check):
        self.check = check
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, part):
        if isinstance(part, Module):
            part = PartCase(type(part), part.get_params())
        return self.check(part.part_class, part.config, observations=part.observations)

    def __repr__(self):
        return self.__name__


def _as_case(entry) -> PartCase:
    if isinstance(entry, PartCase):
        return entry
    if isinstance(entry, Module):
        return PartCase(type(entry), entry.get_params())
    if isinstance(entry, tuple) and len(entry) in (2, 3) and isinstance(entry[0], type):
        return PartCase(*entry)
    raise TypeError(f"Expected (part_class, config), (part_class, config, observations) or a part, got {entry!r}.")


def _case_ids(cases) -> list:
    names = [case.part_class.__name__ for case in cases]
    seen: dict = {}
    ids = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if names.count(name) == 1 else f"{name}#{seen[name]}")
    return ids


def _expected_for(expected, case: PartCase, case_id: str) -> dict:
    if expected is None:
        return {}
    if callable(expected):
        found = dict(expected(case.part_class, case.config) or {})
    else:
        found = {}
        for key in (case.part_class, case.part_class.__name__, case_id):
            found.update(expected.get(key, {}))
    _check_names(found, case.part_class)
    return found


def parametrize_with_checks(parts, expected_failed_checks=None):
    """Pytest decorator: one test per (part, check) pair, with readable ids such as ``LIF-check_clone``.

    Parameters
    ----------
    parts : list
        Entries ``(part_class, config)``, ``(part_class, config, observations)``,
        :class:`PartCase` or part instances. A class listed several times gets
        ids ``Name#1``, ``Name#2``...
    expected_failed_checks : dict or callable, optional
        Checks known to fail, marked ``xfail`` with the reason:
        ``{part class, class name or id: {check name: reason}}``, or
        ``f(part_class, config) -> {check name: reason}``.

    Returns
    -------
    decorator
        ``pytest.mark.parametrize("part, check", ...)``; the test body is ``check(part)``.
    """
    import pytest

    cases = [_as_case(entry) for entry in parts]
    params = []
    for case, case_id in zip(cases, _case_ids(cases)):
        expected = _expected_for(expected_failed_checks, case, case_id)
        for check in checks_for(case.part_class):
            reason = expected.get(check.__name__)
            marks = [pytest.mark.xfail(reason=reason)] if reason else []
            params.append(pytest.param(case, _BoundCheck(check), id=f"{case_id}-{check.__name__}", marks=marks))
    return pytest.mark.parametrize("part, check", params)
