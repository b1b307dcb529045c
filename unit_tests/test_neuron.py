"""LIF dynamics against closed forms."""
import numpy as np
import pytest

from spikey.module import InvalidParameterError
from spikey.snn.neuron import LIF, RandPotential

BASE = dict(n_neurons=3, magnitude=1.0, firing_threshold=100.0, potential_decay=0.1)


def run(neurons, incoming, steps, batch=1, state=None, seed=0):
    rng = np.random.default_rng(seed)
    state = state or neurons.init_state(batch, rng)
    spikes = []
    for t in range(steps):
        fired, state = neurons.step(state, incoming(t), rng)
        spikes.append(fired)
    return np.array(spikes), state


@pytest.mark.parametrize("decay", [0.0, 0.1, 0.5, 1.0])
def test_decay_only_potential_is_geometric(decay):
    neurons = LIF(**{**BASE, "potential_decay": decay})
    state = neurons.init_state(1, np.random.default_rng(0))._replace(potential=np.full((1, 3), 7.0))
    for t in range(1, 30):
        _, state = neurons.step(state, np.zeros((1, 3)), np.random.default_rng(0))
        np.testing.assert_allclose(state.potential, 7.0 * (1 - decay) ** t, rtol=1e-12)


def test_decay_relaxes_to_resting_potential():
    neurons = LIF(**{**BASE, "resting_mv": -2.0, "potential_decay": 0.25})
    state = neurons.init_state(1, np.random.default_rng(0))._replace(potential=np.full((1, 3), 2.0))
    _, state = neurons.step(state, np.zeros((1, 3)), np.random.default_rng(0))
    np.testing.assert_allclose(state.potential, -2.0 + 4.0 * 0.75)


def test_threshold_crossing_spikes_and_resets():
    neurons = LIF(**{**BASE, "firing_threshold": 1.0, "potential_decay": 0.0})
    spikes, state = run(neurons, lambda t: np.full((1, 3), 0.4), 3)
    assert spikes[:, 0, 0].tolist() == [False, False, True]
    assert np.all(state.potential == 0.0)


@pytest.mark.parametrize("period", [0, 1, 3])
def test_refractory_neuron_is_silent_and_ignores_input_for_its_period(period):
    neurons = LIF(**{**BASE, "firing_threshold": 1.0, "refractory_period": period})
    spikes, _ = run(neurons, lambda t: np.full((1, 3), 5.0), 12)
    fired_at = np.flatnonzero(spikes[:, 0, 0])
    assert np.all(np.diff(fired_at) == period + 1)


@pytest.mark.parametrize("delay", [1, 4])
def test_spike_delay_shifts_output(delay):
    plain = LIF(**{**BASE, "firing_threshold": 1.0, "refractory_period": 5})
    delayed = plain.replace(spike_delay=delay)
    drive = lambda t: np.full((1, 3), 2.0 if t == 0 else 0.0)  # noqa: E731
    assert np.flatnonzero(run(delayed, drive, 10)[0][:, 0, 0]).tolist() == [
        t + delay for t in np.flatnonzero(run(plain, drive, 10)[0][:, 0, 0])
    ]


def test_random_firing_rate_and_seed_determinism():
    neurons = LIF(**{**BASE, "n_neurons": 200, "prob_rand_fire": 0.05})
    spikes, _ = run(neurons, lambda t: np.zeros((1, 200)), 200)
    assert abs(spikes.mean() - 0.05) < 0.01
    again, _ = run(neurons, lambda t: np.zeros((1, 200)), 200)
    np.testing.assert_array_equal(spikes, again)
    other, _ = run(neurons, lambda t: np.zeros((1, 200)), 200, seed=1)
    assert not np.array_equal(spikes, other)


def test_batched_threshold_per_network():
    neurons = LIF(**{**BASE, "firing_threshold": np.array([1.0, 3.0]), "potential_decay": 0.0}, batch_size=2)
    spikes, _ = run(neurons, lambda t: np.ones((2, 3)), 6, batch=2)
    assert spikes[:, 0, 0].sum() == 6 and spikes[:, 1, 0].sum() == 2


def test_batch_rows_equal_single_runs():
    neurons = LIF(**{**BASE, "firing_threshold": 1.0, "refractory_period": 1})
    drive = np.random.default_rng(3).random((20, 4, 3))
    batch, _ = run(neurons, lambda t: drive[t], 20, batch=4)
    for row in range(4):
        single, _ = run(neurons, lambda t: drive[t, row:row + 1], 20)
        np.testing.assert_array_equal(batch[:, row], single[:, 0])


def test_polarity_fraction():
    neurons = LIF(**{**BASE, "n_neurons": 1000, "neuron_pct_inhibitory": 0.3})
    polarity = neurons.polarity(2, np.random.default_rng(0))
    assert polarity.shape == (2, 1000) and set(np.unique(polarity)) == {-1.0, 1.0}
    assert abs((polarity < 0).mean() - 0.3) < 0.05


def test_rand_potential_adds_bounded_noise_only():
    neurons = RandPotential(**{**BASE, "prob_rand_fire": 1.0, "leak_scalar": 0.5, "potential_decay": 0.0})
    _, state = run(neurons, lambda t: np.zeros((1, 3)), 1)
    assert np.all((state.potential >= 0) & (state.potential < 0.5))


@pytest.mark.parametrize("key, value", [("potential_decay", 1.5), ("firing_threshold", "16"),
                                        ("refractory_period", -1), ("spike_delay", 1.5)])
def test_invalid_keys(key, value):
    with pytest.raises(InvalidParameterError, match=f"The '{key}' parameter of LIF must be"):
        LIF(**{**BASE, key: value})


def test_threshold_must_lie_above_rest_in_mv():
    neurons = LIF(**{**BASE, "resting_mv": -65.0, "firing_threshold": -50.0})  # a biophysical scale is fine
    assert neurons.init_state(1, np.random.default_rng(0)).potential[0, 0] == -65.0
    for threshold in (0.0, np.array([1.0, -1.0])):
        with pytest.raises(InvalidParameterError, match="'firing_threshold' parameter of LIF must lie above resting_mv"):
            LIF(**{**BASE, "firing_threshold": threshold})
