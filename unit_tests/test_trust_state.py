"""set_state checks every entry against its invariant, names the entry, and leaves a refused network unchanged."""
import json

import numpy as np
import pytest
from conftest import SmallRL

from spikey.experiments import FlorianTemporalXOR, FlorianXOR
from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.snn.input import SymbolTrains
from spikey.snn.synapse import DopamineSTDP


def played(template, batch_size=1):
    net = template(keys={"seed": 1, "batch_size": batch_size})
    net.reset()
    net.tick([1, 0] if batch_size == 1 else [[1, 0]] * batch_size)
    return net


def changed(state, name, edit):
    state = {key: value.copy() for key, value in state.items()}
    state[name] = edit(state[name])
    return state


def at(index, value):
    def edit(array):
        array[index] = value
        return array
    return edit


BAD = [  # (entry, edit, what the error says)
    ("weights.values", at((0, 0, 0), np.nan), "'weights.values' must be finite; it holds nan"),
    ("weights.values", at((0, 0, 0), 6.0), r"values\[0, 0, 0\] = 6.0 lies outside its row's bounds \[-5.0, 0.0\]|"
                                           r"values\[0, 0, 0\] = 6.0 lies outside its row's bounds \[0.0, 5.0\]"),
    ("weights.high", at((0, 0), 50.0), "row bounds must satisfy -max_weight <= low <= 0 <= high <= max_weight"),
    ("weights.low", at((0, 0), 1.0), "row bounds must satisfy"),
    ("weights.values", lambda a: a.astype(np.float32), "'weights.values' must have shape .* and dtype float64; got "
                                                        r"\(1, 121, 61\) float32"),
    ("neurons.potential", at((0, 0), np.inf), "'neurons.potential' must be finite"),
    ("synapses.z_scale", at(0, 0.0), "'synapses': z_scale must be > 0"),
    ("synapses.z_scale", at(0, -1.0), "z_scale must be > 0; got -1.0"),
    ("episode", lambda a: np.array(-3), "'episode' must be an int >= 0"),
    ("rng", lambda a: np.array("{not json"), "'rng' is not a PCG64 state"),
    ("rng", lambda a: np.array(json.dumps({"bit_generator": "MT19937"})), "'rng' is not a PCG64 state"),
    ("next_arrivals", lambda a: a.astype(np.int64), "'next_arrivals' must have shape .* and dtype bool"),
]


@pytest.mark.parametrize("name, edit, message", BAD)
def test_a_bad_entry_is_refused_by_name_and_nothing_changes(name, edit, message):
    net = played(FlorianXOR)
    good = net.get_state()
    bad = changed(good, name, edit)
    net.tick([0, 1])  # move on, so a restore would show
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=f"FlorianXOR.set_state: .*{message}"):
        net.set_state(bad)
    for key, array in net.get_state().items():
        np.testing.assert_array_equal(array, before[key], err_msg=key)
    net.set_state(good)  # a good state still loads
    np.testing.assert_array_equal(net.weights, good["weights.values"])


def test_weights_on_absent_synapses_are_refused():
    net = SmallRL(keys={"seed": 0})
    net.reset()
    state = net.get_state()
    b, i, j = np.argwhere(~state["weights.mask"])[0]
    within = state["weights.high"][b, i] or state["weights.low"][b, i]  # a nonzero value inside the row's bounds
    with pytest.raises(InvalidParameterError, match="values must be 0 where the mask has no synapse"):
        net.set_state(changed(state, "weights.values", at((b, i, j), within)))


def test_a_state_before_the_first_reset_is_refused_without_resetting_the_network():
    fresh, played_net = FlorianXOR(keys={"seed": 1}), played(FlorianXOR)
    bad = changed(played_net.get_state(), "neurons.potential", at((0, 0), np.nan))
    with pytest.raises(InvalidParameterError, match="'neurons.potential' must be finite"):
        fresh.set_state(bad)
    assert "neurons" not in fresh.state
    with pytest.raises(RuntimeError, match="reset"):
        fresh.tick([1, 0])
    fresh.set_state(played_net.get_state())
    np.testing.assert_array_equal(fresh.tick([0, 1]), played_net.tick([0, 1]))


def test_symbols_out_of_range_are_refused():
    net = played(FlorianTemporalXOR)
    bad = changed(net.get_state(), "inputs.symbols", at((0, 0), 5))
    with pytest.raises(InvalidParameterError, match=r"'inputs': symbols must lie in \[0, 2\)"):
        net.set_state(bad)
    assert SymbolTrains(n_inputs=2, magnitude=1.0).state_problem(
        net.state["inputs"]._replace(time=np.array([-1]))) is not None


def test_dopamine_scale_must_be_positive():
    rule = DopamineSTDP(n_inputs=2, n_neurons=2, learning_rate=0.1)
    state = rule.init_state(1, np.random.default_rng(0))
    assert rule.state_problem(state) is None
    assert rule.state_problem(state._replace(c_scale=np.zeros(1))) == "c_scale must be > 0; got 0.0"


def test_a_saved_state_round_trips(tmp_path):
    net = played(FlorianXOR, batch_size=3)
    loaded = Network.load(net.save(tmp_path / "net"))
    for key, array in net.get_state().items():
        np.testing.assert_array_equal(loaded.get_state()[key], array, err_msg=key)


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_a_value_too_large_for_float64_stops_the_run_at_the_tick_it_shows():
    net = FlorianXOR(keys={"seed": 0, "a_plus": 1e250, "backend": "numpy"})  # valid, but the traces overflow
    net.reset()  # the compiled tick's message: test_compiled.py
    with pytest.raises(FloatingPointError, match=r"FlorianXOR: the neurons' potential became nan in this tick "
                                                 r"\(at \(0, \d+\)\): some key's value is too large"):
        for _ in range(50):
            net.reward([1, 0], net.tick([1, 0]))


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_a_state_load_would_refuse_is_not_saved(tmp_path):
    net = FlorianXOR(keys={"seed": 0, "a_plus": 1e250})
    net.reset()
    with pytest.raises(FloatingPointError):
        for _ in range(50):
            net.reward([1, 0], net.tick([1, 0]))
    with pytest.raises(InvalidParameterError, match="FlorianXOR.save: .* must be finite; .* a state load would refuse"):
        net.save(tmp_path / "broken")
    assert not (tmp_path / "broken").exists()
