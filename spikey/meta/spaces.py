"""The keys an experiment declares, checks of values given for them, and Tune search spaces drawn from them.

An experiment is a training loop over a network template and a game
(:class:`~spikey.core.loop.GenericLoop`): the loop, the network's parts and
the game each declare their keys once (:class:`~spikey.module.Key`). Series
and Population check every value they will try against those declarations
before any trial starts, and :func:`search_space` turns a key's declared
range or options into a Ray Tune search space, so Tune's own searchers run on
a Spikey experiment with one line.
"""
from __future__ import annotations

import math

import numpy as np

from spikey.constraints import Interval, Options
from spikey.core.loop import GenericLoop
from spikey.module import InvalidParameterError, Key, unknown_key_error

__all__ = ["declared_keys", "declared_key", "check_value", "key_values", "search_space", "value_range", "RESERVED"]

RESERVED = ("batch_size", "seed")
"""Keys an experiment sets itself (the batch holds the repeats, ``seed`` is the run's); they are not searched."""


def declared_keys(network_template, game_template) -> dict:
    """Every key the loop, the network template and the game declare: ``{name: (Key, owner)}``.

    Parameters
    ----------
    network_template : type
        A :class:`~spikey.snn.network.Network` subclass.
    game_template : type
        A :class:`~spikey.games.template.Game` subclass.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> from spikey.games import Logic
    >>> key, owner = declared_keys(FlorianXOR, Logic)["learning_rate"]
    >>> key.batched, owner
    (True, 'MSTDPET')
    """
    keys = {key.name: (key, "GenericLoop") for key in GenericLoop.NECESSARY_KEYS}
    for game_key in getattr(game_template, "NECESSARY_KEYS", ()):
        keys[game_key.name] = (game_key, game_template.__name__)
    parts = network_template._resolve_parts(None)
    for name, (key, owners) in network_template._declarations(parts, None).items():
        keys[name] = (key, owners[0])
    return keys


def declared_key(declared: dict, name: str, where: str) -> Key:
    """The Key declared as ``name``; InvalidParameterError naming ``where`` for a name nobody declares
    (with a did-you-mean hint) or one the experiment sets itself (:data:`RESERVED`)."""
    if name in RESERVED:
        raise InvalidParameterError(f"{where}: key {name!r} is set by the experiment (repeats fill the batch, seeds "
                                    f"come from 'seed' and the repeat); it cannot be varied.")
    if name not in declared:
        raise InvalidParameterError(f"{where}: {unknown_key_error(name, declared, 'this experiment')}")
    return declared[name][0]


def check_value(declared: dict, name: str, value, where: str):
    """``value`` for key ``name`` as its Key normalizes it.

    Raises
    ------
    InvalidParameterError
        Naming ``where``, the key and its owner, for an unknown or reserved
        key or a value its Key refuses.
    """
    key = declared_key(declared, name, where)
    try:
        return key.validate(value, declared[name][1])
    except InvalidParameterError as error:
        raise InvalidParameterError(f"{where}: {error}") from None


def value_range(spec) -> list:
    """The values of a range spec ``(key, start, stop, step)``: ``start + i * step`` below ``stop``, ints if all are.

    Raises
    ------
    InvalidParameterError
        Unless start < stop and step > 0 are numbers, naming the spec.

    Examples
    --------
    >>> value_range(("learning_rate", 0.1, 0.5, 0.1)), value_range(("n_neurons", 2, 8, 3))
    ([0.1, 0.2, 0.3, 0.4], [2, 5])
    """
    key, start, stop, step = spec
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (start, stop, step)) or step <= 0 \
            or stop <= start:
        raise InvalidParameterError(f"Spec {spec!r}: a range (key, start, stop, step) needs numbers with "
                                    f"start < stop and step > 0.")
    n_values = math.ceil((stop - start) / step - 1e-9)
    if all(isinstance(x, int) for x in (start, stop, step)):
        return list(range(start, stop, step))
    return np.round(start + step * np.arange(n_values), 12).tolist()  # 0.1 + 2 * 0.1 is 0.3, not 0.30000000000000004


def key_values(key: Key, n_values: int = 11) -> list:
    """The values a gene of ``key`` takes by default: its options, its ints, or ``n_values`` evenly spaced floats.

    Raises
    ------
    InvalidParameterError
        If the key has neither options nor a bounded range (give the values).
    """
    constraint = key.constraint
    if isinstance(constraint, Options):
        return list(constraint.choices)
    if isinstance(constraint, Interval) and constraint.low is not None and constraint.high is not None:
        if constraint.kind is int:
            values = list(range(int(constraint.low), int(constraint.high) + 1))
        else:
            values = np.linspace(constraint.low, constraint.high, n_values).tolist()
        return [value for value in values if _accepts(key, value)]
    raise InvalidParameterError(
        f"Key {key.name!r} is {key.expectation()}: no bounded range or options to search by default; give its values, "
        f"e.g. {{{key.name!r}: [v1, v2]}} or {{{key.name!r}: (start, stop, step)}}.")


def check_not_shared(varied, params: dict, where: str) -> None:
    """Refuse shared keys that a trial sets itself: a varied key given again, or ``batch_size``.

    Raises
    ------
    InvalidParameterError
        Naming ``where`` and the keys.
    """
    twice = sorted(set(varied) & set(params))
    if twice:
        raise InvalidParameterError(f"{where}: {twice} vary, so they cannot also be given as shared keys "
                                    f"({', '.join(f'{name}={params[name]!r}' for name in twice)}).")
    if "batch_size" in params:
        raise InvalidParameterError(f"{where}: batch_size is set by each trial (repeats times shared values); "
                                    f"got batch_size={params['batch_size']!r} as a shared key.")


def _accepts(key: Key, value) -> bool:
    try:
        key.validate(value, "")
        return True
    except InvalidParameterError:
        return False


def search_space(network_template, game_template, keys) -> dict:
    """Ray Tune search spaces for ``keys`` of an experiment, from their declarations.

    Parameters
    ----------
    network_template, game_template : type
        The experiment's templates.
    keys : iterable of str, or dict of str -> None or (low, high) or list
        Key names, searched over their declared range or options; or names
        with bounds ``(low, high)`` (checked against the declaration) or a list
        of values to choose from.

    Returns
    -------
    dict of str -> ray.tune.search.sample.Domain
        ``tune.choice`` for options and lists, ``tune.randint`` for ints,
        ``tune.uniform`` for floats: a ``param_space`` for :func:`spikey.meta.run`.

    Raises
    ------
    InvalidParameterError
        For an unknown key, bounds outside its range, or a key with no
        bounded range and no bounds given.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> from spikey.games import Logic
    >>> space = search_space(FlorianXOR, Logic, {"learning_rate": (0.1, 1.0), "weight_dist": None})
    >>> space["learning_rate"].lower, space["weight_dist"].categories
    (0.1, ['uniform', 'lognormal'])
    """
    from ray import tune

    declared = declared_keys(network_template, game_template)
    space = {}
    for name, given in (keys if isinstance(keys, dict) else dict.fromkeys(keys)).items():
        where = f"search_space {name}={given!r}"
        key = declared_key(declared, name, where)
        if isinstance(given, list):
            space[name] = tune.choice([check_value(declared, name, value, where) for value in given])
        elif given is None and isinstance(key.constraint, Options):
            space[name] = tune.choice(list(key.constraint.choices))
        else:
            if given is not None and not (isinstance(given, tuple) and len(given) == 2 and given[0] < given[1]):
                raise InvalidParameterError(f"{where}: give None (the declared range), a list of values, or bounds "
                                            f"(low, high) with low < high.")
            values = key_values(key) if given is None else given
            low, high = (check_value(declared, name, value, where) for value in (values[0], values[-1]))
            space[name] = tune.randint(low, high + 1) if isinstance(low, int) else tune.uniform(low, high)
    return space
