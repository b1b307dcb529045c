"""Constraints: what values a key accepts, how they are normalized, and how that is said in errors.

Each constraint's ``normalize`` returns a value in canonical form (plain
Python numbers, tuples) or raises ``ValueError``; ``str(constraint)`` is the
text of error messages ("a float in the range [0, 1]"); ``invalid_example``
gives a value of the right type that is refused, for conformance checks.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["Constraint", "Interval", "Options", "InstanceOf", "Optional", "Bounds", "FloatVector", "SignVector"]


class Constraint:
    """What values a key accepts; ``str(constraint)`` describes them."""

    def normalize(self, value):
        """Return ``value`` in canonical form, or raise ``ValueError``."""
        raise NotImplementedError

    def invalid_example(self):
        """A value of the right type that violates the constraint, or None."""
        return None


def _is_real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def _is_integral(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


class Interval(Constraint):
    """A number of type ``int`` or ``float`` in a range.

    Parameters
    ----------
    kind : {int, float}
        ``int`` accepts integers only, within int64 (numpy's integers);
        ``float`` accepts any finite real number and stores it as a Python
        float (integers widen, booleans are refused).
    low, high : float or None
        Bounds; None means unbounded on that side (for ``int``, the int64 range).
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the interval.
    """

    def __init__(self, kind, low=None, high=None, closed="both"):
        if kind not in (int, float):
            raise ValueError(f"Interval kind must be int or float, got {kind!r}.")
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"Interval closed must be both/left/right/neither, got {closed!r}.")
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def _in_range(self, x) -> bool:
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (x < self.low or (x == self.low and not left)):
            return False
        if self.high is not None and (x > self.high or (x == self.high and not right)):
            return False
        return True

    def normalize(self, value):
        type_ok = _is_integral(value) if self.kind is int else _is_real(value)
        if not type_ok or not self._in_range(value):
            raise ValueError
        if self.kind is int and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError
        if self.kind is float and not np.isfinite(value):
            raise ValueError
        return self.kind(value)

    def invalid_example(self):
        if self.high is not None:
            return self.kind(self.high + 1)
        if self.low is not None:
            return self.kind(self.low - 1)
        return None

    def __str__(self):
        name = "an int" if self.kind is int else "a float"
        if self.low is None and self.high is None:
            return name
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        if self.kind is int:  # an unbounded side ends where int64 does
            left, right = ("[" if self.low is None else left), ("]" if self.high is None else right)
            low = "-2**63" if self.low is None else self.low
            high = "2**63 - 1" if self.high is None else self.high
        else:
            low = "-inf" if self.low is None else self.low
            high = "inf" if self.high is None else self.high
        return f"{name} in the range {left}{low}, {high}{right}"


class Options(Constraint):
    """One of a fixed set of values."""

    def __init__(self, *choices):
        self.choices = choices

    def normalize(self, value):
        if isinstance(value, np.generic):  # a numpy scalar, e.g. from sweeping over an array of choices
            value = value.item()
        for choice in self.choices:
            if type(value) is type(choice) and value == choice:
                return value
        raise ValueError

    def invalid_example(self):
        return "not-an-option"

    def __str__(self):
        return "one of {" + ", ".join(repr(c) for c in self.choices) + "}"


class InstanceOf(Constraint):
    """An instance of one of the given types, optionally checked further.

    Parameters
    ----------
    types : type or tuple of type
        Accepted types.
    description : str
        Text used in error messages, e.g. ``"a callable f(state) -> bool"``.
    check : callable, optional
        ``check(value) -> bool``; False rejects the value.
    """

    def __init__(self, types, description, check=None):
        self.types, self.description, self.check = types, description, check

    def normalize(self, value):
        if not isinstance(value, self.types) or (self.check and not self.check(value)):
            raise ValueError
        return value

    def __str__(self):
        return self.description


def _as_sequence(value) -> tuple:
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError
        return tuple(item.item() for item in value)
    if not isinstance(value, (tuple, list)):
        raise ValueError
    return tuple(value)


class Bounds(Constraint):
    """A pair ``(low, high)`` of finite floats with ``low <= high``.

    Examples
    --------
    >>> Bounds().normalize([-0.05, 0.05])
    (-0.05, 0.05)
    >>> str(Bounds())
    'a pair (low, high) of finite floats with low <= high'
    """

    def normalize(self, value):
        items = _as_sequence(value)
        if len(items) != 2:
            raise ValueError
        low, high = (Interval(float).normalize(item) for item in items)
        if low > high:
            raise ValueError
        return (low, high)

    def invalid_example(self):
        return (1.0, 0.0)

    def __str__(self):
        return "a pair (low, high) of finite floats with low <= high"


class FloatVector(Constraint):
    """A non-empty 1-D sequence of floats, stored as a tuple; NaN is refused, and so is inf if ``finite``.

    Parameters
    ----------
    finite : bool, default False
        Refuse infinite values too (by default they mean "unbounded").
    description : str, optional
        What the values are, appended to the text of errors.

    Examples
    --------
    >>> FloatVector().normalize(np.array([0.0, np.inf]))
    (0.0, inf)
    >>> str(FloatVector(finite=True, description="one per observation value"))
    'a non-empty tuple of finite floats, one per observation value'
    """

    def __init__(self, finite: bool = False, description: str = ""):
        self.finite, self.description = finite, description

    def normalize(self, value):
        items = _as_sequence(value)
        if not items:
            raise ValueError
        floats = []
        for item in items:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, float, np.integer, np.floating)):
                raise ValueError
            if math.isnan(item) or (self.finite and math.isinf(item)):
                raise ValueError
            floats.append(float(item))
        return tuple(floats)

    def invalid_example(self):
        return (float("nan"),)

    def __str__(self):
        kind = "finite floats" if self.finite else "floats (inf allowed, NaN not)"
        return f"a non-empty tuple of {kind}" + (f", {self.description}" if self.description else "")


class SignVector(Constraint):
    """A 1-D sequence of +1, -1 and 0 (a list, tuple or array), stored as a float64 array.

    Examples
    --------
    >>> SignVector().normalize([1, -1, 0])
    array([ 1., -1.,  0.])
    """

    def normalize(self, value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (list, tuple, np.ndarray)):
            raise ValueError
        array = np.asarray(value)
        if array.ndim != 1 or array.dtype.kind not in "iuf" or not np.isin(array, (-1, 0, 1)).all():
            raise ValueError
        return array.astype(np.float64)

    def invalid_example(self):
        return [2]

    def __str__(self):
        return "a 1-D sequence of +1 (excitatory), -1 (inhibitory) and 0 (either sign)"


class Optional(Constraint):
    """None, or a value another constraint accepts.

    Examples
    --------
    >>> str(Optional(SignVector()))
    'a 1-D sequence of +1 (excitatory), -1 (inhibitory) and 0 (either sign), or None'
    """

    def __init__(self, constraint: Constraint):
        self.constraint = constraint

    def normalize(self, value):
        return None if value is None else self.constraint.normalize(value)

    def invalid_example(self):
        return self.constraint.invalid_example()

    def __str__(self):
        return f"{self.constraint}, or None"
