"""Izhikevich (2007)'s distal-reward network: its neurons, its connectivity, and rewards 1-3 s after a coincidence."""
import copy

import numpy as np
import pytest

from spikey.experiments import DistalReward, play_distal_reward, time_to_max
from spikey.module import InvalidParameterError
from spikey.snn.neuron import CorticalIzhikevich, Izhikevich
from spikey.snn.neuron.izhikevich import IzhikevichState
from spikey.snn.weight import OutDegree
from spikey.testing import check_network

SMALL = {"seed": 0, "n_neurons": 40, "n_synapses": 6, "processing_time": 50, "reward_delay_min": 60,
         "reward_delay_max": 90}


def small(**keys):
    net = DistalReward(keys={**SMALL, **keys})
    net.reset()
    return net


# ---------------------------------------------------------------- neurons


def test_cortical_neurons_are_izhikevich_cells_of_their_class():
    """Without thalamic input, the excitatory neurons step as regular spiking cells, the inhibitory as fast spiking."""
    rng = np.random.default_rng(0)
    cortical = CorticalIzhikevich(n_neurons=10, magnitude=1.0, neuron_pct_inhibitory=0.3)
    alone = {name: Izhikevich(n_neurons=10, magnitude=1.0, **Izhikevich.PRESETS[name])
             for name in ("regular_spiking", "fast_spiking")}
    states = {"cortical": cortical.init_state(2, rng), **{name: part.init_state(2, rng) for name, part in alone.items()}}
    inhibitory = np.arange(10) >= 7
    for t in range(300):
        current = rng.uniform(0.0, 25.0, (2, 10))
        spikes, states["cortical"] = cortical.step(states["cortical"], current, rng)
        for name, cells in (("regular_spiking", ~inhibitory), ("fast_spiking", inhibitory)):
            expected, states[name] = alone[name].step(states[name], current, rng)
            np.testing.assert_array_equal(spikes[:, cells], expected[:, cells])
            np.testing.assert_array_equal(states["cortical"].potential[:, cells], states[name].potential[:, cells])
    assert spikes.dtype == bool and states["cortical"].recovery.shape == (2, 10)


def test_thalamic_input_is_uniform_of_its_width_and_drawn_batch_first_every_step():
    width = 13.0
    neurons = CorticalIzhikevich(n_neurons=500, magnitude=1.0, thalamic_input=[width, 0.0])
    state = IzhikevichState(np.full((2, 500), -70.0), np.full((2, 500), -14.0))
    rng = np.random.default_rng(1)
    _, after = neurons.step(state, np.zeros((2, 500)), rng)
    draws = np.random.default_rng(1).random((2, 500))
    _, expected = Izhikevich(n_neurons=500, magnitude=1.0).step(state, width * (draws - 0.5) * [[1.0], [0.0]], rng)
    np.testing.assert_array_equal(after.potential, expected.potential)
    kicks = draws[0] - 0.5
    assert -0.5 <= kicks.min() < -0.45 and 0.45 < kicks.max() < 0.5
    silent = np.random.default_rng(1)  # without thalamic input the stream moves alike: a copy's draws never depend on it
    CorticalIzhikevich(n_neurons=500, magnitude=1.0).step(state, np.zeros((2, 500)), silent)
    assert silent.random() == np.random.default_rng(1).random(1001)[-1]


# ---------------------------------------------------------------- connectivity


def test_out_degree_connectivity_of_izhikevichs_network():
    weights = OutDegree(n_inputs=1, n_neurons=100, max_weight=4.0, n_synapses=10, initial_weight=1.0)
    polarity = np.concatenate((np.ones((3, 1)), np.where(np.arange(100) < 80, 1.0, -1.0)[None].repeat(3, 0)), axis=1)
    state = weights.init_state(3, np.random.default_rng(2), polarity)
    assert not state.mask[:, 0].any()  # the input makes no synapses
    np.testing.assert_array_equal(state.mask[:, 1:].sum(axis=2), 10)  # 10 distinct targets each
    assert not state.mask[:, 81:, 80:].any()  # inhibitory onto excitatory only
    assert state.mask[:, 1:81, 80:].any()  # excitatory onto both
    np.testing.assert_array_equal(state.values[:, 1:81][state.mask[:, 1:81]], 1.0)
    np.testing.assert_array_equal(state.values[:, 81:][state.mask[:, 81:]], -1.0)
    assert not np.array_equal(state.mask[0], state.mask[1])  # drawn per network


@pytest.mark.parametrize("keys, match", [
    ({"n_synapses": 81}, "'n_synapses' parameter of OutDegree must be at most the 80 targets"),
    ({"initial_weight": 5.0}, "'initial_weight' parameter of OutDegree must be at most max_weight=4.0"),
])
def test_out_degree_refuses_what_it_cannot_draw(keys, match):
    polarity = np.where(np.arange(101) < 81, 1.0, -1.0)[None]
    with pytest.raises(InvalidParameterError, match=match):
        OutDegree(**{"n_inputs": 1, "n_neurons": 100, "max_weight": 4.0, "n_synapses": 10, "initial_weight": 1.0,
                     **keys}).init_state(1, np.random.default_rng(0), polarity)


# ---------------------------------------------------------------- the network and its rewards


def test_the_template_is_izhikevichs_network():
    net = DistalReward(keys={"seed": 3, "batch_size": 2})
    weights, (row, column) = net.state["weights"], net.state["chosen"][1]
    assert net.weights.shape == (2, 1001, 1000)
    np.testing.assert_array_equal(weights.mask[:, 1:].sum(axis=2), 100)
    np.testing.assert_array_equal(weights.high[:, 1:801], 4.0)  # 800 excitatory, then 200 inhibitory
    np.testing.assert_array_equal(weights.low[:, 801:], -4.0)
    assert row == 1 and weights.mask[1, row, column] and net.weights[1, row, column] == 0.0
    assert np.count_nonzero(net.weights[:, 1:801] == 1.0) == 2 * 800 * 100 - 2  # all but the chosen synapses


def coincidences(net, n1_steps, n2_steps):
    """Put spikes of n1 and n2 in every network's spike log and schedule; return the delays drawn (B, steps)."""
    rows, n2 = net.state["chosen"][:, 0], net.state["chosen"][:, 1] + 1
    net.spike_log = np.zeros_like(net.spike_log)
    for b in range(net.params.batch_size):
        net.spike_log[n1_steps[b], b, rows[b]] = True
        net.spike_log[n2_steps[b], b, n2[b]] = True
    drawn = copy.deepcopy(net.rng).integers(net.params.reward_delay_min, net.params.reward_delay_max + 1, (net.params.batch_size, 50))
    net._schedule_rewards()
    return drawn


def test_a_reward_is_due_a_drawn_delay_after_n2_fires_within_the_window_after_n1():
    net = small(batch_size=4)
    net.tick(np.zeros(4))
    due_before = net.state["reward_due"].copy()
    #          rewarded: 5 ms after | n1 at n2's step too | 20 ms: outside | 19 ms: inside the window
    drawn = coincidences(net, [[10], [10, 15], [10], [10]], [[15], [15], [30], [29]])
    expected = np.zeros_like(due_before)
    expected[:, :-50] = due_before[:, 50:]
    expected[0, 15 + drawn[0, 15] - 50] += 1.0
    expected[3, 29 + drawn[3, 29] - 50] += 1.0
    np.testing.assert_array_equal(net.state["reward_due"], expected)
    np.testing.assert_array_equal(net.state["since_n1"], [20, 20, 20, 20])  # 40 ms or more ago: capped


def test_a_coincidence_across_ticks_counts_and_the_reward_arrives_at_its_step():
    net = small(backend="numpy")  # the rule's numpy step is watched
    net.tick(np.zeros(1))
    coincidences(net, [[47]], [[]])  # n1 fires 3 ms before the tick ends
    assert net.state["since_n1"][0] == 3
    drawn = coincidences(net, [[]], [[10]])  # n2 13 ms later, in the next tick
    due = int(np.flatnonzero(net.state["reward_due"][0])[0])
    assert due == 10 + drawn[0, 10] - 50
    d_before = []
    net.parts["synapses"].timestep = lambda state, *args, original=net.parts["synapses"].timestep: (
        d_before.append(args[-1].copy()) or original(state, *args))
    for _ in range(due // 50):
        net.tick(np.zeros(1))
        assert not net.reward_log.any()
    net.tick(np.zeros(1))
    np.testing.assert_array_equal(np.flatnonzero(net.reward_log[:, 0]), [due % 50])
    assert np.sum(d_before) == 1.0  # the learning rule received exactly that reward


def test_play_distal_reward_records_one_row_per_simulated_second():
    net = DistalReward(keys={**SMALL, "processing_time": 1000, "reward_delay_min": 1001, "reward_delay_max": 3000})
    net.reset()
    record = play_distal_reward(net, 2)
    assert set(record) == {"time", "chosen", "others", "eligibility", "rewards", "rate"}
    np.testing.assert_array_equal(record["time"], [1.0, 2.0])
    assert record["chosen"].shape == (2, 1) and 0 < record["rate"][0, 0] < 50
    assert np.isnan(time_to_max(record))[0]
    with pytest.raises(ValueError, match="seconds must be an int >= 1"):
        play_distal_reward(net, 0)
    with pytest.raises(ValueError, match="processing_time must be 1000"):
        play_distal_reward(small(), 1)


@pytest.mark.parametrize("keys, match", [
    ({"reward_delay_min": 40}, r"'processing_time' parameter of DistalReward must be at most reward_delay_min=40 "
                               r"\(a reward must not fall in the tick of its coincidence\). Got 50"),
    ({"reward_delay_max": 55}, "'reward_delay_max' parameter of DistalReward must be at least reward_delay_min=60. "
                               "Got 55"),
    ({"chosen_neuron": 39}, "'chosen_neuron' parameter of DistalReward must be an excitatory body neuron with a "
                            "synapse onto another neuron in every network. Got 39"),
    ({"chosen_neuron": 40}, "'chosen_neuron' parameter of DistalReward must be an excitatory body neuron"),
    ({"n_synapses": 0}, "'chosen_neuron' parameter of DistalReward must be an excitatory body neuron with a synapse"),
    ({"coincidence_window": 0}, "'coincidence_window' parameter of DistalReward"),
])
def test_bad_keys_are_refused_naming_them(keys, match):
    with pytest.raises(InvalidParameterError, match=match):
        DistalReward(keys={**SMALL, **keys})


def test_set_key_refuses_a_tick_longer_than_the_shortest_delay_and_changes_nothing():
    net = small()
    before = net.params
    with pytest.raises(InvalidParameterError, match="'processing_time' parameter of DistalReward must be at most "
                                                    "reward_delay_min=60"):
        net.set_key("processing_time", 80)
    assert net.params == before
    net.set_key("processing_time", 60)
    assert net.tick(np.zeros(1)) is not None and net.spike_log.shape[0] == 60


def test_the_chosen_synapse_is_never_a_self_synapse():
    """n1 -> n1 could never be rewarded (n2 would have to fire after n1 without n1 firing): it is not drawn."""
    for seed in range(30):
        net = DistalReward(keys={**SMALL, "seed": seed, "n_neurons": 5, "n_synapses": 2, "neuron_pct_inhibitory": 0.0})
        assert net.state["chosen"][0, 1] != 0


def test_state_round_trips_and_bad_state_is_refused():
    net = small(batch_size=2)
    net.tick(np.zeros(2))
    saved = net.get_state()
    after = [net.tick(np.zeros(2)), net.weights.copy(), net.state["reward_due"].copy()]
    net.set_state(saved)
    np.testing.assert_array_equal(net.tick(np.zeros(2)), after[0])
    np.testing.assert_array_equal(net.weights, after[1])
    np.testing.assert_array_equal(net.state["reward_due"], after[2])
    for name, bad, match in [("chosen", [[2, 0], [2, 0]], "'chosen' must hold row 1"),
                             ("since_n1", [0, 3], "'since_n1' must lie in"),
                             ("reward_due", -saved["reward_due"] - 1.0, "'reward_due' must hold rewards >= 0")]:
        with pytest.raises(InvalidParameterError, match=match):
            net.set_state({**saved, name: np.asarray(bad, dtype=saved[name].dtype)})


def test_bad_input_is_refused_at_every_entry_point():
    check_network(small(n_neurons=20, n_synapses=4, processing_time=10, reward_delay_min=10, reward_delay_max=30),
                  [0])
