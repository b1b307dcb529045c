"""Declared, validated parameters: the one configuration mechanism of Spikey.

Every part (and the network and every game) declares the keys it reads as a
tuple of :class:`Key` in ``NECESSARY_KEYS``. A key has a name, a description, a
constraint (type and valid range or choices) and an optional default.
:class:`Module` validates a configuration against those declarations once, at
construction, and keeps the result in ``params``, a read-only namespace. Each
problem found raises :class:`InvalidParameterError` naming the part, the key,
what was expected and what was given.

Longer than 300 lines on purpose: Key, Params, Module, the merging and
validation of configurations and the tables that show them are one
mechanism. Constraints are in :mod:`spikey.constraints`.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from spikey.constraints import Constraint, InstanceOf, Interval, Options

__all__ = [
    "REQUIRED",
    "InvalidParameterError",
    "Constraint",
    "Interval",
    "Options",
    "InstanceOf",
    "Key",
    "Params",
    "Module",
    "validate_config",
    "unknown_key_error",
    "merge_keys",
    "KeyTable",
    "per_network",
]


class InvalidParameterError(ValueError, TypeError):
    """A key is missing, unknown, of the wrong type or out of its range."""


class _Required:
    def __repr__(self):
        return "REQUIRED"

    def __reduce__(self):
        return "REQUIRED"


REQUIRED = _Required()
"""Marks a key without a default: the configuration must give it."""


KEY_NAMES: set = set()
"""The name of every Key ever declared: a name outside it is a typo wherever it is given."""


@dataclass(frozen=True, eq=False)
class Key:
    """One declared configuration key.

    Parameters
    ----------
    name : str
        The key, snake_case.
    constraint : Constraint
        Accepted values.
    doc : str
        What the key means, with its unit.
    default : object, default REQUIRED
        Value used when the configuration does not give one.
    batched : bool, default False
        Also accept a 1-D array with one value per network of the batch.
    fixed : bool, default False
        Read only at construction (array shapes, initial weights and bounds,
        arrays drawn once): ``Network.set_key`` and modifiers refuse it.
    items : Constraint, optional
        For a batched key, the values an array may hold, if not those of
        ``constraint`` (a seed may be None, an entry of a seed array may not).

    Examples
    --------
    >>> key = Key("potential_decay", Interval(float, 0, 1), "Fraction of potential lost per step.")
    >>> key.validate(0.25, owner="LIF")
    0.25
    >>> key.validate(1.5, owner="LIF")
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: The 'potential_decay' parameter of LIF must be a float in the range [0, 1]. Got 1.5 instead.
    """

    name: str
    constraint: Constraint
    doc: str
    default: object = REQUIRED
    batched: bool = False
    fixed: bool = False
    items: Constraint | None = None

    def __post_init__(self):
        KEY_NAMES.add(self.name)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def expectation(self) -> str:
        text = str(self.constraint)
        if self.batched and self.items is not None:
            return f"{text}, or a 1-D array with one value per network, each {self.items}"
        return f"{text}, or a 1-D array of such values (one per network)" if self.batched else text

    def validate(self, value, owner: str, batch_size: int | None = None):
        """Return ``value`` normalized, or raise InvalidParameterError naming ``owner``.

        A 0-d numpy array counts as the scalar it holds.
        """
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if self.batched and isinstance(value, (np.ndarray, list, tuple)):
            return self._validate_array(value, owner, batch_size)
        try:
            return self.constraint.normalize(value)
        except (ValueError, TypeError):
            raise self.error(owner, value) from None

    def _validate_array(self, value, owner, batch_size):
        try:
            array = np.asarray(value)
        except ValueError:  # ragged
            raise self.error(owner, value) from None
        if array.ndim != 1 or array.size == 0 or (batch_size is not None and array.size != batch_size):
            shape = "(batch_size,)" if batch_size is None else f"({batch_size},)"
            raise InvalidParameterError(
                f"The {self.name!r} parameter of {owner} must be a scalar or an array of shape "
                f"{shape}. Got an array of shape {array.shape} instead."
            )
        constraint = self.constraint if self.items is None else self.items
        if array.dtype == object or not isinstance(value, np.ndarray):  # each item as given: a bool stays a bool
            array = np.fromiter(value, dtype=object, count=array.size)
        try:
            items = [constraint.normalize(item.item() if isinstance(item, np.generic) else item) for item in array]
        except (ValueError, TypeError):
            raise self.error(owner, value) from None
        return np.asarray(items, dtype=np.int64 if getattr(constraint, "kind", None) is int else np.float64)

    def error(self, owner: str, value) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {self.name!r} parameter of {owner} must be {self.expectation()}. Got {value!r} instead."
        )

    def same_declaration(self, other: "Key") -> bool:
        return self is other or (
            self.name == other.name
            and str(self.constraint) == str(other.constraint)
            and self.doc == other.doc
            and _same_value(self.default, other.default)
            and self.batched == other.batched
            and self.fixed == other.fixed
            and str(self.items) == str(other.items)
        )


def _same_value(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same_value, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    try:
        return bool(a == b)
    except (ValueError, TypeError):
        return a is b


_MAPPING_ATTRIBUTES = frozenset(name for name in dir(Mapping) if not name.startswith("_"))


class Params(Mapping):
    """Read-only namespace of validated key values; ``params.key`` or ``params["key"]``.

    Values live in the instance ``__dict__``, so ``params.key`` is a plain
    attribute read (parts read keys on every timestep).
    """

    def __init__(self, values: Mapping):
        clashes = sorted(set(values) & _MAPPING_ATTRIBUTES)
        if clashes:
            raise InvalidParameterError(f"Key names {clashes} are reserved: they are methods of Params.")
        object.__setattr__(self, "__dict__", dict(values))

    def __getattr__(self, name):
        raise AttributeError(f"No key {name!r}; declared keys are {sorted(self.__dict__)}.")

    def __setattr__(self, name, value):
        raise AttributeError("params are read-only; change keys through Network.set_key.")

    def __getitem__(self, name):
        return self.__dict__[name]

    def __iter__(self):
        return iter(self.__dict__)

    def __len__(self):
        return len(self.__dict__)

    def __eq__(self, other):
        if not isinstance(other, Mapping) or set(self) != set(other):
            return False
        return all(_same_value(self[k], other[k]) for k in self)

    __hash__ = None

    def __reduce__(self):
        return (Params, (self.__dict__,))

    def __repr__(self):
        return "Params(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


def unknown_key_error(name: str, known, owner: str) -> InvalidParameterError:
    """Error for a key nobody declares, with a did-you-mean hint."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else f" Declared keys: {sorted(known)}."
    return InvalidParameterError(f"Unknown key {name!r} for {owner}.{hint}")


def merge_keys(sources, declared) -> tuple[dict, dict]:
    """Merge key values from several sources, highest priority first; return ``(values, origins)``.

    Parameters
    ----------
    sources : sequence of (label, values, tolerated)
        ``values`` is a mapping of key values; ``label`` names the source, in
        errors and in ``origins``; ``tolerated`` is the set of undeclared names
        the source may hold (they are dropped), or None to drop every
        undeclared name silently.
    declared : collection of str
        The names some part declares.

    Returns
    -------
    values : dict
        Each declared name given by some source, with its highest-priority value.
    origins : dict
        The label of the source each value came from.

    Raises
    ------
    InvalidParameterError
        For the first name no part declares (with a did-you-mean hint), in
        priority order.

    Examples
    --------
    >>> merge_keys([("keys=", {"a": 1}, ()), ("template", {"a": 2, "b": 3}, ())], {"a", "b"})
    ({'a': 1, 'b': 3}, {'a': 'keys=', 'b': 'template'})
    """
    for label, values, tolerated in sources:
        for name in values:
            if name not in declared and tolerated is not None and name not in tolerated:
                raise unknown_key_error(name, declared, label)
    merged, origins = {}, {}
    for label, values, _ in reversed(sources):
        for name, value in values.items():
            if name in declared:
                merged[name], origins[name] = value, label
    return merged, origins


def per_network(value, ndim: int = 1):
    """A batched key's value, ready to broadcast against arrays whose first axis is the batch.

    A scalar is returned as it is (the cheap, common case in loops that run
    every timestep); an array of one value per network, shape (B,), is
    reshaped to (B,) followed by ``ndim - 1`` axes of length 1, e.g. (B, 1)
    against (B, n_neurons) arrays.

    Examples
    --------
    >>> per_network(0.5), per_network(np.array([0.1, 0.2]), ndim=2).shape
    (0.5, (2, 1))
    """
    return value.reshape((-1,) + (1,) * (ndim - 1)) if isinstance(value, np.ndarray) else value


def state_typed(value, dtype):
    """A value derived from keys, ready to meet float state of ``dtype``: an array cast to it, a scalar as it is.

    In numpy arithmetic a Python float takes the type of the array it meets
    (NEP 50), but a float64 array of per-network values would make a float32
    state's arithmetic float64; it is cast once here.

    Examples
    --------
    >>> state_typed(np.array([0.5]), np.float32).dtype, state_typed(0.5, np.float32)
    (dtype('float32'), 0.5)
    """
    return value.astype(dtype, copy=False) if isinstance(value, np.ndarray) else value


def validate_config(keys, config: Mapping, owner: str, batch_size: int | None = None) -> Params:
    """Validate ``config`` against declared ``keys``; undeclared entries are ignored.

    Raises one InvalidParameterError listing every missing key, or the first
    invalid value found.
    """
    missing = [k for k in keys if k.required and k.name not in config]
    if missing:
        listed = ", ".join(f"{k.name!r} ({owner}: {k.doc})" for k in missing)
        raise InvalidParameterError(f"Missing keys: {listed}")
    values = {}
    for key in keys:
        value = key.validate(config[key.name] if key.name in config else key.default, owner, batch_size)
        if isinstance(value, np.ndarray):  # params own a read-only copy: no edit through them or by the caller
            value = value.copy()
            value.flags.writeable = False
        values[key.name] = value
    return Params(values)


_LATER_SECTION = re.compile(r"\n([ \t]*)(Attributes|See Also|Notes|References|Examples)\n\1-+\n")


def parameters_section(keys, indent: str = "") -> str:
    """A numpydoc ``Parameters`` section for ``keys``: each key's constraint, default and doc.

    Examples
    --------
    >>> print(parameters_section([Key("decay", Interval(float, 0, 1), "Fraction lost per step.", default=0.1)]))
    Parameters
    ----------
    decay : a float in the range [0, 1], default 0.1
        Fraction lost per step.
    <BLANKLINE>
    """
    lines = ["Parameters", "----------"]
    for key in keys:
        default = ("" if key.required else f", default {key.default!r}") + (", fixed at construction" if key.fixed else "")
        lines += [f"{key.name} : {key.expectation()}{default}", f"    {key.doc}"]
    return "".join(f"{indent}{line}\n" for line in lines)


def _with_parameters(doc: str | None, keys) -> str | None:
    """``doc`` with a Parameters section rendered from ``keys``, unless it has one."""
    if not doc or not keys or re.search(r"\n[ \t]*Parameters\n[ \t]*-+\n", doc):
        return doc
    later = _LATER_SECTION.search(doc)
    if later is None:
        return doc.rstrip() + "\n\n" + parameters_section(keys, "    ")
    at = later.start() + 1
    return doc[:at] + parameters_section(keys, later.group(1)) + "\n" + doc[at:]


class Module:
    """Base of every configurable part: declared keys in, read-only ``params`` out.

    ``Module(**config)`` reads the keys the class declares in
    ``NECESSARY_KEYS`` from ``config`` (keys other parts declare are left for
    them: one shared dict configures the whole network; a name no Key
    anywhere declares is refused as a typo), validates them and stores them
    in ``params`` (arrays as read-only copies). It sets nothing else; arrays and randomness belong to state.
    A subclass's docstring gets its Parameters section rendered from its keys,
    so each key is documented once, where it is declared.

    Examples
    --------
    >>> class Leak(Module):
    ...     NECESSARY_KEYS = (Key("potential_decay", Interval(float, 0, 1), "Fraction lost per step."),)
    >>> Leak(potential_decay=0.1, batch_size=2).params.potential_decay  # batch_size is another part's key
    0.1
    >>> Leak(potential_decy=0.1)
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: Unknown key 'potential_decy' for Leak. Did you mean 'potential_decay'?
    """

    NECESSARY_KEYS: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__doc__ = _with_parameters(cls.__dict__.get("__doc__"), cls.NECESSARY_KEYS)

    def __init__(self, **config):
        for name in config:  # names other parts declare are theirs; a name no part declares is a typo
            if name not in KEY_NAMES and name != "batch_size":
                raise unknown_key_error(name, [key.name for key in self.NECESSARY_KEYS], type(self).__name__)
        batch_size = config.get("batch_size")
        self.params = validate_config(self.NECESSARY_KEYS, config, type(self).__name__, batch_size)

    def get_params(self) -> dict:
        """The validated key values, as a plain dict."""
        return dict(self.params)

    def replace(self, **changes) -> "Module":
        """A copy of this part with some keys changed (validated again)."""
        return type(self)(**{**self.params, **changes})

    def state_problem(self, state) -> str | None:
        """What breaks the invariants of a state of this part, or None.

        ``Network.set_state`` calls it after checking every array's shape,
        dtype and finiteness; parts with further invariants (weights within
        their bounds, a positive scale) override it.
        """
        return None

    @classmethod
    def list_keys(cls) -> "KeyTable":
        """One row per declared key: name, type, default, description, declared_by; prints as a table."""
        return KeyTable(key_row(key, cls.__name__) for key in cls.NECESSARY_KEYS)

    @classmethod
    def extend_keys(cls, *keys: Key) -> tuple:
        """This class's keys plus ``keys``; a new key replaces a parent key of the same name."""
        names = {key.name for key in keys}
        return tuple(k for k in cls.NECESSARY_KEYS if k.name not in names) + tuple(keys)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"

    def __eq__(self, other):
        return type(self) is type(other) and self.params == other.params

    __hash__ = object.__hash__


class KeyTable(list):
    """Rows describing keys (dicts with the same fields), printed as an aligned table.

    Examples
    --------
    >>> print(KeyTable([{"name": "tau_z", "default": 25.0, "description": "Time constant of z."}]))
    name   default  description
    tau_z  25.0     Time constant of z.
    """

    def __str__(self):
        if not self:
            return "(no keys)"
        columns = list(self[0])
        cells = [columns] + [[_cell(row[column]) for column in columns] for row in self]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells)


def _cell(value, width: int = 48) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def key_row(key: Key, declared_by: str) -> dict:
    """A plain description of one key, for tables and search-space helpers."""
    return {
        "name": key.name,
        "type": key.expectation(),
        "default": key.default,
        "description": key.doc,
        "declared_by": declared_by,
    }
