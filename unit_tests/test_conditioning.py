"""Izhikevich (2007)'s classical conditioning: stimulus groups, 1 ms pulses, S1 rewarded up to 1 s later."""
import numpy as np
import pytest

from spikey.core import GenericLoop
from spikey.experiments import ClassicalConditioning, ConditioningCallback, DistalReward
from spikey.games import RandState
from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.testing import check_network

SMALL = {"seed": 0, "n_neurons": 60, "n_synapses": 6, "n_stimuli": 4, "stimulus_size": 8, "processing_time": 50,
         "reward_delay_min": 1, "reward_delay_max": 120}


def small(**keys):
    net = ClassicalConditioning(keys={**SMALL, **keys})
    net.reset()
    return net


def test_each_stimulus_is_a_group_of_distinct_neurons_drawn_per_network():
    net = small(batch_size=3, seed=[4, 5, 6])
    stimuli = net.state["stimuli"]
    assert stimuli.shape == (3, 4, 8) and stimuli.dtype == np.int64
    assert (np.diff(stimuli, axis=2) > 0).all() and stimuli.min() >= 0 and stimuli.max() < 60
    assert not np.array_equal(stimuli[0], stimuli[1])
    np.testing.assert_array_equal(stimuli[1], small(seed=5).state["stimuli"][0])  # network k is the lone seed k
    assert (stimuli < 48).any() and (stimuli >= 48).any()  # excitatory and inhibitory neurons both drawn


def test_the_pulse_makes_the_stimulus_neurons_fire_and_only_at_the_tick_start():
    net = small(thalamic_input=0.0)  # no noise: only the pulse can make a neuron fire
    net.tick(2)
    body = net.spike_log[:, 0, 1:]
    group = net.state["stimuli"][0, 2]
    first = body.argmax(axis=0)[group]
    assert body[:, group].any(axis=0).all() and first.max() <= 2  # a resting neuron fires within 3 ms of 40 mV
    quiet = small(thalamic_input=0.0, stimulus_current=0.0)
    quiet.tick(2)
    assert not quiet.spike_log.any()


def test_injected_current_is_the_pulse_into_the_shown_groups_at_the_first_step():
    net = small(batch_size=2, seed=[0, 1])
    net.shown = np.array([3, 1])
    current = net.injected_current(50)
    assert current.shape == (50, 2, 60) and not current[1:].any()
    for copy, stimulus in enumerate(net.shown):
        np.testing.assert_array_equal(np.flatnonzero(current[0, copy]), net.state["stimuli"][copy, stimulus])
    assert set(current[0][current[0] > 0].tolist()) == {40.0}


def test_the_rewarded_stimulus_is_rewarded_once_within_its_delay_and_others_never():
    rewarded, other = small(), small()
    given = {"rewarded": [], "other": []}
    for tick in range(4):
        rewarded.tick(0 if tick == 0 else 1)
        other.tick(1)
        given["rewarded"].append(rewarded.reward_log[:, 0].copy())
        given["other"].append(other.reward_log[:, 0].copy())
    steps = np.flatnonzero(np.concatenate(given["rewarded"]))
    assert len(steps) == 1 and 1 <= steps[0] <= 120 and np.concatenate(given["rewarded"]).sum() == 1.0
    assert not np.concatenate(given["other"]).any()
    assert rewarded.params.rewarded_stimulus == 0


def test_rewards_reach_the_rule_on_both_backends_alike():
    keys = {**SMALL, "batch_size": 2, "seed": [3, 4], "reward_delay_max": 60}
    numpy_net, numba_net = (ClassicalConditioning(keys={**keys, "backend": backend}) for backend in ("numpy", "numba"))
    assert ClassicalConditioning(keys=keys).backend == "numba"
    for net in (numpy_net, numba_net):
        net.reset()
    stimuli = np.random.default_rng(0).integers(0, 2, size=(20, 2))
    for shown in stimuli:
        for net in (numpy_net, numba_net):
            net.tick(shown)
        np.testing.assert_array_equal(numba_net.spike_log, numpy_net.spike_log)
        np.testing.assert_array_equal(numba_net.reward_log, numpy_net.reward_log)
    assert numpy_net.state["synapses"].d.any()  # dopamine was given
    np.testing.assert_allclose(numba_net.weights, numpy_net.weights, rtol=0, atol=1e-12)
    assert numpy_net.get_state()["rng"] == numba_net.get_state()["rng"]


def test_eval_mode_shows_stimuli_but_schedules_and_gives_no_reward():
    net = small()
    net.tick(0)
    net.eval()
    for _ in range(3):
        net.tick(0)
        assert not net.reward_log.any()
    assert not net.state["reward_due"].any()  # the reward due in those ticks was dropped
    net.train()
    net.tick(0)
    assert net.state["reward_due"].sum() + net.reward_log.sum() == 1.0


@pytest.mark.parametrize("observation", [4, -1, 1.0, True, "1", [0, 1], None, np.array([[[1]]])])
def test_an_observation_that_is_not_a_stimulus_index_is_refused_before_anything_changes(observation):
    net = small()
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=r"observations of ClassicalConditioning must be stimulus "
                                                    r"indices: an int in \[0, 4\)"):
        net.tick(observation)
    after = net.get_state()
    assert after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)


def test_a_batch_takes_one_index_per_network():
    net = small(batch_size=2, seed=[0, 1])
    net.tick(np.array([0, 3]))
    np.testing.assert_array_equal(net.shown, [0, 3])
    with pytest.raises(InvalidParameterError, match="2 ints in"):
        net.tick(1)


@pytest.mark.parametrize("keys, match", [
    ({"reward_delay_max": 0}, "'reward_delay_max' parameter of ClassicalConditioning"),
    ({"reward_delay_min": 130}, "'reward_delay_max' parameter of ClassicalConditioning must be at least "
                                "reward_delay_min=130. Got 120"),
    ({"rewarded_stimulus": 4}, "'rewarded_stimulus' parameter of ClassicalConditioning must be below n_stimuli=4. "
                               "Got 4"),
    ({"stimulus_size": 61}, "'stimulus_size' parameter of ClassicalConditioning must be at most n_neurons=60. Got 61"),
    ({"stimulus_current": -1.0}, "'stimulus_current' parameter of ClassicalConditioning"),
    ({"n_stimuli": 0}, "'n_stimuli' parameter of ClassicalConditioning"),
])
def test_bad_keys_are_refused_naming_them(keys, match):
    with pytest.raises(InvalidParameterError, match=match):
        ClassicalConditioning(keys={**SMALL, **keys})


def test_state_round_trips_and_bad_state_is_refused(tmp_path):
    net = small(batch_size=2, seed=[0, 1])
    net.tick(np.array([0, 0]))
    net.save(tmp_path / "net")
    after = [net.tick(np.array([1, 2])), net.weights.copy(), net.state["reward_due"].copy()]
    loaded = ClassicalConditioning.load(tmp_path / "net")
    np.testing.assert_array_equal(loaded.tick(np.array([1, 2])), after[0])
    np.testing.assert_array_equal(loaded.weights, after[1])
    np.testing.assert_array_equal(loaded.state["reward_due"], after[2])
    saved = net.get_state()
    twice = saved["stimuli"].copy()
    twice[0, 0, 1] = twice[0, 0, 0]
    for name, bad, match in [("stimuli", twice, "'stimuli' must hold increasing neuron indices in"),
                             ("stimuli", saved["stimuli"] + 60, r"in \[0, 60\)"),
                             ("reward_due", -saved["reward_due"] - 1.0, "'reward_due' must hold rewards >= 0")]:
        with pytest.raises(InvalidParameterError, match=match):
            net.set_state({**saved, name: bad})


def test_bad_input_is_refused_at_every_entry_point():
    check_network(small(n_neurons=20, n_synapses=4, stimulus_size=4, processing_time=10), 1)


def test_a_bad_injected_current_is_refused_before_the_tick_runs():
    class Bad(ClassicalConditioning):
        def injected_current(self, n_steps):
            current = super().injected_current(n_steps)
            current[3, 0, 0] = np.nan
            return current

    net = Bad(keys=SMALL)
    net.reset()
    before = net.get_state()
    with pytest.raises(ValueError, match=r"Bad.injected_current must return finite currents; got nan at step 3"):
        net.tick(1)
    assert net.get_state()["rng"] == before["rng"] and np.array_equal(net.weights, before["weights.values"])
    assert Network.injected_current(net, 5) is None


# ---------------------------------------------------------------- the loop and its record


def loop(callback, n_episodes=2, len_episode=6, **keys):
    return GenericLoop(ClassicalConditioning, RandState, callback=callback, n_episodes=n_episodes,
                       len_episode=len_episode, reset_network=False, progress=False, n_states=4, max_steps=len_episode,
                       **{**SMALL, **keys})


def test_the_callback_records_each_stimulus_its_response_and_the_weights():
    callback = ConditioningCallback(window=10)
    net, _, results, info = loop(callback, batch_size=2, seed=[0, 1])()
    assert {name: values.shape for name, values in info.items()} == {name: (12, 2) for name in (
        "stimulus", "response", "rewards", "rewarded_weight", "other_weight")}
    assert set(results) == {"rewarded_response", "other_response", "rewarded_weight", "other_weight", "rewards"}
    np.testing.assert_array_equal(results["rewards"], info["rewards"].reshape(2, 6, 2).sum(axis=1))
    np.testing.assert_array_equal(results["rewarded_weight"], info["rewarded_weight"][[5, 11]])
    shown = info["stimulus"][6:, 1] == 0
    expected = info["response"][6:, 1][shown].mean() if shown.any() else np.nan
    np.testing.assert_array_equal(results["rewarded_response"][1, 1], expected)
    excitatory = net.state["weights"].high[1, 1:] > 0
    group = np.zeros(60, dtype=bool)
    group[net.state["stimuli"][1, 0]] = True
    rows = net.weights[1, 1:][excitatory & group]
    mask = net.state["weights"].mask[1, 1:][excitatory & group]
    assert info["rewarded_weight"][-1, 1] == pytest.approx(rows[mask].mean())


def test_the_response_counts_the_spikes_outside_the_stimulus_group_in_the_window():
    callback = ConditioningCallback(window=5)
    net = small()
    callback.reset(net, None, 1)
    net.tick(2)
    callback.on_tick(net, 2, 0)
    early = net.spike_log[:5, 0, 1:].sum(axis=0)
    outside = np.ones(60, dtype=bool)
    outside[net.state["stimuli"][0, 2]] = False
    assert callback._ticks["response"][0][0] == early[outside].sum()


@pytest.mark.parametrize("window", [0, 51, 2.0, True])
def test_a_window_outside_the_tick_is_refused(window):
    with pytest.raises(ValueError, match=r"window must be an int in \[1, processing_time=50\]"):
        loop(ConditioningCallback(window=window))()



def test_a_tick_longer_than_the_longest_delay_gives_its_reward_and_set_key_keeps_the_schedule():
    net = small(reward_delay_max=10)  # the schedule is shorter than the tick
    net.tick(0)
    assert net.reward_log.sum() == 1.0 and 1 <= np.flatnonzero(net.reward_log[:, 0])[0] <= 10
    net.set_key("processing_time", 5)  # shorter ticks now: a reward due later stays due
    net.tick(0)
    given = net.reward_log.sum()
    net.set_key("processing_time", 200)
    net.tick(1)
    assert net.reward_log.shape == (200, 1) and given + net.reward_log.sum() == 1.0
    assert not net.state["reward_due"].any()


def test_a_game_must_show_one_state_per_stimulus():
    with pytest.raises(InvalidParameterError, match=r"'n_stimuli' parameter of ClassicalConditioning must equal the "
                                                    r"number of the game's states.*Got n_stimuli=4 for a game "
                                                    r"observing Discrete\(100\)"):
        ClassicalConditioning(keys=SMALL, game=RandState())
    with pytest.raises(InvalidParameterError, match="MultiBinary"):
        ClassicalConditioning(keys=SMALL, game=RandState(n_states=4, encoding="one_hot"))
    with pytest.raises(InvalidParameterError, match="'n_stimuli' parameter"):
        GenericLoop(ClassicalConditioning, RandState, callback=ConditioningCallback(), n_episodes=1, len_episode=5,
                    progress=False, **SMALL)()  # RandState's 100 states against 4 stimuli
    assert ClassicalConditioning(keys=SMALL, game=RandState(n_states=4)).params.n_stimuli == 4


def test_a_tick_before_reset_changes_nothing_and_batched_observations_are_taken():
    net = ClassicalConditioning(keys=SMALL)
    with pytest.raises(RuntimeError, match="reset"):
        net.tick(3)
    assert net.shown.tolist() == [0]
    net.reset()
    net.tick(np.array([[2]]))
    assert net.shown.tolist() == [2]


def test_the_callback_refuses_another_network_and_a_window_the_tick_outgrew():
    with pytest.raises(ValueError, match="ConditioningCallback records a ClassicalConditioning network. Got a "
                                         "DistalReward"):
        ConditioningCallback().reset(DistalReward(keys={"n_neurons": 20, "n_synapses": 2}), None, 1)
    callback, net = ConditioningCallback(window=np.int64(40)), small()
    callback.reset(net, None, 1)
    net.set_key("processing_time", 30)
    net.tick(1)
    with pytest.raises(ValueError, match=r"window must be an int in \[1, processing_time=30\]. Got np.int64\(40\)"):
        callback.on_tick(net, 1, 0)


def test_a_stimulus_without_excitatory_neurons_records_nan_weights_quietly():
    net = small(stimulus_size=1)
    assert net.state["stimuli"][0, 0, 0] >= 48  # S1 is one inhibitory neuron (the last 12 of 60 are)
    callback = ConditioningCallback()
    callback.reset(net, None, 1)
    net.tick(1)
    with np.errstate(all="raise"):
        callback.on_tick(net, 1, 0)
    assert np.isnan(callback._ticks["rewarded_weight"][0][0]) and np.isfinite(callback._ticks["other_weight"][0][0])


@pytest.mark.parametrize("current, match", [
    (lambda n: np.full((n, 1, 60), "0.5"), r"must return real currents \(int or float\) of shape \(50, 1, 60\); "
                                           r"got shape \(50, 1, 60\), dtype <U3"),
    (lambda n: np.ones((n, 1, 60), dtype=bool), "dtype bool"),
    (lambda n: np.full((n, 1, 60), 0.5 + 1j), "dtype complex128"),
    (lambda n: [[1.0], [1.0, 2.0]], "must return an array of currents"),
    (lambda n: np.full((n, 1, 60), None), "dtype object"),
    (lambda n: np.ones((n, 60)), r"got shape \(50, 60\)"),
])
def test_injected_current_must_be_real_numbers_of_its_shape(current, match):
    class Injecting(ClassicalConditioning):
        def injected_current(self, n_steps):
            return current(n_steps)

    net = Injecting(keys=SMALL)
    net.reset()
    before = net.get_state()
    with pytest.raises(ValueError, match=f"Injecting.injected_current {match}" if "must" in match else match):
        net.tick(1)
    assert net.get_state()["rng"] == before["rng"]


def test_injected_current_takes_ints_and_any_memory_order_alike():
    class Injecting(ClassicalConditioning):
        def injected_current(self, n_steps):
            return np.asfortranarray(np.full((n_steps, 1, 60), 2, dtype=np.int64))

    class Floats(ClassicalConditioning):
        def injected_current(self, n_steps):
            return np.full((n_steps, 1, 60), 2.0)

    ints, floats = Injecting(keys=SMALL), Floats(keys=SMALL)
    for net in (ints, floats):
        net.reset()
        net.tick(1)
    np.testing.assert_array_equal(ints.spike_log, floats.spike_log)


def test_a_float32_network_takes_the_pulse_in_float32_alike_on_both_backends():
    keys = {**SMALL, "dtype": "float32", "batch_size": 2, "seed": [0, 1]}
    numpy_net, numba_net = (ClassicalConditioning(keys={**keys, "backend": backend}) for backend in ("numpy", "numba"))
    for net in (numpy_net, numba_net):
        net.reset()
        for shown in ([0, 1], [2, 0], [0, 0]):
            net.tick(np.array(shown))
    np.testing.assert_array_equal(numba_net.spike_log, numpy_net.spike_log)
    assert numba_net.state["neurons"].potential.dtype == np.float32 == numpy_net.weights.dtype
    np.testing.assert_allclose(numba_net.weights, numpy_net.weights, rtol=0, atol=1e-5)
