"""Summary statistics for results over many networks."""
from __future__ import annotations

import math

__all__ = ["wilson_interval"]


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a success proportion, 95 % by default.

    Wilson (1927); unlike the normal approximation it stays within [0, 1] and
    is sound for proportions near 0 or 1 and for few trials.

    Parameters
    ----------
    successes, n : int
        Successes out of ``n`` trials; ``n = 0`` gives (0, 1).
    z : float, default 1.959964
        The standard normal quantile of the confidence level (95 %).

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> [round(bound, 4) for bound in wilson_interval(982, 1000)]
    [0.9717, 0.9886]
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
