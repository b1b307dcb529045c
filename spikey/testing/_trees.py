"""Nested states (NamedTuples, tuples, lists, dicts of arrays): copy them, walk their leaves, find a difference."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from spikey._conformance import require

__all__ = ["copy_tree", "leaves", "zip_leaves", "leaf_difference", "difference"]


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _children(value):
    if _is_namedtuple(value):
        return [(f".{name}", child) for name, child in zip(value._fields, value)]
    if isinstance(value, (tuple, list)):
        return [(f"[{i}]", child) for i, child in enumerate(value)]
    if isinstance(value, Mapping):
        return [(f"[{k!r}]", child) for k, child in value.items()]
    return None


def copy_tree(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if _is_namedtuple(value):
        return type(value)(*(copy_tree(v) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(copy_tree(v) for v in value)
    if isinstance(value, Mapping):
        return {k: copy_tree(v) for k, v in value.items()}
    return value


def leaves(value, path: str):
    children = _children(value)
    if children is None:
        yield path, value
        return
    for suffix, child in children:
        yield from leaves(child, path + suffix)


def zip_leaves(a, b, path: str):
    """Yield ``(path, leaf_a, leaf_b)``; raise _Problem where the structures differ."""
    ca, cb = _children(a), _children(b)
    if ca is None and cb is None:
        yield path, a, b
        return
    same = ca is not None and cb is not None and type(a) is type(b) and [s for s, _ in ca] == [s for s, _ in cb]
    require(same, f"{path} differs in structure: {type(a).__name__} vs {type(b).__name__}",
             "return the same structure (State type, fields, lengths) every time.")
    for (suffix, x), (_, y) in zip(ca, cb):
        yield from zip_leaves(x, y, path + suffix)


def leaf_difference(a, b, path: str, rtol: float = 0.0) -> str | None:
    """Where two leaves differ, as a message, or None when equal (floats to ``rtol`` when given)."""
    if not (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        try:
            same = bool(a == b)
        except Exception:
            same = a is b
        return None if same else f"{path} differs: {a!r} vs {b!r}"
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"{path} differs: shape {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
    if a.dtype.kind in "fc" and rtol:
        equal = np.isclose(a, b, rtol=rtol, atol=rtol * 1e-3, equal_nan=True)
    elif a.dtype.kind in "fc":
        equal = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        try:
            equal = np.asarray(a == b, dtype=bool)
        except Exception:
            equal = np.asarray(np.array_equal(a, b))
    if equal.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~equal)[0]) if equal.ndim else ()
    return f"{path}{list(index) if index else ''} differs: {a[index]!r} vs {b[index]!r}"


def difference(a, b, path: str, rtol: float = 0.0) -> str | None:
    """The first place two trees differ, or None."""
    for leaf_path, x, y in zip_leaves(a, b, path):
        found = leaf_difference(x, y, leaf_path, rtol)
        if found:
            return found
    return None
