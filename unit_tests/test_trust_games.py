"""The built-in games keep their observations in their observation space and refuse keys they cannot compute with.

Each key value a game cannot compute with raises InvalidParameterError at
construction, naming the game, the key (and, for a cross-key rule, the other
key), what was expected and what was given. Over random valid keys, seeds and
actions every observation of ``reset`` and ``step`` is finite and in
``observation_space``; a CartPole step that diverges anyway raises
FloatingPointError and leaves the game as it was.
"""
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikey.games import CartPole, Logic, RandState, check_game
from spikey.games.checks import check_observations_in_space
from spikey.games.logic import logical_xor
from spikey.module import InvalidParameterError

INFINITE_BOX = ".*A Box observation space m.* value is .*infinity"
THETA_MAX = 12 * 2 * math.pi / 360  # CartPole's default


def refused(message, game, **keys):
    with pytest.raises(InvalidParameterError) as error:
        game(**keys)
    assert str(error.value) == message


def play(game, seed, actions):
    """Every observation of reset and step, resetting when an episode ends."""
    observations = [game.reset(seed=seed)[0]]
    for action in actions:
        observation, _, terminated, truncated, _ = game.step(action)
        observations.append(observation)
        if terminated or truncated:
            observations.append(game.reset()[0])
    return observations


def assert_in_space(game, observations):
    for observation in observations:
        assert game.observation_space.contains(observation), (observation, game)
        assert np.all(np.isfinite(observation)), (observation, game)


# ------------------------------------------------------------ CartPole's key ranges
@pytest.mark.parametrize("key, value, expected", [
    ("tau", 1e300, "(0, 1]"),  # once NaN observations with terminated=False
    ("gravity", 1e4, "[0, 1000.0]"),
    ("mass_cart", 1e-4, "[0.001, 1000.0]"),
    ("mass_pole", 1e4, "(0, 1000.0]"),
    ("pole_half_length", 1e-4, "[0.001, 1000.0]"),
    ("force_magnitude", 1e4, "[0, 1000.0]"),
    ("x_max", 1e39, "[0.001, 1000.0]"),
    ("x_max", 5e-324, "[0.001, 1000.0]"),
    ("theta_max", 4.0, "[0.001, 3.141592653589793]"),
])
def test_cartpole_physics_keys_have_declared_ranges(key, value, expected):
    refused(f"The {key!r} parameter of CartPole must be a float in the range {expected}. Got {value!r} instead.",
            CartPole, **{key: value})


@pytest.mark.parametrize("keys", [
    {"tau": 1.0, "gravity": 1e3, "mass_cart": 1e-3, "mass_pole": 1e3, "pole_half_length": 1e-3,
     "force_magnitude": 1e3, "x_max": 1e3, "theta_max": math.pi, "xdot_init_range": (-1e3, 1e3),
     "thetadot_init_range": (-1e3, 1e3)},
    {"tau": 1.0, "gravity": 0.0, "mass_cart": 1e3, "mass_pole": 1e3, "pole_half_length": 1e3, "force_magnitude": 1e3,
     "integrator": "semi_implicit_euler"},
    {"tau": 5e-324, "x_max": 1e-3, "theta_max": 1e-3, "x_init_range": (-1e-3, 1e-3), "theta_init_range": (0.0, 0.0),
     "mass_pole": 5e-324},
])
def test_cartpole_at_its_bounds_passes_every_game_check(keys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", INFINITE_BOX)
        check_game(CartPole(**keys))


# ------------------------------------------------------------ CartPole's initial ranges
@pytest.mark.parametrize("keys, message", [
    ({"theta_init_range": (1, 2)},
     "The 'theta_init_range' parameter of CartPole must be within [-theta_max, theta_max] = "
     f"[{-THETA_MAX}, {THETA_MAX}]. Got (1.0, 2.0) instead."),
    ({"x_init_range": (-3.0, 0.0)},
     "The 'x_init_range' parameter of CartPole must be within [-x_max, x_max] = [-2.4, 2.4]. Got (-3.0, 0.0) instead."),
    ({"x_max": 0.01},  # the default x_init_range (-0.05, 0.05) reaches beyond the narrower track
     "The 'x_init_range' parameter of CartPole must be within [-x_max, x_max] = [-0.01, 0.01]. "
     "Got (-0.05, 0.05) instead."),
    ({"preset": "FREMAUX", "theta_max": 0.1, "theta_init_range": (-0.2, 0.0)},
     "The 'theta_init_range' parameter of CartPole must be within [-theta_max, theta_max] = [-0.1, 0.1]. "
     "Got (-0.2, 0.0) instead."),
    ({"xdot_init_range": (0.0, 1e4)},
     "The 'xdot_init_range' parameter of CartPole must be within [-1000.0, 1000.0]. Got (0.0, 10000.0) instead."),
    ({"thetadot_init_range": (-1e300, 0.0)},
     "The 'thetadot_init_range' parameter of CartPole must be within [-1000.0, 1000.0]. Got (-1e+300, 0.0) instead."),
])
def test_cartpole_refuses_initial_ranges_outside_the_running_state(keys, message):
    refused(message, CartPole, **keys)


def test_cartpole_initial_ranges_may_reach_the_thresholds():
    game = CartPole(x_init_range=(2.4, 2.4), theta_init_range=(-THETA_MAX, -THETA_MAX),
                    xdot_init_range=(1e3, 1e3), thetadot_init_range=(-1e3, -1e3))
    observation, _ = game.reset(seed=0)
    assert game.observation_space.contains(observation)
    np.testing.assert_array_equal(observation, np.float32([2.4, 1e3, -THETA_MAX, -1e3]))


def test_cartpole_draws_from_a_signed_zero_range():
    game = CartPole(thetadot_init_range=(0.0, -0.0))  # valid, as 0.0 <= -0.0; numpy's uniform alone refuses it
    assert game.reset(seed=0)[0][3] == 0.0


# ------------------------------------------------------------ CartPole's observations
def test_cartpole_clips_the_step_that_jumps_beyond_the_space():
    game = CartPole(x_max=1e-3, x_init_range=(0.0, 0.0), xdot_init_range=(1.0, 1.0), theta_init_range=(0.0, 0.0),
                    thetadot_init_range=(0.0, 0.0), force_magnitude=0.0)
    game.reset(seed=0)
    observation, reward, terminated, _, _ = game.step(1)  # x = 0.02 m: ten times the space's bound 2 x_max
    assert terminated and reward == 1.0
    assert observation[0] == np.float32(2e-3) and game.observation_space.contains(observation)


def test_cartpole_divergence_raises_and_leaves_the_game_as_it_was():
    game = CartPole(tau=1.0, pole_half_length=1e-3, x_max=1e3, theta_max=math.pi)
    game.reset(seed=0)
    ended = False
    with pytest.raises(FloatingPointError) as error:
        for _ in range(100):
            observation, _, terminated, _, _ = game.step(1)  # stepping on after the episode has terminated
            assert np.all(np.isfinite(observation)) and game.observation_space.contains(observation)
            ended = ended or terminated
    assert ended
    message = str(error.value)
    assert re.fullmatch(r"CartPole diverged at step \d+ of the episode: the state \(x, x_dot, theta, theta_dot\) = "
                        r"\(.*\) does not fit a float32 observation: tau=1\.0 s is too long an Euler step for these "
                        r"dynamics\. Lower tau, and reset once an episode terminates\.", message)
    with pytest.raises(FloatingPointError) as again:  # the same state and step count: the same step diverges again
        game.step(1)
    assert str(again.value) == message
    assert game.observation_space.contains(game.reset(seed=0)[0])


def within(limit):
    """A valid (low, high) range inside [-limit, limit]."""
    return st.lists(st.floats(-limit, limit), min_size=2, max_size=2).map(sorted).map(tuple)


def declared(key):
    """Floats over the whole range ``key``'s Interval declares."""
    interval = next(k.constraint for k in CartPole.NECESSARY_KEYS if k.name == key)
    return st.floats(interval.low, interval.high, exclude_min=interval.closed in ("right", "neither"),
                     exclude_max=interval.closed in ("left", "neither"))


@st.composite
def cartpole_keys(draw):
    names = ("gravity", "mass_cart", "mass_pole", "pole_half_length", "force_magnitude", "tau", "x_max", "theta_max")
    keys = {name: draw(declared(name)) for name in names}
    return {**keys, "x_init_range": draw(within(keys["x_max"])), "xdot_init_range": draw(within(1e3)),
            "theta_init_range": draw(within(keys["theta_max"])), "thetadot_init_range": draw(within(1e3)),
            "integrator": draw(st.sampled_from(["euler", "semi_implicit_euler"])),
            "max_steps": draw(st.integers(1, 100))}


@settings(max_examples=40, deadline=None)
@given(keys=cartpole_keys(), seed=st.integers(0, 2**32 - 1))
def test_cartpole_observations_stay_in_the_space_for_valid_keys(keys, seed):
    game = CartPole(**keys)
    actions = np.random.default_rng(seed).integers(0, 2, 100)
    assert_in_space(game, play(game, seed, actions))


# ------------------------------------------------------------ RandState
def test_rand_state_refuses_n_states_numpy_cannot_draw():
    with pytest.raises(InvalidParameterError, match=r"^The 'n_states' parameter of RandState must be an int in the "
                                                    r"range \[1, .*\]\. Got 18446744073709551616 instead\.$"):
        RandState(n_states=2**64)


def test_rand_state_draws_from_the_largest_int64_n_states():
    game = RandState(n_states=2**63 - 1)
    observations = play(game, 0, [0] * 20)
    assert_in_space(game, observations)
    assert max(observations) > 2**62  # drawn over the whole range
    check_game(game)


def test_rand_state_bounds_one_hot_observations():
    refused("The 'n_states' parameter of RandState must be at most 2**20 = 1048576 with encoding='one_hot' (each "
            "observation holds n_states values). Got 1048577 instead.", RandState, n_states=2**20 + 1,
            encoding="one_hot")
    game = RandState(n_states=2**20, encoding="one_hot")
    assert_in_space(game, play(game, 0, [0] * 3))
    assert RandState(n_states=2**20 + 1).observation_space.n == 2**20 + 1  # index encoding: one int per observation


RAND_STATE_KEYS = st.one_of(  # one-hot sizes up to 2**12 keep the test fast; 2**20 is tested above
    st.fixed_dictionaries({"n_states": st.integers(1, 2**63 - 1)}),
    st.fixed_dictionaries({"n_states": st.integers(1, 2**12), "encoding": st.just("one_hot")}),
)


@settings(max_examples=30, deadline=None)
@given(keys=RAND_STATE_KEYS, max_steps=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_rand_state_observations_stay_in_the_space(keys, max_steps, seed):
    game = RandState(**keys, max_steps=max_steps)
    assert_in_space(game, play(game, seed, [0, 1] * 25))


# ------------------------------------------------------------ Logic
def to_two(states):
    return np.where(logical_xor(states), 2, 0)


def to_nan(states):
    return np.where(logical_xor(states), np.nan, 0.0)


def to_text(states):
    return np.where(logical_xor(states), "yes", "no")


def as_ints(states):
    return logical_xor(states).astype(np.int64)


@pytest.mark.parametrize("expected_value, got", [
    (to_two, "array([0, 2, 2, 0])"),
    (to_nan, "array([ 0., nan, nan,  0.])"),
    (to_text, "array(['no', 'yes', 'yes', 'no'], dtype='<U3')"),
])
def test_logic_refuses_answers_no_action_can_match(expected_value, got):
    refused("The 'expected_value' parameter of Logic must be vectorized: f(states of shape (4, 2)) must return an "
            f"array of shape (4,) of answers 0, 1, False or True. Got {got} instead.", Logic,
            expected_value=expected_value)


def test_logic_accepts_integer_answers_and_rewards_them_as_bools():
    game = Logic(expected_value=as_ints)
    observation, _ = game.reset(seed=0)
    assert game.step(int(logical_xor(observation)))[1] == 1.0


@settings(max_examples=30, deadline=None)
@given(preset=st.sampled_from(["AND", "OR", "XOR"]), order=st.sampled_from(["uniform", "epochs"]),
       max_steps=st.integers(1, 2**63 - 1), seed=st.integers(0, 2**32 - 1))
def test_logic_observations_stay_in_the_space(preset, order, max_steps, seed):
    game = Logic(preset=preset, pattern_order=order, max_steps=max_steps)
    assert_in_space(game, play(game, seed, [0, 1, 1] * 10))


# ------------------------------------------------------------ the conformance check
class Drifting(Logic):
    """Leaves MultiBinary(2) from its fourth step on."""

    def step(self, action):
        observation, reward, terminated, truncated, info = super().step(action)
        drifted = self._steps >= 4
        return observation + 2 * drifted, reward, terminated, truncated, info


def test_check_game_checks_observations_over_random_steps():
    check_observations_in_space(CartPole(x_max=0.1))  # short episodes: many resets
    with pytest.raises(AssertionError, match=r"^step 4 \(seed 0, random actions\) returned array\(\[[23], [23]\], "
                                             r"dtype=int8\), outside the observation space MultiBinary\(2\)\.$"):
        check_observations_in_space(Drifting(preset="XOR"))
    with pytest.raises(AssertionError, match=r"^check_observations_in_space failed for Drifting: step 4 "):
        check_game(Drifting(preset="XOR"))
