"""Checks of a part's configuration: declared keys, validation, cloning and pickling."""
from __future__ import annotations

import re

import numpy as np

from spikey import keys as shared_keys
from spikey.module import Constraint, InvalidParameterError, Key, Params
from spikey.testing._drive import batch_sizes, build, is_driven, role_keys, run
from spikey._conformance import BadType, Problem, check, require, round_trip
from spikey.testing._trees import difference

__all__ = ["check_keys_declared", "check_param_validation", "check_clone", "check_pickle"]

SHARED_KEYS = {key.name: (attr, key) for attr, key in vars(shared_keys).items() if isinstance(key, Key)}


@check
def check_keys_declared(part_class, config, *, observations=None):
    """Every key is a Key with a constraint and a doc; ``__init__`` sets only ``params``.

    Also: key names are unique snake_case, defaults satisfy their own
    constraint, shared keys (``spikey.keys``) are reused rather than
    re-declared, and the keys the part's role needs are declared.
    """
    keys = getattr(part_class, "NECESSARY_KEYS", None)
    require(isinstance(keys, tuple) and all(isinstance(k, Key) for k in keys),
            f"NECESSARY_KEYS is {keys!r}, not a tuple of Key.", "declare NECESSARY_KEYS = Base.extend_keys(Key(...)).")
    names = [key.name for key in keys]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    require(not duplicated, f"keys {duplicated} are declared twice.",
            "use Base.extend_keys(...), which replaces a parent key of the same name.")
    for key in keys:
        _check_key(key, part_class.__name__)
    missing = [n for n in role_keys(part_class) if n not in names]
    require(not missing, f"the keys {missing}, which every part of its role declares and networks read, are not "
            "declared.", "extend the role base's keys (Base.extend_keys) instead of replacing NECESSARY_KEYS.")
    part = build(part_class, config)
    extra = sorted(set(getattr(part, "__dict__", {})) - {"params"})
    require(not extra, f"__init__ set attributes {extra} besides params.",
            "__init__ only validates (super().__init__(**config)); arrays and randomness go in init_state, "
            "derived values in methods.")
    require(isinstance(getattr(part, "params", None), Params) and list(part.params) == names,
            f"params holds {list(getattr(part, 'params', {}))}, not the declared keys {names}.",
            "let Module.__init__ build params: call super().__init__(**config).")


def _check_key(key: Key, owner: str) -> None:
    name = key.name
    require(isinstance(name, str) and name.isidentifier() and name == name.lower() and not name.startswith("_"),
            f"key name {name!r} is not snake_case.", "name keys in snake_case without a leading underscore.")
    require(isinstance(key.constraint, Constraint), f"key {name!r} has constraint {key.constraint!r}.",
            "give every key a Constraint: Interval(...), Options(...) or InstanceOf(...).")
    require(isinstance(key.doc, str) and key.doc.strip(), f"key {name!r} has no doc.",
            "describe what the key means, with its unit.")
    if not key.required:
        try:
            key.validate(key.default, owner)
        except InvalidParameterError as error:
            raise Problem(f"the default of key {name!r} breaks its own constraint: {error}",
                          "choose a default the constraint accepts.") from None
    if name in SHARED_KEYS:
        attr, shared = SHARED_KEYS[name]
        require(key.same_declaration(shared), f"key {name!r} re-declares the shared key spikey.keys.{attr} "
                "differently.", f"reuse spikey.keys.{attr} instead of declaring {name!r} again.")


def _expect_rejected(part_class, config, name: str, value) -> None:
    pattern = f"The {name!r} parameter of {part_class.__name__} must be"
    try:
        part_class(**{**config, name: value})
    except InvalidParameterError as error:
        require(re.search(re.escape(pattern), str(error)),
                f"{name}={value!r} raised InvalidParameterError({str(error)!r}), which does not say {pattern!r}.",
                "let Module.__init__ validate declared keys, or raise Key.error(owner, value).")
        return
    except Exception as error:
        raise Problem(f"{name}={value!r} raised {type(error).__name__}: {error}, not InvalidParameterError.",
                      "validate keys through their Key constraints (Module.__init__) before using them.") from error
    raise Problem(f"{name}={value!r} was accepted.",
                  f"give key {name!r} a constraint that rejects it, and do not bypass Module.__init__.")


def _accepts(constraint, value) -> bool:
    try:
        constraint.normalize(value)
    except Exception:
        return False
    return True


@check
def check_param_validation(part_class, config, *, observations=None):
    """Invalid values of every key raise ``InvalidParameterError`` naming the key and the part.

    Each key gets a ``BadType()`` instance and ``key.constraint.invalid_example()``
    (batched keys also a 2-D array); each must raise an error matching
    ``"The '<key>' parameter of <Part> must be"``. Keys whose constraint accepts
    arbitrary objects are skipped. Leaving out a required key must raise too.
    """
    for key in part_class.NECESSARY_KEYS:
        if key.required:
            rest = {k: v for k, v in config.items() if k != key.name}
            try:
                part_class(**rest)
            except InvalidParameterError as error:
                require(repr(key.name) in str(error), f"leaving out {key.name!r} raised an error not naming it: "
                        f"{error}", "let Module.__init__ report missing keys.")
            else:
                raise Problem(f"leaving out the required key {key.name!r} raised nothing.",
                              "let Module.__init__ report missing keys: call super().__init__(**config) first.")
        if _accepts(key.constraint, BadType()):
            continue
        bad = [BadType(), key.constraint.invalid_example()] + ([np.zeros((2, 2))] if key.batched else [])
        for value in bad:
            if value is not None:
                _expect_rejected(part_class, config, key.name, value)


@check
def check_clone(part_class, config, *, observations=None):
    """``type(p)(**p.get_params()) == p``: the validated params configure an equal part.
    """
    part = build(part_class, config)
    params = part.get_params()
    require(isinstance(params, dict) and list(params) == [k.name for k in part_class.NECESSARY_KEYS],
            f"get_params() returned {params!r}.", "do not override get_params(); Module's returns dict(params).")
    try:
        clone = type(part)(**params)
    except Exception as error:
        raise Problem(f"type(p)(**p.get_params()) raised {type(error).__name__}: {error}",
                      "every validated value must be accepted again as configuration.") from error
    require(clone == part, f"the clone differs: {difference(params, clone.get_params(), 'params')}",
            "validation must be idempotent: normalize a value to a form that normalizes to itself.")



@check
def check_pickle(part_class, config, *, observations=None):
    """``pickle.loads(pickle.dumps(p)) == p``, and the copy runs exactly as the original.
    """
    part = build(part_class, config)
    copy = round_trip(part, "keep params picklable: module-level functions rather than lambdas or closures.")
    unequal = [k for k in part.params if Params({k: part.params[k]}) != Params({k: copy.params.get(k)})]
    require(copy == part, f"the unpickled part is not equal to the original (params {unequal} differ).",
            "give the part params that compare equal after a round trip (numbers, strings, tuples, arrays, "
            "module-level functions); Params compares values with spikey.module._same_value.")
    if is_driven(part_class):
        batch = max(batch_sizes(config, part))
        original, _ = run(part, batch, observations=observations)
        restored, _ = run(copy, batch, observations=observations)
        changed = difference(original.outputs, restored.outputs, "outputs")
        require(changed is None, f"the unpickled part runs differently: {changed}.",
                "keep all configuration in params so that pickling restores it.")


