"""Input encoders."""
import numpy as np
import pytest

from spikey.module import InvalidParameterError
from spikey.snn.input import RBF, RateMap, SpikeTrain, StaticMap, SymbolTrains


def emit(inputs, observations, steps, seed=0):
    rng = np.random.default_rng(seed)
    state = inputs.encode(inputs.init_state(len(observations), rng), np.asarray(observations))
    return inputs.step(state, rng, steps)[0]


@pytest.mark.parametrize("inputs, observations", [
    (RateMap(n_inputs=6, magnitude=1.0, input_rate=0.3), [[1, 0.5], [0, 1]]),
    (StaticMap(n_inputs=4, magnitude=1.0), [[1, 0], [0, 1]]),
    (SpikeTrain(n_inputs=2, magnitude=1.0, spike_trains=np.random.default_rng(1).random((3, 4, 2)) < 0.5), [2, 0]),
    (SymbolTrains(n_inputs=4, magnitude=1.0, n_symbols=2, train_length=5, train_spikes=2), [[1, 0], [0, 0]]),
])
def test_one_block_equals_steps_one_at_a_time(inputs, observations):
    whole = emit(inputs, observations, 7)
    rng = np.random.default_rng(0)
    state = inputs.encode(inputs.init_state(len(observations), rng), np.asarray(observations))
    pieces = []
    for _ in range(7):
        spikes, state = inputs.step(state, rng)
        pieces.append(spikes[0])
    assert whole.shape == (7, len(observations), inputs.params.n_inputs)
    np.testing.assert_array_equal(whole, pieces)


def test_rate_map_rates_per_group():
    spikes = emit(RateMap(n_inputs=60, magnitude=1.0, input_rate=0.04), [[1, 0], [0.5, 1]], 5000)
    rates = spikes.mean(axis=0)
    assert abs(rates[0, :30].mean() - 0.04) < 0.004 and rates[0, 30:].sum() == 0
    assert abs(rates[1, :30].mean() - 0.02) < 0.003 and abs(rates[1, 30:].mean() - 0.04) < 0.004


def test_rate_map_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match=r"RateMap observation values must lie in \[0, 1\]"):
        emit(RateMap(n_inputs=4, magnitude=1.0, input_rate=0.5), [[2, 0]], 1)


def test_rate_map_scales_observations_from_their_bounds():
    inputs = RateMap(n_inputs=4, magnitude=1.0, input_rate=0.5, observation_low=[-2, 0], observation_high=[2, 10])
    state = inputs.encode(inputs.init_state(2, np.random.default_rng(0)), np.array([[-2, 10], [1, 2.5]]))
    np.testing.assert_allclose(state.drive, [[0, 0, 0.5, 0.5], [0.375, 0.375, 0.125, 0.125]])
    with pytest.raises(ValueError, match=r"must lie in \[observation_low, observation_high\]; value 0 of network 0 is "
                                         r"3.0 \(observations \[\[3.0, 0.0\]\]\)"):
        inputs.encode(state, np.array([[3, 0]]))
    with pytest.raises(ValueError, match="RateMap has bounds for 2 observation values per network; got 1"):
        inputs.encode(state, np.array([[0]]))


@pytest.mark.parametrize("bounds, problem", [
    ({"observation_low": [0.0]}, "needs both bounds or neither"),
    ({"observation_low": [0.0], "observation_high": [1.0, 2.0]}, "needs bounds of equal lengths"),
    ({"observation_low": [0.0, -np.inf], "observation_high": [1.0, 1.0]}, r"values \[1\] are unbounded"),
    ({"observation_low": [0.0, 1.0], "observation_high": [1.0, 1.0]}, "observation_low < observation_high"),
])
def test_rate_map_refuses_bad_bounds(bounds, problem):
    with pytest.raises(InvalidParameterError, match=f"RateMap maps observation values .* {problem}"):
        RateMap(n_inputs=4, magnitude=1.0, input_rate=0.5, **bounds)


def test_more_observation_values_than_inputs_is_an_error():
    with pytest.raises(ValueError, match="more than n_inputs=2"):
        emit(StaticMap(n_inputs=2, magnitude=1.0), [[1, 0, 1]], 1)


def test_static_map_is_deterministic_groups():
    spikes = emit(StaticMap(n_inputs=6, magnitude=1.0), [[0, 1, 1]], 3)
    assert spikes.dtype == bool
    np.testing.assert_array_equal(spikes[:, 0], [[False, False, True, True, True, True]] * 3)


def test_rbf_peaks_at_preferred_values():
    inputs = RBF(n_inputs=10, magnitude=1.0, input_rate=1.0, rbf_low=[0.0, -1.0], rbf_high=[1.0, 1.0])
    centers, _ = inputs.centers()
    state = inputs.encode(inputs.init_state(1, np.random.default_rng(0)), np.array([[0.25, 0.5]]))
    assert np.argmax(state.drive[0, :5]) == np.argmin(abs(centers[:5] - 0.25)) == 1
    assert np.argmax(state.drive[0, 5:]) == 3 and state.drive.max() <= 1.0


def test_rbf_bounds_validated():
    with pytest.raises(InvalidParameterError, match="rbf_low"):
        RBF(n_inputs=10, magnitude=1.0, input_rate=1.0, rbf_low=[1.0], rbf_high=[0.0])
    with pytest.raises(InvalidParameterError, match="rbf_high"):
        RBF(n_inputs=10, magnitude=1.0, input_rate=1.0, rbf_low=[0.0], rbf_high=[float("inf")])


def test_spike_train_replays_and_repeats():
    trains = np.random.default_rng(0).random((3, 4, 5)) < 0.5
    spikes = emit(SpikeTrain(n_inputs=5, magnitude=1.0, spike_trains=trains), [2, 0], 8)
    np.testing.assert_array_equal(spikes[:, 0], np.concatenate([trains[2], trains[2]]))
    np.testing.assert_array_equal(spikes[:, 1], np.concatenate([trains[0], trains[0]]))


def test_spike_train_shape_and_symbol_errors():
    with pytest.raises(InvalidParameterError, match="spike_trains"):
        SpikeTrain(n_inputs=4, magnitude=1.0, spike_trains=np.zeros((2, 3, 5), dtype=bool))
    with pytest.raises(ValueError, match="symbols"):
        emit(SpikeTrain(n_inputs=5, magnitude=1.0, spike_trains=np.zeros((2, 3, 5), dtype=bool)), [2], 1)


def test_input_polarity():
    inputs = RateMap(n_inputs=500, magnitude=1.0, input_rate=0.1, input_pct_inhibitory=0.5)
    polarity = inputs.polarity(1, np.random.default_rng(0))
    assert abs((polarity < 0).mean() - 0.5) < 0.07


def symbol_trains(**keys):
    return SymbolTrains(**{"n_inputs": 2, "magnitude": 1.0, "n_symbols": 2, "train_length": 500, "train_spikes": 50,
                           **keys})


def test_symbol_trains_have_exactly_their_spikes_and_differ_between_networks():
    state = symbol_trains().init_state(64, np.random.default_rng(0))
    assert state.trains.shape == (64, 2, 500, 1) and state.trains.dtype == bool
    assert np.all(state.trains.sum(axis=2) == 50)
    assert len({train.tobytes() for train in np.moveaxis(state.trains, 2, 3).reshape(-1, 500)}) == 128
    spike_steps = np.nonzero(state.trains)[2]  # uniform over the train: each tenth holds about a tenth
    np.testing.assert_allclose(np.bincount(spike_steps // 50, minlength=10) / len(spike_steps), 0.1, atol=0.02)


def test_symbol_trains_replay_each_groups_train_from_the_start_and_keep_trains_on_reset():
    inputs, rng = symbol_trains(n_inputs=4), np.random.default_rng(1)
    state = inputs.init_state(2, rng)
    silent, state = inputs.step(state, rng, 10)
    assert not silent.any()  # nothing before the first observation
    state = inputs.encode(state, np.array([[1, 0], [0, 0]]))
    spikes, state = inputs.step(state, rng, 700)
    trains = state.trains[..., 0]
    np.testing.assert_array_equal(spikes[:500, 0, 0], trains[0, 1])  # group 0 of network 0: symbol 1
    np.testing.assert_array_equal(spikes[:500, 0, 1], trains[0, 1])
    np.testing.assert_array_equal(spikes[:500, 0, 3], trains[0, 0])
    np.testing.assert_array_equal(spikes[500:, 1, 2], trains[1, 0, :200])  # the train repeats
    state = inputs.encode(state, np.array([[0, 1], [1, 1]]))
    again, _ = inputs.step(state, rng, 3)
    np.testing.assert_array_equal(again[:, 1, 0], trains[1, 1, :3])  # a new observation restarts the train
    kept = inputs.reset(state, rng)
    assert kept.trains is state.trains and not kept.shown.any() and not kept.time.any()


def test_symbol_trains_of_their_own_per_input():
    inputs, rng = symbol_trains(n_inputs=4, shared_trains=False), np.random.default_rng(2)
    state = inputs.encode(inputs.init_state(1, rng), np.array([[1, 1]]))
    assert state.trains.shape == (1, 2, 500, 4) and np.all(state.trains.sum(axis=2) == 50)
    spikes, _ = inputs.step(state, rng, 500)
    for i in range(4):  # every input replays its own train of symbol 1
        np.testing.assert_array_equal(spikes[:, 0, i], state.trains[0, 1, :, i])
    assert not np.array_equal(spikes[:, 0, 0], spikes[:, 0, 1])


def test_symbol_trains_errors():
    with pytest.raises(InvalidParameterError, match="'train_spikes' parameter of SymbolTrains must be at most"):
        symbol_trains(train_spikes=501)
    inputs, rng = symbol_trains(), np.random.default_rng(0)
    for bad in ([[0, 2]], [[0.5, 1]], [[-1, 0]]):
        with pytest.raises(ValueError, match=r"integer symbols in \[0, 2\)"):
            inputs.encode(inputs.init_state(1, rng), np.array(bad))


@pytest.mark.parametrize("bad", [[[np.nan, 1.0]], [[-0.1, 1.0]], [[1.0, 1.5]]])
def test_rate_map_refuses_values_outside_zero_one_nan_included(bad):
    inputs = RateMap(n_inputs=4, magnitude=1.0, input_rate=0.5)
    with pytest.raises(ValueError, match=r"RateMap observation values must lie in \[0, 1\]"):
        inputs.encode(inputs.init_state(1, np.random.default_rng(0)), np.array(bad))
