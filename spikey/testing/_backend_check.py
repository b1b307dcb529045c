"""Checks in a small network built around a part: its float32 state, and the compiled twin against numpy."""
from __future__ import annotations

import numpy as np

from spikey._conformance import check, require
from spikey.snn.compiled import COMPILED_TWINS, numba_installed
from spikey.snn.input import RateMap
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.reward import MatchExpected
from spikey.snn.rl_network import ActiveRLNetwork, RLNetwork
from spikey.snn.network import Network
from spikey.snn.synapse import MSTDPET
from spikey.snn.weight import Random
from spikey.testing._drive import DATA_SEED, SEED, role

__all__ = ["check_backends_agree", "check_float32_state", "has_compiled_twin", "FLOAT32_BACKENDS_TOLERANCE"]

N_TICKS = 4
FLOAT32_BACKENDS_TOLERANCE = 1e-5
"""Largest weight difference (mV) between the backends' float32 runs of ``N_TICKS`` ticks (float64: 1e-12)."""
FLOAT_STATE_ROLES = ("neurons", "weights", "synapses")
"""The roles whose float state arrays have the network's ``dtype``."""
AROUND = {"inputs": RateMap, "neurons": LIF, "weights": Random, "synapses": MSTDPET, "readout": Threshold,
          "rewarder": MatchExpected}
"""The parts a network built around the checked part takes for its other roles."""

AROUND_KEYS = {
    "n_inputs": 4, "n_neurons": 5, "n_outputs": 1, "processing_time": 25, "magnitude": 1.0, "input_rate": 0.5,
    "firing_threshold": 0.5, "potential_decay": 0.1, "max_weight": 1.0, "prob_connection": 0.8,
    "weight_scale": 0.5, "learning_rate": 0.05, "action_threshold": 0.05, "n_actions": 1,
}
ROLE_OF = {"input": "inputs", "neuron": "neurons", "weight": "weights", "synapse": "synapses", "readout": "readout",
           "reward": "rewarder"}


def answer_one(states):
    """Expected action 1 for every state (module level, so networks using it can be saved)."""
    return np.ones(len(states), dtype=np.int64)


def has_compiled_twin(part_class) -> bool:
    """Whether the compiled tick runs ``part_class`` (listed in :data:`spikey.snn.compiled.COMPILED_TWINS`)."""
    return part_class in COMPILED_TWINS.get(ROLE_OF.get(role(part_class)), ())


def _networks(part_class) -> list:
    """Network classes to run the part in: rewarded after the tick and at output spikes, or plain for readouts."""
    if role(part_class) == "readout":
        return [Network]
    return [RLNetwork, ActiveRLNetwork]


def _batch_size(part_class, config) -> int:
    """The batch size per-network arrays in ``config`` ask for, else 2."""
    for key in part_class.NECESSARY_KEYS:
        if key.batched and np.ndim(config.get(key.name)) == 1:
            return len(config[key.name])
    return config.get("batch_size", 2)


def _observations(observations):
    """``draw(batch_size, rng)``: the given callable, rows drawn from the given rows, or bit pairs."""
    if callable(observations):
        return observations
    if observations is None:
        return lambda batch_size, rng: rng.integers(0, 2, (batch_size, 2))
    rows = np.asarray(observations)
    return lambda batch_size, rng: rows[rng.integers(0, len(rows), batch_size)]


def _keys_around(part_class, config, network, parts) -> dict:
    """The keys of ``network`` with ``parts``: :data:`AROUND_KEYS` updated by ``config``, those it declares."""
    declared = {row["name"] for row in network.list_keys(**parts)}
    return {name: value for name, value in {**AROUND_KEYS, "expected_value": answer_one, **config, "seed": SEED,
                                            "batch_size": _batch_size(part_class, config)}.items() if name in declared}


def _parts_around(part_class, network) -> dict:
    """:data:`AROUND` with ``part_class`` in its role (without a rewarder in a plain network)."""
    parts = {**AROUND, ROLE_OF[role(part_class)]: part_class}
    if network is Network:
        del parts["rewarder"]
    return parts


def _float_state(net) -> dict:
    """The float arrays of the neurons', weights' and synapses' state, by name."""
    return {f"{role}.{field}": array for role in FLOAT_STATE_ROLES for field, array in net.state[role]._asdict().items()
            if array.dtype.kind == "f"}


def _run(cls, parts, keys, observations, backend, dtype="float64"):
    """Spike logs and the state after ``N_TICKS`` ticks (rewarded by the rewarder after each, if any)."""
    net = cls(parts=parts, keys={**keys, "backend": backend, "dtype": dtype})
    net.reset()
    rng, logs = np.random.default_rng(DATA_SEED), []
    for _ in range(N_TICKS):
        state = observations(net.params.batch_size, rng)
        action = net.tick(state)
        if "rewarder" in net.parts:
            net.reward(state, action)
        logs.append(net.spike_log.copy())
    return net, np.array(logs)


@check
def check_float32_state(part_class, config, *, observations=None):
    """In a small network around the part with ``dtype="float32"``, its state stays float32 through ``N_TICKS`` ticks.

    The network (numpy backend) casts the state a part builds; the part's
    ``step`` (and a rule's ``reward``) must keep the float type it is given:
    a float64 key array or a float64 draw meeting the state makes it float64.
    """
    for network in _networks(part_class):
        parts = _parts_around(part_class, network)
        net, _ = _run(network, parts, _keys_around(part_class, config, network, parts),
                      _observations(observations), "numpy", "float32")
        other = {name: str(array.dtype) for name, array in _float_state(net).items() if array.dtype != np.float32}
        require(not other, f"in a float32 {network.__name__}, after {N_TICKS} ticks the state holds {other}.",
                "keep the state's float type: cast per-network key arrays and random draws to it "
                "(spikey.module.state_typed), make increments in it (np.multiply(spikes, a, dtype=trace.dtype)).")


@check
def check_backends_agree(part_class, config, *, observations=None):
    """In a small network around the part, the compiled tick gives the spikes and weights of numpy.

    The network's other roles take :data:`AROUND` parts; it plays ``N_TICKS``
    ticks on each backend from the same seed, rewarded after each tick and
    (another network) at every output spike, or, for a readout, unrewarded:
    with ``dtype="float64"`` weights equal to 1e-12, with ``"float32"`` to
    :data:`FLOAT32_BACKENDS_TOLERANCE`, spikes identical in both.
    """
    require(numba_installed(), "numba is not installed, so the compiled twin cannot run.",
            "python -m pip install numba")
    draw = _observations(observations)
    for network in _networks(part_class):
        parts = _parts_around(part_class, network)
        keys = _keys_around(part_class, config, network, parts)
        for dtype, tolerance in (("float64", 1e-12), ("float32", FLOAT32_BACKENDS_TOLERANCE)):
            reference, numpy_logs = _run(network, parts, keys, draw, "numpy", dtype)
            compiled, numba_logs = _run(network, parts, keys, draw, "numba", dtype)
            _require_same(network.__name__, dtype, tolerance, (reference, numpy_logs), (compiled, numba_logs))


def _require_same(name: str, dtype: str, tolerance: float, numpy_run, numba_run):
    """The two runs' spikes are identical and their weights within ``tolerance``."""
    (reference, numpy_logs), (compiled, numba_logs) = numpy_run, numba_run
    require(compiled.backend == "numba", f"{name} around it ran on {compiled.backend}.",
            "list the part in spikey.snn.compiled.COMPILED_TWINS only if the compiled tick runs it.")
    require(np.array_equal(numpy_logs, numba_logs),
            f"in {name}, the compiled tick's spikes differ from numpy's ({dtype}) at tick "
            f"{int(np.argmax((numpy_logs != numba_logs).reshape(N_TICKS, -1).any(axis=1)))}.",
            "the compiled twin must mirror the part's numpy step (same order of random draws and updates).")
    difference = float(np.max(np.abs(compiled.weights.astype(np.float64) - reference.weights), initial=0.0))
    require(difference <= tolerance, f"in {name}, the weights differ from numpy's ({dtype}) by {difference:.3g}.",
            "the compiled twin must compute the same update as the part's numpy step, in the state's float type.")
