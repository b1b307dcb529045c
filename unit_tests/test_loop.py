"""The training loop: episodes, batches whose copies end at different steps, rewards, schedules, callbacks."""
import numpy as np
import pytest
from gymnasium import spaces

from spikey.core import ExperimentCallback, GenericLoop
from spikey.experiments import FlorianXOR
from spikey.games import Game, Logic, RandState
from spikey.module import Interval, InvalidParameterError, Key
from spikey.snn import RLNetwork
from spikey.snn.input import RateMap, SpikeTrain, StaticMap
from spikey.snn.modifier import LinearDecay
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold, TopAction
from spikey.snn.synapse import RLSTDP, STDP
from spikey.snn.weight import Manual, Random


class Press(Game):
    """Shows [1]; the episode ends once the action 1 was given ``presses`` times; reward 0.5 per press."""

    NECESSARY_KEYS = (Key("presses", Interval(int, 1, None), "Presses that end an episode.", default=3),)

    def __init__(self, preset=None, render_mode=None, **kwargs):
        super().__init__(preset, render_mode, **kwargs)
        self.observation_space = spaces.Box(0.0, 1.0, (1,))
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.count = 0
        return np.ones(1, dtype=np.float32), {}

    def step(self, action):
        self.count += int(action)
        return np.ones(1, dtype=np.float32), 0.5 * int(action), self.count >= self.params.presses, False, {}


class Presser(RLNetwork):
    """One input drives one neuron; it fires (action 1) when the weight reaches its threshold. STDP learns."""

    parts = {"inputs": StaticMap, "neurons": LIF, "weights": Manual, "synapses": STDP, "readout": Threshold}
    keys = {"n_inputs": 1, "n_neurons": 1, "n_outputs": 1, "processing_time": 5, "magnitude": 1.0,
            "potential_decay": 1.0, "max_weight": 5.0, "matrix": np.array([[1.0], [0.0]]), "action_threshold": 0.5,
            "learning_rate": 0.01, "a_minus": 0.0, "firing_threshold": 0.9}


def run(threshold, **params):
    config = {"n_episodes": 3, "len_episode": 6, "firing_threshold": threshold, "seed": 0, "progress": False}
    return GenericLoop(Presser, Press, **{**config, **params})()


def test_copies_end_episodes_alone_and_equal_lone_runs():
    """Copy 0 presses at every step (3-step episodes), copy 1 never (6-step episodes, cut by len_episode)."""
    network, game, results, info = run(np.array([0.9, 2.0]), batch_size=2)
    np.testing.assert_array_equal(results["steps"], [[3, 6]] * 3)
    np.testing.assert_array_equal(results["total_reward"], [[1.5, 0.0]] * 3)
    for copy, threshold in enumerate((0.9, 2.0)):  # copy 0 kept running while copy 1 played: its end state is back
        lone, _, lone_results, _ = run(threshold)
        np.testing.assert_array_equal(network.weights[copy], lone.weights[0])
        for name, values in lone_results.items():
            np.testing.assert_array_equal(results[name][:, copy], values[:, 0], err_msg=name)
    assert network.weights[0, 0, 0] > 1.0 and network.weights[1, 0, 0] == 1.0  # only the copy that fired learned


def test_rl_network_without_rewarder_learns_from_the_games_reward():
    _, _, results, _ = run(0.9)
    np.testing.assert_array_equal(results["total_learning_reward"][:, 0], results["total_reward"][:, 0])
    assert results["output_rate"][0, 0] == pytest.approx(1000.0)  # the neuron fires at every 1 ms step


def test_report_gets_one_row_per_episode_and_network():
    rows = []
    GenericLoop(Presser, Press, n_episodes=2, len_episode=6, firing_threshold=np.array([0.9, 2.0]), seed=0,
                batch_size=2, progress=False)(report=rows.append)
    assert sorted((row["copy"], row["episode"]) for row in rows) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert {"total_reward", "steps", "output_rate", "total_learning_reward"} <= set(rows[0])


def test_schedules_follow_training_episodes():
    decay = LinearDecay(key="learning_rate", t_stop=2, value_start=0.01, value_stop=0.0)

    class Scheduled(Presser):
        parts = {**Presser.parts, "modifiers": [decay]}

    callback = ExperimentCallback()
    callback.monitor("rate", lambda net: net.parts["synapses"].params.learning_rate, every="episode")
    callback.monitor("weight", lambda net: net.weights[0, 0, 0], every="episode")
    GenericLoop(Scheduled, Press, callback=callback, n_episodes=3, len_episode=6, seed=0, progress=False)()
    np.testing.assert_allclose(callback.info["rate"], [0.01, 0.005, 0.0])  # the rate each episode learned with
    weights = callback.info["weight"]
    assert weights[0] > 1.0 and weights[1] > weights[0] and weights[2] == weights[1]


def test_monitors_record_every_step_tick_and_episode():
    callback = ExperimentCallback()
    callback.monitor("potential", lambda neuron_state, spikes: neuron_state.potential.copy(), every="step")
    callback.monitor("weight", lambda net: net.weights[:, 0, 0].copy(), every="tick")
    callback.monitor("episode_weight", lambda net: net.weights[:, 0, 0].copy(), every="episode")
    network, _, _, info = GenericLoop(Presser, Press, callback=callback, n_episodes=2, len_episode=6, seed=0,
                                      progress=False)()
    assert info["potential"].shape == (6 * 5, 1, 1) and info["weight"].shape == (6, 1)
    assert info["episode_weight"].shape == (2, 1) and info["episode_weight"][-1, 0] == network.weights[0, 0, 0]
    assert network.step_monitors == []  # detached at the end: a later tick monitors nothing
    with pytest.raises(ValueError, match="every must be one of"):
        callback.monitor("x", lambda net: 0, every="second")


def test_florian_xor_through_the_loop():
    network, game, results, info = GenericLoop(
        FlorianXOR, Logic, n_episodes=2, len_episode=8, preset="XOR", pattern_order="epochs", seed=1, batch_size=2,
        processing_time=100, progress=False)()
    assert results["steps"].tolist() == [[8, 8], [8, 8]] and network.params.batch_size == 2
    assert np.all(results["total_learning_reward"] != 0)  # the rewarder scored every episode


@pytest.mark.parametrize("params, message", [
    ({"n_episode": 2}, "Unknown key 'n_episode' for GenericLoop. Did you mean 'n_episodes'"),
    ({"n_episodes": 0}, "The 'n_episodes' parameter of GenericLoop must be an int in the range \\[1, 2\\*\\*63 - 1\\]"),
    ({"presses": 0}, "The 'presses' parameter of Press must be"),
    ({"firing_threshold": "high"}, "The 'firing_threshold' parameter of LIF must be"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        GenericLoop(Presser, Press, **{"n_episodes": 1, "len_episode": 2, **params})()


def test_templates_must_be_a_network_and_a_game():
    with pytest.raises(InvalidParameterError, match="network_template of GenericLoop must be a Network subclass"):
        GenericLoop(Press, Press, n_episodes=1, len_episode=1)
    with pytest.raises(InvalidParameterError, match="game_template of GenericLoop must be a spikey Game subclass "
                                                    "or a Gymnasium id. Got <class 'gymnasium.spaces.box.Box'>"):
        GenericLoop(Presser, spaces.Box, n_episodes=1, len_episode=1)


class Driver(RLNetwork):
    """Rate-coded observations, a choice among the game's actions, learning from the game's reward."""

    parts = {"inputs": RateMap, "neurons": LIF, "weights": Random, "synapses": RLSTDP, "readout": TopAction}
    keys = {"n_inputs": 16, "n_neurons": 12, "n_outputs": 12, "processing_time": 10, "magnitude": 1.0,
            "input_rate": 0.5, "firing_threshold": 2.0, "potential_decay": 0.1, "max_weight": 1.0,
            "prob_connection": 0.5, "weight_scale": 1.0, "learning_rate": 0.01, "trace_decay": 0.1}


def test_a_gymnasium_id_is_played_through_the_wrapper_with_its_bounds():
    """MountainCar's bounded Box reaches RateMap as observation_low/high; the make arguments go to Gymnasium."""
    loop = GenericLoop(Driver, "MountainCar-v0", n_episodes=2, len_episode=5, seed=3, batch_size=2, progress=False,
                       goal_velocity=0.01)
    network, game, results, _ = loop()
    rate_map = network.parts["inputs"].params
    assert rate_map.observation_low == pytest.approx((-1.2, -0.07)) and rate_map.observation_high[0] == pytest.approx(0.6)
    assert game.envs[0].unwrapped.env.unwrapped.goal_velocity == 0.01
    np.testing.assert_array_equal(results["steps"], [[5, 5], [5, 5]])
    np.testing.assert_array_equal(results["total_reward"], [[-5, -5], [-5, -5]])


def test_a_discrete_observation_reaches_the_inputs_one_hot():
    network, *_ = GenericLoop(Driver, "FrozenLake-v1", n_episodes=1, len_episode=3, seed=0, progress=False,
                              is_slippery=False)()
    drive = network.state["inputs"].drive[0]  # the last observation: one state, one input group at full rate
    assert np.count_nonzero(drive) == 1 and drive.max() == 0.5


def test_an_unbounded_observation_needs_declared_bounds():
    config = {"n_episodes": 1, "len_episode": 2, "seed": 0, "progress": False}
    with pytest.raises(InvalidParameterError, match=r"RateMap .* needs finite bounds \(observation values \[1, 3\] "
                                                    r"are unbounded\)"):
        GenericLoop(Driver, "CartPole-v1", **config)()
    bounds = {"observation_low": [-2.4, -3.0, -0.21, -3.0], "observation_high": [2.4, 3.0, 0.21, 3.0]}
    _, _, results, _ = GenericLoop(Driver, "CartPole-v1", **config, **bounds)()
    assert results["steps"][0, 0] >= 1


def test_a_misspelt_gymnasium_argument_is_named():
    with pytest.raises(InvalidParameterError, match="Unknown key 'is_slipery' for GymWrapper\\(FrozenLake-v1\\). "
                                                    "Did you mean 'is_slippery'"):
        GenericLoop(Driver, "FrozenLake-v1", n_episodes=1, len_episode=1, is_slipery=False)()


def test_a_run_in_pieces_continues_the_same_network():
    """Episodes 0-1 then 2-3 from the network the first piece returned: as schedules and reports expect."""
    decay = LinearDecay(key="learning_rate", t_stop=4, value_start=0.01, value_stop=0.0)

    class Scheduled(Presser):
        parts = {**Presser.parts, "modifiers": [decay]}

    rows = []
    loop = GenericLoop(Scheduled, Press, n_episodes=2, len_episode=6, seed=0, progress=False)
    network, *_ = loop(report=rows.append)
    network, *_ = loop(report=rows.append, network=network, first_episode=2)
    assert [row["episode"] for row in rows] == [0, 1, 2, 3]
    assert network.parts["synapses"].params.learning_rate == pytest.approx(0.0025)  # episode 3 of the schedule
    whole, *_ = GenericLoop(Scheduled, Press, n_episodes=4, len_episode=6, seed=0, progress=False)()
    np.testing.assert_allclose(network.weights, whole.weights, rtol=1e-12)  # a deterministic game: no difference


def test_without_resets_a_run_in_pieces_is_one_continuous_run():
    """With reset_network=False and a game that ignores its seed, two pieces equal one run, potentials and all."""
    pieces = GenericLoop(Presser, Press, n_episodes=2, len_episode=4, seed=0, progress=False, reset_network=False,
                         potential_decay=0.5, firing_threshold=1.5)
    network, *_ = pieces()
    network, *_ = pieces(network=network, first_episode=2)
    whole, *_ = GenericLoop(Presser, Press, n_episodes=4, len_episode=4, seed=0, progress=False, reset_network=False,
                            potential_decay=0.5, firing_threshold=1.5)()
    for name, array in whole.get_state().items():
        np.testing.assert_array_equal(network.get_state()[name], array, err_msg=name)


def test_a_game_too_wide_for_the_network_fails_naming_both():
    class Narrow(Presser):
        keys = {**Presser.keys}

    class Wide(Press):
        def __init__(self, preset=None, render_mode=None, **kwargs):
            super().__init__(preset, render_mode, **kwargs)
            self.observation_space = spaces.Box(0.0, 1.0, (3,))

    with pytest.raises(InvalidParameterError, match=r"The 'n_observations' parameter of StaticMap must be at most "
                                                    r"n_inputs=1 \(one input group per value\). Got 3 instead. \(n_observations=3 came from the game Wide"):
        GenericLoop(Narrow, Wide, n_episodes=1, len_episode=2)()
    with pytest.raises(InvalidParameterError, match="Narrow and Wide do not fit: the game's observations have 3 "
                                                    "values, the network's input part takes n_observations=1"):
        GenericLoop(Narrow, Wide, n_episodes=1, len_episode=2, n_observations=1)()


def test_a_continuous_action_space_needs_a_readout_of_action_vectors():
    with pytest.raises(InvalidParameterError, match=r"Driver and GymWrapper\(Pendulum-v1\) do not fit: TopAction chooses "
                                                    "one discrete action per step, the game's actions are continuous"):
        GenericLoop(Driver, "Pendulum-v1", n_episodes=1, len_episode=3, progress=False)()


def test_a_discrete_state_number_is_one_observation_value():
    """RandState(encoding="index") shows a state number: one value, as the network and the loop both count it."""
    class Symbols(RLNetwork):
        parts = {"inputs": SpikeTrain, "neurons": LIF, "weights": Random, "synapses": RLSTDP, "readout": TopAction}
        keys = {**{k: v for k, v in Driver.keys.items() if k != "input_rate"}, "n_inputs": 4, "n_actions": 2,
                "spike_trains": np.ones((3, 5, 4), dtype=bool)}

    network, _, results, _ = GenericLoop(Symbols, RandState, n_states=3, encoding="index", n_episodes=1,
                                         len_episode=2, seed=0, progress=False)()
    assert network.parts["inputs"].observation_size() == 1 and results["steps"].tolist() == [[2.0]]
