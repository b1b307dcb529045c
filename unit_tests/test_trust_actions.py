"""Rewards and actions are checked at the public entry points, before anything changes.

Each refused input raises a clear error naming the network, rewarder or game,
what was expected and what was given, and leaves the object as it was: the
same network state (weights, traces, Generator) or the same game state, which
then plays on exactly as an untouched copy does.
"""
import re

import numpy as np
import pytest
from gymnasium import spaces

from spikey.experiments import FlorianXOR
from spikey.games import GymWrapper, VectorGame
from spikey.games.gym_wrapper import space_action
from spikey.module import InvalidParameterError
from spikey.snn.reward import MatchExpected
from spikey.snn.rl_network import RLNetwork

PATTERNS = np.array([[0, 1], [1, 1], [1, 0]])


class RewardedXOR(RLNetwork):
    """Florian's rate-coded XOR parts, rewarded once per tick (Threshold readout: actions 0 and 1)."""

    parts, keys = FlorianXOR.parts, {**FlorianXOR.keys, "processing_time": 100}


def ticked(cls=RewardedXOR, **keys):
    """A network after a reset and one tick, so a reward would change its weights; and its action."""
    net = cls(keys={"seed": 0, **keys})
    net.reset()
    batch = net.params.batch_size
    return net, net.tick(PATTERNS[0] if batch == 1 else PATTERNS[:batch])


def assert_same_state(net, before):
    after = net.get_state()
    assert after.keys() == before.keys()
    for name, array in before.items():
        np.testing.assert_array_equal(after[name], array, err_msg=name)


# ------------------------------------------------------------------ reward()
@pytest.mark.parametrize("cls", [RewardedXOR, FlorianXOR])
def test_reward_before_reset_asks_for_reset(cls):
    net = cls(keys={"seed": 0})
    before = net.get_state()
    for call in (lambda: net.reward(reward=1.0), lambda: net.reward(PATTERNS[0], 1)):
        with pytest.raises(RuntimeError, match=rf"^Call {cls.__name__}\.reset\(\) before the first reward\.$"):
            call()
    assert_same_state(net, before)


@pytest.mark.parametrize("cls", [RewardedXOR, FlorianXOR])
def test_reward_without_arguments_names_the_arguments_it_needs(cls):
    net, action = ticked(cls)
    before = net.get_state()
    message = (f"{cls.__name__}.reward needs the tick's state and action for its rewarder MatchExpected: "
               "reward(state, action), or the reward itself: reward(reward=r). Got state=None, action=None.")
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        net.reward()
    with pytest.raises(InvalidParameterError, match=r"Got state=None, action=1\.$"):
        net.reward(action=1)
    assert_same_state(net, before)


@pytest.mark.parametrize("reward", ["1", b"1", True, np.True_, np.array(True), [True], np.nan, np.inf, -np.inf,
                                    np.array([np.nan]), 1j, [1.0, 2.0], np.array([[1.0]]), {}, [None]])
def test_a_bad_reward_is_refused_and_nothing_learns(reward):
    net, _ = ticked()
    before = net.get_state()
    message = ("The 'reward' argument of RewardedXOR.reward must be a finite reward per network: a number, or an "
               f"array of shape (1,), of finite ints or floats (not bool or str). Got {reward!r} instead.")
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        net.reward(PATTERNS[0], 1, reward=reward)
    assert_same_state(net, before)


@pytest.mark.parametrize("reward", [1.0, [1.0, 0.0], [1.0, True, 0.0], ["1", 0, 0], [1.0, np.nan, 0.0],
                                    np.ones((3, 1)), np.ones(3, dtype=bool)])
def test_a_bad_batch_of_rewards_is_refused_and_nothing_learns(reward):
    net, _ = ticked(batch_size=3)
    before = net.get_state()
    message = ("The 'reward' argument of RewardedXOR.reward must be a finite reward per network: an array of "
               f"shape (3,) of finite ints or floats (not bool or str). Got {reward!r} instead.")
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        net.reward(reward=reward)
    assert_same_state(net, before)


@pytest.mark.parametrize("reward", [1, 1.0, np.float32(1.0), np.int64(1), np.array(1.0), np.array([1.0]), [1]])
def test_one_network_takes_a_number_or_an_array_of_shape_1_alike(reward):
    net, _ = ticked()
    reference, _ = ticked()
    weights = net.weights.copy()
    assert net.reward(reward=reward) == 1.0
    reference.reward(reward=1.0)
    assert not np.array_equal(net.weights, weights)  # it learned, and as from the plain float 1.0
    assert_same_state(net, reference.get_state())


def test_a_batch_takes_one_int_or_float_per_network():
    net, _ = ticked(batch_size=3)
    np.testing.assert_array_equal(net.reward(reward=np.array([1, -2, 0])), [1.0, -2.0, 0.0])
    np.testing.assert_array_equal(net.reward(reward=[0.5, np.float32(1.0), np.int8(3)]), [0.5, 1.0, 3.0])


# ------------------------------------------------------------------ actions scored by the rewarder
BOOL_ANSWERS = "each comparable with the bool answers of expected_value: 0, 1, False or True."


@pytest.mark.parametrize("cls", [RewardedXOR, FlorianXOR])
@pytest.mark.parametrize("action", [7, None, 2, -1, 0.5, np.nan, "1", np.array([1])])
def test_an_action_outside_the_readouts_actions_is_refused(cls, action):
    net, _ = ticked(cls, punish_mult=0.0)  # a wrong action would be scored -0.0, silently
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=rf"^The actions given to MatchExpected must be one per state, "
                                                    rf"shape \(1,\), {re.escape(BOOL_ANSWERS)} Got "):
        net.reward(PATTERNS[0], action)
    assert_same_state(net, before)


@pytest.mark.parametrize("action", [0, 1, False, True, np.True_, np.int64(1), 1.0])
def test_the_readouts_actions_are_scored(action):
    net, _ = ticked(RewardedXOR)
    assert net.reward(PATTERNS[0], action) == (1.0 if action else -1.0)  # XOR(0, 1) is true


@pytest.mark.parametrize("actions", [[1, 7, 0], [1, None, 0], np.ones((3, 1), dtype=int)])
def test_a_batch_with_an_action_outside_the_actions_is_refused(actions):
    net, _ = ticked(batch_size=3)
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=rf"shape \(3,\), {re.escape(BOOL_ANSWERS)} Got "):
        net.reward(PATTERNS, actions)
    assert_same_state(net, before)


def test_the_rewarder_itself_refuses_actions_it_cannot_compare():
    rewarder = MatchExpected(expected_value=lambda s: np.logical_xor(s[:, 0], s[:, 1]))
    with pytest.raises(InvalidParameterError, match=re.escape(f"{BOOL_ANSWERS} Got array([1, 7]) instead.")):
        rewarder(PATTERNS[:2], np.array([1, 7]))
    counts = MatchExpected(expected_value=lambda s: s.sum(axis=1))  # integer answers
    np.testing.assert_array_equal(counts(PATTERNS[:2], np.array([1, 2])), [1.0, 1.0])
    with pytest.raises(InvalidParameterError, match=r"int64 answers of expected_value: whole numbers\. "
                                                    r"Got array\(\[1\. , 2\.5\]\) instead\."):
        counts(PATTERNS[:2], np.array([1.0, 2.5]))


# ------------------------------------------------------------------ VectorGame.step
def logic_state(games):
    return [(copy.unwrapped._state.copy(), copy.unwrapped._steps, copy.unwrapped.np_random.bit_generator.state)
            for copy in games.envs]


def assert_plays_on_like(games, twin, actions):
    """Stepped together from here, ``games`` and an untouched ``twin`` give the same results."""
    for step in actions:
        for ours, theirs in zip(games.step(step)[:4], twin.step(step)[:4]):
            np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("actions", [np.ones(3, dtype=int), np.ones(5, dtype=int), np.ones((2, 2), dtype=int),
                                     np.int64(1), []])
def test_vector_game_refuses_a_wrong_number_of_actions_before_stepping_any_copy(actions):
    games, twin = (VectorGame("spikey/Logic-v0", batch_size=4, preset="AND", max_steps=3) for _ in range(2))
    games.reset(seed=0), twin.reset(seed=0)
    before = logic_state(games)
    message = (f"VectorGame(spikey/Logic-v0, batch_size=4).step expects 4 actions, one per copy: an array of shape "
               f"(4, ...). Got {actions!r} instead.")
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        games.step(actions)
    for (state, steps, rng), (state_0, steps_0, rng_0) in zip(logic_state(games), before):
        np.testing.assert_array_equal(state, state_0)
        assert (steps, rng) == (steps_0, rng_0)
    assert_plays_on_like(games, twin, [[1, 0, 1, 0], [True, True, False, False], [[1], [1], [0], [0]]])


@pytest.mark.parametrize("bad", [7, None, 0.5, "1"])
def test_vector_game_refuses_a_bad_action_of_one_copy_before_stepping_any(bad):
    games, twin = (VectorGame("spikey/Logic-v0", batch_size=4, preset="AND", max_steps=3) for _ in range(2))
    games.reset(seed=0), twin.reset(seed=0)
    before = logic_state(games)
    actions = np.array([1, 0, bad, 1], dtype=object)
    with pytest.raises(InvalidParameterError, match=rf"^VectorGame\(spikey/Logic-v0, batch_size=4\), copy 2, expects "
                                                    rf"an action of Discrete\(2\): one int or bool in \[0, 2\)\. "
                                                    rf"Got {re.escape(repr(bad))} instead\.$"):
        games.step(actions)
    assert [steps for _, steps, _ in logic_state(games)] == [steps for _, steps, _ in before]
    assert_plays_on_like(games, twin, [[1, 0, 1, 0], [0, 0, 0, 0]])


def test_vector_game_of_a_box_refuses_a_nan_of_one_copy_before_stepping_any():
    games, twin = (VectorGame("Pendulum-v1", batch_size=2) for _ in range(2))
    games.reset(seed=0), twin.reset(seed=0)
    with pytest.raises(InvalidParameterError, match=r"^VectorGame\(Pendulum-v1, batch_size=2\), copy 1, expects an "
                                                    r"action of Box\(-2\.0, 2\.0, \(1,\), float32\)"):
        games.step(np.array([0.5, np.nan]))
    assert_plays_on_like(games, twin, [[0.5, -1.0], [[2.0], [-2.0]]])  # (B,) or (B, 1): one number per copy


# ------------------------------------------------------------------ GymWrapper actions
PENDULUM_MESSAGE = r"^GymWrapper\(Pendulum-v1\) expects an action of Box\(-2\.0, 2\.0, \(1,\), float32\): " \
                   r"1 finite number\(s\) in that space\. Got {} instead\.$"


@pytest.mark.parametrize("action", [np.nan, np.array([np.nan]), np.inf, 5.0, -2.5, np.array([1.0, 1.0]), "1", None,
                                    [[np.nan]]])
def test_gym_wrapper_refuses_an_action_outside_the_space_before_the_environment_steps(action):
    game, twin = GymWrapper("Pendulum-v1"), GymWrapper("Pendulum-v1")
    game.reset(seed=0), twin.reset(seed=0)
    with pytest.raises(InvalidParameterError, match=PENDULUM_MESSAGE.format(re.escape(repr(action)))):
        game.step(action)
    np.testing.assert_array_equal(game.env.unwrapped.state, twin.env.unwrapped.state)
    for step in (2.0, np.array([-1.5]), 0, np.float64(1.0)):  # in the space: accepted, and plays as the twin
        ours, theirs = game.step(step), twin.step(step)
        np.testing.assert_array_equal(ours[0], theirs[0])
        assert ours[1:4] == theirs[1:4] and np.isfinite(ours[1])


@pytest.mark.parametrize("space, action, expected", [
    (spaces.MultiBinary(3), [True, False, True], [1, 0, 1]),
    (spaces.MultiBinary(3), [1.0, 0.0, 1.0], [1, 0, 1]),
    (spaces.MultiDiscrete([3, 3]), np.array([2, 0]), [2, 0]),
    (spaces.Box(-1.0, 1.0, (2,)), [[0.5], [-1]], [0.5, -1.0]),
])
def test_space_action_converts_actions_of_the_space(space, action, expected):
    converted = space_action(space, action, "Game")
    assert space.contains(converted)
    np.testing.assert_array_equal(converted, expected)


@pytest.mark.parametrize("space, action, what", [
    (spaces.MultiBinary(3), [0, 1, 2], "3 whole number(s)"),
    (spaces.MultiBinary(3), [0, 1, 0.5], "3 whole number(s)"),
    (spaces.MultiDiscrete([3, 3]), [2, 3], "2 whole number(s)"),
    (spaces.MultiDiscrete([3, 3]), [-1, 0], "2 whole number(s)"),
    (spaces.MultiDiscrete([3, 3]), [0, None], "2 whole number(s)"),
    (spaces.Box(-1.0, 1.0, (2,)), [0.5, 1e300], "2 finite number(s)"),
    (spaces.Box(-1.0, 1.0, (2,)), [0.5], "2 finite number(s)"),
    (spaces.Text(3), 7, "an element"),
])
def test_space_action_refuses_what_the_space_does_not_contain(space, action, what):
    message = f"Game expects an action of {space}: {what} in that space. Got {action!r} instead."
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        space_action(space, action, "Game")


def test_gym_wrapper_refuses_a_discrete_action_out_of_range():
    game = GymWrapper("FrozenLake-v1", is_slippery=False)
    game.reset(seed=0)
    with pytest.raises(InvalidParameterError, match=r"^GymWrapper\(FrozenLake-v1\) expects an action of Discrete\(4\): "
                                                    r"one int or bool in \[0, 4\)\. Got nan instead\.$"):
        game.step(np.nan)
    assert game.env.unwrapped.s == 0
