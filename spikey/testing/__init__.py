"""Conformance checks for Spikey parts: does a part keep the contract every network relies on?

:func:`check_part` runs every applicable check on a part class, given a valid
configuration, and raises ``AssertionError`` naming the failed check and the
fix. The checks are small public functions
``check_*(part_class, config, *, observations=None)`` that can be run alone, and
:func:`parametrize_with_checks` turns them into pytest cases, one per (part,
check) pair, as scikit-learn's ``parametrize_with_checks`` does::

    from spikey.testing import parametrize_with_checks

    @parametrize_with_checks([(MyNeurons, MY_CONFIG)],
                             expected_failed_checks={MyNeurons: {"check_pickle": "holds a lambda"}})
    def test_parts(part, check):
        check(part)

How each role is driven, and with what synthetic inputs, is described in
:func:`check_part`.
"""
from spikey.games.checks import check_game
from spikey.testing._backend_check import check_backends_agree, check_float32_state
from spikey.testing._config_checks import check_clone, check_keys_declared, check_param_validation, check_pickle
from spikey.testing._drive import N_STEPS
from spikey.testing._network_checks import bad_observations, check_network
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
from spikey.testing._runner import PartCase, check_part, checks_for, parametrize_with_checks
from spikey.testing.cost import rule_cost

__all__ = [
    "N_STEPS",
    "check_game",
    "check_network",
    "bad_observations",
    "PartCase",
    "check_part",
    "checks_for",
    "parametrize_with_checks",
    "check_keys_declared",
    "check_param_validation",
    "check_clone",
    "check_state_batch_axis",
    "check_step_contract",
    "check_params_not_mutated",
    "check_input_not_mutated",
    "check_seed_determinism",
    "check_batch_consistency",
    "check_pickle",
    "check_learning_changes_weights",
    "check_blocks_equal_steps",
    "check_backends_agree",
    "check_float32_state",
    "rule_cost",
]
