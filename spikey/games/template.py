"""Base of every Spikey game: a Gymnasium environment with declared, validated keys.

A game declares the keys it reads in ``NECESSARY_KEYS`` and named sets of key
values in ``PRESETS``. ``Game(preset=None, **kwargs)`` resolves each key with the
priority keyword arguments > the class-level ``config`` > the preset > the key's
default, validates the result once and keeps it in ``params``, a read-only
:class:`spikey.module.Params`. A network reads ``game.params`` to fill the keys it
shares with the game (for example ``expected_value``), so params hold plain,
validated values only. Games draw randomness only from ``self.np_random``,
seeded through ``reset(seed=...)``; the global ``np.random`` is never touched.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

import gymnasium
import numpy as np

from spikey.module import (
    InvalidParameterError,
    Interval,
    Key,
    Params,
    key_row,
    merge_keys,
    validate_config,
)

__all__ = ["Game", "discrete_action", "max_steps_key"]


def max_steps_key(default: int) -> Key:
    """The ``max_steps`` key (episode truncation length) with a game-specific default."""
    return Key(
        "max_steps",
        Interval(int, 1, None),
        "Game steps after which an episode is truncated.",
        default=default,
    )


def discrete_action(action, n: int, owner: str, start: int = 0) -> int:
    """Return ``action`` as a Python int in ``[start, start + n)``.

    Accepts what a network readout returns: Python or numpy bools (False -> 0,
    True -> 1), integers, whole floats and arrays holding one such value.

    Raises
    ------
    InvalidParameterError
        The action is not one value of the discrete action space (None, a
        str, 2 for Discrete(2), 0.5, NaN, several values).
    """
    value = np.asarray(action)
    if value.size == 1:
        item = value.reshape(()).item()
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, (bool, int)) and start <= int(item) < start + n:
            return int(item)
    raise InvalidParameterError(
        f"{owner} expects an action of Discrete({n}"
        f"{f', start={start}' if start else ''}): one int or bool in [{start}, {start + n}). "
        f"Got {action!r} instead."
    )


def _preset_values(cls, preset) -> Mapping:
    if preset is None:
        return {}
    if not isinstance(preset, str) or preset not in cls.PRESETS:
        names = ", ".join(repr(name) for name in cls.PRESETS) or "none"
        close = difflib.get_close_matches(str(preset), list(cls.PRESETS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidParameterError(
            f"Unknown preset {preset!r} for {cls.__name__}.{hint} Presets: {names}."
        )
    return cls.PRESETS[preset]


def resolve_params(cls, preset, kwargs: Mapping) -> Params:
    """Validated params of game class ``cls``: kwargs > ``cls.config`` > preset > Key defaults."""
    owner = cls.__name__
    names = {key.name for key in cls.NECESSARY_KEYS}
    sources = [(owner, kwargs, ()), (owner, cls.config, ()), (owner, _preset_values(cls, preset), ())]
    values, _ = merge_keys(sources, names)
    try:
        return validate_config(cls.NECESSARY_KEYS, values, owner=owner)
    except InvalidParameterError as error:
        if str(error).startswith("Missing keys") and cls.PRESETS:
            presets = ", ".join(repr(name) for name in cls.PRESETS)
            raise InvalidParameterError(
                f"{error}. Give them as keyword arguments or choose a preset: {presets}."
            ) from None
        raise


def _check_render_mode(cls, render_mode):
    modes = cls.metadata.get("render_modes", [])
    if render_mode is not None and render_mode not in modes:
        raise InvalidParameterError(
            f"The 'render_mode' parameter of {cls.__name__} must be None or one of "
            f"{modes}. Got {render_mode!r} instead."
        )
    return render_mode


class Game(gymnasium.Env):
    """Base of Spikey games: a ``gymnasium.Env`` configured by declared keys.

    Subclasses declare ``NECESSARY_KEYS``, ``PRESETS``, ``metadata``, build
    ``observation_space`` and ``action_space`` in ``__init__`` (after calling
    ``super().__init__``), and implement ``reset`` (beginning with
    ``super().reset(seed=seed)``) and ``step``.

    Parameters
    ----------
    preset : str, optional
        Name of an entry of ``PRESETS`` giving values for some keys.
    render_mode : str, optional
        One of ``metadata["render_modes"]``, or None.
    **kwargs
        Key values. Priority: keyword arguments > the class-level ``config``
        (for templates: ``class MyLogic(Logic): config = {...}``) > the preset >
        each key's default. A name no key declares raises
        :class:`~spikey.module.InvalidParameterError` with a did-you-mean hint.

    Attributes
    ----------
    params : spikey.module.Params
        The validated key values, read-only.

    Examples
    --------
    >>> from gymnasium import spaces
    >>> from spikey.module import Interval, Key
    >>> class Coin(Game):
    ...     NECESSARY_KEYS = (Key("p_heads", Interval(float, 0, 1), "Probability of heads."),)
    ...     PRESETS = {"FAIR": {"p_heads": 0.5}}
    ...     def __init__(self, preset=None, render_mode=None, **kwargs):
    ...         super().__init__(preset, render_mode, **kwargs)
    ...         self.observation_space = spaces.Discrete(2)
    ...         self.action_space = spaces.Discrete(2)
    ...     def reset(self, *, seed=None, options=None):
    ...         super().reset(seed=seed)
    ...         return np.int64(self.np_random.random() < self.params.p_heads), {}
    ...     def step(self, action):
    ...         obs = np.int64(self.np_random.random() < self.params.p_heads)
    ...         return obs, float(obs == action), False, False, {}
    >>> Coin(preset="FAIR").params
    Params(p_heads=0.5)
    >>> Coin(preset="FAIR", p_heads=0.9).params.p_heads
    0.9
    >>> Coin(p_head=0.9)
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: Unknown key 'p_head' for Coin. Did you mean 'p_heads'?
    """

    NECESSARY_KEYS: tuple = ()
    PRESETS: Mapping = MappingProxyType({})
    config: Mapping = MappingProxyType({})
    metadata = {"render_modes": []}
    CONFIGURABLE = True
    """False for games whose keys are read from elsewhere (GymWrapper), not set."""

    def __init__(self, preset: str | None = None, render_mode: str | None = None, **kwargs):
        self.params = resolve_params(type(self), preset, kwargs)
        self.render_mode = _check_render_mode(type(self), render_mode)

    @classmethod
    def list_keys(cls) -> list[dict]:
        """One row per declared key: name, type, default, description, declared_by."""
        return [key_row(key, cls.__name__) for key in cls.NECESSARY_KEYS]

    def get_params(self) -> dict:
        """The validated key values, as a plain dict."""
        return dict(self.params)

    def replace(self, **changes) -> "Game":
        """A new game of the same class with some keys changed (validated again)."""
        return type(self)(render_mode=self.render_mode, **{**self.params, **changes})

    def __repr__(self):
        values = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{type(self).__name__}({values})"
