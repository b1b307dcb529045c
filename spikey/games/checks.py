"""Conformance checks for Spikey games: Gymnasium's ``check_env`` plus Spikey's key contract.

:func:`check_game` runs, in order, ``gymnasium.utils.env_checker.check_env`` and
the small public checks in :data:`GAME_CHECKS`; the first failure raises an
``AssertionError`` naming the check, the game and what went wrong. Each check
alone raises :class:`spikey._conformance.Problem`, as the part checks do.
"""
from __future__ import annotations

import copy

import gymnasium
import numpy as np
from gymnasium.utils.env_checker import check_env, data_equivalence

from spikey._conformance import BadType, Problem, global_rng_untouched, require, round_trip
from spikey.games.template import Game
from spikey.module import REQUIRED, Constraint, InvalidParameterError, Key, Params

__all__ = [
    "check_game",
    "GAME_CHECKS",
    "check_keys_declared",
    "check_params_read_only",
    "check_presets_validate",
    "check_invalid_values_rejected",
    "check_unknown_key_rejected",
    "check_seed_determinism",
    "check_observations_in_space",
    "check_pickle",
    "check_bad_actions_refused",
]

UNKNOWN_KEY = "spikey_check_unknown_key"


def check_keys_declared(game: Game) -> None:
    """Every key is a Key with a doc and a Constraint, names are unique, defaults are valid."""
    keys = type(game).NECESSARY_KEYS
    require(isinstance(keys, tuple), f"NECESSARY_KEYS must be a tuple of Key, got {type(keys).__name__}.")
    names = [key.name for key in keys]
    require(len(names) == len(set(names)), f"NECESSARY_KEYS declares a name twice: {names}.")
    for key in keys:
        require(isinstance(key, Key), f"{key!r} in NECESSARY_KEYS is not a spikey.module.Key.")
        require(isinstance(key.doc, str) and key.doc.strip(), f"Key {key.name!r} has no doc.")
        require(isinstance(key.constraint, Constraint), f"Key {key.name!r} has no Constraint.")
        if key.default is not REQUIRED:
            try:
                key.validate(key.default, owner=type(game).__name__)
            except InvalidParameterError as error:
                raise Problem(f"The default of key {key.name!r} is invalid: {error}") from None


def check_params_read_only(game: Game) -> None:
    """``params`` is a read-only Params holding exactly the declared keys."""
    require(isinstance(game.params, Params), f"params must be a spikey.module.Params, got {type(game.params).__name__}.")
    declared = {key.name for key in type(game).NECESSARY_KEYS}
    require(set(game.params) == declared, f"params keys {sorted(game.params)} differ from declared {sorted(declared)}.")


def check_presets_validate(game: Game) -> None:
    """Each preset builds the game, and its values end up in ``params``."""
    cls = type(game)
    if not cls.CONFIGURABLE:
        return
    for name, values in cls.PRESETS.items():
        try:
            params = cls(preset=name).params
        except InvalidParameterError as error:
            raise Problem(f"Preset {name!r} does not validate: {error}") from None
        keys = {key.name: key for key in cls.NECESSARY_KEYS}
        for key, value in values.items():
            if key not in cls.config:  # the class config outranks presets
                expected = keys[key].validate(value, owner=cls.__name__)
                require(params[key] == expected, f"Preset {name!r} does not set key {key!r}.")


def check_invalid_values_rejected(game: Game) -> None:
    """A value of the wrong type and an out-of-range value raise InvalidParameterError naming key and game."""
    cls = type(game)
    if not cls.CONFIGURABLE:
        return
    for key in cls.NECESSARY_KEYS:
        for bad in (BadType(), key.constraint.invalid_example()):
            if bad is None:
                continue
            expected = f"The {key.name!r} parameter of {cls.__name__} must be"
            try:
                game.replace(**{key.name: bad})
            except InvalidParameterError as error:
                require(expected in str(error), f"Error for {key.name}={bad!r} should start {expected!r}: {error}")
            else:
                raise Problem(f"{key.name}={bad!r} was accepted.")


def check_unknown_key_rejected(game: Game) -> None:
    """A key nobody declares raises InvalidParameterError naming the key."""
    try:
        game.replace(**{UNKNOWN_KEY: 1})
    except InvalidParameterError as error:
        require(UNKNOWN_KEY in str(error), f"The error does not name the unknown key: {error}")
    else:
        raise Problem(f"Unknown key {UNKNOWN_KEY!r} was accepted.")


def _rollout(game: Game, seed: int, actions) -> list:
    obs, _ = game.reset(seed=seed)
    trace = [copy.deepcopy(obs)]
    for action in actions:
        obs, reward, terminated, truncated, _ = game.step(action)
        trace.append(copy.deepcopy((obs, reward, terminated, truncated)))
        if terminated or truncated:
            trace.append(copy.deepcopy(game.reset()[0]))
    return trace


def check_seed_determinism(game: Game, n_steps: int = 20) -> None:
    """The same seed and actions give the same episode, without touching the global np.random."""
    space = copy.deepcopy(game.action_space)
    space.seed(0)
    actions = [space.sample() for _ in range(n_steps)]
    first, second = global_rng_untouched(lambda: (_rollout(game, 0, actions), _rollout(game, 0, actions)))
    require(data_equivalence(first, second, exact=True), "Two rollouts with seed 0 and the same actions differ.")


def _require_in_space(game: Game, observation, source: str) -> None:
    require(
        game.observation_space.contains(observation),
        f"{source} (seed 0, random actions) returned {observation!r}, outside the observation space "
        f"{game.observation_space}.",
        "return only observations in observation_space: refuse key values that start or take the state outside "
        "it, or declare the space the game really observes.",
    )


def check_observations_in_space(game: Game, n_steps: int = 200) -> None:
    """Every observation of ``reset`` and ``step`` over random actions is in ``observation_space``.

    Resets when an episode terminates or is truncated, so several episodes are seen.
    """
    space = copy.deepcopy(game.action_space)
    space.seed(0)
    _require_in_space(game, game.reset(seed=0)[0], "reset")
    for step in range(1, n_steps + 1):
        observation, _, terminated, truncated, _ = game.step(space.sample())
        _require_in_space(game, observation, f"step {step}")
        if terminated or truncated:
            _require_in_space(game, game.reset()[0], f"the reset after step {step}")


def check_pickle(game: Game) -> None:
    """The game pickles and keeps its params (presets must use module-level functions)."""
    clone = round_trip(game, "keep the game's params picklable: module-level functions, not lambdas.")
    require(clone.params == game.params, "The unpickled game has different params.")


def bad_actions(space: gymnasium.Space) -> dict:
    """Actions outside ``space``, by kind: missing, not a number, NaN, out of range, a fraction, the wrong shape."""
    cases = {"None": None, "a string": "0", "an object": BadType()}
    if isinstance(space, gymnasium.spaces.Discrete):
        start, n = int(space.start), int(space.n)
        return {**cases, "NaN": np.nan, "one below the range": start - 1, "one above the range": start + n,
                "a fraction": start + 0.5, "two actions": [start, start]}
    if isinstance(space, gymnasium.spaces.Box):
        low = np.where(np.isfinite(space.low), space.low, 0.0)
        below = np.where(np.isfinite(space.low), space.low - 1.0, np.nan)
        return {**cases, "NaN": np.full(space.shape, np.nan), "below the bounds or NaN": below,
                "one value too many": np.append(low, low.flat[:1])}
    return cases


def check_bad_actions_refused(game: Game) -> None:
    """``step`` refuses actions outside ``action_space`` with an error naming the game, before anything changes.

    After each refused action (each tried on a fresh episode, seed 0) the game
    must go on exactly as a copy taken before it: the same step with a valid
    action gives the same result.
    """
    name = type(game).__name__
    owners = [cls.__name__ for cls in type(game).__mro__ if issubclass(cls, Game)]  # a subclass inherits messages
    valid = _first_action(game.action_space)
    for kind, action in bad_actions(game.action_space).items():
        game.reset(seed=0)
        before = copy.deepcopy(game)
        try:
            game.step(action)
        except (ValueError, TypeError) as error:
            require(any(owner in str(error) for owner in owners), f"step({kind}: {action!r}) raised "
                    f"{type(error).__name__}({str(error)!r}), which names neither {name} nor a game it derives from.",
                    "say which game refused the action and what it expects.")
        except Exception as error:
            raise Problem(f"step({kind}: {action!r}) raised {type(error).__name__}: {error}",
                          "check the action against action_space first; raise InvalidParameterError.") from error
        else:
            raise Problem(f"step({kind}: {action!r}) was accepted.",
                          "check the action against action_space before changing any state.")
        require(data_equivalence(before.step(valid), game.step(valid), exact=True),
                f"step({kind}: {action!r}) was refused, but the game changed: a valid step then differs.",
                "check the action before changing any state.")


def _first_action(space: gymnasium.Space):
    """A fixed valid action of ``space``: its lowest."""
    if isinstance(space, gymnasium.spaces.Discrete):
        return int(space.start)
    if isinstance(space, gymnasium.spaces.Box):
        return np.where(np.isfinite(space.low), space.low, 0.0).astype(space.dtype)
    return space.sample()


GAME_CHECKS = (
    check_keys_declared,
    check_params_read_only,
    check_presets_validate,
    check_invalid_values_rejected,
    check_unknown_key_rejected,
    check_seed_determinism,
    check_observations_in_space,
    check_bad_actions_refused,
    check_pickle,
)


def check_game(env: gymnasium.Env) -> None:
    """Check that ``env`` (or the Spikey game it wraps) follows Gymnasium's API and Spikey's key contract.

    Runs ``check_env(env.unwrapped, skip_render_check=True)``, then each check of
    :data:`GAME_CHECKS`. Gymnasium's warnings pass through as warnings.

    Raises
    ------
    AssertionError
        Naming the failed check, the game and the problem.

    Examples
    --------
    >>> from spikey.games import Logic
    >>> check_game(Logic(preset="XOR"))
    >>> class Broken(Logic):
    ...     def reset(self, *, seed=None, options=None):
    ...         return super().reset(seed=None)  # ignores the seed
    >>> check_game(Broken(preset="XOR"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: check_env failed for Broken: ...
    """
    game = env.unwrapped
    name = type(game).__name__
    if not isinstance(game, Game):
        raise AssertionError(f"check_game: {name} is not a spikey.games.Game; wrap it with GymWrapper.")
    try:
        check_env(game, skip_render_check=True)
    except Exception as error:  # noqa: BLE001 - report every failure of Gymnasium's checker
        raise AssertionError(f"check_env failed for {name}: {type(error).__name__}: {error}") from error
    for check in GAME_CHECKS:
        try:
            check(game)
        except Problem as problem:
            fix = f"\nFix: {problem.fix}" if problem.fix else ""
            raise AssertionError(f"{check.__name__} failed for {name}: {problem.problem}{fix}") from problem
