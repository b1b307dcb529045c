"""The backend check: a part with a compiled twin gives the same network run on both backends."""
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

__all__ = ["check_backends_agree", "has_compiled_twin"]

N_TICKS = 4
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


def _run(cls, parts, keys, observations, backend):
    """Spike logs and the state after ``N_TICKS`` ticks (rewarded by the rewarder after each, if any)."""
    net = cls(parts=parts, keys={**keys, "backend": backend})
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
def check_backends_agree(part_class, config, *, observations=None):
    """In a small network around the part, the compiled tick gives the spikes and weights (to 1e-12) of numpy.

    The network's other roles take :data:`AROUND` parts; it plays ``N_TICKS``
    ticks on each backend from the same seed, rewarded after each tick and
    (another network) at every output spike, or, for a readout, unrewarded.
    """
    require(numba_installed(), "numba is not installed, so the compiled twin cannot run.",
            "python -m pip install numba")
    batch = _batch_size(part_class, config)
    draw = _observations(observations)
    for network in _networks(part_class):
        parts = {**AROUND, ROLE_OF[role(part_class)]: part_class}
        if network is Network:
            del parts["rewarder"]
        declared = {row["name"] for row in network.list_keys(**parts)}
        keys = {name: value for name, value in {**AROUND_KEYS, "expected_value": answer_one, **config,
                                                "seed": SEED, "batch_size": batch}.items() if name in declared}
        reference, numpy_logs = _run(network, parts, keys, draw, "numpy")
        compiled, numba_logs = _run(network, parts, keys, draw, "numba")
        require(compiled.backend == "numba", f"{network.__name__} around it ran on {compiled.backend}.",
                "list the part in spikey.snn.compiled.COMPILED_TWINS only if the compiled tick runs it.")
        require(np.array_equal(numpy_logs, numba_logs),
                f"in {network.__name__}, the compiled tick's spikes differ from numpy's at tick "
                f"{int(np.argmax((numpy_logs != numba_logs).reshape(N_TICKS, -1).any(axis=1)))}.",
                "the compiled twin must mirror the part's numpy step (same order of random draws and updates).")
        difference = float(np.max(np.abs(compiled.weights - reference.weights), initial=0.0))
        require(difference <= 1e-12, f"in {network.__name__}, the weights differ from numpy's by {difference:.3g}.",
                "the compiled twin must compute the same update as the part's numpy step.")
