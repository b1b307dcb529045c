"""Every conformance check of spikey.testing on every built-in part, plus checks that the checks bite."""
from typing import NamedTuple

import numpy as np
import pytest

from spikey.module import InstanceOf, Interval, Key, Module
from spikey.snn import input, modifier, neuron, readout, reward, synapse, weight
from spikey.testing import (
    N_STEPS,
    check_batch_consistency,
    check_input_not_mutated,
    check_learning_changes_weights,
    check_keys_declared,
    check_param_validation,
    check_part,
    check_pickle,
    check_seed_determinism,
    check_state_batch_axis,
    check_step_contract,
    checks_for,
    parametrize_with_checks,
)

N_INPUTS, N_NEURONS = 4, 5
SIZES = {"n_inputs": N_INPUTS, "n_neurons": N_NEURONS, "max_weight": 1.0}
LIF = {"n_neurons": N_NEURONS, "magnitude": 1.0, "firing_threshold": 1.0, "potential_decay": 0.1}
TRAINS = np.random.default_rng(7).random((3, 4, N_INPUTS)) < 0.4


def xor_expected(states):
    """Module-level (picklable) expected action of the XOR game."""
    return np.logical_xor(states[:, 0], states[:, 1]).astype(np.int64)


def rbf_observations(batch_size, rng):
    return rng.uniform([-1.0, 0.0], [1.0, 2.0], (batch_size, 2))


def symbol_observations(batch_size, rng):
    return rng.integers(0, len(TRAINS), batch_size)


def symbol_pairs(batch_size, rng):
    return rng.integers(0, 3, (batch_size, 2))


PARTS = [
    (input.Input, {"n_inputs": N_INPUTS, "magnitude": 1.0}),
    (input.RateMap, {"n_inputs": N_INPUTS, "magnitude": 1.0, "input_rate": 0.5, "input_pct_inhibitory": 0.25}),
    (input.RBF, {"n_inputs": 6, "magnitude": 1.0, "input_rate": 0.5, "rbf_low": [-1.0, 0.0], "rbf_high": [1.0, 2.0]},
     rbf_observations),
    (input.RateMap, {"n_inputs": N_INPUTS, "magnitude": 1.0, "input_rate": 0.5, "input_polarity": np.array([1, -1, 0, 1])}),
    (input.SpikeTrain, {"n_inputs": N_INPUTS, "magnitude": 1.0, "spike_trains": TRAINS}, symbol_observations),
    (input.SymbolTrains, {"n_inputs": N_INPUTS, "magnitude": 1.0, "n_symbols": 3, "train_length": 7, "train_spikes": 3},
     symbol_pairs),
    (input.SymbolTrains, {"n_inputs": N_INPUTS, "magnitude": 1.0, "n_symbols": 3, "train_length": 7, "train_spikes": 3,
                          "shared_trains": False}, symbol_pairs),
    (input.StaticMap, {"n_inputs": N_INPUTS, "magnitude": 1.0}),
    (neuron.Neuron, {"n_neurons": N_NEURONS, "magnitude": 1.0}),
    (neuron.LIF, LIF),
    (neuron.LIF, {**LIF, "refractory_period": 2, "spike_delay": 2, "resting_mv": -0.5, "prob_rand_fire": 0.05,
                     "neuron_pct_inhibitory": 0.2}),
    (neuron.LIF, {**LIF, "firing_threshold": np.array([0.5, 1.0, 2.0]), "potential_decay": [0.0, 0.1, 0.5]}),
    (neuron.Izhikevich, {"n_neurons": N_NEURONS, "magnitude": 1.0}),
    (neuron.Izhikevich, {"n_neurons": N_NEURONS, "magnitude": 10.0, "neuron_pct_inhibitory": 0.2,
                         "a": [0.02, 0.1, 0.02], "c": np.array([-65.0, -65.0, -50.0]), "d": [8.0, 2.0, 2.0]}),
    (neuron.RandPotential, {**LIF, "prob_rand_fire": 0.2, "leak_scalar": 0.5}),
    (neuron.CorticalIzhikevich, {"n_neurons": N_NEURONS, "magnitude": 10.0, "neuron_pct_inhibitory": 0.4,
                                 "thalamic_input": 13.0}),
    (neuron.CorticalIzhikevich, {"n_neurons": N_NEURONS, "magnitude": 10.0, "thalamic_input": [0.0, 5.0, 30.0],
                                 "a": [0.02, 0.1, 0.02], "inhibitory_c": -50.0}),
    (weight.Weight, SIZES),
    (weight.Manual, {**SIZES, "matrix": np.random.default_rng(1).uniform(0.0, 1.0, (9, 5)) * (np.eye(9, 5) == 0)}),
    (weight.Manual, {**SIZES, "matrix": [np.full((N_INPUTS, 3), 0.5), np.full((3, 2), 0.25)]}),
    (weight.Random, {**SIZES, "prob_connection": 0.5, "weight_scale": 0.5, "inhibitory_weight_mult": 3.0}),
    (weight.Random, {**SIZES, "prob_connection": 0.8, "weight_scale": 0.5, "weight_dist": "lognormal",
                     "allow_self_connections": True}),
    (weight.OutDegree, {**SIZES, "n_synapses": 2, "initial_weight": 0.5}),
    (synapse.Synapse, SIZES),
    (synapse.STDP, {**SIZES, "learning_rate": 0.05}),
    (synapse.LTP, {**SIZES, "learning_rate": 0.05, "trace_decay": 0.1}),
    (synapse.RLSTDP, {**SIZES, "learning_rate": 0.05, "trace_decay": 0.1}),
    (synapse.MSTDP, {**SIZES, "learning_rate": 0.05}),
    (synapse.MSTDP, {**SIZES, "learning_rate": np.array([0.0, 0.05, 0.2])}),
    (synapse.MSTDPET, {**SIZES, "learning_rate": 0.05, "tau_z": 10.0}),
    (synapse.DopamineSTDP, {**SIZES, "learning_rate": 0.05, "tonic_dopamine": 0.002}),
    (synapse.DopamineSTDP, {**SIZES, "learning_rate": np.array([0.0, 0.05, 0.2]), "tau_c": 5.0, "tau_d": 3.0}),
    (synapse.DopamineSTDP, {**SIZES, "learning_rate": 0.05, "tonic_dopamine": 0.002, "update_interval": 3}),
    (readout.Readout, {"n_outputs": 4}),
    (readout.NeuronRates, {"n_outputs": 4, "n_actions": 2}),
    (readout.PopulationVector, {"n_outputs": 4, "n_actions": 2}),
    (readout.Threshold, {"n_outputs": 4, "action_threshold": 0.4}),
    (readout.TopAction, {"n_outputs": 4, "n_actions": 4}),
    (reward.Reward, {}),
    (reward.MatchExpected, {"expected_value": xor_expected, "reward_mult": 1.0, "punish_mult": 0.5}),
    (modifier.LinearDecay, {"key": "learning_rate", "t_stop": 10, "value_start": 1.0, "value_stop": 0.0}),
    (modifier.DropOff, {"key": "prob_rand_fire", "t_stop": 3, "value_start": 0.1, "value_stop": 0.0}),
]

@parametrize_with_checks(PARTS)
def test_builtin_parts(part, check):
    check(part)


@pytest.mark.parametrize("package", [input, neuron, weight, synapse, readout, reward], ids=lambda m: m.__name__)
def test_every_exported_part_is_checked(package):
    checked = {entry[0] for entry in PARTS}
    exported = [getattr(package, name) for name in package.__all__]
    parts = [obj for obj in exported if isinstance(obj, type) and issubclass(obj, Module)]
    missing = [cls.__name__ for cls in parts if cls not in checked]
    assert not missing, f"add a small valid config for {missing} to PARTS in unit_tests/test_common.py"


@pytest.mark.parametrize("part_class", sorted({entry[0] for entry in PARTS}, key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_key_is_documented_in_its_class_docstring(part_class):
    """The Parameters section is rendered from NECESSARY_KEYS: each key appears once, with its doc."""
    doc = part_class.__doc__
    assert doc.count("Parameters\n") == 1
    for key in part_class.NECESSARY_KEYS:
        assert doc.count(f"\n    {key.name} : ") == 1 and key.doc in doc


# ---------------------------------------------------------------- the checks catch broken parts


class FloatSpikes(neuron.LIF):
    def step(self, state, incoming, rng):
        spikes, state = super().step(state, incoming, rng)
        return spikes.astype(np.float16), state


class GlobalRandom(neuron.LIF):
    def step(self, state, incoming, rng):
        return super().step(state, incoming + np.random.random(incoming.shape), rng)


class InPlace(neuron.LIF):
    def step(self, state, incoming, rng):
        incoming *= 0.5
        return super().step(state, incoming, rng)


class CachesArrays(neuron.LIF):
    def __init__(self, **config):
        super().__init__(**config)
        self.potential = np.zeros(self.params.n_neurons)


class Unbatched(neuron.LIF):
    def init_state(self, batch_size, rng):
        state = super().init_state(batch_size, rng)
        return state._replace(refractory_timer=np.zeros(self.params.n_neurons, dtype=np.int64))


class Undocumented(readout.Readout):
    NECESSARY_KEYS = readout.Readout.extend_keys(Key("gain", Interval(float, 0, None), ""))

    def __call__(self, rates, rng):
        return rates.argmax(axis=1)


class Unvalidated(readout.Readout):
    NECESSARY_KEYS = readout.Readout.extend_keys(
        Key("gain", InstanceOf(object, "a gain"), "Anything goes."),
        Key("offset", Interval(float, 0, 1), "Checked late.", default=0.5),
    )

    def __init__(self, **config):
        if isinstance(config.get("offset"), float) and config["offset"] > 1:
            config["offset"] = 1.0  # silently "fixes" a bad value instead of rejecting it
        super().__init__(**config)

    def __call__(self, rates, rng):
        return rates.argmax(axis=1)


class LambdaReward(reward.Reward):
    NECESSARY_KEYS = reward.Reward.extend_keys(
        Key("score", InstanceOf(object, "a callable", callable), "Score of (states, actions)."))

    def __call__(self, states, actions, next_states=None):
        return np.asarray(self.params.score(states, actions), dtype=np.float64)


class CrossTalk(neuron.LIF):
    def step(self, state, incoming, rng):
        return super().step(state, incoming + 0.1 * incoming.sum(axis=0), rng)


class LearningReward(synapse.MSTDP):
    """Every network learns from the sum of the batch's rewards."""

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        change = reward.sum() * weights.mask
        weights.values[:] = np.clip(weights.values + change, weights.low[:, :, None], weights.high[:, :, None])
        return super().step(state, weights, pre_spikes, post_spikes, reward)


class BatchMean(neuron.LIF):
    """Each network also receives a tenth of the batch's mean charge."""

    def step(self, state, incoming, rng):
        return super().step(state, incoming + 0.1 * incoming.mean(axis=0), rng)


class IgnoresMask(synapse.MSTDP):
    """Learns on every synapse, present or not."""

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        return super().step(state, weights._replace(mask=np.ones_like(weights.mask)), pre_spikes, post_spikes, reward)


class IgnoresBounds(synapse.MSTDP):
    """Clips every weight to [0, 1], as if all were excitatory magnitudes."""

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        magnitudes = weights._replace(low=np.zeros_like(weights.low), high=np.ones_like(weights.high))
        return super().step(state, magnitudes, pre_spikes, post_spikes, reward)


class NeverLearns(synapse.MSTDP):
    """Keeps its traces but writes the weight changes into a copy."""

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        return super().step(state, weights._replace(values=weights.values.copy()), pre_spikes, post_spikes, reward)

    def reward(self, state, weights, reward):
        return state


class Float32State(neuron.LIF):
    def init_state(self, batch_size, rng):
        state = super().init_state(batch_size, rng)
        return state._replace(potential=state.potential.astype(np.float32))


class MutatesState(neuron.LIF):
    def step(self, state, incoming, rng):
        state.potential[:] *= 0.5
        return super().step(state, incoming, rng)


class NoMagnitude(neuron.Neuron):
    """A neuron model that declares its own keys from scratch and drops the role's."""

    NECESSARY_KEYS = (neuron.Neuron.NECESSARY_KEYS[0],)

    def init_state(self, batch_size, rng):
        return neuron.LIF.State(np.zeros((batch_size, self.params.n_neurons)), None, None)

    def step(self, state, incoming, rng):
        return incoming > 1.0, state


class NoReset(neuron.Neuron):
    """A quadratic integrate-and-fire neuron that spikes at 30 mV but forgets to reset."""

    class State(NamedTuple):
        potential: np.ndarray

    def init_state(self, batch_size, rng):
        return self.State(np.zeros((batch_size, self.params.n_neurons)))

    def step(self, state, incoming, rng):
        with np.errstate(over="ignore", invalid="ignore"):
            potential = state.potential + 0.04 * state.potential ** 2 + incoming
        return potential >= 30.0, self.State(potential)


class TimeFirstNoise(neuron.LIF):
    """Draws its noise neurons first, (n, B): right for one network, not batch first."""

    def step(self, state, incoming, rng):
        return super().step(state, incoming + rng.normal(size=incoming.shape[::-1]).T, rng)


class ChoiceNoise(neuron.LIF):
    """Draws with a Generator method a per-network stream does not offer."""

    def step(self, state, incoming, rng):
        return super().step(state, incoming + rng.choice([0.0, 0.5], size=incoming.shape), rng)


class LastRewardOnly(synapse.MSTDPET):
    """Learns from the last reward of a block only: right step by step, wrong in blocks."""

    def step(self, state, weights, pre_spikes, post_spikes, reward):
        last = np.arange(len(reward))[:, None] == len(reward) - 1
        return super().step(state, weights, pre_spikes, post_spikes, np.where(last, reward, 0.0))


@pytest.mark.parametrize("part_class, config, check, message", [
    (FloatSpikes, LIF, check_step_contract, "dtype float16"),
    (GlobalRandom, LIF, check_seed_determinism, "global RNG"),
    (InPlace, LIF, check_input_not_mutated, "incoming at step 0"),
    (CachesArrays, LIF, check_keys_declared, "set attributes ['potential']"),
    (Unbatched, LIF, check_state_batch_axis, "check_state_batch_axis failed for Unbatched"),
    (Undocumented, {"n_outputs": 2, "gain": 1.0}, check_keys_declared, "key 'gain' has no doc"),
    (Unvalidated, {"n_outputs": 2, "gain": 1.0}, check_param_validation, "offset=2.0 was accepted"),
    (LambdaReward, {"score": lambda s, a: a * 1.0}, check_pickle, "pickling failed"),
    (CrossTalk, LIF, None, "check_batch_consistency failed for CrossTalk"),
    (LearningReward, {**SIZES, "learning_rate": 0.1}, None, "check_batch_consistency failed for LearningReward"),
    (BatchMean, LIF, check_batch_consistency, "of a batch of 3 differs from a lone network fed the same data"),
    (TimeFirstNoise, LIF, check_batch_consistency, "each have their own stream fails: A network with per-copy seeds"),
    (ChoiceNoise, LIF, check_batch_consistency, "each have their own stream fails: CopyStreams"),
    (IgnoresMask, {**SIZES, "learning_rate": 0.1}, check_step_contract, "are nonzero where mask is False"),
    (IgnoresBounds, {**SIZES, "learning_rate": 0.1}, check_step_contract, "leaves its row's bounds"),
    (NeverLearns, {**SIZES, "learning_rate": 0.1}, check_learning_changes_weights, "the weights never changed"),
    (Float32State, LIF, check_step_contract, "is float32; continuous state is float64"),
    (MutatesState, LIF, check_input_not_mutated, "modified its input in place: the state passed to step"),
    (NoMagnitude, {"n_neurons": N_NEURONS}, check_keys_declared, "the keys ['magnitude', 'neuron_pct_inhibitory']"),
    (NoReset, {"n_neurons": N_NEURONS, "magnitude": 1.0}, check_step_contract, "is not finite (inf or NaN)"),
    (LastRewardOnly, {**SIZES, "learning_rate": 0.1}, None, "check_blocks_equal_steps failed for LastRewardOnly"),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_checks_catch_broken_parts(part_class, config, check, message):
    with pytest.raises(AssertionError, match="Fix: ") as raised:
        if check is None:
            check_part(part_class, config)
        else:
            check(part_class, config)
    assert message in str(raised.value)


def test_parametrize_marks_expected_failures_and_rejects_unknown_checks():
    marker = parametrize_with_checks([(FloatSpikes, LIF)], {FloatSpikes: {"check_step_contract": "float16 spikes"}})
    params = marker.args[1]
    assert [p.id for p in params] == [f"FloatSpikes-{c.__name__}" for c in checks_for(FloatSpikes)]
    xfailed = [p.id for p in params if p.marks]
    assert xfailed == ["FloatSpikes-check_step_contract"]
    assert next(p for p in params if p.marks).marks[0].kwargs["reason"] == "float16 spikes"
    with pytest.raises(ValueError, match="check_stp_contract"):
        parametrize_with_checks([(FloatSpikes, LIF)], {FloatSpikes: {"check_stp_contract": "typo"}})


def test_check_part_skips_expected_failures_and_runs_fast_enough():
    check_part(FloatSpikes, LIF, expected_failed_checks={"check_step_contract": "float16", "check_pickle": "local"})
    assert N_STEPS == 20
