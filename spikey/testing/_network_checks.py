"""Bad input at a built network's entry points: a clear error naming the network, and the network unchanged.

:func:`check_network` is to a composed network what :func:`check_part` is to
a part: it feeds ``tick``, ``reward``, ``set_state``, ``set_key``,
``set_episode`` and ``reset(copies=)`` the bad-value kinds a user can give
them (missing, wrong type, NaN and inf, wrong width, wrong batch, wrong dtype,
out of range, unknown names, read-only keys) and asserts, for each, an error
that names the network and a network left exactly as it was.
"""
from __future__ import annotations

import numpy as np

from spikey._conformance import BadType, Problem, require
from spikey.testing._config_checks import _accepts

__all__ = ["check_network", "bad_observations"]

CLEAR_ERRORS = (ValueError, TypeError, RuntimeError)


def _with_value(array: np.ndarray, value) -> np.ndarray:
    """A float copy of ``array`` with ``value`` at its first element."""
    changed = np.array(array, dtype=float)
    changed.flat[0] = value
    return changed


def bad_observations(observation, batch_size: int, max_width: int | None = None) -> dict:
    """The bad observations derived from a valid one, by kind.

    Parameters
    ----------
    observation : array_like
        A valid argument of ``tick``: one observation at ``batch_size == 1``,
        else ``batch_size`` of them.
    batch_size : int
        The network's ``batch_size``.
    max_width : int, optional
        The most values per observation the network encodes when it takes
        any number (an input part without ``n_observations``); None if it
        takes exactly as many as ``observation`` has.

    Returns
    -------
    dict of str to object
        ``{kind: observation}``: missing, not a number, NaN, inf, too many
        values per observation (one more, or ``max_width + 1``), too few (one
        less, when the width is exact) or none, and one observation too many.
    """
    batched = np.asarray(observation).reshape(batch_size, -1)
    extra = 1 if max_width is None else max_width + 1 - batched.shape[1]
    wider = np.concatenate((batched, np.repeat(batched[:, :1], extra, axis=1)), axis=1)
    cases = {
        "None": None,
        "a string": "0, 1",
        "an object": BadType(),
        "NaN": _with_value(batched, np.nan),
        "inf": _with_value(batched, np.inf),
        "too many values": wider,
        "no values": batched[:, :0],
    }
    if batch_size > 1 or max_width is None:  # at batch_size 1, (2, n) is one observation of 2n values if that fits
        cases["one observation too many"] = np.concatenate((batched, batched[:1]))
    if batched.shape[1] > 1 and max_width is None:
        cases["one value too few"] = batched[:, :-1]
    if batch_size == 1:
        cases = {kind: value[0] if isinstance(value, np.ndarray) and kind != "one observation too many" else value
                 for kind, value in cases.items()}
    return cases


def _snapshot(net) -> dict:
    """Everything a refused call must leave as it was: state arrays, Generator, episode and every part's params."""
    state = net.get_state()
    return {**state, "params": repr(net.params), **{f"{role}.params": repr(part.params) for role, part in
                                                     net.parts.items()}, "training": net.training}


def _same(a: dict, b: dict) -> list:
    """Names of the entries that differ."""
    return sorted(name for name in a.keys() | b.keys()
                  if name not in a or name not in b or not np.array_equal(a[name], b[name]))


def _refused(net, call: str, attempt) -> None:
    """Run ``attempt()``; require a clear error naming the network and a network unchanged."""
    owners = {type(net).__name__, *(type(part).__name__ for part in net.parts.values())}
    before = _snapshot(net)
    try:
        attempt()
    except CLEAR_ERRORS as error:
        require(any(owner in str(error) for owner in owners),
                f"{call} raised {type(error).__name__}({str(error)!r}), which names neither {type(net).__name__} "
                "nor one of its parts.", "say which network or part refused what.")
    except Exception as error:
        raise Problem(f"{call} raised {type(error).__name__}: {error}",
                      "check the argument before using it and raise InvalidParameterError.") from error
    else:
        raise Problem(f"{call} was accepted.", "check the argument against what the parts declare before running.")
    changed = _same(before, _snapshot(net))
    require(not changed, f"{call} was refused, but changed {changed}.",
            "check every argument before changing any state (build the new state aside, then assign it).")


def _tick_cases(net, observation) -> list:
    inputs = net.parts["inputs"]
    max_width = inputs.params.n_inputs if inputs.observation_size() is None else None
    return [(f"tick({kind})", lambda value=value: net.tick(value))
            for kind, value in bad_observations(observation, net.params.batch_size, max_width).items()]


def _reward_cases(net, observation) -> list:
    if not hasattr(net, "reward"):
        return []
    batch = net.params.batch_size
    bad = {"'1'": "1", "True": True, "NaN": np.nan, "inf": np.inf, "None-like object": BadType(),
           f"{batch + 1} rewards": np.zeros(batch + 1), "a (1, B) array": np.zeros((1, batch))}
    cases = [(f"reward(reward={kind})", lambda value=value: net.reward(reward=value)) for kind, value in bad.items()]
    if "rewarder" in net.parts:
        actions = {"None": None, "a string": "left", "NaN": np.nan if batch == 1 else np.full(batch, np.nan),
                   "a wrong count": np.zeros(batch + 1, dtype=int)}
        cases += [(f"reward(state, action={kind})", lambda value=value: net.reward(observation, value))
                  for kind, value in actions.items()]
        cases.append(("reward(action) without state", lambda: net.reward(action=np.zeros(batch, dtype=int))))
    else:
        cases.append(("reward() with neither reward nor rewarder", lambda: net.reward()))
    return cases


def _state_cases(net) -> list:
    good = net.get_state()

    def edited(name, value):
        return lambda: net.set_state({**good, name: value})

    cases = [("set_state(an unknown entry)", edited("bogus", np.zeros(1))),
             ("set_state(not a dict)", lambda: net.set_state(BadType()))]
    for name, array in good.items():
        rest = {key: value for key, value in good.items() if key != name}
        cases.append((f"set_state(without {name!r})", lambda rest=rest: net.set_state(rest)))
        cases.append((f"set_state({name!r} given None)", edited(name, None)))
        if name == "rng":
            cases.append((f"set_state({name!r} not JSON)", edited(name, np.array("{"))))
            continue
        cases.append((f"set_state({name!r} of another shape)", edited(name, np.stack((array, array)))))
        other = (np.float64 if array.dtype == np.float32 else np.float32) if array.dtype.kind == "f" else np.float64
        cases.append((f"set_state({name!r} as {np.dtype(other).name})", edited(name, array.astype(other))))
        if array.dtype.kind == "f" and array.size:
            cases.append((f"set_state({name!r} holding NaN)", edited(name, _with_value(array, np.nan))))
            cases.append((f"set_state({name!r} holding inf)", edited(name, _with_value(array, np.inf))))
    return cases


def _key_cases(net) -> list:
    cases = [("set_key('no_such_key')", lambda: net.set_key("no_such_key", 1))]
    for holder in (net, *net.parts.values()):
        for key in holder.NECESSARY_KEYS:
            current = holder.params[key.name]
            if key.fixed:
                cases.append((f"set_key({key.name!r}) of a fixed key",
                              lambda key=key, value=current: net.set_key(key.name, value)))
                continue
            for value in (BadType(), key.constraint.invalid_example()):
                if value is not None and not _accepts(key.constraint, value):
                    cases.append((f"set_key({key.name!r}, {value!r})",
                                  lambda key=key, value=value: net.set_key(key.name, value)))
    return cases



def _episode_and_copies_cases(net) -> list:
    batch = net.params.batch_size
    episodes = {"-1": -1, "1.5": 1.5, "'1'": "1", f"{batch + 1} episodes": np.zeros(batch + 1, dtype=int)}
    copies = {"ints": np.zeros(batch, dtype=int), f"{batch + 1} flags": np.zeros(batch + 1, dtype=bool),
              "None-like object": BadType()}
    return [(f"set_episode({kind})", lambda value=value: net.set_episode(value)) for kind, value in episodes.items()] + \
        [(f"reset(copies={kind})", lambda value=value: net.reset(copies=value)) for kind, value in copies.items()]


def check_network(net, observation) -> None:
    """Feed every entry point of ``net`` bad input; require clear errors and an unchanged network.

    Each call below must raise a ValueError, TypeError or RuntimeError (Spikey's
    :class:`~spikey.module.InvalidParameterError` is both) whose message names
    the network's class or the class of the part that refused, and leave its state, Generator, episode, mode and
    every part's params exactly as they were:

    - ``tick`` with the observations of :func:`bad_observations`;
    - ``reward`` (RL networks) with rewards that are strings, bools, NaN, inf
      or of the wrong shape, and, with a rewarder, bad actions or no state;
    - ``set_state`` with an entry missing, unknown, None, of another shape or
      dtype, or holding NaN or inf, and a Generator state that is not JSON;
    - ``set_key`` with an unknown name, a ``fixed`` key, and values each
      key's constraint refuses;
    - ``set_episode`` and ``reset(copies=)`` with values of the wrong type or
      shape.

    Afterwards the network must still tick on ``observation``.

    Parameters
    ----------
    net : spikey.snn.Network
        A network after :meth:`~spikey.snn.Network.reset`; it is left as it was.
    observation : array_like
        A valid argument of ``net.tick``.

    Raises
    ------
    AssertionError
        Naming the network, the call and what went wrong: no error, an error
        of another kind or not naming the network, or a changed network.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> net = FlorianXOR(keys={"seed": 0, "processing_time": 5})
    >>> net.reset()
    >>> check_network(net, [0, 1])
    """
    name = type(net).__name__
    cases = [*_tick_cases(net, observation), *_reward_cases(net, observation), *_state_cases(net),
             *_key_cases(net), *_episode_and_copies_cases(net)]
    for call, attempt in cases:
        try:
            _refused(net, call, attempt)
        except Problem as problem:
            fix = f"\nFix: {problem.fix}" if problem.fix else ""
            raise AssertionError(f"check_network failed for {name}: {problem.problem}{fix}") from problem.__cause__
    try:
        net.tick(observation)
    except Exception as error:
        raise AssertionError(f"check_network failed for {name}: after the refused calls, tick({observation!r}) "
                             f"raised {type(error).__name__}: {error}") from error
