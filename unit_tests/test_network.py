"""Network composition, configuration priority, determinism, batching and state."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import KEYS, SmallActive, SmallNetwork, SmallRL, xor

from spikey.games import Logic
from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.snn.input import SpikeTrain, StaticMap
from spikey.snn.modifier import LinearDecay
from spikey.snn.network import synaptic_input
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.synapse import MSTDPET, STDP
from spikey.snn.weight import Manual, Random

pytestmark = pytest.mark.usefixtures("each_backend")  # every test on both backends

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def play(net, steps=8, seed=0):
    """Ticks with rewards; returns actions and a copy of the spikes of every tick."""
    order = np.random.default_rng(seed).integers(0, 4, steps)
    actions, logs = [], []
    for i in order:
        state = PATTERNS[i] if net.params.batch_size == 1 else PATTERNS[(i + np.arange(net.params.batch_size)) % 4]
        action = net.tick(state)
        net.reward(state, action)
        actions.append(action)
        logs.append(net.spike_log.copy())
    return np.array(actions), np.array(logs)


def test_tick_shapes_and_spike_log():
    net = SmallRL(keys={"seed": 0})
    net.reset()
    action = net.tick(PATTERNS[1])
    assert np.ndim(action) == 0
    assert net.spike_log.shape == (25, 1, 15) and net.spike_log.dtype == bool
    assert net.weights.shape == (1, 15, 7)


def test_same_seed_same_spikes_and_weights():
    runs = []
    for _ in range(2):
        net = SmallRL(keys={"seed": 3})
        net.reset()
        runs.append((*play(net), net.weights.copy()))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    other = SmallRL(keys={"seed": 4})
    other.reset()
    assert not np.array_equal(play(other)[1], runs[0][1])


def test_learning_changes_only_existing_synapses_within_bounds():
    net = SmallActive(keys={"seed": 1, "learning_rate": 0.5})
    net.reset()
    before = net.weights.copy()
    play(net, steps=20)
    mask = net.state["weights"].mask
    assert not np.array_equal(before, net.weights)
    assert np.all(net.weights[~mask] == 0)
    bounds = net.state["weights"]
    assert np.all(net.weights >= bounds.low[:, :, None]) and np.all(net.weights <= bounds.high[:, :, None])
    assert bounds.low.min() == -KEYS["max_weight"] and bounds.high.max() == KEYS["max_weight"]


def test_eval_mode_does_not_learn():
    net = SmallRL(keys={"seed": 1}).eval()
    net.reset()
    before = net.weights.copy()
    play(net)
    np.testing.assert_array_equal(before, net.weights)


def test_batch_copy_equals_single_network_with_same_weights():
    """With deterministic inputs and no random firing, copy i of a batch equals a B=1 network.

    Spikes and actions are identical; weights agree to rounding, since a lone
    network sums a block's eligibility in one matrix product and a batch adds it step by step.
    """
    keys = {"seed": 0, "prob_rand_fire": 0.0, "batch_size": 3, "neuron_pct_inhibitory": 0.0}
    batch = SmallRL(parts={"inputs": StaticMap}, keys=keys)
    batch.reset()
    batch_actions, batch_logs = play(batch, steps=6)
    for row in range(3):
        single = SmallRL(parts={"inputs": StaticMap}, keys={**keys, "batch_size": 1})
        single.state["weights"] = type(single.state["weights"])(
            *(np.array(batch_initial[row:row + 1]) for batch_initial in _initial_weights(keys))
        )
        single.reset()
        actions, logs = [], []
        order = np.random.default_rng(0).integers(0, 4, 6)
        for i in order:
            state = PATTERNS[(i + row) % 4]
            action = single.tick(state)
            single.reward(state, action)
            actions.append(action)
            logs.append(single.spike_log[:, 0].copy())
        np.testing.assert_array_equal(batch_actions[:, row], actions)
        np.testing.assert_array_equal(batch_logs[:, :, row], logs)
        np.testing.assert_allclose(batch.weights[row], single.weights[0], rtol=1e-12, atol=1e-15)


class StepByStep(MSTDPET):
    """MSTDPET handed one step at a time, as rules that are not reward-gated are."""

    REWARD_GATED = False


@pytest.mark.parametrize("network", [SmallRL, SmallActive])
def test_learning_in_blocks_equals_learning_step_by_step(network):
    """Blocks end at rewarded steps, at LEARNING_BLOCK steps (150-step ticks) and at the tick's end."""
    runs = []
    for rule in (MSTDPET, StepByStep):
        net = network(parts={"synapses": rule}, keys={"seed": 2, "processing_time": 150})
        net.reset()
        runs.append((*play(net, steps=6), net.weights.copy()))
    (actions, logs, weights), (step_actions, step_logs, step_weights) = runs
    np.testing.assert_array_equal(actions, step_actions)
    np.testing.assert_array_equal(logs, step_logs)
    np.testing.assert_allclose(weights, step_weights, rtol=1e-10, atol=1e-14)
    assert not np.allclose(weights, network(keys={"seed": 2}).weights)  # it learned


def _initial_weights(keys):
    fresh = SmallRL(parts={"inputs": StaticMap}, keys=keys)
    return fresh.state["weights"]


def test_get_state_set_state_round_trip_continues_bit_identically(tmp_path):
    net = SmallActive(keys={"seed": 2})
    net.reset()
    play(net, steps=3)
    path = tmp_path / "net.npz"
    np.savez(path, **net.get_state())
    expected = play(net, steps=4, seed=9)

    restored = SmallActive(keys={"seed": 99})
    with np.load(path, allow_pickle=False) as saved:
        restored.set_state(dict(saved))
    got = play(restored, steps=4, seed=9)
    for a, b in zip(expected, got):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.weights, restored.weights)


def test_set_state_rejects_wrong_arrays():
    net = SmallRL(keys={"seed": 0})
    net.reset()
    state = net.get_state()
    with pytest.raises(ValueError, match="missing"):
        net.set_state({k: v for k, v in state.items() if k != "weights.low"})
    with pytest.raises(ValueError, match="must have shape"):
        net.set_state({**state, "weights.low": np.ones((2, 15))})


def test_rng_state_is_plain_json():
    net = SmallRL(keys={"seed": 0})
    net.reset()
    assert json.loads(str(net.get_state()["rng"]))["bit_generator"] == "PCG64"


def test_tick_before_reset_is_an_error():
    with pytest.raises(RuntimeError, match="reset"):
        SmallRL(keys={"seed": 0}).tick(PATTERNS[0])


def test_batched_tick_takes_and_returns_batch():
    net = SmallRL(keys={"seed": 0, "batch_size": 4})
    net.reset()
    actions = net.tick(PATTERNS)
    assert actions.shape == (4,)
    rewards = net.reward(PATTERNS, actions)
    np.testing.assert_array_equal(rewards, np.where(actions == xor(PATTERNS), 1.0, -1.0))
    with pytest.raises(ValueError, match=r"SmallRL: 'state' must hold 1 to n_inputs=8 finite numbers per observation, "
                                         r"shape \(4, n\) for batch_size=4. Got shape \(3, 2\)"):
        net.tick(PATTERNS[:3])
    with pytest.raises(ValueError, match="finite reward per network"):
        net.reward(reward=[1.0, np.nan, 0.0, 0.0])


def test_keys_priority_kwargs_over_template_over_game():
    class Game:
        NECESSARY_KEYS = ()
        params = {"processing_time": 7, "firing_threshold": 9.0}

    net = SmallRL(keys={"processing_time": 5}, game=Game())
    assert net.params.processing_time == 5
    assert net.parts["neurons"].params.firing_threshold == KEYS["firing_threshold"]
    assert SmallRL.keys["processing_time"] == 25


def test_game_params_fill_missing_keys():
    class Game:
        NECESSARY_KEYS = ()
        params = {"expected_value": xor, "unrelated": 1}

    keys = {k: v for k, v in KEYS.items() if k != "expected_value"}
    net = SmallRL(keys={}, game=Game())
    assert net.parts["rewarder"].params.expected_value is xor
    with pytest.raises(InvalidParameterError, match="Missing keys: 'expected_value' \\(MatchExpected"):
        type("NoGame", (SmallRL,), {"keys": keys})()


def test_unknown_key_and_part_errors():
    with pytest.raises(InvalidParameterError, match="Unknown key 'n_neuron' .*Did you mean 'n_neurons'"):
        SmallRL(keys={"n_neuron": 3})
    with pytest.raises(InvalidParameterError, match="Did you mean 'synapses'"):
        SmallRL(parts={"synapse": None})
    with pytest.raises(InvalidParameterError, match="missing parts: \\['rewarder'\\]"):
        SmallActive(parts={"rewarder": None})
    with pytest.raises(InvalidParameterError, match="missing parts: \\['neurons'\\]"):
        SmallRL(parts={"neurons": None})
    with pytest.raises(InvalidParameterError, match="The 'potential_decay' parameter of LIF must be"):
        SmallRL(keys={"potential_decay": 2.0})
    with pytest.raises(InvalidParameterError, match="n_outputs.*at most n_neurons=7"):
        SmallRL(keys={"n_outputs": 8})


def test_conflicting_declarations_are_reported():
    from spikey.module import Interval, Key

    class OddReadout(Threshold):
        NECESSARY_KEYS = Threshold.extend_keys(Key("n_neurons", Interval(int, 0, 5), "Other text."))

    with pytest.raises(InvalidParameterError, match="'n_neurons' is declared differently by LIF and OddReadout"):
        SmallRL(parts={"readout": OddReadout})


def test_list_keys_shows_every_key_and_who_declares_it():
    rows = {row["name"]: row for row in SmallRL.list_keys()}
    assert "Network" not in rows["n_outputs"]["declared_by"]
    assert rows["n_outputs"]["declared_by"] == "SmallRL, Threshold"
    assert rows["magnitude"]["declared_by"] == "RateMap, LIF"
    assert {"learning_rate", "tau_z", "expected_value", "seed", "batch_size"} <= set(rows)
    assert rows["n_inputs"]["default"] == 8 and rows["resting_mv"]["default"] == 0.0  # the template's own values
    assert rows["n_outputs"]["default"] == 1 and "REQUIRED" not in str(rows["learning_rate"]["default"])
    table = str(SmallRL.list_keys())
    assert table.splitlines()[0].split() == ["name", "type", "default", "description", "declared_by"]
    assert any(line.startswith("tau_z ") and "25.0" in line for line in table.splitlines())


def test_effective_keys_show_every_value_and_its_source():
    net = SmallRL(keys={"seed": 2, "input_rate": 0.5}, game=Logic(preset="XOR"))
    rows = {row["name"]: row for row in net.effective_keys()}
    assert rows["seed"] == {"name": "seed", "value": 2, "source": "SmallRL(...)", "declared_by": "SmallRL"}
    assert rows["input_rate"]["value"] == 0.5 and rows["potential_decay"]["source"] == "SmallRL.keys"
    assert rows["spike_pairing"] == {"name": "spike_pairing", "value": "arrival", "source": "default",
                                     "declared_by": "SmallRL"}
    net.set_key("learning_rate", 0.3)
    assert {row["name"]: row for row in net.effective_keys()}["learning_rate"]["source"] == "set_key"
    assert "value" in str(net.effective_keys()).splitlines()[0]


def test_expected_value_from_the_game_is_marked_so():
    class NoExpected(SmallRL):
        keys = {name: value for name, value in KEYS.items() if name != "expected_value"}

    rows = {row["name"]: row for row in NoExpected(keys={"seed": 0}, game=Logic(preset="XOR")).effective_keys()}
    assert rows["expected_value"]["source"] == "game Logic"


def test_repr_names_template_parts_and_batch():
    text = repr(SmallRL(keys={"seed": 4, "batch_size": 2}))
    assert text == ("SmallRL(batch_size=2, seed=4, inputs=RateMap, neurons=LIF, weights=Random, synapses=MSTDPET, "
                    "readout=Threshold, rewarder=MatchExpected)")


def test_set_key_validates_and_modifiers_schedule_per_episode():
    net = SmallRL(keys={"seed": 0}, parts={"modifiers": [LinearDecay(key="learning_rate", t_stop=2, value_start=0.2,
                                                                     value_stop=0.0)]})
    values = []
    for episode in range(4):
        net.set_episode(episode)
        net.reset()
        net.reset()  # resets do not move the schedule: an evaluation pass leaves it alone
        values.append(net.parts["synapses"].params.learning_rate)
    assert values == [0.2, 0.1, 0.0, 0.0]
    batched = SmallRL(keys={"seed": 0, "batch_size": 3},
                      parts={"modifiers": [LinearDecay(key="learning_rate", t_stop=2, value_start=0.2, value_stop=0.0)]})
    batched.set_episode([0, 1, 2])  # copies in different episodes: one value each, learning_rate is batched
    np.testing.assert_allclose(batched.parts["synapses"].params.learning_rate, [0.2, 0.1, 0.0])
    with pytest.raises(ValueError, match="episode must be an int >= 0 or 3 of them"):
        batched.set_episode([0, 1])
    for fixed in ("n_neurons", "max_weight", "prob_connection", "input_polarity", "neuron_pct_inhibitory", "seed"):
        with pytest.raises(InvalidParameterError, match=f"Key '{fixed}' of SmallRL is fixed at construction"):
            net.set_key(fixed, net.effective_keys()[0]["value"])
    with pytest.raises(InvalidParameterError, match="'max_weight' is fixed at construction .* cannot be scheduled"):
        SmallRL(parts={"modifiers": [LinearDecay(key="max_weight", t_stop=2, value_start=2.0, value_stop=1.0)]})
    with pytest.raises(InvalidParameterError, match="Did you mean 'learning_rate'"):
        net.set_key("learning_rte", 0.1)
    with pytest.raises(InvalidParameterError, match="The 'learning_rate' parameter"):
        net.set_key("learning_rate", "high")


def test_templates_are_not_mutated_by_use():
    before = dict(SmallRL.keys), dict(SmallRL.parts)
    SmallRL(keys={"seed": 5, "learning_rate": 0.3}, parts={"inputs": StaticMap})
    assert (dict(SmallRL.keys), dict(SmallRL.parts)) == before


def test_unsupervised_network_runs_without_rewarder():
    net = SmallNetwork(keys={"seed": 0})
    net.reset()
    net.tick(PATTERNS[3])
    assert not hasattr(Network, "reward")


def test_active_network_rewards_each_output_spike():
    net = SmallActive(keys={"seed": 0, "prob_rand_fire": 0.2})
    net.reset()
    net._score = net.parts["rewarder"].scorer(PATTERNS[1][None])  # what tick sets before it runs
    spikes = np.zeros((1, 7), dtype=bool)
    assert net.continuous_reward(spikes) is None  # no output spike, no reward
    spikes[0, -1] = True
    np.testing.assert_array_equal(net.continuous_reward(spikes), [1.0])
    net._score = net.parts["rewarder"].scorer(PATTERNS[3][None])
    np.testing.assert_array_equal(net.continuous_reward(spikes), [-1.0])


def test_importing_spikey_does_not_import_ray_or_torch():
    import subprocess
    import sys

    code = ("import sys, spikey.snn, spikey.core, spikey.logging, spikey.viz, spikey.experiments; "
            "print(any(m.split('.')[0] in ('ray', 'torch') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 30), st.integers(1, 12), st.floats(0.0, 1.0),
       st.integers(0, 2**32 - 1))
def test_synaptic_input_equals_the_dense_sum(batch, n_pre, n_post, density, seed):
    """Sparse rows (one network or a batch) and the dense product all give magnitude * sum_i spike_i * w_ij."""
    rng = np.random.default_rng(seed)
    spikes = rng.random((batch, n_pre)) < density
    weights = rng.uniform(-1.0, 1.0, (batch, n_pre, n_post))
    expected = 1.5 * np.einsum("bi,bij->bj", spikes, weights)
    np.testing.assert_allclose(synaptic_input(spikes, 1.5, weights), expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- timing: input delay and spike pairing


class Chain(Network):
    """input -> neuron 0 -> neuron 1, each spike enough to fire the next; STDP potentiation only."""

    parts = {"inputs": SpikeTrain, "neurons": LIF, "weights": Manual, "synapses": STDP, "readout": Threshold}
    keys = {
        "n_inputs": 1, "n_neurons": 2, "n_outputs": 1, "processing_time": 6, "magnitude": 1.0,
        "firing_threshold": 1.0, "potential_decay": 1.0, "max_weight": 2.0, "action_threshold": 0.5,
        "matrix": [np.ones((1, 1)), np.ones((1, 1))], "learning_rate": 0.1, "a_plus": 1.0, "a_minus": 0.0,
        "tau_plus": 20.0, "tau_minus": 20.0,
    }


def chain(spike_at: int, **keys) -> Network:
    trains = np.zeros((1, 6, 1), dtype=bool)
    trains[0, spike_at, 0] = True
    net = Chain(keys={"spike_trains": trains, **keys})
    net.reset()
    return net


@pytest.mark.parametrize("delay", [0, 1])
def test_input_delay_sets_when_an_input_spike_arrives(delay):
    net = chain(2, input_delay=delay)
    net.tick(np.array([0]))
    log = net.spike_log[:, 0]
    assert log[:, 0].nonzero()[0].tolist() == [2]  # the spike log holds emission times
    assert log[:, 1].nonzero()[0].tolist() == [2 + delay]  # the input spike arrives after input_delay steps
    assert log[:, 2].nonzero()[0].tolist() == [3 + delay]  # a body spike always arrives one step later


def test_a_delayed_input_spike_at_a_ticks_last_step_arrives_at_the_next_tick():
    net = chain(5, input_delay=1, processing_time=6)
    net.tick(np.array([0]))
    assert not net.spike_log[:, 0, 1:].any()
    net.tick(np.array([0]))
    assert net.spike_log[0, 0, 1] and net.spike_log[1, 0, 2]


@pytest.mark.parametrize("delay, pairing, lag_input, lag_body", [
    (0, "arrival", 0, 0), (0, "emission", 0, 1), (1, "arrival", 0, 0), (1, "emission", 1, 1),
])
def test_spike_pairing_sets_the_lag_learning_sees(delay, pairing, lag_input, lag_body):
    """STDP with A- = 0 adds learning_rate * exp(-lag / tau_plus) to a synapse whose spike caused the next."""
    net = chain(2, input_delay=delay, spike_pairing=pairing)
    net.tick(np.array([0]))
    added = net.weights[0] - 1.0
    assert added[0, 0] == pytest.approx(0.1 * np.exp(-lag_input / 20.0), rel=1e-12)  # input -> neuron 0
    assert added[1, 1] == pytest.approx(0.1 * np.exp(-lag_body / 20.0), rel=1e-12)  # neuron 0 -> neuron 1


def test_input_polarity_sets_input_signs_and_weight_bounds():
    polarity = np.array([1, -1] * 4)
    net = SmallNetwork(keys={"seed": 0, "input_polarity": polarity, "batch_size": 2})
    state = net.state["weights"]
    np.testing.assert_array_equal(state.low[:, :8], np.where(polarity > 0, 0.0, -KEYS["max_weight"])[None].repeat(2, 0))
    assert np.all(net.weights[:, 1:8:2] <= 0) and np.all(net.weights[:, 0:8:2] >= 0)
    assert np.any(net.weights[:, 1:8:2] < 0)


@pytest.mark.parametrize("value, message", [
    (np.array([1, -1, 0]), r"must have one value per input, shape \(n_inputs=8,\). Got shape \(3,\)"),
    (np.array([1, 2, 0, 0, 0, 0, 0, 0]), "must be a 1-D sequence of \\+1 \\(excitatory\\), -1"),
    (np.ones((2, 4)), "must be a 1-D sequence of \\+1"),
    ("+-+-+-+-", "must be a 1-D sequence of \\+1"),
])
def test_input_polarity_errors(value, message):
    with pytest.raises(InvalidParameterError, match=message):
        SmallNetwork(keys={"input_polarity": value})


def test_input_polarity_accepts_lists_and_tuples():
    net = SmallNetwork(keys={"seed": 0, "input_polarity": [1, -1] * 4})
    np.testing.assert_array_equal(net.parts["inputs"].params.input_polarity, [1.0, -1.0] * 4)
    assert SmallNetwork(keys={"seed": 0, "input_polarity": (0,) * 8}).state["weights"].low[0, :8].min() == -2.0


def test_input_polarity_and_pct_inhibitory_are_exclusive():
    with pytest.raises(InvalidParameterError, match="both set the input polarities; give one"):
        SmallNetwork(keys={"input_polarity": np.ones(8), "input_pct_inhibitory": 0.5})


@pytest.mark.parametrize("parts, message", [
    ({"neurons": "LIF"}, "The 'neurons' part of SmallRL must be a subclass of spikey.snn.neuron.template.Neuron"),
    ({"neurons": LIF(n_neurons=7, magnitude=1.0, firing_threshold=1.0, potential_decay=0.1)}, "not an instance"),
    ({"synapses": LIF}, "The 'synapses' part of SmallRL must be a subclass of spikey.snn.synapse.template.Synapse"),
    ([("neurons", LIF)], "must be a dict of role: part class"),
])
def test_parts_must_be_part_classes_of_their_role(parts, message):
    with pytest.raises(InvalidParameterError, match=message):
        SmallRL(parts=parts)


def test_keys_must_be_a_mapping_and_list_keys_checks_roles():
    with pytest.raises(InvalidParameterError, match="must be a dict of name: value"):
        SmallRL(keys=[("seed", 1)])
    with pytest.raises(InvalidParameterError, match="Unknown key 'neuron' for SmallRL parts. Did you mean 'neurons'"):
        SmallRL.list_keys(neuron=LIF)


def test_layer_sizes_that_do_not_add_up_name_random():
    with pytest.raises(InvalidParameterError, match="The 'layer_sizes' parameter of Random must sum to n_neurons=7"):
        SmallRL(keys={"layer_sizes": (6, 2)})
    with pytest.raises(InvalidParameterError, match=r"must sum to n_neurons=3. Got \(60, 2\) \(sum 62\)"):
        Random(n_inputs=60, n_neurons=3, max_weight=1.0, prob_connection=1.0, weight_scale=1.0, layer_sizes=(60, 2))


def test_resetting_some_copies_leaves_the_others_as_they_were():
    net = SmallActive(keys={"seed": 5, "batch_size": 3})
    net.reset()
    play(net, steps=3)
    before = net.get_state()
    net.reset(copies=np.array([False, True, False]))
    after = net.get_state()
    fresh = SmallActive(keys={"seed": 5, "batch_size": 3})
    fresh.reset()
    for name in ("neurons.potential", "synapses.p_plus", "synapses.z", "next_arrivals"):
        np.testing.assert_array_equal(after[name][[0, 2]], before[name][[0, 2]])
        np.testing.assert_array_equal(after[name][1], fresh.get_state()[name][1])
    np.testing.assert_array_equal(after["weights.values"], before["weights.values"])  # weights persist
    with pytest.raises(ValueError, match=r"copies must be a bool array of shape \(3,\)"):
        net.reset(copies=[1, 0, 0])
    with pytest.raises(RuntimeError, match="before resetting some"):
        SmallActive(keys={"seed": 5, "batch_size": 3}).reset(copies=np.ones(3, dtype=bool))


def test_an_rl_network_without_rewarder_learns_from_the_reward_it_is_given():
    keys = {name: value for name, value in KEYS.items() if name not in ("expected_value", "punish_mult")}
    net = SmallRL(parts={"rewarder": None}, keys={**keys, "seed": 1})
    net.reset()
    before = net.weights.copy()
    action = net.tick(PATTERNS[1])
    assert net.reward(PATTERNS[1], action, reward=2.0) == 2.0
    assert not np.array_equal(before, net.weights)
    with pytest.raises(ValueError, match="has no rewarder part: give the reward itself"):
        net.reward(PATTERNS[1], action)


class Scheduled(SmallNetwork):
    """A small network rewarded at steps fixed before each tick."""

    schedule = None

    def scheduled_rewards(self, n_steps):
        return self.schedule


def test_scheduled_rewards_reach_the_learning_rule_at_their_steps():
    """MSTDPET learns only at rewarded steps: a reward at step 3 equals the rule given it there by hand."""
    keys = {"seed": 4, "processing_time": 8, "backend": "numpy"}
    net, reference = Scheduled(keys=keys), SmallNetwork(keys=keys)
    net.reset(), reference.reset()
    net.schedule = np.zeros((8, 1))
    net.schedule[3] = 1.5
    given = []
    original = reference.continuous_reward
    reference.continuous_reward = lambda spikes: (given.append(None) or (np.array([1.5]) if len(given) == 4
                                                                          else original(spikes)))
    net.tick(np.array([1, 0])), reference.tick(np.array([1, 0]))
    np.testing.assert_array_equal(net.weights, reference.weights)
    assert not np.array_equal(net.weights, SmallNetwork(keys=keys).weights)


@pytest.mark.parametrize("schedule, message", [
    (np.zeros((7, 1)), r"must return real rewards \(int or float\) of shape \(8, 1\); got shape \(7, 1\)"),
    (np.ones((8, 1), dtype=bool), r"must return real rewards \(int or float\) of shape \(8, 1\); got shape \(8, 1\), "
                                  r"dtype bool"),
    (np.where(np.arange(8)[:, None] == 5, np.nan, 0.0), r"must return finite rewards; got nan at step 5"),
], ids=["shape", "bool", "NaN"])
def test_a_bad_reward_schedule_is_refused_naming_the_network_before_anything_changes(schedule, message):
    net = Scheduled(keys={"seed": 0, "processing_time": 8, "backend": "numpy"})
    net.reset()
    net.schedule = schedule
    before, rng = net.get_state(), net.rng.bit_generator.state
    with pytest.raises(ValueError, match=rf"Scheduled.scheduled_rewards {message}"):
        net.tick(np.array([1, 0]))
    assert net.rng.bit_generator.state == rng
    for name, array in net.get_state().items():
        np.testing.assert_array_equal(array, before[name])
