"""Saving a network (npz + json) and loading it again without pickle: it continues bit-identically."""
import json

import numpy as np
import pytest
from conftest import SmallActive, SmallRL

from spikey.experiments import FlorianTemporalXOR
from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.snn.modifier import LinearDecay

PATTERNS = np.array([[0, 1], [1, 1], [1, 0]])


def play(net, patterns):
    logs = []
    for pattern in patterns:
        net.reward(pattern, net.tick(pattern))
        logs.append(net.spike_log.copy())
    return np.array(logs), net.weights.copy()


def test_a_loaded_network_continues_bit_identically(tmp_path):
    decay = LinearDecay(key="learning_rate", t_stop=4, value_start=0.1, value_stop=0.0)
    net = SmallRL(keys={"seed": 3, "batch_size": 2}, parts={"modifiers": [decay]})
    net.reset()
    net.set_episode(2)
    play(net, [np.stack([p, p[::-1]]) for p in PATTERNS])
    net.save(tmp_path / "net")
    loaded = Network.load(tmp_path / "net")
    assert type(loaded) is SmallRL and loaded.parts["synapses"].params.learning_rate == pytest.approx(0.05)
    batches = [np.stack([p, p[::-1]]) for p in PATTERNS[::-1]]
    for a, b in zip(play(net, batches), play(loaded, batches)):
        np.testing.assert_array_equal(a, b)
    config = json.loads((tmp_path / "net" / "config.json").read_text())
    assert config["template"] == "conftest:SmallRL" and config["keys"]["expected_value"] == {"function": "conftest:xor"}


def test_frozen_trains_and_arrays_survive_saving(tmp_path):
    net = FlorianTemporalXOR(keys={"seed": 1})
    net.reset()
    loaded = Network.load(net.save(tmp_path / "temporal"))
    np.testing.assert_array_equal(loaded.state["inputs"].trains, net.state["inputs"].trains)
    np.testing.assert_array_equal(loaded.parts["inputs"].params.input_polarity, [0.0, 0.0])


def test_a_lambda_key_is_refused_with_what_to_do(tmp_path):
    net = SmallActive(keys={"seed": 0, "expected_value": lambda states: states[:, 0] > 0})
    with pytest.raises(InvalidParameterError, match="Key 'expected_value' of SmallActive is <function .*lambda.*define it "
                                                    "at the top level of a module"):
        net.save(tmp_path / "x")


def test_a_local_template_is_refused(tmp_path):
    class Local(SmallRL):
        pass

    with pytest.raises(InvalidParameterError, match="The template of Local .* cannot be saved by import path"):
        Local(keys={"seed": 0}).save(tmp_path / "x")


def test_bad_folders_are_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="holds no saved network: expected config.json and state.npz"):
        Network.load(tmp_path)
    net = SmallRL(keys={"seed": 0})
    net.reset()
    folder = net.save(tmp_path / "net")
    with pytest.raises(ValueError, match="holds a SmallRL, not a SmallActive"):
        SmallActive.load(folder)
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        Network.load(folder)
    other = SmallRL(keys={"seed": 0, "batch_size": 2})
    other.reset()
    other.save(tmp_path / "other")
    (folder / "config.json").write_text((tmp_path / "other" / "config.json").read_text())
    with pytest.raises(ValueError, match="state.npz does not hold the state of this network"):
        Network.load(folder)
    np.savez(folder / "state.npz", weights=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="state.npz does not hold the state"):
        Network.load(folder)


def test_a_network_saved_before_its_first_reset_loads(tmp_path):
    net = SmallRL(keys={"seed": 4})
    loaded = Network.load(net.save(tmp_path / "fresh"))
    np.testing.assert_array_equal(loaded.weights, net.weights)
    net.reset()
    loaded.reset()
    for a, b in zip(play(net, PATTERNS), play(loaded, PATTERNS)):
        np.testing.assert_array_equal(a, b)


def edit_config(folder, change):
    config = json.loads((folder / "config.json").read_text())
    change(config)
    (folder / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("corrupt, message", [
    (lambda f: (f / "state.npz").write_bytes((f / "state.npz").read_bytes()[:300]), "state.npz is not an npz archive"),
    (lambda f: (f / "state.npz").write_bytes(b"not a zip"), "state.npz is not an npz archive"),
    (lambda f: (f / "config.json").write_bytes(b"\xff\xfe"), "config.json is not valid JSON"),
    (lambda f: edit_config(f, lambda c: c.pop("parts")), "config.json does not describe a network .* KeyError: 'parts'"),
    (lambda f: edit_config(f, lambda c: c.update(template="os:getcwd")), "'os:getcwd' is not a Network subclass"),
    (lambda f: edit_config(f, lambda c: c["parts"].update(neurons="os:system")), "'os:system' is not a Module subclass"),
    (lambda f: edit_config(f, lambda c: c.update(template="absent_module:Net")), "No module named 'absent_module'"),
    (lambda f: edit_config(f, lambda c: c["keys"].update(seed="x")), "The 'seed' parameter of SmallRL must be"),
])
def test_a_corrupt_or_foreign_save_is_refused_naming_the_file(tmp_path, corrupt, message):
    net = SmallRL(keys={"seed": 0})
    net.reset()
    corrupt(net.save(tmp_path / "net"))
    with pytest.raises(ValueError, match=f"{tmp_path / 'net'}/.*{message}"):
        Network.load(tmp_path / "net")


def test_a_scheduled_network_holds_its_schedule_from_construction_and_through_loading(tmp_path):
    decay = LinearDecay(key="learning_rate", t_stop=10, value_start=1.0, value_stop=0.0)
    net = SmallRL(keys={"seed": 2}, parts={"modifiers": [decay]})
    assert net.parts["synapses"].params.learning_rate == 1.0  # episode 0, before any set_episode
    net.reset()
    loaded = Network.load(net.save(tmp_path / "scheduled"))
    assert loaded.parts["synapses"].params.learning_rate == 1.0
    for a, b in zip(play(net, PATTERNS), play(loaded, PATTERNS)):
        np.testing.assert_array_equal(a, b)


def test_a_template_defined_in_a_script_is_refused(tmp_path):
    script_class = type("Script", (SmallRL,), {"__module__": "__main__"})
    with pytest.raises(InvalidParameterError, match="anything defined in a script or notebook run as __main__"):
        script_class(keys={"seed": 0}).save(tmp_path / "x")
