"""Random streams: one Generator for a whole batch, or one per copy that draws as one.

A network draws every random number from its stream ``rng``. Seeded with an
int (or None), the stream is a ``numpy.random.Generator`` shared by the batch.
Seeded with an array of B ints, it is :class:`CopyStreams`: copy ``k`` has its
own ``numpy.random.default_rng(seed[k])``, and a draw whose shape starts with
the batch axis, ``(B, *rest)``, is drawn ``rest`` from each copy's Generator
and stacked. A lone network (B=1) draws ``(1, *rest)``, the same numbers as
``rest``, so copy ``k`` of the batch gets exactly the numbers a lone network
seeded ``seed[k]`` gets, draw after draw, as long as every draw puts the batch
axis first. Draws that are time first, ``(n_steps, B, ...)``, go through
:func:`random_steps`; copies that must not draw (the others of a partial reset,
those whose outputs did not fire) through :func:`for_copies`.

The stream's state is plain JSON (:func:`stream_state`): a Generator's
``bit_generator.state``, or the list of the copies' states.
"""
from __future__ import annotations

import json

import numpy as np

__all__ = ["CopyStreams", "make_stream", "random_steps", "for_copies", "stream_state", "set_stream_state",
           "stream_state_problem"]

SIZE_AT = {"random": 0, "standard_normal": 0, "standard_exponential": 0, "exponential": 1, "poisson": 1,
           "uniform": 2, "normal": 2, "lognormal": 2, "integers": 2, "binomial": 2}
"""Generator methods :class:`CopyStreams` has, by the position of their ``size`` argument."""


class CopyStreams:
    """One Generator per copy of a batch, drawn from as one Generator draws for the batch.

    Parameters
    ----------
    generators : sequence of numpy.random.Generator
        Copy ``k``'s stream, for each of the B copies.
    scratch : numpy.random.Generator, optional
        Draws that are thrown away (see :func:`for_copies`); a new one if None.

    Each method of :data:`SIZE_AT` takes the arguments of the Generator method
    of the same name; ``size`` must start with the batch axis, B. Copy ``k``
    draws ``size[1:]`` from its Generator, with the ``k``-th row of every
    distribution parameter that has as many axes as ``size`` (others apply to
    every copy).

    Raises
    ------
    ValueError
        For a draw whose ``size`` does not start with B.

    Examples
    --------
    >>> streams = CopyStreams([np.random.default_rng(3), np.random.default_rng(8)])
    >>> draws = streams.random((2, 4))
    >>> bool((draws[1] == np.random.default_rng(8).random((1, 4))).all())
    True
    """

    def __init__(self, generators, scratch=None):
        self.generators = tuple(generators)
        self.scratch = np.random.default_rng(0) if scratch is None else scratch  # draws thrown away (for_copies)

    def __len__(self) -> int:
        return len(self.generators)

    def __getattr__(self, name):
        if name not in SIZE_AT:
            raise AttributeError(f"CopyStreams draws with {sorted(SIZE_AT)} only (per-copy seeds); got {name!r}.")
        at = SIZE_AT[name]

        def draw(*args, **kwargs):
            args = list(args)
            size = kwargs.pop("size") if "size" in kwargs else args.pop(at) if len(args) > at else None
            shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size) if size is not None else ()
            batch = len(self.generators)
            if not shape or shape[0] != batch:
                raise ValueError(f"A network with per-copy seeds draws with the batch axis first: size must start "
                                 f"with B={batch}; got size {size!r} for {name}.")
            rows = [getattr(generator, name)(*_row(args, k, len(shape)), size=shape[1:], **_row(kwargs, k, len(shape)))
                    for k, generator in enumerate(self.generators)]
            return np.stack(rows)

        return draw


def _row(values, k: int, ndim: int):
    """Copy ``k``'s distribution parameters: row ``k`` of those with ``ndim`` axes (a batch axis), others as given."""
    def row(value):
        return value[k if len(value) > 1 else 0] if np.ndim(value) == ndim else value
    if isinstance(values, dict):
        return {name: row(value) for name, value in values.items()}
    return [row(value) for value in values]


def make_stream(seed):
    """A network's stream from its ``seed`` key: a Generator for an int or None, CopyStreams for an array."""
    if isinstance(seed, np.ndarray):
        return CopyStreams(np.random.default_rng(int(s)) for s in seed)
    return np.random.default_rng(seed)


def random_steps(rng, n_steps: int, shape: tuple) -> np.ndarray:
    """Uniform draws of ``n_steps`` timesteps, time first: ``rng.random((n_steps, *shape))``, shape[0] = B.

    A shared Generator draws them in that order, as it always has; with
    :class:`CopyStreams` each copy draws its ``(n_steps, *shape[1:])`` at
    once, what a lone network draws, moved to time first (C-contiguous).
    """
    if isinstance(rng, CopyStreams):
        return np.ascontiguousarray(np.moveaxis(rng.random((shape[0], n_steps, *shape[1:])), 0, 1))
    return rng.random((n_steps, *shape))


def for_copies(rng, copies):
    """The stream to draw from when only ``copies`` (B,) bool would draw alone; the others' draws are discarded.

    A shared Generator is returned as it is (the batch draws together). With
    :class:`CopyStreams`, the copies outside ``copies`` draw from a scratch
    Generator whose numbers are thrown away, so their own streams do not
    move, as a lone network's would not.
    """
    if not isinstance(rng, CopyStreams):
        return rng
    drawn = np.asarray(copies, dtype=bool)
    return CopyStreams([generator if own else rng.scratch for generator, own in zip(rng.generators, drawn)],
                       rng.scratch)


def stream_state(rng):
    """The stream's state as JSON-ready data: the Generator's bit generator state, or a list, one per copy."""
    if isinstance(rng, CopyStreams):
        return [generator.bit_generator.state for generator in rng.generators]
    return rng.bit_generator.state


def set_stream_state(rng, state) -> None:
    """Put back a :func:`stream_state` (checked by :func:`stream_state_problem` first)."""
    if isinstance(rng, CopyStreams):
        for generator, one in zip(rng.generators, state):
            generator.bit_generator.state = one
    else:
        rng.bit_generator.state = state


def stream_state_problem(rng, text: str) -> str:
    """What keeps the JSON ``text`` from being this stream's :func:`stream_state`, or ''."""
    generators = rng.generators if isinstance(rng, CopyStreams) else (rng,)
    kind = type(generators[0].bit_generator)
    try:
        state = json.loads(text)
        if isinstance(rng, CopyStreams) and not (isinstance(state, list) and len(state) == len(generators)):
            got = f"a list of {len(state)}" if isinstance(state, list) else f"one {type(state).__name__}"
            return (f"'rng' must hold a list of {len(generators)} {kind.__name__} states, one per network (the seed "
                    f"is an array); got {got}")
        for one in state if isinstance(rng, CopyStreams) else (state,):
            kind().state = one
    except (ValueError, TypeError, KeyError) as error:
        return f"'rng' is not a {kind.__name__} state ({type(error).__name__}: {error})"
    return ""
