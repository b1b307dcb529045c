"""Learning rules: closed-form pairs, dense references, bounds, mask, batch, rewards, keys."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikey.module import InvalidParameterError
from spikey.snn.synapse import LTP, MSTDP, MSTDPET, RLSTDP, STDP, Synapse, traces
from spikey.snn.synapse.traces import trace_history
from spikey.snn.synapse.mstdpet import eligibility
from spikey.snn.weight.template import Weight, bounds

N_INPUTS, N_NEURONS = 2, 3
N_PRE, N_POST = N_INPUTS + N_NEURONS, N_NEURONS
BASE = {"n_inputs": N_INPUTS, "n_neurons": N_NEURONS}
STDP_SHAPE = {"tau_plus": 5.0, "tau_minus": 8.0, "a_plus": 1.0, "a_minus": -1.2}
CONFIGS = {
    STDP: {**STDP_SHAPE, "learning_rate": 0.3},
    MSTDP: {**STDP_SHAPE, "learning_rate": 0.3},
    MSTDPET: {**STDP_SHAPE, "learning_rate": 0.3, "tau_z": 3.0},
    RLSTDP: {"learning_rate": 0.3, "trace_decay": 0.2, "tau_plus": 4.0, "tau_minus": 6.0},
    LTP: {"learning_rate": 0.3, "trace_decay": 0.2, "tau_plus": 4.0},
}
RULES = list(CONFIGS)
RATE_KEY = dict.fromkeys(CONFIGS, "learning_rate")


def make(rule, **changes):
    return rule(**{**BASE, **CONFIGS[rule], **changes})


def weight_state(batch, rng, density=0.7, low=0.0, high=1.0, max_weight=1.0):
    """Magnitudes U(low, high) from presynaptic rows 70 % excitatory, 20 % inhibitory, 10 % of either sign."""
    mask = rng.random((batch, N_PRE, N_POST)) < density
    draw = rng.random((batch, N_PRE))
    polarity = np.where(draw < 0.2, -1.0, np.where(draw < 0.3, 0.0, 1.0))
    signs = np.where(polarity[:, :, None] == 0, rng.choice([-1.0, 1.0], mask.shape), polarity[:, :, None])
    values = np.where(mask, rng.uniform(low, high, mask.shape) * signs, 0.0)
    return Weight.State(values, mask, *bounds(polarity, max_weight))


def copy_of(weights):
    return weights._replace(values=weights.values.copy())


def random_inputs(steps, batch, rng, p=0.3, reward_p=0.5):
    pre = rng.random((steps, batch, N_PRE)) < p
    post = rng.random((steps, batch, N_POST)) < p
    reward = np.where(rng.random((steps, batch)) < reward_p, rng.normal(size=(steps, batch)), 0.0)
    return pre, post, reward


def run(part, weights, pre, post, reward, state=None):
    state = part.init_state(pre.shape[1], np.random.default_rng(0)) if state is None else state
    for t in range(len(pre)):
        state = part.timestep(state, weights, pre[t], post[t], reward[t])
    return state


def single_synapse(part, pre_times, post_times, steps=30, reward=1.0):
    """Weight change of synapse input 0 -> neuron 0, alone in the network, starting at 0.5."""
    mask = np.zeros((1, N_PRE, N_POST), dtype=bool)
    mask[0, 0, 0] = True
    weights = Weight.State(np.where(mask, 0.5, 0.0), mask, *bounds(np.ones((1, N_PRE)), 10.0))
    pre = np.zeros((steps, 1, N_PRE), dtype=bool)
    post = np.zeros((steps, 1, N_POST), dtype=bool)
    pre[list(pre_times), 0, 0] = True
    post[list(post_times), 0, 0] = True
    state = part.init_state(1, np.random.default_rng(0))
    state = part.reward(state, weights, np.array([reward]))  # sets up R for RLSTDP/LTP; a no-op for the others
    run(part, weights, pre, post, np.zeros((steps, 1)), state)
    return weights.values[0, 0, 0] - 0.5


# ---------------------------------------------------------------- closed forms


@pytest.mark.parametrize("d", [1, 3, 7])
def test_stdp_pair_closed_form(d):
    part = STDP(**BASE, learning_rate=0.2, tau_plus=5.0, tau_minus=8.0, a_plus=0.7, a_minus=-0.4)
    assert single_synapse(part, [4], [4 + d]) == pytest.approx(0.2 * 0.7 * math.exp(-d / 5.0), rel=1e-12)
    assert single_synapse(part, [4 + d], [4]) == pytest.approx(0.2 * -0.4 * math.exp(-d / 8.0), rel=1e-12)
    assert single_synapse(part, [4], [4]) == pytest.approx(0.2 * (0.7 - 0.4), rel=1e-12)


@pytest.mark.parametrize("d", [1, 3, 7])
def test_rlstdp_and_ltp_pair_closed_form(d):
    decay, window, rate = 0.1, 6, 0.05
    r_at = lambda t: 2.0 * (1 - decay) ** (t + 1)  # reward 2 given before step 0, decayed at every step
    for rule, sign in [(RLSTDP, -1.0), (LTP, 0.0)]:
        part = rule(**BASE, learning_rate=rate, trace_decay=decay, tau_plus=window, tau_minus=window)
        got = single_synapse(part, [4], [4 + d], reward=2.0)
        assert got == pytest.approx(rate * r_at(4 + d) * math.exp(-d / window), rel=1e-12)
        got = single_synapse(part, [4 + d], [4], reward=2.0)
        assert got == pytest.approx(sign * rate * r_at(4 + d) * math.exp(-d / window), rel=1e-12, abs=1e-15)
        assert single_synapse(part, [4], [4], reward=2.0) == 0.0  # coincident spikes do not count


# ---------------------------------------------------------------- dense references


def dense_reference(rule, params, weights, pre, post, reward):
    """Full-matrix, textbook form of each rule (spike traces for RLSTDP/LTP rebuilt from the whole history)."""
    w, mask = weights.values.copy(), weights.mask
    batch = pre.shape[1]
    rate = np.broadcast_to(np.asarray(params[RATE_KEY[rule]], dtype=float), (batch,))[:, None, None]
    p_plus, p_minus = np.zeros((batch, N_PRE)), np.zeros((batch, N_POST))
    z, trace = np.zeros((batch, N_PRE, N_POST)), np.zeros(batch)
    for t in range(len(pre)):
        f_pre, f_post, r = pre[t].astype(float), post[t].astype(float), reward[t][:, None, None]
        if rule in (STDP, MSTDP, MSTDPET):
            p_plus = p_plus * math.exp(-1 / params["tau_plus"]) + params["a_plus"] * f_pre
            p_minus = p_minus * math.exp(-1 / params["tau_minus"]) + params["a_minus"] * f_post
            zeta = np.einsum("bi,bj->bij", p_plus, f_post) + np.einsum("bi,bj->bij", f_pre, p_minus)
            if rule is STDP:
                dw = rate * zeta
            elif rule is MSTDP:
                dw = rate * r * zeta
            else:
                z = z * math.exp(-1 / params["tau_z"]) + zeta / params["tau_z"]
                dw = rate * r * z
        else:
            ages = t - np.arange(t)  # the spikes strictly before t, d_t >= 1 steps ago
            kernel_plus = np.exp(-ages / params["tau_plus"])[:, None, None]
            kernel_minus = np.exp(-ages / params.get("tau_minus", 20.0))[:, None, None]
            x_pre = (kernel_plus * pre[:t]).sum(axis=0) if t else np.zeros((batch, N_PRE))
            x_post = (kernel_minus * post[:t]).sum(axis=0) if t else np.zeros((batch, N_POST))
            if rule is RLSTDP:
                trace = trace * (1 - params["trace_decay"]) + reward[t]
                hebb = np.einsum("bi,bj->bij", x_pre, f_post) - np.einsum("bi,bj->bij", f_pre, x_post)
            else:
                trace = np.where(reward[t] != 0, reward[t], trace * (1 - params["trace_decay"]))
                hebb = np.einsum("bi,bj->bij", x_pre, f_post)
            dw = rate * trace[:, None, None] * hebb
        w = np.clip(w + dw * mask, weights.low[:, :, None], weights.high[:, :, None])
    return w, z


@pytest.mark.parametrize("rule", RULES)
def test_matches_dense_reference_with_clipping(rule):
    rng = np.random.default_rng(1)
    params = {**BASE, **CONFIGS[rule], RATE_KEY[rule]: np.array([0.2, 0.5])}
    part = rule(**params, batch_size=2)
    weights = weight_state(2, rng)
    pre, post, reward = random_inputs(80, 2, rng)
    expected, _ = dense_reference(rule, params, weights, pre, post, reward)
    run(part, weights, pre, post, reward)
    at_bound = (weights.values == weights.low[:, :, None]) | (weights.values == weights.high[:, :, None])
    assert 0 < np.mean(at_bound & weights.mask) < 1  # the bounds were active
    np.testing.assert_allclose(weights.values, expected, rtol=1e-12, atol=1e-12)


def test_mstdpet_eligibility_exact_across_renormalization():
    rng = np.random.default_rng(2)
    params = {**BASE, **CONFIGS[MSTDPET], "tau_z": 0.5, "learning_rate": 1e-3}
    part = MSTDPET(**params)
    weights = weight_state(2, rng, low=40.0, high=60.0, max_weight=100.0)  # far from the bounds: no clipping
    pre, post, reward = random_inputs(300, 2, rng)  # z_scale drops by e^-2 per step: renormalized twice
    expected_w, expected_z = dense_reference(MSTDPET, params, weights, pre, post, reward)
    state = run(part, weights, pre, post, reward)
    assert state.z_scale.min() > 1e-100
    np.testing.assert_allclose(eligibility(state), expected_z * weights.mask, rtol=1e-12, atol=1e-300)  # absent: no z
    np.testing.assert_allclose(weights.values, expected_w, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- bounds, mask, batch


@settings(max_examples=25, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    seed=st.integers(0, 2**32 - 1),
    batch=st.integers(1, 3),
    rate=st.floats(0.0, 5.0),
    max_weight=st.floats(0.1, 3.0),
)
def test_weights_stay_in_bounds_and_mask_respected(rule, seed, batch, rate, max_weight):
    rng = np.random.default_rng(seed)
    part = make(rule, **{RATE_KEY[rule]: rate})
    weights = weight_state(batch, rng, density=0.6, high=max_weight, max_weight=max_weight)
    absent = ~weights.mask
    state = part.init_state(batch, rng)
    pre, post, reward = random_inputs(40, batch, rng, p=0.4)
    for t in range(len(pre)):
        state = part.timestep(state, weights, pre[t], post[t], 3 * reward[t])
        if t % 10 == 9:
            state = part.reward(state, weights, rng.normal(scale=3.0, size=batch))
        assert np.all(weights.values >= weights.low[:, :, None]) and np.all(weights.values <= weights.high[:, :, None])
        assert np.all(weights.values[absent] == 0.0)


@pytest.mark.parametrize("rule", RULES)
def test_absent_synapses_never_change_while_present_ones_learn(rule):
    rng = np.random.default_rng(3)
    weights = weight_state(1, rng, density=0.5, low=0.3, high=0.7)
    before = weights.values.copy()
    pre, post, reward = random_inputs(60, 1, rng, p=0.5, reward_p=1.0)
    run(make(rule), weights, pre, post, reward)
    assert np.all(weights.values[~weights.mask] == 0.0)
    assert np.any(weights.values[weights.mask] != before[weights.mask])


@pytest.mark.parametrize("rule", RULES)
def test_batch_rows_equal_single_runs(rule):
    rng = np.random.default_rng(4)
    rates = np.array([0.1, 0.4, 0.9])
    weights = weight_state(3, rng)
    singles = [Weight.State(*(array[i : i + 1].copy() for array in weights)) for i in range(3)]
    pre, post, reward = random_inputs(50, 3, rng)
    run(make(rule, **{RATE_KEY[rule]: rates}, batch_size=3), weights, pre, post, reward)
    for i, single in enumerate(singles):
        sl = slice(i, i + 1)
        run(make(rule, **{RATE_KEY[rule]: rates[i]}), single, pre[:, sl], post[:, sl], reward[:, sl])
        np.testing.assert_array_equal(weights.values[i], single.values[0])


@pytest.mark.parametrize("rule", RULES)
def test_batched_rate_wrong_length_raises(rule):
    key = RATE_KEY[rule]
    assert make(rule, **{key: [0.1, 0.2]}, batch_size=2).params[key].shape == (2,)
    with pytest.raises(InvalidParameterError, match=f"The '{key}' parameter of {rule.__name__} must be"):
        make(rule, **{key: np.array([0.1, 0.2])}, batch_size=3)


@pytest.mark.parametrize("rule", RULES)
def test_state_has_batch_axis_and_inputs_untouched(rule):
    part = make(rule)
    rng = np.random.default_rng(5)
    global_state = np.random.get_state()[1].copy()
    for batch in (1, 3):
        state = part.init_state(batch, rng)
        assert all(array.shape[0] == batch for array in state)
        pre, post, reward = random_inputs(4, batch, rng, p=0.5, reward_p=1.0)
        copies = pre.copy(), post.copy(), reward.copy()
        state = part.step(state, weight_state(batch, rng), pre, post, reward)
        assert all(array.shape[0] == batch and array.dtype != np.float16 for array in state)
        for original, copy in zip((pre, post, reward), copies):
            np.testing.assert_array_equal(original, copy)
    assert np.array_equal(np.random.get_state()[1], global_state)
    assert set(vars(part)) == {"params"}


# ---------------------------------------------------------------- rewards


def test_mstdpet_zero_reward_steps_leave_weights_unchanged():
    rng = np.random.default_rng(6)
    part = make(MSTDPET)
    weights = weight_state(2, rng)
    before = weights.values.copy()
    pre, post, _ = random_inputs(30, 2, rng, p=0.5)
    state = run(part, weights, pre, post, np.zeros((30, 2)))
    np.testing.assert_array_equal(weights.values, before)
    assert np.any(eligibility(state) != 0)  # the eligibility still evolved
    partial = np.array([0.0, 1.0])  # reward for network 1 only: network 0 stays as it was
    part.timestep(state, weights, pre[0], post[0], partial)
    np.testing.assert_array_equal(weights.values[0], before[0])
    assert np.any(weights.values[1] != before[1])


def test_stdp_ignores_rewards():
    rng = np.random.default_rng(7)
    pre, post, reward = random_inputs(30, 2, rng)
    part = make(STDP)
    plain, rewarded = weight_state(2, np.random.default_rng(8)), weight_state(2, np.random.default_rng(8))
    run(part, plain, pre, post, np.zeros_like(reward))
    state = run(part, rewarded, pre, post, 5 * reward)
    np.testing.assert_array_equal(plain.values, rewarded.values)
    after = part.reward(state, rewarded, np.array([3.0, -3.0]))
    assert after is state
    np.testing.assert_array_equal(plain.values, rewarded.values)


@pytest.mark.parametrize("rule", [MSTDP, MSTDPET, RLSTDP, LTP])
def test_reward_acts_as_reward_of_last_step(rule):
    """Ticks of 5 steps: reward() after a tick == the same reward given at the tick's last step."""
    rng = np.random.default_rng(9)
    part = make(rule)
    pre, post, _ = random_inputs(40, 2, rng, p=0.5)
    tick_rewards = rng.normal(size=(8, 2))
    in_step = np.zeros((40, 2))
    in_step[4::5] = tick_rewards
    stepped = weight_state(2, np.random.default_rng(10), low=40, high=60, max_weight=100.0)
    rewarded = copy_of(stepped)
    run(part, stepped, pre, post, in_step)
    state = part.init_state(2, rng)
    for tick in range(8):
        ticks = slice(5 * tick, 5 * tick + 5)
        state = run(part, rewarded, pre[ticks], post[ticks], np.zeros((5, 2)), state)
        state = part.reward(state, rewarded, tick_rewards[tick])
    np.testing.assert_allclose(rewarded.values, stepped.values, rtol=1e-12)


def test_rlstdp_reward_accumulates_and_ltp_reward_sets():
    rng = np.random.default_rng(11)
    weights = weight_state(2, rng)
    rl = make(RLSTDP)
    state = rl.reward(rl.init_state(2, rng), weights, np.array([1.0, 2.0]))
    state = rl.reward(state, weights, np.array([0.5, -1.0]))
    np.testing.assert_array_equal(state.trace, [1.5, 1.0])
    state = rl.timestep(state, weights, np.zeros((2, N_PRE), bool), np.zeros((2, N_POST), bool), np.array([1.0, 0.0]))
    np.testing.assert_allclose(state.trace, [1.5 * 0.8 + 1.0, 1.0 * 0.8])

    ltp = make(LTP)
    state = ltp.reward(ltp.init_state(2, rng), weights, np.array([1.0, 2.0]))
    state = ltp.reward(state, weights, np.array([0.5, 0.0]))
    np.testing.assert_array_equal(state.trace, [0.5, 0.0])  # set, zero included
    state = ltp.timestep(state, weights, np.zeros((2, N_PRE), bool), np.zeros((2, N_POST), bool), np.array([3.0, 0.0]))
    np.testing.assert_allclose(state.trace, [3.0, 0.0])  # a step's nonzero reward sets, zero means none


def test_ltp_only_potentiates():
    rng = np.random.default_rng(12)
    weights = weight_state(2, rng, low=0.2, high=0.8)
    before = weights.values.copy()
    pre, post, reward = random_inputs(50, 2, rng, p=0.5, reward_p=1.0)
    run(make(LTP), weights, pre, post, np.abs(reward))
    assert np.all(weights.values >= before) and np.any(weights.values > before)


# ---------------------------------------------------------------- keys

INVALID = {
    "tau_plus": [0.0, -1.0, "20"],
    "tau_minus": [0.0, None],
    "tau_z": [0.0, -2.0],
    "a_plus": [-0.1, True],
    "a_minus": [0.5],
    "learning_rate": [-0.1, "fast", [0.1, -0.1]],
    "trace_decay": [1.5, -0.1],
}


@pytest.mark.parametrize("rule", RULES)
def test_invalid_keys_raise(rule):
    names = {key.name for key in rule.NECESSARY_KEYS}
    assert issubclass(rule, Synapse)
    checked = 0
    for name in sorted(names & set(INVALID)):
        for value in INVALID[name]:
            with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of {rule.__name__} must be"):
                make(rule, **{name: value}, batch_size=2)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("rule", RULES)
def test_keys_documented_with_defaults(rule):
    rows = {row["name"]: row for row in rule.list_keys()}
    assert {"n_inputs", "n_neurons", "learning_rate", "tau_plus"} <= set(rows)
    assert all(row["description"] for row in rows.values())
    assert rows["tau_plus"]["default"] == 20.0
    if "a_plus" in rows:
        assert (rows["a_plus"]["default"], rows["a_minus"]["default"]) == (1.0, -1.0)


def test_one_name_per_concept_across_rules():
    """Every rule reads its learning rate and its time constants under the same shared keys."""
    declared = {}
    for rule in RULES:
        for key in rule.NECESSARY_KEYS:
            assert declared.setdefault(key.name, key) is key, f"{rule.__name__} redeclares {key.name!r}"
    assert "gamma" not in declared and "stdp_window" not in declared


# ---------------------------------------------------------------- blocks of steps


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_trace_history_is_the_recurrence(decay, n_steps, seed):
    rng = np.random.default_rng(seed)
    initial, increments = rng.normal(size=(2, 3)), rng.normal(size=(n_steps, 2, 3))
    expected, x = [], initial
    for increment in increments:
        x = decay * x + increment
        expected.append(x)
    np.testing.assert_allclose(trace_history(initial, increments, decay), expected, rtol=1e-9, atol=1e-12)


def test_trace_history_of_a_long_block_with_fast_decay_stays_finite():
    history = trace_history(np.ones((1, 1)), np.ones((5000, 1, 1)), math.exp(-1 / 0.05))
    assert np.isfinite(history).all()
    np.testing.assert_allclose(history[-1], 1.0, rtol=1e-6)


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("tau_z", [3.0, 0.2, 0.001])
def test_mstdpet_long_block_with_rewards_inside_equals_single_steps(batch, tau_z):
    """Rewards mid-block, segments split for renormalization (tau_z = 0.2) or one step long
    because one step decays z past the threshold (tau_z = 0.001), change nothing."""
    rng = np.random.default_rng(11)
    pre, post, reward = random_inputs(400, batch, rng, reward_p=0.05)
    part = make(MSTDPET, tau_z=tau_z)
    block = weight_state(batch, rng)
    stepped = copy_of(block)
    block_state = part.step(part.init_state(batch, rng), block, pre, post, reward)
    state = part.init_state(batch, rng)
    for t in range(len(pre)):
        state = part.timestep(state, stepped, pre[t], post[t], reward[t])
    assert np.isfinite(block.values).all() and np.isfinite(eligibility(block_state)).all()
    np.testing.assert_allclose(block.values, stepped.values, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(eligibility(block_state), eligibility(state), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("rule", RULES)
def test_an_empty_block_changes_nothing(rule):
    part, rng = make(rule), np.random.default_rng(14)
    weights = weight_state(2, rng)
    before, state = weights.values.copy(), part.init_state(2, rng)
    empty = np.zeros((0, 2, N_PRE), bool), np.zeros((0, 2, N_POST), bool), np.zeros((0, 2))
    after = part.step(state, weights, *empty)
    np.testing.assert_array_equal(weights.values, before)
    for old, new in zip(state, after):
        np.testing.assert_array_equal(old, new)


def test_add_outer_in_small_chunks_gives_the_same_weights(monkeypatch):
    rng = np.random.default_rng(12)
    pre, post, reward = random_inputs(20, 3, rng, p=0.6)
    results = []
    for chunk in (traces._CHUNK_ELEMENTS, 4):
        monkeypatch.setattr(traces, "_CHUNK_ELEMENTS", chunk)
        weights = weight_state(3, np.random.default_rng(13))
        run(make(STDP), weights, pre, post, reward)
        results.append(weights.values)
    np.testing.assert_array_equal(*results)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.booleans())
def test_add_outer_with_weighted_spikes_equals_the_dense_sum(seed, batch, clip):
    """Float post/pre (e.g. post * o2 for a triplet term) scale their column/row, as the dense formula says."""
    rng = np.random.default_rng(seed)
    weights = weight_state(batch, rng, max_weight=5.0)
    factor = rng.uniform(-1.0, 1.0, batch)
    pre_trace, post_trace = rng.random((batch, N_PRE)), rng.normal(size=(batch, N_POST))
    post = np.where(rng.random((batch, N_POST)) < 0.5, rng.random((batch, N_POST)), 0.0)
    pre = np.where(rng.random((batch, N_PRE)) < 0.5, rng.random((batch, N_PRE)), 0.0)
    dense = factor[:, None, None] * (pre_trace[:, :, None] * post[:, None, :] + pre[:, :, None] * post_trace[:, None, :])
    expected = weights.values + dense * weights.mask
    if clip:
        expected = np.clip(expected, weights.low[:, :, None], weights.high[:, :, None])
    traces.add_outer(weights.values, weights, factor, pre_trace, post, pre, post_trace, clip=clip)
    np.testing.assert_allclose(weights.values, expected, rtol=1e-12, atol=1e-12)
