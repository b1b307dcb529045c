"""Observations are checked before a tick runs: shape, dtype and finiteness against what the input part encodes.

Every built-in input part is played by a small network; a refused observation
raises ValueError naming the network and the expected shapes, and leaves the
network exactly as it was (state and Generator).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikey.games import Logic
from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.snn.input import RBF, RateMap, SpikeTrain, StaticMap, SymbolTrains
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold
from spikey.snn.synapse import STDP
from spikey.snn.weight import Random

BODY = {"n_inputs": 4, "n_neurons": 3, "n_outputs": 1, "processing_time": 5, "magnitude": 1.0, "firing_threshold": 1.0,
        "potential_decay": 0.2, "max_weight": 1.0, "prob_connection": 1.0, "weight_scale": 1.0, "learning_rate": 0.01,
        "action_threshold": 0.5, "seed": 0}
INPUTS = {  # part: (its keys, a valid observation, the observation size it fixes or None)
    RateMap: ({"input_rate": 0.5}, [1.0, 0.0], None),
    StaticMap: ({}, [1, 0], None),
    RBF: ({"input_rate": 0.5, "rbf_low": [0.0, 0.0], "rbf_high": [1.0, 1.0]}, [0.5, 0.2], 2),
    SpikeTrain: ({"spike_trains": np.ones((2, 3, 4), dtype=bool)}, 1, 1),
    SymbolTrains: ({"train_length": 5, "train_spikes": 2}, [1, 0], None),
}


def network(part, batch_size=1, **keys):
    class Net(Network):
        parts = {"inputs": part, "neurons": LIF, "weights": Random, "synapses": STDP, "readout": Threshold}

    net = Net(keys={**BODY, **INPUTS[part][0], "batch_size": batch_size, **keys})
    net.reset()
    return net


def refused(net, observation, message):
    before = net.get_state()
    with pytest.raises(ValueError, match=message):
        net.tick(observation)
    for name, array in net.get_state().items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


@pytest.mark.parametrize("part", INPUTS)
@pytest.mark.parametrize("bad", [None, "on", [None, 1], [np.nan, 1], [1, np.inf], [], [[1], [0, 1]], np.ones(5)])
def test_bad_observations_are_refused_before_anything_runs(part, bad):
    refused(network(part), bad, r"Net: 'state' must hold .* finite numbers per observation, shape .* Got ")


@pytest.mark.parametrize("part", INPUTS)
def test_a_valid_observation_runs_alone_and_batched(part):
    observation = INPUTS[part][1]
    network(part).tick(observation)
    network(part).tick([observation])  # with the batch axis
    assert network(part, batch_size=3).tick([observation] * 3).shape == (3,)


@pytest.mark.parametrize("part", INPUTS)
def test_the_width_is_the_declared_number_of_observations(part):
    size = INPUTS[part][2] or 2
    net = network(part, n_observations=size)
    refused(net, np.zeros(size + 1, dtype=int), rf"must hold {size} finite numbers per observation, shape \({size},\) "
                                                rf"or \(1, {size}\)")


def test_a_game_gives_the_width_and_a_batch_needs_one_observation_per_network():
    class Net(Network):
        parts = {"inputs": RateMap, "neurons": LIF, "weights": Random, "synapses": STDP, "readout": Threshold}

    net = Net(keys={**BODY, "input_rate": 0.5, "batch_size": 4}, game=Logic(preset="XOR"))
    net.reset()
    assert net.parts["inputs"].params.n_observations == 2
    refused(net, [1, 0, 1, 1], r"must hold 2 finite numbers per observation, shape \(4, 2\) for batch_size=4. "
                               r"Got shape \(4,\), dtype int64: \[1, 0, 1, 1\]")
    refused(net, [[1, 0]] * 3, r"shape \(4, 2\) for batch_size=4. Got shape \(3, 2\)")


@settings(max_examples=40, deadline=None)
@given(width=st.integers(0, 7), batch=st.integers(1, 3))
def test_any_width_but_the_declared_one_is_refused(width, batch):
    net = network(RateMap, batch_size=batch, n_observations=2)
    observations = np.zeros((batch, width))
    if width == 2:
        assert net.tick(observations if batch > 1 else observations[0]) is not None
    else:
        refused(net, observations, "must hold 2 finite numbers per observation")


def test_n_observations_must_fit_the_part():
    with pytest.raises(Exception, match="The 'n_observations' parameter of RBF must be 2, as its other keys fix. Got 3"):
        network(RBF, n_observations=3)
    with pytest.raises(Exception, match=r"The 'n_observations' parameter of StaticMap must be at most n_inputs=4 "
                                        r"\(one input group per value\). Got 5"):
        network(StaticMap, n_observations=5)


def test_one_observation_with_its_batch_axis_plays_as_without():
    from spikey.experiments import FlorianXOR  # rewarded during the tick: its rewarder sees the observations too

    plain, batched = FlorianXOR(keys={"seed": 3}), FlorianXOR(keys={"seed": 3})
    plain.reset()
    batched.reset()
    for pattern in ([1, 0], [1, 1], [0, 1]):
        assert plain.tick(pattern) == batched.tick([pattern])
        assert plain.reward(pattern, 1) == batched.reward([pattern], 1)
    np.testing.assert_array_equal(plain.weights, batched.weights)


@pytest.mark.parametrize("batch, observation", [(1, [[0, 1], [1, 0]]), (3, [[[0, 1]], [[1, 0]], [[1, 1]]])])
def test_observations_the_rewarder_cannot_score_are_refused_before_anything_runs(batch, observation):
    """At a width the inputs take, but a shape whose expected_value is not one answer per network."""
    from conftest import SmallActive
    net = SmallActive(keys={"seed": 0, "batch_size": batch})
    net.reset()
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=r"SmallActive: its rewarder cannot score 'state' .*MatchExpected: "
                                                    r"expected_value must give one answer per state, shape \(\d,\)"):
        net.tick(observation)
    after = net.get_state()
    assert all(np.array_equal(before[name], after[name]) for name in before)
