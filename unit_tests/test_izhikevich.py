"""Izhikevich (2003) neurons against a line-by-line transcription of his MATLAB loop (net.m)."""
import numpy as np
import pytest

from spikey.module import InvalidParameterError
from spikey.snn import Network
from spikey.snn.input import RateMap, SpikeTrain
from spikey.snn.neuron import Izhikevich
from spikey.snn.neuron.izhikevich import V_GUARD
from spikey.snn.readout import Threshold
from spikey.snn.synapse import MSTDPET, STDP
from spikey.snn.weight import Manual, Random
from spikey.testing import check_part

RS = Izhikevich.PRESETS["regular_spiking"]
FS = Izhikevich.PRESETS["fast_spiking"]


def matlab_loop(current, a, b, c, d, steps):
    """One neuron of Izhikevich's net.m, in Python floats, written from his code and not from the part.

    It starts, as his code does, at v = -65, u = b v. His step t first tests
    ``v >= 30`` with the values the previous step left, records a spike at t
    and resets; then integrates two 0.5 ms half-steps of v and one step of u
    with the input ``current(t)``. Returns the steps at which it records spikes
    and ``(v, u)`` after each step's reset (before integration).
    """
    v = -65.0
    u = b * v
    fired_at, after_reset = [], []
    for t in range(steps + 1):
        if v >= 30:
            fired_at.append(t)
            v = c
            u = u + d
        after_reset.append((v, u))
        if t == steps:
            break
        current_t = current(t)
        v = v + 0.5 * (0.04 * (v * v) + 5 * v + 140 - u + current_t)  # v.^2: v * v, rounded once
        v = v + 0.5 * (0.04 * (v * v) + 5 * v + 140 - u + current_t)
        u = u + a * (b * v - u)
    return fired_at, after_reset


def run(neurons, incoming, steps, batch=1, start=None):
    """Spikes (steps, B, n) and the states after each step; incoming(t) -> (B, n); start: initial v, else rest."""
    rng = np.random.default_rng(0)
    state = neurons.init_state(batch, rng)
    if start is not None:
        v = np.full_like(state.potential, start)
        state = state._replace(potential=v, recovery=np.reshape(neurons.params.b, (-1, 1)) * v)
    spikes, states = [], []
    for t in range(steps):
        fired, state = neurons.step(state, incoming(t), rng)
        spikes.append(fired)
        states.append(state)
    return np.array(spikes), states


def constant(value, n=1, batch=1):
    drive = np.full((batch, n), float(value))
    return lambda t: drive


def fired_steps(spikes, neuron=0, network=0):
    return np.flatnonzero(spikes[:, network, neuron])


def rate_adaptation(steps):
    """Rate in the first 100 ms over the rate in the last 500 ms of a 1000 ms run."""
    return np.sum(steps < 100) / 100 / (np.sum(steps >= 500) / 500)


NOISE = np.random.default_rng(2003).normal(0.0, 5.0, 1000)  # net.m's thalamic input of excitatory cells


@pytest.mark.parametrize("preset, current, steps", [
    ("regular_spiking", lambda t: 10.0, 1000),
    ("fast_spiking", lambda t: 10.0, 1000),
    ("chattering", lambda t: 10.0, 500),
    ("regular_spiking", lambda t: 5.0 + NOISE[t], 1000),
    ("low_threshold_spiking", lambda t: 3.0 + NOISE[t], 1000),
])
def test_matches_the_matlab_loop_one_step_earlier(preset, current, steps):
    """Same (v, u) to 1e-12 after every step; each spike one step before net.m records it."""
    params = Izhikevich.PRESETS[preset]
    fired_at, after_reset = matlab_loop(current, steps=steps, **params)
    spikes, states = run(Izhikevich(n_neurons=1, magnitude=1.0, **params), lambda t: np.array([[current(t)]]),
                         steps, start=-65.0)
    assert len(fired_at) > 3
    assert fired_steps(spikes).tolist() == [t - 1 for t in fired_at]
    np.testing.assert_allclose([s.potential[0, 0] for s in states], [v for v, _ in after_reset[1:]], rtol=0, atol=1e-12)
    np.testing.assert_allclose([s.recovery[0, 0] for s in states], [u for _, u in after_reset[1:]], rtol=0, atol=1e-12)


def test_regular_spiking_fires_tonically_and_adapts():
    """I = 10 from rest: first spike at step 4, a short first ISI (39 ms), then ISIs in one band (47-64 ms).

    The band does not narrow to one value: u is updated with the overshoot of v
    past 30 mV, which depends on where in its last step v crossed (the MATLAB
    code's 1 ms scheme).
    """
    spikes, _ = run(Izhikevich(n_neurons=1, magnitude=1.0, **RS), constant(10.0), 1000)
    steps = fired_steps(spikes)
    isi = np.diff(steps)
    assert steps[0] == 4 and len(steps) == 20
    assert isi[0] < isi[1:].min()
    settled = isi[1:]
    assert settled.min() >= 45 and settled.max() <= 65
    assert abs(settled[: len(settled) // 2].mean() - settled[len(settled) // 2:].mean()) < 5
    assert rate_adaptation(steps) > 1.4


def test_fast_spiking_fires_faster_than_regular_spiking_with_little_adaptation():
    """Same I = 10, one network of each: FS fires 68 spikes in 1 s (RS 20) at a nearly constant rate."""
    neurons = Izhikevich(n_neurons=2, magnitude=1.0, a=np.array([RS["a"], FS["a"]]), b=0.2, c=-65.0,
                         d=np.array([RS["d"], FS["d"]]))
    spikes, _ = run(neurons, constant(10.0, n=2, batch=2), 1000, batch=2)
    regular, fast = fired_steps(spikes, network=0), fired_steps(spikes, network=1)
    assert len(fast) > 3 * len(regular)
    assert rate_adaptation(fast) < 1.25 < 1.4 < rate_adaptation(regular)


@pytest.mark.parametrize("preset", sorted(Izhikevich.PRESETS))
def test_without_input_no_spikes_and_the_potential_settles_at_its_fixed_point(preset):
    params = Izhikevich.PRESETS[preset]
    b = params["b"]
    rest = ((b - 5) - np.sqrt((5 - b) ** 2 - 4 * 0.04 * 140)) / (2 * 0.04)  # stable root of 0.04v² + (5-b)v + 140
    spikes, states = run(Izhikevich(n_neurons=3, magnitude=1.0, **params), constant(0.0, n=3), 2000)
    potential = np.array([s.potential for s in states])
    assert not spikes.any()
    assert np.isfinite(potential).all() and np.isfinite(states[-1].recovery).all()
    np.testing.assert_allclose(potential, rest, rtol=0, atol=1e-9)
    np.testing.assert_allclose(states[-1].recovery, b * rest, rtol=0, atol=1e-9)


def test_initial_state_is_rest_or_c_where_there_is_none():
    neurons = Izhikevich(n_neurons=2, magnitude=1.0, b=np.array([0.2, 0.25, 0.5]), c=np.array([-65.0, -50.0, -55.0]))
    state = neurons.init_state(3, np.random.default_rng(0))
    assert state.potential.dtype == np.float64 and state.recovery.dtype == np.float64
    rest_lts = (-4.75 - np.sqrt(4.75 ** 2 - 22.4)) / 0.08  # b = 0.25: -64.41 mV
    np.testing.assert_allclose(state.potential, [[-70.0] * 2, [rest_lts] * 2, [-55.0] * 2], rtol=1e-12)
    np.testing.assert_allclose(state.recovery, [[-14.0] * 2, [0.25 * rest_lts] * 2, [-27.5] * 2], rtol=1e-12)


def test_a_spike_resets_v_to_c_and_adds_d_to_u():
    """Until the first spike d plays no part, so u(d) - u(d=0) at that step is exactly d."""
    params = {**RS, "c": -55.0}
    drive = lambda t: np.array([[12.0, 0.0]])  # noqa: E731, neuron 1 gets nothing
    spikes, states = run(Izhikevich(n_neurons=2, magnitude=1.0, **params), drive, 10)
    _, without_d = run(Izhikevich(n_neurons=2, magnitude=1.0, **{**params, "d": 0.0}), drive, 10)
    first = fired_steps(spikes)[0]
    assert not spikes[:first].any() and not spikes[:, 0, 1].any()
    assert states[first].potential[0, 0] == -55.0
    assert states[first].recovery[0, 0] - without_d[first].recovery[0, 0] == pytest.approx(8.0, abs=1e-12)
    assert states[first].potential[0, 1] != -55.0


@pytest.mark.parametrize("key, values", [
    ("a", [0.02, 0.05, 0.1]),
    ("b", [0.2, 0.25, 0.26]),
    ("c", [-65.0, -55.0, -50.0]),
    ("d", [8.0, 4.0, 0.05]),
])
def test_per_network_values_equal_lone_networks(key, values):
    noise = np.random.default_rng(1).normal(6.0, 5.0, (300, 4))
    drive = lambda t: np.tile(noise[t], (3, 1))  # noqa: E731, every network gets the same input
    batched_spikes, batched = run(Izhikevich(n_neurons=4, magnitude=1.0, **{key: np.array(values)}), drive, 300, 3)
    assert batched_spikes.any()
    for row, value in enumerate(values):
        spikes, lone = run(Izhikevich(n_neurons=4, magnitude=1.0, **{key: value}), lambda t: noise[t][None], 300)
        np.testing.assert_array_equal(batched_spikes[:, row], spikes[:, 0])
        np.testing.assert_array_equal([s.potential[row] for s in batched], [s.potential[0] for s in lone])
        np.testing.assert_array_equal([s.recovery[row] for s in batched], [s.recovery[0] for s in lone])


@pytest.mark.parametrize("key, value", [
    ("a", 0.0), ("a", 1.5), ("a", "fast"), ("b", 2.0), ("c", 30.0), ("c", -150.0), ("d", 500.0),
    ("d", np.zeros((2, 2))), ("n_neurons", 0), ("magnitude", -1.0), ("neuron_pct_inhibitory", 2.0),
])
def test_bad_keys_raise_naming_the_key(key, value):
    with pytest.raises(InvalidParameterError, match=f"The '{key}' parameter of Izhikevich must be"):
        Izhikevich(**{"n_neurons": 3, "magnitude": 1.0, key: value})


def test_missing_keys_and_defaults():
    with pytest.raises(InvalidParameterError, match="'n_neurons'"):
        Izhikevich(magnitude=1.0)
    assert {k: Izhikevich(n_neurons=1, magnitude=1.0).params[k] for k in "abcd"} == RS


def test_presets_hold_the_published_values():
    assert Izhikevich.PRESETS["regular_spiking"] == {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0}
    assert Izhikevich.PRESETS["fast_spiking"] == {"a": 0.1, "b": 0.2, "c": -65.0, "d": 2.0}
    assert Izhikevich.PRESETS["chattering"] == {"a": 0.02, "b": 0.2, "c": -50.0, "d": 2.0}
    assert Izhikevich.PRESETS["intrinsically_bursting"] == {"a": 0.02, "b": 0.2, "c": -55.0, "d": 4.0}
    assert Izhikevich.PRESETS["low_threshold_spiking"] == {"a": 0.02, "b": 0.25, "c": -65.0, "d": 2.0}
    for params in Izhikevich.PRESETS.values():
        assert Izhikevich(n_neurons=1, magnitude=1.0, **params).params.c == params["c"]


@pytest.mark.parametrize("preset", sorted(Izhikevich.PRESETS))
@pytest.mark.parametrize("pulse", [-np.finfo(float).max, -1e300, -1e5, -300.0, 3e3, 1e5, 1e300, np.finfo(float).max])
def test_state_stays_finite_and_recovers_after_any_finite_pulse(preset, pulse):
    neurons = Izhikevich(n_neurons=1, magnitude=1.0, **Izhikevich.PRESETS[preset])
    with np.errstate(all="raise"):
        spikes, states = run(neurons, lambda t: np.array([[pulse if t == 0 else 0.0]]), 1000)
    potential = np.array([s.potential for s in states])
    assert np.isfinite(potential).all() and np.all(np.abs(potential) <= V_GUARD)
    assert np.isfinite([s.recovery for s in states]).all()
    assert not spikes[500:].any()  # back at rest


def test_step_changes_neither_state_nor_incoming():
    neurons = Izhikevich(n_neurons=3, magnitude=1.0)
    rng = np.random.default_rng(0)
    state = neurons.init_state(2, rng)._replace(potential=np.array([[-65.0, 29.0, 40.0], [-70.0, 0.0, 35.0]]))
    incoming = np.array([[5.0, 10.0, 0.0], [0.0, -3.0, 20.0]])
    copies = [state.potential.copy(), state.recovery.copy(), incoming.copy()]
    spikes, new = neurons.step(state, incoming, rng)
    assert spikes.dtype == bool and spikes[:, 1:].all() and not spikes[:, 0].any()
    for before, after in zip(copies, (state.potential, state.recovery, incoming)):
        np.testing.assert_array_equal(before, after)
    assert new.potential is not state.potential and new.recovery is not state.recovery


@pytest.mark.parametrize("config", [
    {"n_neurons": 5, "magnitude": 1.0},
    {"n_neurons": 5, "magnitude": 10.0, "neuron_pct_inhibitory": 0.2, **FS},
    {"n_neurons": 5, "magnitude": 1.0, "a": [0.02, 0.05, 0.1], "c": np.array([-65.0, -55.0, -50.0])},
])
def test_check_part(config):
    check_part(Izhikevich, config)


class Chain(Network):
    """input -> neuron 0 -> neuron 1: one 20 mV spike fires a resting Izhikevich neuron a few ms later."""

    parts = {"inputs": SpikeTrain, "neurons": Izhikevich, "weights": Manual, "synapses": STDP, "readout": Threshold}
    keys = {
        "n_inputs": 1, "n_neurons": 2, "n_outputs": 1, "processing_time": 20, "magnitude": 20.0,
        "max_weight": 2.0, "action_threshold": 0.01, "matrix": [np.ones((1, 1)), np.ones((1, 1))],
        "learning_rate": 0.0, "a_plus": 1.0, "a_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
    }


def test_a_chain_of_izhikevich_neurons_passes_a_spike_on():
    trains = np.zeros((1, 20, 1), dtype=bool)
    trains[0, 2, 0] = True
    net = Chain(keys={"spike_trains": trains, "seed": 0})
    net.reset()
    assert int(net.tick(np.array([0]))) == 1
    log = net.spike_log[:, 0]
    assert log[:, 0].nonzero()[0].tolist() == [2]
    (first,), (second,) = log[:, 1].nonzero()[0], log[:, 2].nonzero()[0]
    assert 2 < first < second < 20


class RandomIzhikevich(Network):
    parts = {"inputs": RateMap, "neurons": Izhikevich, "weights": Random, "synapses": MSTDPET, "readout": Threshold}
    keys = {
        "n_inputs": 8, "n_neurons": 7, "n_outputs": 1, "processing_time": 50, "magnitude": 10.0,
        "input_rate": 0.3, "neuron_pct_inhibitory": 0.2, "max_weight": 2.0, "prob_connection": 0.8,
        "weight_scale": 1.5, "layer_sizes": (6, 1), "tau_z": 25.0, "learning_rate": 0.1, "action_threshold": 0.05,
    }


def test_a_random_network_of_izhikevich_neurons_ticks_and_spikes():
    net = RandomIzhikevich(keys={"seed": 0, "batch_size": 2})
    net.reset()
    for pattern in ([1, 1], [0, 1], [1, 0]):
        net.tick(np.array([pattern, pattern]))
        body = net.spike_log[:, :, 8:]
        assert body.dtype == bool and body.shape == (50, 2, 7)
        assert body.any(axis=(0, 2)).all()
    state = net.state["neurons"]
    assert np.isfinite(state.potential).all() and np.isfinite(state.recovery).all()
