"""Florian (2007)'s XOR templates are the paper's model: values pinned here, dynamics in test_reference.py."""
import math

import numpy as np
import pytest

from spikey.experiments import FlorianTemporalXOR, FlorianTemporalXORMSTDP, FlorianXOR, FlorianXORMSTDP
from spikey.experiments.florian2007 import MODEL, play_xor, xor_success
from spikey.snn import ActiveRLNetwork
from spikey.snn.input import SpikeTrain
from spikey.snn.synapse import MSTDP, MSTDPET
from spikey.snn.weight import Manual

RATE_TEMPLATES = (FlorianXOR, FlorianXORMSTDP)
TEMPORAL_TEMPLATES = (FlorianTemporalXOR, FlorianTemporalXORMSTDP)


@pytest.mark.parametrize("template", RATE_TEMPLATES + TEMPORAL_TEMPLATES)
def test_neuron_model_and_timing(template):
    net = template(keys={"seed": 0})
    neurons = net.parts["neurons"].params
    assert neurons.firing_threshold == 16.0 and neurons.resting_mv == 0.0  # 16 mV above rest, reset to rest
    assert neurons.refractory_period == 0 and neurons.spike_delay == 0 and neurons.prob_rand_fire == 0.0
    assert neurons.potential_decay == pytest.approx(1 - math.exp(-1 / 20))  # tau_m = 20 ms
    assert net.params.input_delay == 1 and net.params.spike_pairing == "emission"
    assert net.params.processing_time == 500
    rule = net.parts["synapses"].params
    assert (rule.tau_plus, rule.tau_minus, rule.a_plus, rule.a_minus) == (20.0, 20.0, 1.0, -1.0)
    assert getattr(rule, "tau_z", 25.0) == 25.0


@pytest.mark.parametrize("template, rule, gamma", [  # Florian's γ is the learning_rate key
    (FlorianXOR, MSTDPET, 0.625), (FlorianXORMSTDP, MSTDP, 0.1),
    (FlorianTemporalXOR, MSTDPET, 0.25), (FlorianTemporalXORMSTDP, MSTDP, 0.01),
])
def test_learning_rates(template, rule, gamma):
    net = template(keys={"seed": 0})
    assert type(net.parts["synapses"]) is rule and net.parts["synapses"].params.learning_rate == gamma


@pytest.mark.parametrize("template", RATE_TEMPLATES)
def test_rate_coding_layout_and_bounds(template):
    net = template(keys={"seed": 0, "batch_size": 50})
    state = net.state["weights"]
    inhibitory = np.zeros(121, dtype=bool)
    inhibitory[15:30] = inhibitory[45:60] = True  # half of each input group of 30
    np.testing.assert_array_equal(state.low[0], np.where(inhibitory, -5.0, 0.0))
    np.testing.assert_array_equal(state.high[0], np.where(inhibitory, 0.0, 5.0))
    expected_mask = np.zeros((121, 61), dtype=bool)
    expected_mask[:60, :60] = expected_mask[60:120, 60] = True  # inputs -> 60 hidden -> 1 output, all to all
    assert np.all(state.mask == expected_mask)
    to_hidden, to_output = net.weights[:, :60, :60], net.weights[:, 60:120, 60]
    magnitudes = np.abs(to_hidden[:, ~inhibitory[:60]]), -to_hidden[:, inhibitory[:60]]
    for values in (*magnitudes, to_output):  # uniform within the bounds
        assert values.min() >= 0 and values.max() <= 5.0
        assert abs(values.mean() - 2.5) < 0.05 and abs(values.std() - 5 / math.sqrt(12)) < 0.05
    encoder = net.parts["inputs"].params
    assert encoder.input_rate == 0.04 and net.parts["neurons"].params.neuron_pct_inhibitory == 0.0


@pytest.mark.parametrize("template", TEMPORAL_TEMPLATES)
def test_temporal_coding_trains_and_bounds(template):
    net = template(keys={"seed": 0, "batch_size": 200})
    net.reset()
    state = net.state["weights"]
    np.testing.assert_array_equal(state.low[0], [-10.0, -10.0] + [0.0] * 21)  # inputs of either sign
    np.testing.assert_array_equal(state.high[0], [10.0] * 23)
    to_hidden = net.weights[:, :2, :20]
    assert abs(to_hidden.mean()) < 0.3 and abs(to_hidden.std() - 20 / math.sqrt(12)) < 0.2
    trains = net.state["inputs"].trains
    assert trains.shape == (200, 2, 500, 1) and np.all(trains.sum(axis=2) == 50)  # two trains of 50 spikes in 500 ms
    assert not np.array_equal(trains[0], trains[1])  # drawn for each network
    net.reset()
    assert net.state["inputs"].trains is trains  # fixed for the whole run


def test_reward_comes_at_the_step_of_the_output_spike():
    """An input spike emitted at step 2 fires the output at step 3, rewarded +1 there: MSTDP adds γ e^(-1/20)."""
    class Single(ActiveRLNetwork):
        parts = {**FlorianXORMSTDP.parts, "inputs": SpikeTrain, "weights": Manual}
        keys = {**{k: v for k, v in MODEL.items() if k not in ("prob_connection", "n_observations")}, "n_inputs": 1, "n_neurons": 1, "learning_rate": 0.1, "max_weight": 20.0,
                "matrix": np.array([[17.0], [0.0]]), "expected_value": lambda states: np.ones(len(states))}

    trains = np.zeros((1, 6, 1), dtype=bool)
    trains[0, 2, 0] = True
    net = Single(keys={"spike_trains": trains, "processing_time": 6})
    net.reset()
    net.tick(np.array([0]))
    assert net.spike_log[:, 0, 1].nonzero()[0].tolist() == [3]
    assert net.weights[0, 0, 0] - 17.0 == pytest.approx(0.1 * math.exp(-1 / 20), rel=1e-12)


def test_xor_success_is_florians_criterion():
    rates = np.zeros((12, 3, 4))
    rates[:, 0] = [1, 20, 30, 10]  # both true patterns above both false: success
    rates[:, 1] = [1, 20, 5, 10]  # (1,0) below (1,1)
    rates[:2, 2] = [0, 50, 50, 0]  # learned early, then silent: scored on the last 10 epochs only
    assert xor_success(rates).tolist() == [True, False, False]
    assert xor_success(rates, last=12).tolist() == [True, False, True]


def test_a_small_batch_learns_rate_xor():
    untrained = FlorianXOR(keys={"seed": 0, "batch_size": 4}).eval()
    untrained.reset()
    assert not xor_success(play_xor(untrained, 10, seed=1)).any()  # the same networks untrained fail
    net = FlorianXOR(keys={"seed": 0, "batch_size": 4})
    net.reset()
    rates = play_xor(net, 40, seed=0)
    assert rates.shape == (40, 4, 4)
    assert xor_success(rates).all()
    assert xor_success(play_xor(net.eval(), 10, seed=1)).all()
