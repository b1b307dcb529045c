"""Tests of spikey.games: conformance, presets, errors, registration, wrapper, vector play."""
import importlib
import pickle
import warnings

import gymnasium
import numpy as np
import pytest

import spikey.games
from spikey.games import (
    GAME_IDS,
    CartPole,
    GymWrapper,
    Logic,
    RandState,
    VectorGame,
    check_game,
    copy_seeds,
    register_games,
)
from spikey.games.logic import logical_and, logical_or, logical_xor
from spikey.module import InvalidParameterError

INFINITE_BOX = ".*A Box observation space m.* value is .*infinity"

GAMES = {
    "Logic-AND": lambda: Logic(preset="AND"),
    "Logic-OR": lambda: Logic(preset="OR"),
    "Logic-XOR": lambda: Logic(preset="XOR"),
    "Logic-XOR-epochs": lambda: Logic(preset="XOR", pattern_order="epochs"),
    "CartPole-DEFAULT": lambda: CartPole(preset="DEFAULT"),
    "CartPole-FREMAUX": lambda: CartPole(preset="FREMAUX"),
    "CartPole-semi-implicit": lambda: CartPole(integrator="semi_implicit_euler"),
    "RandState-index": lambda: RandState(n_states=7),
    "RandState-one-hot": lambda: RandState(n_states=7, encoding="one_hot"),
    "Gym-CartPole-v1": lambda: GymWrapper("CartPole-v1"),
    "Gym-MountainCar-v0": lambda: GymWrapper("MountainCar-v0"),
    "Gym-FrozenLake-v1": lambda: GymWrapper("FrozenLake-v1"),
}


def strict_check(env):
    """check_game with every warning an error, except Gymnasium's note on infinite Box bounds."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", INFINITE_BOX)
        check_game(env)


def rollout(game, seed, actions):
    trace = [game.reset(seed=seed)[0]]
    for action in actions:
        obs, reward, terminated, truncated, _ = game.step(action)
        trace.append((obs, reward, terminated, truncated))
        if terminated or truncated:
            trace.append(game.reset()[0])
    return trace


# ---------------------------------------------------------------- conformance
@pytest.mark.parametrize("name", list(GAMES))
def test_check_game_passes(name):
    strict_check(GAMES[name]())


@pytest.mark.parametrize("env_id", list(GAME_IDS))
def test_make_every_registered_id(env_id):
    env = gymnasium.make(env_id)
    assert isinstance(env.unwrapped, spikey.games.Game)
    strict_check(env)
    env.close()


@pytest.mark.parametrize("name", ["Logic-XOR", "CartPole-DEFAULT", "RandState-one-hot", "Gym-MountainCar-v0"])
def test_same_seed_same_episode(name):
    game = GAMES[name]()
    actions = [i % 2 for i in range(60)]
    first, second = rollout(game, 7, actions), rollout(GAMES[name](), 7, actions)
    assert gymnasium.utils.env_checker.data_equivalence(first, second, exact=True)
    other = rollout(game, 8, actions)
    assert not gymnasium.utils.env_checker.data_equivalence(first, other, exact=True)


def test_check_game_names_the_failed_check():
    class GlobalRandom(Logic):
        def _draw_state(self):
            return np.random.randint(0, 2, size=2).astype(np.int8)  # the global RNG: forbidden

    class Unseeded(Logic):
        def reset(self, *, seed=None, options=None):
            return super().reset(seed=None)

    # Gymnasium's reset check catches it unless two global draws happen to agree; then Spikey's check does.
    with pytest.raises(AssertionError, match="(check_env|check_seed_determinism) failed for GlobalRandom"):
        check_game(GlobalRandom(preset="XOR"))
    with pytest.raises(AssertionError, match="check_env failed for Unseeded"):
        check_game(Unseeded(preset="XOR"))


def test_check_seed_determinism_catches_global_rng_on_step():
    from spikey.games.checks import check_seed_determinism

    class NoisyReward(Logic):
        def step(self, action):
            obs, reward, terminated, truncated, info = super().step(action)
            return obs, reward + float(np.random.random() < 0.0), terminated, truncated, info

    with pytest.raises(AssertionError, match="global RNG"):
        check_seed_determinism(NoisyReward(preset="AND"))


def test_check_game_rejects_non_games():
    with pytest.raises(AssertionError, match="GymWrapper"):
        check_game(gymnasium.make("CartPole-v1"))


# -------------------------------------------------------------------- Logic
@pytest.mark.parametrize(
    "preset, function, table",
    [
        ("AND", logical_and, [False, False, False, True]),
        ("OR", logical_or, [False, True, True, True]),
        ("XOR", logical_xor, [False, True, True, False]),
    ],
)
def test_logic_presets_truth_tables(preset, function, table):
    states = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int8)
    game = Logic(preset=preset)
    assert game.params.expected_value is function
    answers = game.params.expected_value(states)
    assert answers.dtype == np.bool_ and answers.tolist() == table
    batched = game.params.expected_value(np.stack([states, states]))  # any leading batch axes
    assert batched.shape == (2, 4)


def test_logic_rewards_the_answer_for_the_previous_state():
    game = Logic(preset="XOR", max_steps=50)
    obs, _ = game.reset(seed=3)
    assert obs.dtype == np.int8 and obs.shape == (2,) and obs in game.observation_space
    for step in range(1, 51):
        right = bool(logical_xor(obs))
        answer = right if step % 2 else not right
        obs, reward, terminated, truncated, info = game.step(np.bool_(answer))
        assert reward == (1.0 if step % 2 else 0.0)
        assert terminated is False and truncated is (step == 50) and info == {}


def test_logic_epochs_show_each_pattern_once_per_epoch_in_varying_order():
    game = Logic(preset="XOR", pattern_order="epochs", max_steps=400)
    shown = [game.reset(seed=1)[0]] + [game.step(0)[0] for _ in range(399)]
    epochs = np.array(shown).reshape(100, 4, 2)
    codes = epochs[:, :, 0] * 2 + epochs[:, :, 1]
    assert all(sorted(epoch) == [0, 1, 2, 3] for epoch in codes.tolist())
    assert len({tuple(epoch) for epoch in codes.tolist()}) > 12  # orders vary (24 possible)
    again = [Logic(preset="XOR", pattern_order="epochs").reset(seed=1)[0]]
    np.testing.assert_array_equal(again[0], shown[0])


@pytest.mark.parametrize("action", [True, np.True_, 1, np.int64(1), np.array([1]), np.array(True), 1.0])
def test_games_accept_readout_actions(action):
    for game in (Logic(preset="AND"), CartPole(), RandState()):
        game.reset(seed=0)
        game.step(action)


@pytest.mark.parametrize("action", [2, -1, 0.5, "left", np.array([0, 1]), None])
def test_games_reject_bad_actions(action):
    game = Logic(preset="AND")
    game.reset(seed=0)
    with pytest.raises(ValueError, match="Logic expects an action of Discrete"):
        game.step(action)


def test_step_before_reset():
    with pytest.raises(gymnasium.error.ResetNeeded):
        CartPole().step(0)


def test_logic_without_preset_names_the_missing_key_and_presets():
    with pytest.raises(InvalidParameterError, match="Missing keys: 'expected_value'.*'AND', 'OR', 'XOR'"):
        Logic()


def test_logic_rejects_non_vectorized_expected_value():
    def scalar_xor(state):  # original Spikey style: one state at a time
        return state[0] != state[1]

    with pytest.raises(InvalidParameterError, match="'expected_value' parameter of Logic must be vectorized"):
        Logic(expected_value=scalar_xor)


def test_logic_pickles():
    game = Logic(preset="XOR")
    game.reset(seed=1)
    clone = pickle.loads(pickle.dumps(game))
    assert clone.params == game.params
    assert gymnasium.utils.env_checker.data_equivalence(clone.step(1), game.step(1), exact=True)


# -------------------------------------------------------- keys, presets, errors
def test_bad_value_error_names_game_and_key():
    message = "The 'x_max' parameter of CartPole must be a float in the range [0.001, 1000.0]. Got -1 instead."
    with pytest.raises(InvalidParameterError) as error:
        CartPole(x_max=-1)
    assert str(error.value) == message
    with pytest.raises(InvalidParameterError, match="'x_init_range' parameter of CartPole must be a pair"):
        CartPole(x_init_range=(0.1, -0.1))
    with pytest.raises(InvalidParameterError, match="'encoding' parameter of RandState must be one of"):
        RandState(encoding="binary")


def test_unknown_key_error_suggests():
    with pytest.raises(InvalidParameterError) as error:
        CartPole(x_mx=2.0)
    assert str(error.value) == "Unknown key 'x_mx' for CartPole. Did you mean 'x_max'?"


def test_unknown_preset_error_names_game_and_presets():
    with pytest.raises(InvalidParameterError) as error:
        Logic(preset="XNOR")
    assert str(error.value) == "Unknown preset 'XNOR' for Logic. Did you mean 'XOR'? Presets: 'AND', 'OR', 'XOR'."
    with pytest.raises(InvalidParameterError, match="Unknown preset 'FREMAUX' for RandState. Presets: none."):
        RandState(preset="FREMAUX")


def test_bad_render_mode():
    with pytest.raises(InvalidParameterError, match="'render_mode' parameter of Logic"):
        Logic(preset="XOR", render_mode="human")


def test_priority_kwargs_over_config_over_preset_over_defaults():
    class XORTemplate(Logic):
        config = {"expected_value": logical_xor, "max_steps": 10}

    assert XORTemplate().params.max_steps == 10
    assert XORTemplate(preset="AND").params.expected_value is logical_xor  # config outranks the preset
    assert XORTemplate(max_steps=3).params.max_steps == 3  # kwargs outrank config
    assert Logic(preset="AND").params.max_steps == 100  # the key default
    assert XORTemplate.config == {"expected_value": logical_xor, "max_steps": 10}  # never mutated
    assert CartPole(preset="FREMAUX", x_max=3.0).params.x_max == 3.0
    assert CartPole(preset="FREMAUX").params.gravity == 9.8


def test_cartpole_default_preset_equals_key_defaults_and_gymnasium():
    assert CartPole(preset="DEFAULT").params == CartPole().params
    reference = gymnasium.make("CartPole-v1").unwrapped
    p = CartPole().params
    assert (p.x_max, p.theta_max, p.gravity, p.mass_cart, p.mass_pole) == (
        reference.x_threshold,
        reference.theta_threshold_radians,
        reference.gravity,
        reference.masscart,
        reference.masspole,
    )
    assert (p.pole_half_length, p.force_magnitude, p.tau) == (reference.length, reference.force_mag, reference.tau)


def test_cartpole_reproduces_gymnasium_cartpole_v1_bit_for_bit():
    actions = np.random.default_rng(3).integers(0, 2, 300)
    ours, theirs = rollout(CartPole(), 5, actions), rollout(gymnasium.make("CartPole-v1"), 5, [int(a) for a in actions])
    assert gymnasium.utils.env_checker.data_equivalence(ours, theirs, exact=True)


def test_params_are_read_only_and_listed():
    game = CartPole()
    with pytest.raises(AttributeError):
        game.params.x_max = 3.0
    rows = CartPole.list_keys()
    assert [row["name"] for row in rows] == [key.name for key in CartPole.NECESSARY_KEYS]
    assert {"name", "type", "default", "description", "declared_by"} <= set(rows[0])
    assert rows[0]["declared_by"] == "CartPole"
    assert Logic.list_keys()[0]["name"] == "expected_value"
    assert game.replace(x_max=3.0).params.x_max == 3.0 and game.params.x_max == 2.4


def test_cartpole_terminates_at_bounds_and_renders():
    game = CartPole(render_mode="rgb_array", x_max=0.2, theta_max=1.5)
    game.reset(seed=0)
    first = game.render()
    assert first.shape == (400, 600, 3) and first.dtype == np.uint8
    rewards, terminated = [], False
    while not terminated:
        obs, reward, terminated, truncated, _ = game.step(1)
        rewards.append(reward)
    assert abs(obs[0]) > 0.2 and rewards[-1] == 1.0
    assert game.step(1)[1] == 0.0  # steps after termination earn nothing
    assert not np.array_equal(first, game.render())
    made = gymnasium.make("spikey/CartPole-v0", render_mode="rgb_array")
    made.reset(seed=0)
    assert made.render().shape == (400, 600, 3)


def test_rand_state_draws_uniform_states_with_zero_reward():
    game = RandState(n_states=4, max_steps=400)
    obs, _ = game.reset(seed=2)
    seen = [int(obs)]
    for _ in range(400):
        obs, reward, terminated, truncated, _ = game.step(0)
        assert reward == 0.0 and not terminated and isinstance(obs, np.int64)
        seen.append(int(obs))
    assert truncated and set(seen) == {0, 1, 2, 3}
    assert np.bincount(seen).min() > 60


# ------------------------------------------------------------------- wrapper
def test_wrapper_cartpole_v1_params_and_time_limit():
    game = GymWrapper("CartPole-v1")
    assert game.observation_space == gymnasium.make("CartPole-v1").observation_space
    p = game.params
    assert (p.env_id, p.n_observations, p.n_actions) == ("CartPole-v1", 4, 2)
    assert p.observation_high[1] == np.inf and p.observation_high[0] == pytest.approx(4.8)
    game.reset(seed=0)
    game.step(np.True_)
    short = GymWrapper("CartPole-v1", max_episode_steps=3)
    short.reset(seed=0)
    assert [short.step(i % 2)[3] for i in range(3)] == [False, False, True]


def test_wrapper_mountain_car_accepts_numpy_actions():
    game = GymWrapper("MountainCar-v0")
    assert game.params.n_actions == 3
    assert game.params.observation_low == pytest.approx((-1.2, -0.07))
    obs, _ = game.reset(seed=0)
    for action in (np.int64(2), np.True_, np.array([0])):
        obs, reward, terminated, truncated, _ = game.step(action)
        assert reward == -1.0 and obs in game.observation_space


def test_wrapper_frozen_lake_reaches_goal():
    game = GymWrapper("FrozenLake-v1", is_slippery=False)
    assert (game.params.n_observations, game.params.n_actions) == (16, 4)
    game.reset(seed=0)
    right, down = 2, 1
    results = [game.step(action) for action in (right, right, down, down, down, right)]
    obs, reward, terminated = results[-1][:3]
    assert obs.tolist() == [0] * 15 + [1] and (reward, terminated) == (1.0, True)  # state 15, one-hot


def test_wrapper_instance_and_replace():
    game = GymWrapper(gymnasium.make("FrozenLake-v1", is_slippery=False))
    assert game.params.env_id == "FrozenLake-v1"
    assert game.replace(map_name="8x8").params.n_observations == 64


def test_wrapper_errors():
    with pytest.raises(InvalidParameterError, match="Unknown Gymnasium id 'CartPol-v1' .*Did you mean 'CartPole-v1'"):
        GymWrapper("CartPol-v1")
    with pytest.raises(InvalidParameterError, match=r"Unknown key 'is_slipery' for GymWrapper\(FrozenLake-v1\)"):
        GymWrapper("FrozenLake-v1", is_slipery=False)
    with pytest.raises(InvalidParameterError, match="only with an environment id"):
        GymWrapper(gymnasium.make("CartPole-v1"), sutton_barto_reward=True)
    with pytest.raises(ValueError, match=r"GymWrapper\(MountainCar-v0\) expects an action of Discrete\(3\)"):
        game = GymWrapper("MountainCar-v0")
        game.reset(seed=0)
        game.step(3)


# -------------------------------------------------------------- registration
def test_registration_is_idempotent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        register_games()
        importlib.reload(spikey.games)
    env = gymnasium.make("spikey/Logic-v0", preset="AND")
    assert env.unwrapped.params.expected_value is logical_and
    assert gymnasium.make("spikey/Logic-v0").unwrapped.params.expected_value is logical_xor
    assert gymnasium.make("spikey.games:spikey/RandState-v0", n_states=3).observation_space.n == 3


# -------------------------------------------------------------------- vector
def test_copy_seeds_are_independent_of_batch_size_and_distinct():
    assert copy_seeds(0, 4)[:2] == copy_seeds(0, 2)
    assert len(set(copy_seeds(0, 4)) | set(copy_seeds(1, 4))) == 8


def test_vector_cartpole_per_copy_termination_and_seeding():
    batch, seed, n_steps = 4, 11, 120
    actions = np.random.default_rng(0).integers(0, 2, size=(n_steps, batch)).astype(bool)
    games = VectorGame(CartPole, batch_size=batch)
    assert games.batch_size == batch and games.params == CartPole().params
    obs, _ = games.reset(seed=seed)
    trace = [obs]
    ended = np.zeros(batch, dtype=int)
    for step in range(n_steps):
        obs, rewards, terminated, truncated, info = games.step(actions[step])
        assert obs.shape == (batch, 4) and rewards.shape == terminated.shape == truncated.shape == (batch,)
        if terminated.any():
            assert np.all(np.abs(obs[terminated]) <= 0.05)  # already the next episode's first state
            assert np.all(info["_final_obs"] == terminated | truncated)
        ended += terminated
        trace.append(obs)
    assert ended.min() >= 1 and len(set(ended)) > 1  # copies end on their own schedules

    for i, copy_seed in enumerate(copy_seeds(seed, batch)):  # each copy is a plain, reseeded game
        single = CartPole()
        expected = [single.reset(seed=copy_seed)[0]]
        for step in range(n_steps):
            obs_i, _, terminated_i, truncated_i, _ = single.step(actions[step, i])
            expected.append(single.reset()[0] if terminated_i or truncated_i else obs_i)
        assert np.array_equal(np.stack(expected), np.stack(trace)[:, i])

    again = VectorGame(CartPole, batch_size=batch)
    assert np.array_equal(again.reset(seed=seed)[0], trace[0])


def test_vector_game_sources():
    for source, kwargs in (("spikey/Logic-v0", {"preset": "OR"}), ("FrozenLake-v1", {"is_slippery": False})):
        games = VectorGame(source, batch_size=3, **kwargs)
        obs, _ = games.reset(seed=0)
        assert len(obs) == 3
        games.step(np.ones(3, dtype=bool))
    instance = VectorGame(RandState(n_states=5, encoding="one_hot"), batch_size=2)
    assert instance.reset(seed=0)[0].shape == (2, 5)
    first_states, _ = VectorGame(RandState, batch_size=2, n_states=1000).reset(seed=0)
    assert first_states[0] != first_states[1]  # copies are seeded differently
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter of VectorGame"):
        VectorGame(CartPole, batch_size=0)
    with pytest.raises(InvalidParameterError, match="Unknown key 'x_mx' for CartPole"):
        VectorGame(CartPole, batch_size=2, x_mx=1.0)
