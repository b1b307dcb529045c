"""The W1 network (FlorianXOR) against a plain, step-by-step numpy reference written from Florian (2007)'s equations.

The reference uses dense arrays and a loop over timesteps: no trace scaling,
no sparse row/column updates, no batched tricks, no blocks. It draws from its
own Generator with the same seed, in the library's order: at construction the
connection mask, then the weight magnitudes (the polarities are given, so
nothing is drawn for them); at the start of each tick the input spikes of all
its timesteps (random firing is off, so nothing else draws). Each step, the
spikes emitted at the step before (inputs and body) jump the potentials, and
the traces take the spikes emitted at this step.
"""
import math

import numpy as np
import pytest

from spikey.experiments import FlorianXOR

pytestmark = pytest.mark.usefixtures("each_backend")  # every test on both backends

N_IN, N_BODY, T = 60, 61, 100
PATTERNS = np.array([[1, 0], [1, 1], [0, 1]])


def xor(states):
    return np.logical_xor(states[..., 0], states[..., 1])


def reference_run(seed, batch_size, patterns, p):
    """Run ticks of ``T`` steps; return (spike_log per tick, weights after each tick, actions per tick)."""
    rng = np.random.default_rng(seed)
    n_pre = N_IN + N_BODY
    sign = np.ones((batch_size, n_pre))
    sign[:, :N_IN] = p["input_polarity"]  # half of each input group inhibitory
    mask = rng.random((batch_size, n_pre, N_BODY)) < p["prob_connection"]
    layers = np.zeros((n_pre, N_BODY), dtype=bool)
    layers[:N_IN, :60] = True  # inputs -> 60 hidden
    layers[N_IN:N_IN + 60, 60] = True  # hidden -> output
    mask &= layers
    w = np.where(mask, rng.uniform(0.0, p["weight_scale"], (batch_size, n_pre, N_BODY)), 0.0) * sign[:, :, None]
    low = np.where(sign > 0, 0.0, -p["max_weight"])[:, :, None]
    high = np.where(sign < 0, 0.0, p["max_weight"])[:, :, None]

    u = np.zeros((batch_size, N_BODY))
    emitted = np.zeros((batch_size, n_pre), dtype=bool)  # spikes of the previous step: they arrive now
    p_plus, p_minus = np.zeros((batch_size, n_pre)), np.zeros((batch_size, N_BODY))
    z = np.zeros((batch_size, n_pre, N_BODY))
    d_plus, d_minus, d_z = math.exp(-1 / p["tau_plus"]), math.exp(-1 / p["tau_minus"]), math.exp(-1 / p["tau_z"])
    keep = 1 - p["potential_decay"]

    logs, weights, actions = [], [], []
    for obs in patterns:
        obs = np.broadcast_to(obs, (batch_size, 2))
        drive = np.repeat(obs, 30, axis=1) * p["input_rate"]  # inputs 0-29: bit 0, 30-59: bit 1
        expected = xor(obs)
        log = np.zeros((T, batch_size, n_pre), dtype=bool)
        tick_inputs = rng.random((T, batch_size, N_IN)) < drive
        for t in range(T):
            # u(t) = u(t-1) e^(-1/tau_m) + sum_j w_j f_j(t-1); fire at threshold, reset to rest
            u = u * keep + p["magnitude"] * np.einsum("bi,bij->bj", emitted, w)
            fired = u >= p["firing_threshold"]
            u[fired] = 0.0
            # reward at each output spike: +1 if XOR is true, else -1
            r = np.where(fired[:, -1], np.where(expected, 1.0, -1.0), 0.0)
            emitted = np.concatenate([tick_inputs[t], fired], axis=1)
            # MSTDPET, Florian (2007), traces taking spikes at emission
            p_plus = p_plus * d_plus + p["a_plus"] * emitted
            p_minus = p_minus * d_minus + p["a_minus"] * fired
            zeta = np.einsum("bi,bj->bij", p_plus, fired) + np.einsum("bi,bj->bij", emitted, p_minus)
            z = z * d_z + zeta * mask / p["tau_z"]
            w = np.clip(w + p["learning_rate"] * r[:, None, None] * z, low, high)
            log[t] = emitted
        logs.append(log)
        weights.append(w.copy())
        actions.append((log[:, :, -1].mean(axis=0) >= p["action_threshold"]).astype(int))
    return logs, weights, actions


@pytest.mark.parametrize("batch_size", [1, 2])
def test_florian_xor_matches_reference(batch_size, each_backend):
    seed = 3
    net = FlorianXOR(keys={"seed": seed, "batch_size": batch_size, "processing_time": T})
    assert net.backend == each_backend
    net.reset()
    patterns = [pattern if batch_size == 1 else np.stack([pattern, PATTERNS[(k + 1) % 3]])
                for k, pattern in enumerate(PATTERNS)]
    ref_logs, ref_weights, ref_actions = reference_run(seed, batch_size, patterns, FlorianXOR.keys)
    initial = net.weights.copy()
    rewarded = punished = 0
    for pattern, ref_log, ref_w, ref_action in zip(patterns, ref_logs, ref_weights, ref_actions):
        action = np.atleast_1d(net.tick(pattern))
        np.testing.assert_array_equal(net.spike_log, ref_log)
        np.testing.assert_allclose(net.weights, ref_w, rtol=1e-10, atol=0)
        np.testing.assert_array_equal(action, ref_action)
        output_spikes = net.spike_log[:, :, -1].sum(axis=0)
        truth = xor(np.reshape(pattern, (batch_size, 2)))
        rewarded += output_spikes[truth].sum()
        punished += output_spikes[~truth].sum()
    # the run is not vacuous: output spikes were both rewarded and punished, and weights moved
    assert rewarded > 0 and punished > 0
    assert not np.array_equal(net.weights, initial)
