"""Readouts, rewarders and schedules."""
import numpy as np
import pytest

from spikey.module import InvalidParameterError
from spikey.snn.modifier import DropOff, LinearDecay
from spikey.snn.readout import NeuronRates, PopulationVector, Threshold, TopAction
from spikey.snn.reward import MatchExpected


def test_threshold_output_range():
    readout = Threshold(n_outputs=2, action_threshold=0.5, output_range=(-1, 1))
    np.testing.assert_array_equal(readout(np.array([[0.5, 0.5], [0.0, 0.9]]), None), [1, -1])


def test_group_readouts():
    rates = np.array([[0.1, 0.3, 0.2, 0.2]])
    np.testing.assert_allclose(NeuronRates(n_outputs=4, n_actions=2)(rates, None), [[0.2, 0.2]])
    np.testing.assert_allclose(PopulationVector(n_outputs=4, n_actions=4)(rates, None), rates / 0.8)
    with pytest.raises(InvalidParameterError, match="must divide n_outputs=4"):
        TopAction(n_outputs=4, n_actions=3)


def test_top_action_breaks_ties_with_the_generator():
    readout = TopAction(n_outputs=3, n_actions=3)
    rates = np.zeros((2000, 3))
    choices = readout(rates, np.random.default_rng(0))
    assert set(np.unique(choices)) == {0, 1, 2}
    assert np.all(np.bincount(choices) > 550)
    np.testing.assert_array_equal(readout(np.array([[0.0, 0.5, 0.5]] * 100), np.random.default_rng(1)) > 0, True)


def test_match_expected():
    rewarder = MatchExpected(expected_value=lambda s: s[:, 0] | s[:, 1], reward_mult=2.0, punish_mult=0.5)
    np.testing.assert_array_equal(rewarder(np.array([[0, 0], [1, 0]]), np.array([0, 0])), [2.0, -0.5])


def test_schedules():
    decay = LinearDecay(key="learning_rate", t_stop=4, value_start=1.0, value_stop=0.0)
    assert [decay.value(t) for t in range(6)] == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    drop = DropOff(key="prob_rand_fire", t_stop=2, value_start=0.3, value_stop=0.1)
    assert [drop.value(t) for t in range(4)] == [0.3, 0.3, 0.1, 0.1]


def test_schedule_errors():
    with pytest.raises(InvalidParameterError, match="Did you mean 't_stop'"):
        LinearDecay(key="learning_rate", t_sotp=4, value_start=1.0, value_stop=0.0)
    with pytest.raises(InvalidParameterError, match="The 't_stop' parameter of DropOff must be"):
        DropOff(key="learning_rate", t_stop=0, value_start=1.0, value_stop=0.0)
    with pytest.raises(InvalidParameterError, match="The 'key' parameter of DropOff must be the name of a key some "
                                                    "part, network or game declares. Got 'learning_rat' instead"):
        DropOff(key="learning_rat", t_stop=3, value_start=1.0, value_stop=0.0)
