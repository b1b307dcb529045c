"""Play any Gymnasium environment as a Spikey game.

:class:`GymWrapper` holds a Gymnasium environment (built with
``gymnasium.make`` from an id, so with its registered ``TimeLimit``, or given as
an instance), exposes its ``observation_space`` and ``action_space`` unchanged,
converts the actions a network readout returns (numpy bools, ints, arrays) to
what the inner environment accepts, refusing any outside its action space (NaN,
out of bounds) before the environment steps, and describes the spaces in ``params``
(``n_observations``, ``observation_low``/``observation_high``, ``n_actions``) so
a network's input and readout parts can size themselves from keys. Those keys
are read from the environment, never set.

Observations reach the network as the environment gives them, with one
exception: a ``Discrete(n)`` observation, a state number, becomes a one-hot
vector of n values (``MultiBinary(n)``), since a number is not an intensity
(state 0 would drive no input, any other all of them). Continuous values
are not rescaled here: scaling lives with the encoding, in the network's
input part, which reads the bounds the wrapper declares. RateMap maps
``[observation_low, observation_high]`` to rates in [0, ``input_rate``], so
a bounded Box is scaled to [0, 1] with no setting, and an unbounded one
(CartPole's velocities) is refused, naming the unbounded values, until the
network's keys declare finite bounds; RBF spreads its preferred values over
``[rbf_low, rbf_high]``. A training loop plays a Gymnasium id through this
wrapper (``GenericLoop(Agent, "MountainCar-v0", ...)``).
"""
from __future__ import annotations

import difflib
import importlib
import inspect

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.envs.registration import load_env_creator

from spikey.keys import N_ACTIONS, N_OBSERVATIONS, OBSERVATION_HIGH, OBSERVATION_LOW
from spikey.games.template import Game, discrete_action
from spikey.module import InstanceOf, InvalidParameterError, Interval, Key, unknown_key_error, validate_config

__all__ = ["GymWrapper", "space_action"]

KEYS = (
    Key("env_id", InstanceOf(str, "a str"), "Gymnasium id of the wrapped environment (its class name without a spec)."),
    N_OBSERVATIONS,
    OBSERVATION_LOW,
    OBSERVATION_HIGH,
    N_ACTIONS,
)

_MAKE_ARGUMENTS = {"max_episode_steps", "disable_env_checker"}
_ARRAY_SPACES = (spaces.Box, spaces.MultiBinary, spaces.MultiDiscrete)


def space_action(space: spaces.Space, action, owner: str):
    """Convert a readout's ``action`` to an element of ``space``, or refuse it before the environment sees it.

    Discrete: one int or bool, as :func:`~spikey.games.template.discrete_action`.
    Box, MultiBinary, MultiDiscrete: numbers of the space's size, converted to
    its dtype and shape; they must stay finite (floats) or unchanged (integer
    dtypes: 7.5 is not 7). Other spaces: unchanged. The result must be in
    ``space`` (``space.contains``): a Box's bounds hold.

    Raises
    ------
    InvalidParameterError
        Naming ``owner``, the space and the action given.
    """
    if isinstance(space, spaces.Discrete):
        return discrete_action(action, int(space.n), owner, start=int(space.start))
    converted = _array_action(space, action) if isinstance(space, _ARRAY_SPACES) else action
    if converted is None or not space.contains(converted):
        raise InvalidParameterError(
            f"{owner} expects an action of {space}: {_expected(space)} in that space. Got {action!r} instead."
        )
    return converted


def _expected(space: spaces.Space) -> str:
    """What an action of ``space`` is, for an error message: "1 finite number(s)", "3 whole number(s)"."""
    if not isinstance(space, _ARRAY_SPACES):
        return "an element"
    kind = "finite" if space.dtype.kind == "f" else "whole"
    return f"{int(np.prod(space.shape))} {kind} number(s)"


def _array_action(space: spaces.Space, action) -> np.ndarray | None:
    """``action`` as an array of ``space``'s dtype and shape; None if it has another size or a value would change."""
    array = np.asarray(action)
    if array.size != int(np.prod(space.shape)) or array.dtype.kind not in "biuf":
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        converted = array.astype(space.dtype).reshape(space.shape)
    if converted.dtype.kind == "f":
        return converted if np.all(np.isfinite(converted)) else None
    return converted if np.array_equal(converted.ravel(), array.ravel()) else None


def _find_spec(env_id: str, owner: str):
    module, _, name = env_id.rpartition(":")
    if module:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise InvalidParameterError(f"{owner} cannot import {module!r}, the module before ':' in the Gymnasium id "
                                        f"{env_id!r} that registers it: {error}.") from None
    try:
        return gymnasium.spec(name)
    except gymnasium.error.Error as error:
        close = difflib.get_close_matches(name, list(gymnasium.registry), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidParameterError(f"Unknown Gymnasium id {name!r} for {owner}.{hint} ({error})") from None


def _accepted_kwargs(spec) -> set | None:
    """Keyword arguments gymnasium.make accepts for ``spec``; None if any name is accepted."""
    creator = spec.entry_point if callable(spec.entry_point) else load_env_creator(spec.entry_point)
    try:
        parameters = inspect.signature(creator).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return None
    return {parameter.name for parameter in parameters} | set(spec.kwargs) | _MAKE_ARGUMENTS


def _build(env, make_kwargs: dict, owner: str) -> gymnasium.Env:
    if isinstance(env, gymnasium.Env):
        if make_kwargs:
            name = next(iter(make_kwargs))
            raise InvalidParameterError(
                f"{owner} wraps an environment instance; keyword arguments such as {name!r} "
                "are accepted only with an environment id."
            )
        return env
    if not isinstance(env, str):
        raise InvalidParameterError(
            f"The 'env' parameter of GymWrapper must be a Gymnasium id or a gymnasium.Env. Got {env!r} instead."
        )
    accepted = _accepted_kwargs(_find_spec(env, owner))
    for name in make_kwargs:
        if accepted is not None and name not in accepted:
            raise unknown_key_error(name, accepted, owner)
    try:
        return gymnasium.make(env, **make_kwargs)
    except TypeError as error:
        if not make_kwargs:
            raise
        raise InvalidParameterError(f"{owner} rejected the keys {sorted(make_kwargs)}: {error}") from error


def _describe(env: gymnasium.Env, env_id: str) -> dict:
    try:
        flat = spaces.flatten_space(env.observation_space)
    except NotImplementedError:
        raise TypeError(f"GymWrapper({env_id}) needs a flattenable observation space, not {env.observation_space}.") from None
    action_space = env.action_space
    return {
        "env_id": env_id,
        "n_observations": int(flat.shape[0]),
        "observation_low": flat.low.astype(np.float64),
        "observation_high": flat.high.astype(np.float64),
        "n_actions": int(action_space.n) if isinstance(action_space, spaces.Discrete) else spaces.flatdim(action_space),
    }


class GymWrapper(Game):
    """Play a Gymnasium environment as a Spikey game.

    Parameters
    ----------
    env : str or gymnasium.Env
        A registered id, built with ``gymnasium.make(env, **make_kwargs)``
        (``"module:Id-v0"`` imports ``module`` first), or an environment instance.
    **make_kwargs
        Arguments of ``gymnasium.make`` and of the environment's constructor
        (e.g. ``is_slippery=False``, ``render_mode="rgb_array"``,
        ``max_episode_steps=200``). A name neither accepts raises
        :class:`~spikey.module.InvalidParameterError` with a did-you-mean hint.

    Attributes
    ----------
    env : gymnasium.Env
        The inner environment, with the wrappers ``gymnasium.make`` added.
    params : spikey.module.Params
        ``env_id``, ``n_observations``, ``observation_low``, ``observation_high``,
        ``n_actions``, read from the inner environment's spaces.

    Examples
    --------
    >>> game = GymWrapper("FrozenLake-v1", is_slippery=False)
    >>> game.params.n_observations, game.params.n_actions
    (16, 4)
    >>> obs, info = game.reset(seed=0)
    >>> obs.nonzero()[0].tolist(), game.observation_space, game.action_space  # state 0, one-hot
    ([0], MultiBinary(16), Discrete(4))
    >>> obs, reward, terminated, truncated, info = game.step(np.int64(2))  # move right
    >>> obs.nonzero()[0].tolist(), reward, terminated
    ([1], 0.0, False)
    >>> GymWrapper("FrozenLake-v1", is_slipery=False)
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: Unknown key 'is_slipery' for GymWrapper(FrozenLake-v1). Did you mean 'is_slippery'?
    """

    NECESSARY_KEYS = KEYS
    CONFIGURABLE = False

    def __init__(self, env: str | gymnasium.Env, **make_kwargs):
        label = env if isinstance(env, str) else type(getattr(env, "unwrapped", env)).__name__
        self.env = _build(env, make_kwargs, f"GymWrapper({label})")
        spec = self.env.spec
        env_id = spec.id if spec is not None else type(self.env.unwrapped).__name__
        self._source = env if isinstance(env, str) else (spec.id if spec is not None else None)
        self.make_kwargs = dict(make_kwargs) if isinstance(env, str) else dict(spec.kwargs if spec else {})
        inner = self.env.observation_space
        self._one_hot = inner if isinstance(inner, spaces.Discrete) else None
        self.observation_space = spaces.MultiBinary(int(inner.n)) if self._one_hot else inner
        self.action_space = self.env.action_space
        self.metadata = self.env.metadata
        self.render_mode = self.env.render_mode
        self.params = validate_config(self.NECESSARY_KEYS, _describe(self.env, env_id), owner=f"GymWrapper({env_id})")

    @property
    def _owner(self) -> str:
        return f"GymWrapper({self.params.env_id})"

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Reset the inner environment with ``seed``; ``np_random`` is then the inner one."""
        super().reset(seed=seed)
        obs, info = self.env.reset(seed=seed, options=options)
        inner = self.env.unwrapped
        self._np_random, self._np_random_seed = inner.np_random, inner.np_random_seed
        return self._observation(obs), info

    def step(self, action):
        """Step the inner environment with ``action`` converted to its action space (see :func:`space_action`).

        Raises
        ------
        InvalidParameterError
            For an action outside the action space (NaN, out of a Box's
            bounds, another size); the environment has not stepped.
        """
        obs, reward, terminated, truncated, info = self.env.step(space_action(self.action_space, action, self._owner))
        return self._observation(obs), float(reward), bool(terminated), bool(truncated), info

    def _observation(self, obs):
        """A Discrete observation as a one-hot vector (int8); others unchanged."""
        if self._one_hot is None:
            return obs
        vector = np.zeros(int(self._one_hot.n), dtype=np.int8)
        vector[int(obs) - int(self._one_hot.start)] = 1
        return vector

    def render(self):
        """The inner environment's ``render()``."""
        return self.env.render()

    def close(self):
        """Close the inner environment."""
        self.env.close()

    def replace(self, **changes) -> "GymWrapper":
        """A new wrapper of the same id with some ``gymnasium.make`` arguments changed."""
        if self._source is None:
            name = next(iter(changes), None)
            raise InvalidParameterError(
                f"{self._owner} wraps an instance without a spec and cannot be rebuilt"
                + (f" with key {name!r}." if name else ".")
            )
        return GymWrapper(self._source, **{**self.make_kwargs, **changes})
