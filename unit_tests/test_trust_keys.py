"""Changing keys after construction: set_key and modifier schedules are all or nothing, and checked early.

A value any holder refuses (its declaration, or a cross-key check such as
LIF's ``firing_threshold`` above ``resting_mv``) raises InvalidParameterError
and leaves the network exactly as it was: state arrays, Generator, every
part's params and the sources of the keys. Keys read only at construction are
``fixed``; every other key takes effect in the next tick. A modifier's whole
schedule is checked when the network is built, and every error about a
scheduled value names the modifier, its key, the episode and the value.
"""
import re
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import SmallRL

from spikey.module import InvalidParameterError
from spikey.snn import RLNetwork
from spikey.snn.input import RBF, RateMap, SpikeTrain, StaticMap, SymbolTrains
from spikey.snn.modifier import DropOff, LinearDecay
from spikey.snn.neuron import LIF, Izhikevich, RandPotential
from spikey.snn.readout import NeuronRates, PopulationVector, Threshold, TopAction
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import LTP, MSTDP, MSTDPET, RLSTDP, STDP, DopamineSTDP
from spikey.snn.weight import Manual, Random


class Tiny(RLNetwork):
    """Two static inputs onto one LIF output: fires every step when both inputs are on (2 mV >= 1.5 mV)."""

    parts = {"inputs": StaticMap, "neurons": LIF, "weights": Manual, "synapses": STDP, "readout": Threshold,
             "rewarder": MatchExpected}
    keys = {"n_inputs": 2, "n_neurons": 1, "n_outputs": 1, "processing_time": 10, "magnitude": 1.0,
            "firing_threshold": 1.5, "potential_decay": 1.0, "max_weight": 2.0,
            "matrix": np.array([[1.0], [1.0], [0.0]]), "action_threshold": 0.1, "a_minus": 0.0, "learning_rate": 0.0,
            "expected_value": lambda states: states[:, 0] & states[:, 1], "seed": 0}


class CappedLIF(LIF):
    """LIF neurons that refuse a spike charge above their threshold: a cross-key check on the shared magnitude."""

    def __init__(self, **config):
        super().__init__(**config)
        if self.params.magnitude > np.min(self.params.firing_threshold):
            raise InvalidParameterError(
                f"The 'magnitude' parameter of CappedLIF must be at most firing_threshold="
                f"{self.params.firing_threshold!r}. Got {self.params.magnitude!r} instead."
            )


class CountingLIF(LIF):
    """LIF that records every construction: how often a network validates a neuron value."""

    built = []

    def __init__(self, **config):
        super().__init__(**config)
        CountingLIF.built.append(self.params)


def snapshot(net) -> dict:
    return {"state": net.get_state(), "params": {role: part.params for role, part in net.parts.items()},
            "own": net.params, "sources": [(row["name"], row["source"]) for row in net.effective_keys()]}


def assert_unchanged(net, before):
    after = snapshot(net)
    assert after["state"].keys() == before["state"].keys()
    for name, array in before["state"].items():
        np.testing.assert_array_equal(after["state"][name], array, err_msg=name)
    assert after["params"] == before["params"]
    assert after["own"] == before["own"] and after["sources"] == before["sources"]


def played(net):
    """``net`` after a reset and one tick, so that every state array exists and holds something."""
    net.reset()
    net.tick(np.array([1, 1]) if net.params.batch_size == 1 else np.ones((net.params.batch_size, 2), dtype=int))
    return net


# ---------------------------------------------------------------- 1. set_key is all or nothing
def test_set_key_refused_by_a_later_holder_changes_no_earlier_one():
    net = played(SmallRL(keys={"seed": 0}, parts={"neurons": CappedLIF}))
    before = snapshot(net)
    with pytest.raises(InvalidParameterError, match=re.escape(
            "The 'magnitude' parameter of CappedLIF must be at most firing_threshold=1.0. Got 5.0 instead.")):
        net.set_key("magnitude", 5.0)  # RateMap (the inputs, built first) accepts it
    assert_unchanged(net, before)
    assert net.parts["inputs"].params.magnitude == 1.0
    net.set_key("magnitude", 0.5)
    assert net.parts["inputs"].params.magnitude == net.parts["neurons"].params.magnitude == 0.5


@pytest.mark.parametrize("name, value, message", [
    ("firing_threshold", 0.0, "The 'firing_threshold' parameter of LIF must lie above resting_mv=0.0 (both in mV). "
                              "Got 0.0 instead."),
    ("firing_threshold", [2.0, -1.0], "The 'firing_threshold' parameter of LIF must lie above resting_mv=0.0 (both "
                                      "in mV). Got array([ 2., -1.]) instead."),
    ("resting_mv", 1.0, "The 'firing_threshold' parameter of LIF must lie above resting_mv=1.0 (both in mV). "
                        "Got 1.0 instead."),
    ("learning_rate", -0.1, "The 'learning_rate' parameter of MSTDPET must be a float in the range [0, inf), or a "
                            "1-D array of such values (one per network). Got -0.1 instead."),
    ("learning_rate", [0.1, 0.2, 0.3], "The 'learning_rate' parameter of MSTDPET must be a scalar or an array of "
                                       "shape (2,). Got an array of shape (3,) instead."),
    ("processing_time", 0, "The 'processing_time' parameter of SmallRL must be an int in the range [1, 2**63 - 1]. "
                           "Got 0 instead."),
])
def test_a_refused_set_key_leaves_the_network_unchanged(name, value, message):
    net = played(SmallRL(keys={"seed": 1, "batch_size": 2}))
    before = snapshot(net)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        net.set_key(name, value)
    assert_unchanged(net, before)


# ---------------------------------------------------------------- 2. fixed keys, and changes that take effect
CHANGEABLE = {  # every built-in part and the keys a network may change after construction
    RateMap: {"magnitude", "input_rate", "observation_low", "observation_high"},
    RBF: {"magnitude", "input_rate", "rbf_low", "rbf_high", "rbf_width"},
    SpikeTrain: {"magnitude", "spike_trains"},
    StaticMap: {"magnitude"},
    SymbolTrains: {"magnitude"},
    LIF: {"magnitude", "firing_threshold", "potential_decay", "refractory_period", "resting_mv", "prob_rand_fire"},
    RandPotential: {"magnitude", "firing_threshold", "potential_decay", "refractory_period", "resting_mv",
                    "prob_rand_fire", "leak_scalar"},
    Izhikevich: {"magnitude", "a", "b", "c", "d"},
    Manual: set(),
    Random: set(),
    STDP: {"tau_plus", "tau_minus", "a_plus", "a_minus", "learning_rate"},
    MSTDP: {"tau_plus", "tau_minus", "a_plus", "a_minus", "learning_rate"},
    MSTDPET: {"tau_plus", "tau_minus", "tau_z", "a_plus", "a_minus", "learning_rate"},
    LTP: {"learning_rate", "trace_decay", "tau_plus"},
    RLSTDP: {"learning_rate", "trace_decay", "tau_plus", "tau_minus"},
    DopamineSTDP: {"tau_plus", "tau_minus", "a_plus", "a_minus", "learning_rate", "tau_c", "tau_d",
                   "dopamine_per_reward", "tonic_dopamine"},
    Threshold: {"action_threshold", "output_range"},
    NeuronRates: set(),
    PopulationVector: set(),
    TopAction: set(),
    MatchExpected: {"expected_value", "reward_mult", "punish_mult"},
    RLNetwork: {"processing_time", "input_delay", "spike_pairing"},
}


@pytest.mark.parametrize("part", CHANGEABLE, ids=lambda part: part.__name__)
def test_only_keys_read_after_construction_are_changeable(part):
    assert {key.name for key in part.NECESSARY_KEYS if not key.fixed} == CHANGEABLE[part]


@pytest.mark.parametrize("name", ["n_observations", "n_actions"])
def test_the_widths_a_game_is_matched_to_are_fixed(name):
    net = SmallRL(keys={"seed": 0, "n_observations": 2, "n_actions": 1}, parts={"readout": TopAction})
    before = snapshot(net)
    with pytest.raises(InvalidParameterError, match=f"Key '{name}' of SmallRL is fixed at construction"):
        net.set_key(name, 1)
    assert_unchanged(net, before)
    with pytest.raises(InvalidParameterError, match=f"Key '{name}' is fixed at construction .* cannot be scheduled "
                                                    "by DropOff"):
        SmallRL(keys={"n_actions": 1}, parts={"readout": TopAction,
                                              "modifiers": [DropOff(key=name, t_stop=2, value_start=2.0, value_stop=1.0)]})


def test_a_changed_neuron_key_takes_effect_in_the_next_tick():
    net = Tiny()
    net.reset()
    assert net.tick(np.array([1, 1])) == 1
    net.set_key("firing_threshold", 2.5)
    assert net.tick(np.array([1, 1])) == 0 and not net.spike_log[:, 0, 2:].any()


def test_a_changed_shared_key_takes_effect_in_every_holder():
    net = Tiny()
    net.reset()
    assert net.tick(np.array([1, 0])) == 0
    net.set_key("magnitude", 2.0)
    assert net.parts["inputs"].params.magnitude == net.parts["neurons"].params.magnitude == 2.0
    assert net.tick(np.array([1, 0])) == 1


def test_a_changed_input_key_takes_effect_in_the_next_tick():
    net = Tiny(parts={"inputs": RateMap}, keys={"input_rate": 0.0})
    net.reset()
    net.tick(np.array([1, 1]))
    assert not net.spike_log[:, 0, :2].any()
    net.set_key("input_rate", 1.0)
    net.tick(np.array([1, 1]))
    assert net.spike_log[:, 0, :2].all()


def test_a_changed_learning_key_takes_effect_in_the_next_tick():
    net = Tiny()
    net.reset()
    before = net.weights.copy()
    net.tick(np.array([1, 1]))
    np.testing.assert_array_equal(net.weights, before)
    net.set_key("learning_rate", 0.01)
    net.tick(np.array([1, 1]))
    assert (net.weights[0, :2, 0] > before[0, :2, 0]).all()


def test_changed_readout_rewarder_and_network_keys_take_effect_in_the_next_tick():
    net = Tiny()
    net.reset()
    both = np.array([1, 1])
    assert net.reward(both, net.tick(both)) == 1.0 and net.spike_log.shape[0] == 10
    net.set_key("output_range", ("low", "high"))
    net.set_key("reward_mult", 3.0)
    net.set_key("processing_time", 4)
    assert net.tick(both) == "high" and net.spike_log.shape[0] == 4
    assert net.reward(both, 1) == 3.0


# ---------------------------------------------------------------- 3. schedules are checked at construction
def test_a_schedule_that_leaves_the_range_fails_at_construction_naming_the_modifier():
    decay = LinearDecay(key="learning_rate", t_stop=10, value_start=0.1, value_stop=-0.1)
    value = decay.value(6)  # the first negative value: episodes 0 to 5 give 0.1 down to 0
    assert value < 0 <= decay.value(5)
    with pytest.raises(InvalidParameterError, match=re.escape(
            f"LinearDecay(key='learning_rate') gives {value!r} at episode 6: The 'learning_rate' parameter of MSTDPET "
            f"must be a float in the range [0, inf), or a 1-D array of such values (one per network). "
            f"Got {value!r} instead.")):
        SmallRL(parts={"modifiers": [decay]})


def test_a_schedule_with_fractions_on_an_int_key_fails_at_construction():
    with pytest.raises(InvalidParameterError, match=re.escape(
            "LinearDecay(key='refractory_period') gives 1.5 at episode 1: The 'refractory_period' parameter of LIF "
            "must be an int in the range [0, 2**63 - 1]. Got 1.5 instead.")):
        SmallRL(parts={"modifiers": [LinearDecay(key="refractory_period", t_stop=2, value_start=3, value_stop=0)]})


def test_whole_values_schedule_an_int_key_from_construction():
    net = SmallRL(parts={"modifiers": [DropOff(key="processing_time", t_stop=3, value_start=20, value_stop=10)]})
    assert net.params.processing_time == 20 and type(net.params.processing_time) is int  # episode 0 at construction
    net.set_episode(3)
    assert net.params.processing_time == 10


def test_two_schedules_of_one_key_are_refused():
    with pytest.raises(InvalidParameterError, match="Two modifiers of SmallRL schedule 'learning_rate'"):
        SmallRL(parts={"modifiers": [LinearDecay(key="learning_rate", t_stop=10, value_start=1.0, value_stop=0.0),
                                     DropOff(key="learning_rate", t_stop=3, value_start=0.5, value_stop=0.1)]})


def test_a_long_schedule_is_checked_at_evenly_spaced_episodes():
    decay = LinearDecay(key="firing_threshold", t_stop=5000, value_start=1.0, value_stop=-1.0)
    episodes = decay.checked_episodes()
    assert len(episodes) == 1001 and episodes[0] == 0 and episodes[-1] == 5000 and (np.diff(episodes) == 5).all()
    with pytest.raises(InvalidParameterError, match=re.escape(
            "LinearDecay(key='firing_threshold') gives 0.0 at episode 2500: The 'firing_threshold' parameter of LIF "
            "must lie above resting_mv=0.0 (both in mV). Got 0.0 instead.")):
        SmallRL(parts={"modifiers": [decay]})


@pytest.mark.parametrize("t_stop, n_checked", [(1, 2), (1000, 1001), (1001, 1001), (10 ** 9, 1001)])
def test_checked_episodes_cover_the_schedule_from_0_to_t_stop(t_stop, n_checked):
    episodes = DropOff(key="prob_rand_fire", t_stop=t_stop, value_start=1.0, value_stop=0.0).checked_episodes()
    assert len(episodes) == n_checked and episodes[0] == 0 and episodes[-1] == t_stop
    assert (np.diff(episodes) > 0).all()


def test_each_distinct_scheduled_value_is_validated_once():
    CountingLIF.built.clear()
    SmallRL(parts={"neurons": CountingLIF,
                   "modifiers": [DropOff(key="prob_rand_fire", t_stop=1000, value_start=0.1, value_stop=0.0)]})
    # the network's own, the 2 values checked, then episode 0 applied
    assert [params.prob_rand_fire for params in CountingLIF.built] == [0.02, 0.1, 0.0, 0.1]
    CountingLIF.built.clear()
    SmallRL(parts={"neurons": CountingLIF,
                   "modifiers": [LinearDecay(key="prob_rand_fire", t_stop=10 ** 6, value_start=0.1, value_stop=0.0)]})
    assert len(CountingLIF.built) == 1 + 1001 + 1


def test_schedules_of_keys_checked_together_are_validated_together():
    resting = LinearDecay(key="resting_mv", t_stop=4, value_start=0.0, value_stop=2.0)
    for threshold in (LinearDecay(key="firing_threshold", t_stop=4, value_start=1.0, value_stop=3.0),
                      DropOff(key="firing_threshold", t_stop=1, value_start=1.0, value_stop=3.0)):
        for modifiers in ([resting, threshold], [threshold, resting]):
            net = SmallRL(keys={"seed": 0}, parts={"modifiers": modifiers})
            net.set_episode(4)
            neurons = net.parts["neurons"].params
            assert (neurons.resting_mv, neurons.firing_threshold) == (2.0, 3.0)
    too_low = LinearDecay(key="firing_threshold", t_stop=4, value_start=1.0, value_stop=1.5)
    with pytest.raises(InvalidParameterError, match=re.escape(
            "LinearDecay(key='resting_mv') gives 1.5 at episode 3; LinearDecay(key='firing_threshold') gives 1.375 at "
            "episode 3: The 'firing_threshold' parameter of LIF must lie above resting_mv=1.5 (both in mV). "
            "Got 1.375 instead.")):
        SmallRL(parts={"modifiers": [resting, too_low]})


def test_a_refused_set_episode_names_the_modifier_and_changes_nothing():
    modifiers = [LinearDecay(key="learning_rate", t_stop=4, value_start=0.2, value_stop=0.0),
                 DropOff(key="prob_rand_fire", t_stop=3, value_start=0.1, value_stop=0.0)]
    net = SmallRL(keys={"seed": 0, "batch_size": 2}, parts={"modifiers": modifiers})
    net.set_episode(1)
    played(net)
    before = snapshot(net)
    with pytest.raises(InvalidParameterError, match=re.escape(
            "DropOff(key='prob_rand_fire') gives array([0.1, 0. ]) at episodes [2, 4]: The 'prob_rand_fire' "
            "parameter of LIF must be a float in the range [0, 1]. Got array([0.1, 0. ]) instead.")):
        net.set_episode([2, 4])  # learning_rate is batched and could take one value per network; prob_rand_fire not
    assert_unchanged(net, before)
    with pytest.raises(InvalidParameterError, match=re.escape(
            "SmallRL.set_episode: episode must be an int >= 0 or 2 of them; got -1.")):
        net.set_episode(-1)
    assert_unchanged(net, before)
    assert net.episode == 1 and net.parts["synapses"].params.learning_rate == modifiers[0].value(1)
    net.set_episode([3, 4])  # prob_rand_fire is 0.0 in both
    np.testing.assert_allclose(net.parts["synapses"].params.learning_rate, [0.05, 0.0])


def test_a_modifier_must_be_a_schedule():
    class Lookalike:  # a key and a value, but no schedule to check
        params = SimpleNamespace(key="learning_rate")

        def value(self, episode):
            return 0.1

    with pytest.raises(InvalidParameterError, match="Modifiers must be spikey.snn.modifier instances"):
        SmallRL(parts={"modifiers": [Lookalike()]})


def test_params_own_read_only_copies_of_arrays():
    trains = np.zeros((2, 3, 2), dtype=bool)
    inputs = SpikeTrain(n_inputs=2, magnitude=1.0, spike_trains=trains)
    trains[0, 0, 0] = True  # the caller's array changes later: the part does not
    assert not inputs.params.spike_trains.any()
    with pytest.raises(ValueError, match="read-only"):
        inputs.params.spike_trains[0, 0, 0] = True
    net = Tiny(keys={"firing_threshold": np.array([1.5])})
    with pytest.raises(ValueError, match="read-only"):
        net.parts["neurons"].params.firing_threshold[0] = -5.0


@pytest.mark.parametrize("name, value, expected", [
    ("potential_decay", np.array(0.5), 0.5),  # a batched key takes a 0-d array as its scalar
    ("processing_time", np.int64(7), 7),
    ("spike_pairing", np.str_("emission"), "emission"),
    ("spike_pairing", np.array("emission"), "emission"),
])
def test_numpy_values_behave_as_the_python_values_they_equal(name, value, expected):
    net = Tiny(keys={name: value})
    params = net.params if name in net.params else net.parts["neurons"].params
    assert params[name] == expected and type(params[name]) is type(expected)


def test_a_bare_part_refuses_a_name_no_key_declares_and_takes_the_others():
    with pytest.raises(InvalidParameterError, match="Unknown key 'tau_plsu' for STDP. Did you mean 'tau_plus'"):
        STDP(n_inputs=2, n_neurons=2, learning_rate=0.1, tau_plsu=5.0)
    rule = STDP(n_inputs=2, n_neurons=2, learning_rate=0.1, firing_threshold=3.0)  # another part's key: left to it
    assert "firing_threshold" not in rule.params
