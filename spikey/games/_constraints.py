"""Constraints for game keys whose value is a sequence of floats.

They follow :class:`spikey.module.Constraint`: ``normalize`` returns the value in
canonical form (a tuple of Python floats, so ``params`` stays plain and
immutable) or raises ``ValueError``; ``str`` describes what is accepted.
"""
from __future__ import annotations

import math

import numpy as np

from spikey.module import Constraint, Interval

__all__ = ["Bounds", "FloatVector"]


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
    """A non-empty tuple of floats; infinite values (unbounded) are allowed, NaN is not.

    Examples
    --------
    >>> FloatVector().normalize(np.array([0.0, np.inf]))
    (0.0, inf)
    """

    def normalize(self, value):
        items = _as_sequence(value)
        if not items:
            raise ValueError
        floats = []
        for item in items:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, float, np.integer, np.floating)):
                raise ValueError
            if math.isnan(item):
                raise ValueError
            floats.append(float(item))
        return tuple(floats)

    def invalid_example(self):
        return (float("nan"),)

    def __str__(self):
        return "a non-empty tuple of floats (inf allowed, NaN not)"
