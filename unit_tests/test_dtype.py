"""The dtype key: float64 by default, float32 state on both backends, refused when mixed, saved exactly."""
import json

import numpy as np
import pytest
from conftest import KEYS, PARTS, SmallRL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikey.experiments import FlorianXOR
from spikey.keys import FLOAT32_TOLERANCE
from spikey.module import InvalidParameterError
from spikey.snn import ActiveRLNetwork, Network
from spikey.snn.neuron import LIF, CorticalIzhikevich, Izhikevich
from spikey.snn.synapse import MSTDP, MSTDPET, STDP, DopamineSTDP
from spikey.testing import check_float32_state
from spikey.testing._backend_check import FLOAT32_BACKENDS_TOLERANCE

NEURONS = {LIF: {}, Izhikevich: {"magnitude": 10.0}, CorticalIzhikevich: {"magnitude": 10.0, "thalamic_input": 13.0}}
RULES = [STDP, MSTDP, MSTDPET, DopamineSTDP]
PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def float_state(net) -> dict:
    """The float arrays of the neurons', weights' and synapses' state, by name."""
    return {name: array for name, array in net.get_state().items()
            if name.split(".")[0] in ("neurons", "weights", "synapses") and array.dtype.kind == "f"}


def small(dtype: str, **keys) -> SmallRL:
    net = SmallRL(keys={"seed": 0, "dtype": dtype, **keys})
    net.reset()
    return net


def play(net, ticks: int):
    """Rewarded ticks of the XOR patterns (pattern ``tick + b`` for network b); returns the spike logs."""
    logs = []
    for tick in range(ticks):
        state = PATTERNS[(tick + np.arange(net.params.batch_size)) % 4]
        state = state[0] if net.params.batch_size == 1 else state
        net.reward(state, net.tick(state))
        logs.append(net.spike_log.copy())
    return np.array(logs)


def test_float64_is_the_default_and_the_key_is_validated_and_fixed():
    rows = {row["name"]: row for row in FlorianXOR.list_keys()}
    assert rows["dtype"]["default"] == "float64" and rows["dtype"]["declared_by"] == "FlorianXOR"
    net = FlorianXOR(keys={"seed": 0})
    net.reset()
    assert net.dtype == np.float64 and {array.dtype for array in float_state(net).values()} == {np.dtype(np.float64)}
    with pytest.raises(InvalidParameterError, match=r"The 'dtype' parameter of FlorianXOR must be one of "
                                                    r"\{'float64', 'float32'\}\. Got 'float16' instead\."):
        FlorianXOR(keys={"dtype": "float16"})
    with pytest.raises(InvalidParameterError, match="Key 'dtype' of FlorianXOR is fixed at construction"):
        net.set_key("dtype", "float32")


def test_a_float32_state_takes_half_the_bytes_of_a_float64_one():
    sizes = {dtype: {name: array.nbytes for name, array in float_state(small(dtype)).items()}
             for dtype in ("float64", "float32")}
    assert sizes["float64"].keys() == sizes["float32"].keys()
    assert all(2 * sizes["float32"][name] == sizes["float64"][name] for name in sizes["float64"])


@st.composite
def configurations(draw):
    """A rewarded network with a drawn neuron model and rule, its sizes, batch and tick length."""
    neuron, rule = draw(st.sampled_from(list(NEURONS))), draw(st.sampled_from(RULES))
    keys = {**KEYS, **NEURONS[neuron], "seed": draw(st.integers(0, 2**16)), "batch_size": draw(st.integers(1, 3)),
            "n_inputs": draw(st.integers(2, 8)), "n_neurons": draw(st.integers(2, 8)), "layer_sizes": None,
            "processing_time": draw(st.integers(1, 30)), "tau_z": draw(st.sampled_from([25.0, 0.5]))}
    template = type("Drawn", (ActiveRLNetwork,), {"parts": {**PARTS, "neurons": neuron, "synapses": rule}})
    names = {row["name"] for row in template.list_keys()}
    return template, {name: value for name, value in keys.items() if name in names}


def run(template, keys, backend: str, dtype: str):
    net = template(keys={**keys, "backend": backend, "dtype": dtype})
    net.reset()
    return net, play(net, 2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_float32_runs_agree_across_backends_stay_float32_and_follow_float64(configuration):
    """Two ticks of up to 30 steps: the backends agree in float32, and float32 follows float64.

    float32 against float64 compares spikes for LIF and Izhikevich neurons,
    and weights (to ``FLOAT32_TOLERANCE * max_weight``) whenever the spikes
    are the same: CorticalIzhikevich's random thalamic drive makes it chaotic,
    and its float32 spikes flipped within 30 steps in 2 of 400 drawn runs.
    """
    template, keys = configuration
    numpy32, numpy_logs = run(template, keys, "numpy", "float32")
    numba32, numba_logs = run(template, keys, "numba", "float32")
    assert numba32.backend == "numba"
    np.testing.assert_array_equal(numba_logs, numpy_logs)
    np.testing.assert_allclose(numba32.weights, numpy32.weights, rtol=0, atol=FLOAT32_BACKENDS_TOLERANCE)
    for net in (numpy32, numba32):
        assert {name: array.dtype.name for name, array in float_state(net).items()} == \
            {name: "float32" for name in float_state(net)}
    numpy64, float64_logs = run(template, keys, "numpy", "float64")
    if template.parts["neurons"] is not CorticalIzhikevich:
        np.testing.assert_array_equal(numpy_logs, float64_logs)
    if np.array_equal(numpy_logs, float64_logs):
        np.testing.assert_allclose(numpy32.weights, numpy64.weights, rtol=0,
                                   atol=FLOAT32_TOLERANCE * keys["max_weight"])


def test_every_float32_network_runs_one_compiled_signature():
    """LIF and Izhikevich neurons with every rule: runtime flags, one float32 specialization of the kernel."""
    from spikey.snn import _tick_kernel

    for neuron in NEURONS:
        for rule in RULES:
            template = type("Each", (ActiveRLNetwork,), {"parts": {**PARTS, "neurons": neuron, "synapses": rule}})
            names = {row["name"] for row in template.list_keys()}
            keys = {name: value for name, value in {**KEYS, **NEURONS[neuron]}.items() if name in names}
            net = template(keys={**keys, "seed": 0, "dtype": "float32", "backend": "numba"})
            net.reset()
            play(net, 1)
    potentials = [str(signature[1]) for signature in _tick_kernel.run_tick.signatures]
    assert potentials.count("array(float32, 2d, C)") == 1


def test_the_float32_check_bites_a_neuron_that_upcasts():
    class Upcasting(LIF):
        def step(self, state, incoming, rng):
            spikes, state = super().step(state, incoming, rng)
            return spikes, state._replace(potential=state.potential.astype(np.float64))

    config = {"n_neurons": 5, "magnitude": 1.0, "firing_threshold": 0.5, "potential_decay": 0.1}
    check_float32_state(LIF, config)
    with pytest.raises(AssertionError, match=r"check_float32_state failed for Upcasting: in a float32 RLNetwork, "
                                             r"after 4 ticks the state holds \{'neurons.potential': 'float64'\}"):
        check_float32_state(Upcasting, config)


@pytest.mark.parametrize("dtype, other", [("float32", np.float64), ("float64", np.float32)])
def test_set_state_refuses_a_float_array_of_the_other_type_and_changes_nothing(dtype, other):
    net = small(dtype)
    play(net, 1)
    before = net.get_state()
    given = {**before, "weights.values": before["weights.values"].astype(other)}
    message = (rf"SmallRL.set_state: 'weights.values' must have shape \(1, 15, 7\) and dtype {dtype}; got "
               rf"\(1, 15, 7\) {np.dtype(other).name} \(the network's 'dtype' key is '{dtype}'; nothing is converted\)")
    with pytest.raises(InvalidParameterError, match=message):
        net.set_state(given)
    after = net.get_state()
    assert all(np.array_equal(after[name], before[name]) and after[name].dtype == before[name].dtype
               for name in before)


def test_set_copies_state_refuses_a_float_array_of_the_other_type_and_changes_nothing():
    net = small("float32", batch_size=3)
    play(net, 1)
    before, copies = net.get_state(), np.array([True, False, True])
    arrays = net.copies_state(copies)
    arrays["neurons.potential"] = arrays["neurons.potential"].astype(np.float64)
    with pytest.raises(InvalidParameterError, match=r"SmallRL.set_copies_state: 'neurons.potential' must have shape "
                                                    r"\(2, 7\) and dtype float32; got \(2, 7\) float64 \(the network's "
                                                    r"'dtype' key is 'float32'"):
        net.set_copies_state(copies, arrays)
    assert all(np.array_equal(net.get_state()[name], before[name]) for name in before)


def test_a_float32_network_saves_and_loads_exactly_and_continues_identically(tmp_path):
    net = small("float32")
    play(net, 2)
    folder = net.save(tmp_path / "net")
    loaded = SmallRL.load(folder)
    assert loaded.dtype == np.float32
    saved, restored = net.get_state(), loaded.get_state()
    assert all(restored[name].dtype == saved[name].dtype and np.array_equal(restored[name], saved[name])
               for name in saved)
    np.testing.assert_array_equal(play(loaded, 2), play(net, 2))
    assert all(np.array_equal(loaded.get_state()[name], net.get_state()[name]) for name in saved)


def test_load_refuses_a_saved_float64_state_for_a_float32_network(tmp_path):
    folder = small("float64").save(tmp_path / "net")
    config = json.loads((folder / "config.json").read_text())
    config["keys"]["dtype"] = "float32"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"state.npz does not hold the state of this network: SmallRL.set_state: "
                                         r"'weights.values' must have shape .* and dtype float32; got .* float64 \(the "
                                         r"network's 'dtype' key is 'float32'; nothing is converted\)"):
        Network.load(folder)
