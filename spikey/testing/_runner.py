"""Running the checks: on one part (check_part), or as pytest cases (parametrize_with_checks)."""
from __future__ import annotations

from typing import NamedTuple

from spikey.module import Module
from spikey.testing._backend_check import check_backends_agree, check_float32_state, has_compiled_twin
from spikey.testing._config_checks import check_clone, check_keys_declared, check_param_validation, check_pickle
from spikey.testing._drive import STATEFUL, is_driven, role
from spikey.testing._run_checks import (
    check_batch_consistency,
    check_blocks_equal_steps,
    check_input_not_mutated,
    check_learning_changes_weights,
    check_params_not_mutated,
    check_seed_determinism,
    check_state_batch_axis,
    check_step_contract,
)

__all__ = ["PartCase", "checks_for", "check_part", "parametrize_with_checks"]


class PartCase(NamedTuple):
    """A part class with the configuration (and observations) the checks drive it with."""

    part_class: type
    config: dict
    observations: object = None

    def __repr__(self):
        return f"PartCase({self.part_class.__name__}, {self.config!r})"




_ALL_CHECKS = (
    check_keys_declared, check_param_validation, check_clone, check_state_batch_axis, check_step_contract,
    check_params_not_mutated, check_input_not_mutated, check_seed_determinism, check_batch_consistency, check_pickle,
    check_learning_changes_weights, check_blocks_equal_steps, check_float32_state,
)


def checks_for(part_class) -> list:
    """The checks that apply to ``part_class``, in the order they run.

    Parameters
    ----------
    part_class : type
        A :class:`~spikey.module.Module` subclass.

    Returns
    -------
    list of callable
        ``check(part_class, config, *, observations=None)`` functions. Parts
        without a role (modifiers) and abstract bases get only the
        configuration checks; readouts and rewarders, which have no state, skip
        ``check_state_batch_axis``; only learning rules get
        ``check_learning_changes_weights`` and ``check_blocks_equal_steps``;
        only neurons, weights and rules get ``check_float32_state``; only the
        built-in parts the compiled tick runs get ``check_backends_agree``,
        last.
    """
    if not (isinstance(part_class, type) and issubclass(part_class, Module)):
        raise TypeError(f"Expected a spikey Module subclass, got {part_class!r}.")
    if not is_driven(part_class):
        return [check_keys_declared, check_param_validation, check_clone, check_pickle]
    role_name = role(part_class)
    skip = set() if role_name in STATEFUL else {check_state_batch_axis}
    if role_name != "synapse":
        skip |= {check_learning_changes_weights, check_blocks_equal_steps}
    if role_name not in ("neuron", "weight", "synapse"):
        skip |= {check_float32_state}
    twin = [check_backends_agree] if has_compiled_twin(part_class) else []
    return [check for check in _ALL_CHECKS if check not in skip] + twin


def check_part(part_class, config, *, observations=None, expected_failed_checks=None) -> None:
    """Run every applicable check on a part class; raise at the first contract it breaks.

    Parameters
    ----------
    part_class : type
        A subclass of a role base (``Input``, ``Neuron``, ``Weight``,
        ``Synapse``, ``Readout``, ``Reward``) or any other Module.
    config : dict
        A valid configuration of the part; keys it does not declare are ignored.
    observations : array-like or callable, optional
        Example observation rows, or ``observations(batch_size, rng) -> array
        (batch_size, ...)``, for Input parts (what ``encode`` receives) and Reward
        parts (the states). Defaults are described in the module docstring.
    expected_failed_checks : dict, optional
        ``{check name: reason}`` of checks to skip.

    Raises
    ------
    AssertionError
        Naming the failed check, what is wrong and the fix.

    Notes
    -----
    The part's role comes from its base class (``Input``, ``Neuron``,
    ``Weight``, ``Synapse``, ``Readout`` or ``Reward``) and decides how the
    checks drive it: with synthetic inputs, for ``N_STEPS`` steps (or calls),
    at batch sizes 1 and 3, or only at the batch size the configuration fixes
    (a ``batch_size`` key, or per-network arrays given for batched keys). Row
    ``r`` of every synthetic array comes from its own seeded Generator, so
    network ``r`` of a batch and a lone network can be fed the same data.

    - neurons: charge ~ ``U[-0.5, 1.5) * s``, ``s`` the smallest power of two
      that makes some neuron spike within ``N_STEPS`` steps (a neuron that
      never spikes fails);
    - synapses: blocks of 5 steps of Bernoulli(0.3) pre and post spikes, rewards
      that are 0 half the time and N(0, 1) otherwise (also given through
      ``reward()`` after each block), weights of magnitude ``U[0, 1]``, a fifth
      of the synapses absent, from presynaptic rows 70 % excitatory, 20 %
      inhibitory and 10 % of either sign (bounds ``[0, 1]``, ``[-1, 0]``, ``[-1, 1]``);
    - weights: presynaptic polarities, 20 % of either sign, the others excitatory;
    - readouts: rates in {0, 0.1, ..., 1};
    - inputs: a new batch of observations for each block of 5 steps, by default values in
      {0, 0.5, 1} of shape (B, min(2, n_inputs));
    - rewarders: states, actions in {0, 1} and next states, the states by
      default integers in {0, 1} of shape (B, 2).

    Other Modules (modifiers) and abstract bases get only the configuration
    checks. ``check_batch_consistency`` compares values only for parts that
    draw no random numbers (see its docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.neuron import LIF
    >>> config = {"n_neurons": 4, "magnitude": 1.0, "firing_threshold": 1.0, "potential_decay": 0.1}
    >>> check_part(LIF, config)
    >>> class FloatNeuron(LIF):
    ...     def step(self, state, incoming, rng):
    ...         spikes, state = super().step(state, incoming, rng)
    ...         return spikes.astype(np.float64), state
    >>> check_part(FloatNeuron, config)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: check_step_contract failed for FloatNeuron: the spikes ... step 0: dtype float64, expected bool.
    Fix: spikes are bool: return the comparison itself (e.g. `potential >= threshold`), without casting.
    """
    skip = dict(expected_failed_checks or {})
    _check_names(skip, part_class)
    for check in checks_for(part_class):
        if check.__name__ not in skip:
            check(part_class, config, observations=observations)


def _check_names(expected: dict, part_class) -> None:
    unknown = sorted(set(expected) - {check.__name__ for check in _ALL_CHECKS})
    if unknown:
        known = ", ".join(check.__name__ for check in _ALL_CHECKS)
        raise ValueError(f"Unknown checks {unknown} expected to fail for {part_class.__name__}; known: {known}.")


class _BoundCheck:
    """A check applied to a PartCase (or a part instance): ``check(part)``."""

    def __init__(self, check):
        self.check = check
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, part):
        if isinstance(part, Module):
            part = PartCase(type(part), part.get_params())
        return self.check(part.part_class, part.config, observations=part.observations)

    def __repr__(self):
        return self.__name__


def _as_case(entry) -> PartCase:
    if isinstance(entry, PartCase):
        return entry
    if isinstance(entry, Module):
        return PartCase(type(entry), entry.get_params())
    if isinstance(entry, tuple) and len(entry) in (2, 3) and isinstance(entry[0], type):
        return PartCase(*entry)
    raise TypeError(f"Expected (part_class, config), (part_class, config, observations) or a part, got {entry!r}.")


def _case_ids(cases) -> list:
    names = [case.part_class.__name__ for case in cases]
    seen: dict = {}
    ids = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if names.count(name) == 1 else f"{name}#{seen[name]}")
    return ids


def _expected_for(expected, case: PartCase, case_id: str) -> dict:
    if expected is None:
        return {}
    if callable(expected):
        found = dict(expected(case.part_class, case.config) or {})
    else:
        found = {}
        for key in (case.part_class, case.part_class.__name__, case_id):
            found.update(expected.get(key, {}))
    _check_names(found, case.part_class)
    return found


def parametrize_with_checks(parts, expected_failed_checks=None):
    """Pytest decorator: one test per (part, check) pair, with readable ids such as ``LIF-check_clone``.

    Parameters
    ----------
    parts : list
        Entries ``(part_class, config)``, ``(part_class, config, observations)``,
        :class:`PartCase` or part instances. A class listed several times gets
        ids ``Name#1``, ``Name#2``...
    expected_failed_checks : dict or callable, optional
        Checks known to fail, marked ``xfail`` with the reason:
        ``{part class, class name or id: {check name: reason}}``, or
        ``f(part_class, config) -> {check name: reason}``.

    Returns
    -------
    decorator
        ``pytest.mark.parametrize("part, check", ...)``; the test body is ``check(part)``.
    """
    import pytest

    cases = [_as_case(entry) for entry in parts]
    params = []
    for case, case_id in zip(cases, _case_ids(cases)):
        expected = _expected_for(expected_failed_checks, case, case_id)
        for check in checks_for(case.part_class):
            reason = expected.get(check.__name__)
            marks = [pytest.mark.xfail(reason=reason)] if reason else []
            params.append(pytest.param(case, _BoundCheck(check), id=f"{case_id}-{check.__name__}", marks=marks))
    return pytest.mark.parametrize("part, check", params)
