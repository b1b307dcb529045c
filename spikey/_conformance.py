"""What part checks (:mod:`spikey.testing`) and game checks (:mod:`spikey.games.checks`) share.

A broken contract is a :class:`Problem` (what is wrong, and the fix), raised
by :func:`require` and turned by the runner into one ``AssertionError``
naming the check; it is raised explicitly, so the checks also work under
``python -O``. The pickle round trip and the guard on numpy's global RNG are
written here once for both.
"""
from __future__ import annotations

import functools
import pickle

import numpy as np

__all__ = ["BadType", "Problem", "require", "check", "round_trip", "global_rng_untouched", "FLOAT16_FIX"]

FLOAT16_FIX = "use float64 (or float32 through a dtype key); float16 is never used in Spikey."
_RAISED_FIX = (
    "the part must run on the synthetic inputs of its role (see spikey.testing.check_part); "
    "if it needs other observations pass observations=...; if the configuration suits one batch size only, "
    "say so with a batch_size key; otherwise fix the error in the traceback."
)


class BadType:
    """A value no constraint should accept."""

    def __repr__(self):
        return "BadType()"


class Problem(AssertionError):
    """A broken contract: what is wrong and how to fix it (an AssertionError, so a check called alone raises one)."""

    def __init__(self, problem: str, fix: str = ""):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def require(condition, problem: str, fix: str = "") -> None:
    """Raise :class:`Problem` unless ``condition``."""
    if not condition:
        raise Problem(problem, fix)


def round_trip(obj, fix: str):
    """``pickle.loads(pickle.dumps(obj))``, or a Problem saying why it failed."""
    try:
        return pickle.loads(pickle.dumps(obj))
    except Exception as error:
        raise Problem(f"pickling failed: {type(error).__name__}: {error}", fix) from error


def global_rng_untouched(run):
    """Call ``run()`` and return its result; a Problem if it used numpy's global RNG."""
    before = np.random.get_state()
    result = run()
    after = np.random.get_state()
    same = all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in zip(before, after))
    require(same, "it used numpy's global RNG (np.random.*).",
            "draw every random number from a seeded Generator (the rng argument, or a game's self.np_random).")
    return result


_CHECK_PARAMETERS = """
    Parameters
    ----------
    part_class : type
        The part's class.
    config : dict
        A valid configuration of the part.
    observations : array-like or callable, optional
        Observations for Input and Reward parts (see :func:`check_part`);
        ignored by checks that do not run the part.
"""


def check(func):
    """Turn problems and unexpected errors of a part check into one AssertionError naming it.

    The check's docstring gets the Parameters section every check shares.
    """

    @functools.wraps(func)
    def run(part_class, config, *, observations=None):
        name = getattr(part_class, "__name__", repr(part_class))
        try:
            func(part_class, dict(config), observations=observations)
        except Problem as problem:
            message = f"{func.__name__} failed for {name}: {problem.problem}\nFix: {problem.fix}"
            raise AssertionError(message) from problem.__cause__
        except AssertionError:
            raise
        except Exception as error:
            raised = f"it raised {type(error).__name__}: {error}"
            raise AssertionError(f"{func.__name__} failed for {name}: {raised}\nFix: {_RAISED_FIX}") from error

    run.__doc__ = func.__doc__.rstrip() + "\n" + _CHECK_PARAMETERS
    return run
