"""Driving a part as its role does in a network, on synthetic inputs, and recording what it does.

Every role has a driver: it builds the part's state, feeds it ``N_STEPS``
steps (or calls) of synthetic data and records outputs, states and the arrays
handed to the part. Row ``r`` of every synthetic array comes from its own
Generator, seeded ``[DATA_SEED, r]``, so a lone network of row ``r`` sees
exactly the data that row ``r`` of a batch sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from spikey.module import Module
from spikey.snn.input.template import Input
from spikey.snn.neuron.template import Neuron
from spikey.snn.readout.template import Readout
from spikey.snn.streams import make_stream
from spikey.snn.reward.template import Reward
from spikey.snn.synapse.template import Synapse
from spikey.snn.weight.template import Weight, bounds
from spikey.testing._contracts import expect_array
from spikey._conformance import Problem, require
from spikey.testing._trees import copy_tree

N_STEPS = 20
"""Steps (or calls) each check drives a part for."""

SEED = 0
DATA_SEED = 20070601
BATCH_SIZES = (1, 3)
PERIOD = 5  # steps between new observations (inputs) and between reward() calls (synapses)
MAX_WEIGHT = 1.0  # bound of the synthetic weights learning rules are driven with
MAX_DRIVE_DOUBLINGS = 24  # neurons are driven with U(-0.5, 1.5) * 2**k, the smallest k that makes them spike

ROLES = (
    ("input", Input), ("neuron", Neuron), ("weight", Weight),
    ("synapse", Synapse), ("readout", Readout), ("reward", Reward),
)
ABSTRACT_METHODS = {
    "input": ("encode",), "neuron": ("step",), "weight": ("initial", "init_state"),
    "synapse": ("step", "timestep"), "readout": ("__call__",), "reward": ("__call__",),
}
STATEFUL = ("input", "neuron", "weight", "synapse")


def role(part_class) -> str | None:
    """The role whose base class ``part_class`` subclasses, or None."""
    for name, base in ROLES:
        if issubclass(part_class, base):
            return name
    return None


def role_keys(part_class) -> tuple:
    """Names of the keys every part of this role declares: the role base's keys, which networks read."""
    name = role(part_class)
    return tuple(key.name for key in dict(ROLES)[name].NECESSARY_KEYS) if name else ()


def is_driven(part_class) -> bool:
    """Whether the part has a role and implements it (abstract bases do not)."""
    name = role(part_class)
    if name is None:
        return False
    base = dict(ROLES)[name]
    methods = ABSTRACT_METHODS[name]
    return not (methods and all(getattr(part_class, m) is getattr(base, m) for m in methods))


def build(part_class, config) -> Module:
    try:
        return part_class(**config)
    except Exception as error:
        raise Problem(
            f"{part_class.__name__}(**config) raised {type(error).__name__}: {error}",
            "pass a configuration the part accepts: the checks start from a valid one.",
        ) from error


def batched_names(part) -> set:
    return {key.name for key in type(part).NECESSARY_KEYS if key.batched}


def batch_sizes(config, part) -> tuple:
    """(1, 3), or the one batch size the configuration fixes."""
    if "batch_size" in config:
        return (int(config["batch_size"]),)
    arrays = [v for k, v in part.params.items() if isinstance(v, np.ndarray) and k in batched_names(part)]
    return (len(arrays[0]),) if arrays else BATCH_SIZES


def row_part(part, row: int) -> Module:
    """The part of network ``row`` alone: per-network arrays of batched keys replaced by their value there."""
    names = batched_names(part)
    rows = {k: v[row].item() for k, v in part.params.items() if k in names and isinstance(v, np.ndarray)}
    return type(part)(**{**part.get_params(), **rows}) if rows else part


@dataclass
class Trace:
    """What one run showed: outputs by kind, states by label, the arrays and states handed to the part."""

    outputs: dict = field(default_factory=dict)
    states: list = field(default_factory=list)
    given: list = field(default_factory=list)

    def give(self, label: str, value):
        """Hand ``value`` (an array or a state) to the part, keeping a copy to see later whether it changed."""
        self.given.append((label, value, copy_tree(value)))
        return value

    def output(self, kind: str, value) -> None:
        self.outputs.setdefault(kind, []).append(copy_tree(value))

    def keep(self, label: str, state) -> None:
        self.states.append((label, copy_tree(state)))


class Feed:
    """Synthetic inputs: row ``r`` of every draw comes from ``default_rng([DATA_SEED, r])``."""

    def __init__(self, rows, scale: float = 1.0):
        self.rngs = [np.random.default_rng([DATA_SEED, row]) for row in rows]
        self.scale = scale  # neurons' charge unit

    def draw(self, make) -> np.ndarray:
        """``make(1, rng)`` for each row's Generator, stacked on the batch axis."""
        drawn = [np.asarray(make(1, rng)) for rng in self.rngs]
        for value in drawn:
            require(value.ndim >= 1 and value.shape[0] == 1,
                    f"the observations drawn for batch_size=1 have shape {value.shape}.",
                    "observations(batch_size, rng) must return an array whose first axis is batch_size.")
        return np.concatenate(drawn)

    def in_time(self, make) -> np.ndarray:
        """``PERIOD`` draws stacked on a leading time axis."""
        return np.stack([self.draw(make) for _ in range(PERIOD)])


def observation_source(observations, part, role_name):
    if callable(observations):
        return observations
    if observations is not None:
        pool = np.asarray(observations)
        return lambda rows, rng: pool[rng.integers(0, len(pool), rows)]
    if role_name == "reward":
        return lambda rows, rng: rng.integers(0, 2, (rows, 2))
    if role_name == "input":
        width = min(2, part.params.n_inputs)
        return lambda rows, rng: rng.integers(0, 3, (rows, width)) / 2
    return None


def _pair(result, what: str):
    require(isinstance(result, tuple) and len(result) == 2,
            f"{what} returned a {type(result).__name__}, not a pair (spikes, state).",
            f"return `spikes, state` from {what}.")
    return result


def _drive_input(part, trace, batch, rng, feed, n_steps, observe):
    state = part.init_state(batch, rng)
    trace.keep("init_state", state)
    trace.output("polarity", part.polarity(batch, rng))
    for t in range(0, n_steps, PERIOD):
        observations = trace.give(f"observations at step {t}", feed.draw(observe))
        state = part.encode(trace.give(f"the state passed to encode at step {t}", state), observations)
        trace.keep(f"the state encode returned at step {t}", state)
        steps = min(PERIOD, n_steps - t)
        what = f"{type(part).__name__}.step(state, rng, {steps})"
        spikes, state = _pair(part.step(trace.give(f"the state passed to step at step {t}", state), rng, steps), what)
        expect_array(spikes, f"the spikes {what} returned", (steps, batch, part.params.n_inputs), "bool")
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
        passed = trace.give(f"the state passed to step at step {t}", state)
        spikes, state = _pair(part.step(passed, incoming, rng), f"{type(part).__name__}.step")
        trace.output("spikes", spikes)
        trace.keep(f"the state step returned at step {t}", state)


def _drive_weight(part, trace, batch, rng, feed, n_steps, observe):
    n_pre = part.params.n_inputs + part.params.n_neurons
    polarity = feed.draw(lambda b, r: np.where(r.random((b, n_pre)) < 0.2, 0.0, 1.0))
    state = part.init_state(batch, rng, trace.give("polarity", polarity))
    trace.keep("init_state", state)
    trace.output("weights", state)


def mixed_polarity(rng, shape) -> np.ndarray:
    """Presynaptic polarities: 70 % excitatory, 20 % inhibitory, 10 % either sign."""
    draw = rng.random(shape)
    return np.where(draw < 0.2, -1.0, np.where(draw < 0.3, 0.0, 1.0))


def synthetic_weights(draw, n_pre: int, n_post: int) -> Weight.State:
    """Weights of magnitude U[0, 1] from mixed-polarity rows, a fifth of the synapses absent.

    ``draw(make)`` returns ``make(batch, rng)`` for the caller's batch (a :meth:`Feed.draw`).
    """
    polarity = draw(lambda b, r: mixed_polarity(r, (b, n_pre)))
    coins = draw(lambda b, r: r.random((b, n_pre)))
    signs = np.where(polarity == 0, np.where(coins < 0.5, -1.0, 1.0), polarity)[:, :, None]
    mask = draw(lambda b, r: r.random((b, n_pre, n_post)) < 0.8)
    values = np.where(mask, draw(lambda b, r: r.uniform(0.0, MAX_WEIGHT, (b, n_pre, n_post))) * signs, 0.0)
    return Weight.State(values, mask, *bounds(polarity, MAX_WEIGHT))


def synthetic_reward(batch, rng) -> np.ndarray:
    """0 half the time, else N(0, 1), for each network."""
    return np.where(rng.random(batch) < 0.5, 0.0, rng.normal(0.0, 1.0, batch))


def _drive_synapse(part, trace, batch, rng, feed, n_steps, observe):
    p = part.params
    n_pre, n_post = p.n_inputs + p.n_neurons, p.n_neurons
    weights = synthetic_weights(feed.draw, n_pre, n_post)
    trace.output("weights", weights)
    in_place = tuple(getattr(part, "IN_PLACE_STATE", ()))
    state = part.init_state(batch, rng)
    trace.keep("init_state", state)
    for t in range(0, n_steps, PERIOD):
        pre = trace.give(f"pre at steps {t}+", feed.in_time(lambda b, r: r.random((b, n_pre)) < 0.3))
        post = trace.give(f"post at steps {t}+", feed.in_time(lambda b, r: r.random((b, n_post)) < 0.3))
        rewards = trace.give(f"rewards at steps {t}+", feed.in_time(synthetic_reward))
        state = part.step(_passed(trace, f"the state passed to step at step {t}", state, in_place), weights,
                          pre, post, rewards)
        trace.keep(f"the state step returned at step {t}", state)
        trace.output("weights", weights)
        last = t + PERIOD - 1
        reward = trace.give(f"reward() after step {last}", feed.draw(synthetic_reward))
        state = part.reward(_passed(trace, f"the state passed to reward() after step {last}", state, in_place),
                            weights, reward)
        trace.keep(f"the state reward() returned after step {last}", state)
        trace.output("weights", weights)


def _passed(trace, label, state, in_place: tuple):
    """Hand ``state`` to the part, watching every field but those it declares it updates in place."""
    watched = state._replace(**dict.fromkeys(in_place)) if in_place else state
    trace.give(label, watched)
    return state


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


DRIVERS = {
    "input": _drive_input, "neuron": _drive_neuron, "weight": _drive_weight,
    "synapse": _drive_synapse, "readout": _drive_readout, "reward": _drive_reward,
}


def drive_scale(part, batch: int) -> float:
    """The smallest ``2**k`` for which charge ``U(-0.5, 1.5) * 2**k`` makes some neuron of the batch spike.

    Raises a Problem if none up to ``2**MAX_DRIVE_DOUBLINGS`` does: such a
    neuron would never spike, nor reset, under the checks.
    """
    for k in range(MAX_DRIVE_DOUBLINGS + 1):
        trace = Trace()
        _drive_neuron(part, trace, batch, np.random.default_rng(SEED), Feed(range(batch), 2.0 ** k), N_STEPS, None)
        if any(np.any(spikes) for spikes in trace.outputs["spikes"]):
            return 2.0 ** k
    raise Problem(f"no neuron spiked in {N_STEPS} steps of charge U(-0.5, 1.5) * s for any s up to "
                  f"2**{MAX_DRIVE_DOUBLINGS}.", "a neuron model must spike when driven hard enough, and reset after.")


def run(part, batch_size: int, *, observations=None, seed=SEED, n_steps: int = N_STEPS, rows=None,
        scale: float | None = None):
    """Drive ``part`` as its role for ``n_steps``; return ``(trace, rng)``.

    ``rows`` (default ``range(batch_size)``) picks the rows of synthetic data,
    so that a lone network can be fed the data of one row of a batch; neurons
    are driven at ``scale`` (default :func:`drive_scale` of the part).
    ``seed`` is an int, or a list of one per network: then each network draws
    from its own stream, as in a network seeded with a list.
    """
    role_name = role(type(part))
    require(role_name in DRIVERS, f"{type(part).__name__} subclasses none of Input, Neuron, Weight, Synapse, "
            "Readout, Reward, so it cannot be driven.", "subclass the base class of the part's role.")
    if role_name == "neuron" and scale is None:
        scale = drive_scale(part, batch_size)
    rng = make_stream(np.asarray(seed) if np.ndim(seed) else seed)
    trace = Trace()
    observe = observation_source(observations, part, role_name)
    feed = Feed(range(batch_size) if rows is None else rows, 1.0 if scale is None else scale)
    DRIVERS[role_name](part, trace, batch_size, rng, feed, n_steps, observe)
    return trace, rng


def rng_moved(rng) -> bool:
    return rng.bit_generator.state != np.random.default_rng(SEED).bit_generator.state
