"""Networks playing games: Gymnasium environments through the wrapper, batched."""
import gymnasium
import numpy as np

from spikey.games import GymWrapper, Logic, VectorGame
from spikey.snn import RLNetwork
from spikey.snn.input import RBF
from spikey.snn.neuron import LIF
from spikey.snn.readout import TopAction
from spikey.snn.reward import MatchExpected
from spikey.snn.synapse import RLSTDP
from spikey.snn.weight import Random


class CartPoleAgent(RLNetwork):
    parts = {"inputs": RBF, "neurons": LIF, "weights": Random, "synapses": RLSTDP, "readout": TopAction,
             "rewarder": MatchExpected}
    keys = {
        "n_inputs": 40, "n_neurons": 20, "n_outputs": 10, "processing_time": 20, "magnitude": 1.0,
        "input_rate": 0.5, "rbf_low": [-2.4, -3.0, -0.21, -3.0], "rbf_high": [2.4, 3.0, 0.21, 3.0],
        "firing_threshold": 2.0, "potential_decay": 0.1, "max_weight": 1.0, "prob_connection": 0.5,
        "weight_scale": 1.0, "learning_rate": 0.01, "trace_decay": 0.1,
        "expected_value": lambda states: (states[:, 2] > 0).astype(np.int64),
    }


def play(seed):
    games = VectorGame("CartPole-v1", batch_size=4)
    net = CartPoleAgent(game=games, keys={"batch_size": 4, "seed": seed})
    observations, _ = games.reset(seed=seed)
    net.reset()
    lengths, steps, finished = [], np.zeros(4, dtype=int), 0
    while finished < 8:
        actions = net.tick(observations)
        assert actions.shape == (4,) and games.action_space.contains(actions)
        net.reward(observations, actions)
        observations, rewards, terminated, truncated, _ = games.step(actions)
        steps += 1
        done = terminated | truncated
        lengths += steps[done].tolist()
        steps[done] = 0
        finished += int(done.sum())
    return lengths, net.weights.copy()


def test_cartpole_v1_through_the_wrapper_with_a_batch_of_four():
    lengths, weights = play(seed=0)
    assert len(lengths) >= 8 and all(1 <= n <= 500 for n in lengths)
    again, weights_again = play(seed=0)
    assert again == lengths
    np.testing.assert_array_equal(weights, weights_again)


def test_network_reads_params_through_gymnasium_make_wrappers():
    import spikey.games  # noqa: F401  (registers the spikey/ ids)

    env = gymnasium.make("spikey/Logic-v0", preset="XOR")
    keys = {k: v for k, v in CartPoleAgent.keys.items() if k != "expected_value"}
    net = type("Agent", (CartPoleAgent,), {"keys": keys})(game=env, keys={"n_actions": 2, "rbf_low": [0.0, 0.0],
                                                                          "rbf_high": [1.0, 1.0]})
    assert net.parts["rewarder"].params.expected_value is env.unwrapped.params.expected_value


def test_wrapper_params_feed_group_readout():
    game = GymWrapper("CartPole-v1")
    keys = {k: v for k, v in CartPoleAgent.keys.items()}
    net = CartPoleAgent(game=game, keys=keys)
    assert net.parts["readout"].params.n_actions == game.params.n_actions == 2
    assert isinstance(Logic(preset="XOR").params.expected_value(np.array([[1, 0]]))[0], np.bool_)
