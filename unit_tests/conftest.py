"""Small network templates shared by the tests."""
import numpy as np
import pytest

from spikey.snn import ActiveRLNetwork, Network, RLNetwork
from spikey.snn.input import RateMap, StaticMap
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import MSTDPET
from spikey.snn.weight import Random


def xor(states):
    return np.logical_xor(states[..., 0], states[..., 1])


KEYS = {
    "n_inputs": 8, "n_neurons": 7, "n_outputs": 1, "processing_time": 25, "magnitude": 1.0,
    "input_rate": 0.3, "firing_threshold": 1.0, "potential_decay": 0.2, "refractory_period": 1,
    "neuron_pct_inhibitory": 0.3, "prob_rand_fire": 0.02, "max_weight": 2.0, "prob_connection": 0.8,
    "weight_scale": 1.5, "layer_sizes": (6, 1), "tau_z": 25.0, "learning_rate": 0.1, "action_threshold": 0.05,
    "expected_value": xor, "punish_mult": 1.0,
}
PARTS = {"inputs": RateMap, "neurons": LIF, "weights": Random, "synapses": MSTDPET, "readout": Threshold,
         "rewarder": MatchExpected}


class SmallNetwork(Network):
    parts = {role: part for role, part in PARTS.items() if role != "rewarder"}
    keys = {name: value for name, value in KEYS.items() if name not in ("expected_value", "punish_mult")}


class SmallRL(RLNetwork):
    parts = PARTS
    keys = KEYS


class SmallActive(ActiveRLNetwork):
    parts = PARTS
    keys = KEYS


@pytest.fixture(params=["numpy", "numba"])
def each_backend(request, monkeypatch):
    """Run a test once per backend: the default of Network's ``backend`` key set to ``numpy``, then to ``auto``.

    ``auto`` runs every network whose parts have compiled twins on the compiled
    tick (and the others on numpy, as a user gets them); the test id says
    ``numba``. Keys given by the test win over the default, as always.
    """
    import dataclasses

    from spikey.keys import BACKEND

    default = "numpy" if request.param == "numpy" else "auto"
    keys = tuple(dataclasses.replace(key, default=default) if key is BACKEND else key
                 for key in Network.NECESSARY_KEYS)
    monkeypatch.setattr(Network, "NECESSARY_KEYS", keys)
    return request.param


@pytest.fixture
def deterministic_keys():
    """No random draws after construction: static inputs, no random firing."""
    return {"prob_rand_fire": 0.0}


@pytest.fixture
def static_parts():
    return {"inputs": StaticMap}


RAY_SESSION = {"num_cpus": 2, "include_dashboard": False, "log_to_driver": False}


def _ray_environment():
    """Settings read when Ray starts: no usage stats, no token in the home folder, the classic Tune output."""
    import os

    for name, value in {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled", "RAY_AIR_NEW_OUTPUT": "0",
                        "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": "0.1"}.items():
        os.environ.setdefault(name, value)


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory):
    """One local Ray with 2 CPUs for the whole test session, shut down at its end."""
    import os

    _ray_environment()
    import ray

    ray.init(**RAY_SESSION)
    yield ray
    started = _descendants(os.getpid())  # Ray's processes, started by this session
    ray.shutdown()
    _end(started)


@pytest.fixture(scope="module")
def ray_cluster():
    """A simulated Ray cluster on this machine (``ray.cluster_utils.Cluster``: a head with 1 CPU), for one module.

    The session's Ray, if it runs, is shut down first and started again
    after, so tests before and after keep theirs; tests join the cluster with
    ``address=cluster.address`` and add or remove worker nodes. Processes the
    cluster started that outlive its shutdown by 5 s are ended by id.
    """
    import os

    _ray_environment()
    import ray
    from ray.cluster_utils import Cluster

    session = ray.is_initialized()
    if session:
        ray.shutdown()
    before = _descendants(os.getpid())
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    yield cluster
    ray.shutdown()
    cluster.shutdown()
    _end(_descendants(os.getpid()) - before)
    if session:
        ray.init(**RAY_SESSION)


def _descendants(pid: int) -> set:
    """Ids of the processes below ``pid``, read from /proc (empty where there is none)."""
    import pathlib

    parents = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.update(children)
        todo += children
    return found


def _end(pids: set, wait: float = 5.0):
    """Give the processes ``wait`` seconds to exit after ray.shutdown(), then kill those left (a loaded machine can
    leave a Ray actor behind)."""
    import os
    import signal
    import time

    deadline = time.monotonic() + wait
    while pids and time.monotonic() < deadline:
        pids = {pid for pid in pids if os.path.exists(f"/proc/{pid}")}
        time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
