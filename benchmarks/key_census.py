"""A census of bad key values at construction: does every part and game refuse them clearly?

Not a speed benchmark. For every built-in part and game, and every key it
declares, it builds the part with one bad value in place of a valid one and
sorts the outcome:

- **clear error**: a ValueError or TypeError whose message names the key and
  the part (or game);
- **unclear crash**: any other exception, or one that names neither;
- **silently accepted**: the part was built.

The bad values are the same for every key: an object of no known type, a
str, a complex number, a dict, NaN, a ragged list, and, for keys declared as
a number in a range, a bool and the numbers just outside the range. Each part
is built from its declared defaults plus the few values in ``REQUIRED`` for
keys without one.

Usage::

    python benchmarks/key_census.py            # the counts
    python benchmarks/key_census.py --verbose  # one line per value that is not refused clearly
"""
from __future__ import annotations

import argparse
import json
import math
import warnings
from collections import Counter

import numpy as np

from spikey import games
from spikey.snn import input, modifier, neuron, readout, reward, synapse, weight


class Opaque:
    """A value of no type any key expects."""

    def __repr__(self):
        return "Opaque()"


def odd(states):
    """A module-level expected_value."""
    return np.asarray(states).reshape(len(states), -1)[:, 0] % 2 == 1


REQUIRED = {  # values for keys that declare no default
    "n_inputs": 4, "n_neurons": 5, "n_outputs": 2, "n_actions": 2, "magnitude": 1.0, "max_weight": 1.0,
    "expected_value": odd, "spike_trains": np.zeros((2, 3, 4), dtype=bool),
    "matrix": np.where(np.eye(9, 5) == 0, 0.5, 0.0), "action_threshold": 0.5,
    "rbf_low": [0.0], "rbf_high": [1.0], "key": "learning_rate", "t_stop": 10, "value_start": 1.0, "value_stop": 0.0,
    "input_rate": 0.5, "firing_threshold": 1.0, "potential_decay": 0.1, "leak_scalar": 0.5, "prob_connection": 0.5,
    "weight_scale": 0.5, "learning_rate": 0.05, "trace_decay": 0.1, "n_synapses": 2, "initial_weight": 0.5,
}
UNIVERSAL = {"an object": Opaque(), "a str": "abc", "a complex": 1j, "a dict": {"a": 1}, "NaN": math.nan,
             "a ragged list": [[1, 2], [3]]}
PACKAGES = (input, neuron, weight, synapse, readout, reward, modifier)


def part_classes() -> list:
    """Every concrete built-in part class, then every game class."""
    found = []
    for package in PACKAGES:
        for obj in vars(package).values():
            if isinstance(obj, type) and hasattr(obj, "NECESSARY_KEYS") and obj.__module__.startswith(
                    package.__name__) and obj not in found:
                found.append(obj)
    return found + [games.Logic, games.RandState, games.CartPole]


def base_config(cls) -> dict:
    """The keys without a default, from REQUIRED."""
    return {key.name: REQUIRED[key.name] for key in cls.NECESSARY_KEYS if key.required and key.name in REQUIRED}


def bad_values(key) -> dict:
    """The universal bad values, plus a bool and the numbers just outside the range for a number key."""
    values = dict(UNIVERSAL)
    constraint = key.constraint
    kind, low, high = (getattr(constraint, name, None) for name in ("kind", "low", "high"))
    if kind in (int, float):
        values["a bool"] = True
        step = 1 if kind is int else 1e-9 * max(1.0, abs(low or 0), abs(high or 0))
        if low is not None:
            values["below the range"] = kind(low - step) if kind is float else int(low) - 1
        if high is not None:
            values["above the range"] = kind(high + step) if kind is float else int(high) + 1
    return values


def outcome(cls, config: dict, name: str, value) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(**{**config, name: value})
    except (ValueError, TypeError) as error:
        named = repr(name) in str(error) or f" {name} " in str(error) or f"{name}=" in str(error)
        return "clear error" if named and cls.__name__ in str(error) else "unclear crash"
    except Exception:  # noqa: BLE001 -- any other exception is what the census counts
        return "unclear crash"
    return "silently accepted"


def census(verbose: bool = False) -> tuple[Counter, list]:
    counts, unbuildable = Counter(), []
    for cls in part_classes():
        config = base_config(cls)
        try:
            cls(**config)
        except Exception as error:  # noqa: BLE001 -- a part this census cannot configure is listed, not counted
            unbuildable.append(f"{cls.__name__}: {type(error).__name__}: {error}")
            continue
        for key in cls.NECESSARY_KEYS:
            for kind, value in bad_values(key).items():
                result = outcome(cls, config, key.name, value)
                counts[result] += 1
                if verbose and result != "clear error":
                    print(f"{result:18} {cls.__name__}.{key.name} = {kind} ({value!r})")
    return counts, unbuildable


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    counts, unbuildable = census(args.verbose)
    total = sum(counts.values())
    for line in unbuildable:
        print(f"not counted (no valid configuration): {line}")
    print(json.dumps({"tried": total, **{k: counts[k] for k in ("clear error", "unclear crash", "silently accepted")},
                      "clear %": round(100 * counts["clear error"] / total, 1)}))


if __name__ == "__main__":
    main()
