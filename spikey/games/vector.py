"""Batched play: B independent copies of a game stepped together.

A network with ``batch_size=B`` returns B actions per step and learns from B
rewards; :class:`VectorGame` answers with B observations, rewards, terminations
and truncations, batch axis first. It is Gymnasium's ``SyncVectorEnv`` with:

- **same-step autoreset** by default: a copy whose episode ends is reset within
  the same ``step``; ``reward[i]``, ``terminated[i]`` and ``truncated[i]`` describe
  the step that ended the episode, ``obs[i]`` is already the first observation of
  the next episode, and ``info["final_obs"][i]`` is the last one of the old
  episode. The network therefore never spends a step on a dead copy.
- **independent per-copy seeds**: ``reset(seed=s)`` seeds copy ``i`` with
  :func:`copy_seeds`, an integer drawn from child ``i`` of
  ``numpy.random.SeedSequence(s)``, instead of Gymnasium's ``s + i``, which
  would make copy 1 of seed 0 replay copy 0 of seed 1 (runs seeded ``base + k``
  would share episodes). Child ``i`` does not depend on B, so copy ``i`` plays
  the same episodes whatever the batch size.
"""
from __future__ import annotations

import copy
import functools

import gymnasium
import numpy as np
from gymnasium.envs.registration import load_env_creator
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import concatenate, create_empty_array

from spikey.keys import BATCH_SIZE
from spikey.games.gym_wrapper import GymWrapper, space_action
from spikey.games.template import Game
from spikey.module import InvalidParameterError

__all__ = ["VectorGame", "copy_seeds", "game_factory"]


def copy_seeds(seed: int, batch_size: int) -> list[int]:
    """The seed of each copy: ``int(SeedSequence(seed).spawn(batch_size)[i].generate_state(1, uint64)[0])``."""
    children = np.random.SeedSequence(seed).spawn(batch_size)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def _is_spikey_id(env_id: str) -> bool:
    spec = gymnasium.spec(env_id.rpartition(":")[2])
    creator = spec.entry_point if callable(spec.entry_point) else load_env_creator(spec.entry_point)
    return isinstance(creator, type) and issubclass(creator, Game)


def game_factory(game, kwargs: dict):
    """A zero-argument function building one fresh copy of ``game`` (see :class:`VectorGame`)."""
    if isinstance(game, str):
        if _is_spikey_id(game):
            return functools.partial(gymnasium.make, game, **kwargs)
        return functools.partial(GymWrapper, game, **kwargs)
    if isinstance(game, type) and issubclass(game, gymnasium.Env):
        if issubclass(game, Game):
            return functools.partial(game, **kwargs)
        return lambda: GymWrapper(game(**kwargs))
    if isinstance(game, gymnasium.Env):
        if kwargs:
            raise InvalidParameterError(f"VectorGame copies the instance {game!r}; keys {sorted(kwargs)} cannot be applied.")
        if isinstance(game.unwrapped, Game):
            return functools.partial(copy.deepcopy, game)
        return lambda: GymWrapper(copy.deepcopy(game))
    if callable(game):
        return functools.partial(game, **kwargs)
    raise InvalidParameterError(
        f"The 'game' parameter of VectorGame must be an id, a Game class, a gymnasium.Env or a factory. Got {game!r} instead."
    )


class VectorGame(SyncVectorEnv):
    """``batch_size`` copies of one game, for a network with the same ``batch_size``.

    Parameters
    ----------
    game : str, type, gymnasium.Env or callable
        A registered id (Spikey ids are built with ``gymnasium.make``, other
        Gymnasium ids through :class:`GymWrapper`), a :class:`Game` subclass, an
        environment instance (deep-copied ``batch_size`` times) or a function
        returning a fresh environment.
    batch_size : int
        Number of copies B.
    autoreset_mode : str or gymnasium.vector.AutoresetMode, default SAME_STEP
        How ended copies restart; see the module docstring.
    **kwargs
        Keys (and ``preset``) for each copy.

    Attributes
    ----------
    params : spikey.module.Params
        The keys of copy 0 (all copies share them), for the network.

    Examples
    --------
    >>> games = VectorGame("spikey/Logic-v0", batch_size=4, preset="AND", max_steps=3)
    >>> obs, info = games.reset(seed=0)
    >>> obs.shape
    (4, 2)
    >>> actions = games.params.expected_value(obs)  # a perfect player, (4,) bools
    >>> obs, rewards, terminated, truncated, info = games.step(actions)
    >>> rewards, terminated.shape
    (array([1., 1., 1., 1.]), (4,))
    """

    def __init__(self, game, batch_size: int, *, autoreset_mode=AutoresetMode.SAME_STEP, **kwargs):
        batch_size = BATCH_SIZE.validate(batch_size, owner="VectorGame")
        factory = game_factory(game, kwargs)
        super().__init__([factory] * batch_size, autoreset_mode=autoreset_mode)
        self._name = game if isinstance(game, str) else type(self.envs[0].unwrapped).__name__

    @property
    def batch_size(self) -> int:
        """Number of copies B."""
        return self.num_envs

    @property
    def params(self):
        """The validated keys of copy 0."""
        return self.envs[0].get_wrapper_attr("params")

    def reset(self, *, seed: int | list | None = None, options: dict | None = None):
        """Reset every copy; an int ``seed`` gives copy ``i`` the seed ``copy_seeds(seed, B)[i]``, a list ``seed[i]``."""
        if seed is not None and not isinstance(seed, (list, tuple)):
            seed = copy_seeds(seed, self.num_envs)
        return super().reset(seed=None if seed is None else list(seed), options=options)

    def step(self, actions):
        """Step every copy with its action, once all B actions are checked.

        Parameters
        ----------
        actions : array_like of shape (B, ...)
            One action per copy, each converted to ``single_action_space`` as
            :func:`~spikey.games.gym_wrapper.space_action` does (bools to ints,
            one number to a Box of shape (1,)).

        Raises
        ------
        InvalidParameterError
            If ``actions`` does not hold B actions along its first axis, or one
            of them is not in ``single_action_space``; no copy has stepped.
        """
        return super().step(self._checked_actions(actions))

    def _checked_actions(self, actions):
        """``actions`` as the batched element of ``action_space``, each copy's action converted and checked."""
        owner, batch = f"VectorGame({self._name}, batch_size={self.num_envs})", self.num_envs
        try:
            array = np.asarray(actions)
        except ValueError:  # ragged: the copies' actions differ in shape
            array = np.empty(len(actions), dtype=object)
            array[...] = list(actions)
        if array.ndim == 0 or len(array) != batch:
            raise InvalidParameterError(
                f"{owner}.step expects {batch} actions, one per copy: an array of shape ({batch}, ...). "
                f"Got {actions!r} instead."
            )
        space = self.single_action_space
        converted = [space_action(space, action, f"{owner}, copy {i},") for i, action in enumerate(array)]
        return concatenate(space, converted, create_empty_array(space, batch))
