"""DopamineSTDP (Izhikevich 2007): a dense per-step reference, distal reward, reward(), mask, bounds, batch, keys."""
import math

import numpy as np
import pytest
from conftest import SmallRL

from spikey.module import InvalidParameterError
from spikey.snn.synapse import DopamineSTDP
from spikey.snn.synapse.dopamine_stdp import eligibility
from spikey.snn.weight.template import Weight, bounds
from spikey.testing import check_part

N_INPUTS, N_NEURONS = 2, 3
N_PRE, N_POST = N_INPUTS + N_NEURONS, N_NEURONS
BASE = {"n_inputs": N_INPUTS, "n_neurons": N_NEURONS}
IZHIKEVICH = {"a_plus": 0.1, "a_minus": -0.15, "learning_rate": 0.1}  # his STDP amplitudes, his code's rate


def make(**changes):
    return DopamineSTDP(**{**BASE, **IZHIKEVICH, **changes})


def weight_state(batch, rng, density=0.7, max_weight=4.0, scale=None):
    """Magnitudes U(0, scale or max_weight) from presynaptic rows 70 % excitatory, 20 % inhibitory, 10 % of either sign."""
    mask = rng.random((batch, N_PRE, N_POST)) < density
    draw = rng.random((batch, N_PRE))
    polarity = np.where(draw < 0.2, -1.0, np.where(draw < 0.3, 0.0, 1.0))
    signs = np.where(polarity[:, :, None] == 0, rng.choice([-1.0, 1.0], mask.shape), polarity[:, :, None])
    values = np.where(mask, rng.uniform(0.0, scale or max_weight, mask.shape) * signs, 0.0)
    return Weight.State(values, mask, *bounds(polarity, max_weight))


def copy_of(weights):
    return weights._replace(values=weights.values.copy())


def random_inputs(steps, batch, rng, p=0.2, reward_p=0.02, signed=True):
    pre = rng.random((steps, batch, N_PRE)) < p
    post = rng.random((steps, batch, N_POST)) < p
    size = rng.normal(size=(steps, batch)) if signed else rng.uniform(0.5, 2.0, (steps, batch))
    return pre, post, np.where(rng.random((steps, batch)) < reward_p, size, 0.0)


def run(rule, weights, pre, post, reward, state=None):
    state = rule.init_state(pre.shape[1], np.random.default_rng(0)) if state is None else state
    for t in range(len(pre)):
        state = rule.timestep(state, weights, pre[t], post[t], reward[t])
    return state


def reference(weights, pre, post, reward, params):
    """Izhikevich's equations per 1 ms step, written out with plain loops over networks and synapses."""
    p = {k: v for k, v in params.items()}
    interval = p["update_interval"]
    n_steps, batch, n_pre = pre.shape
    n_post = post.shape[2]
    per_net = {k: np.broadcast_to(np.asarray(p[k], dtype=float), (batch,))
               for k in ("learning_rate", "dopamine_per_reward", "tonic_dopamine")}
    w = weights.values.copy()
    for b in range(batch):
        p_plus, p_minus = [0.0] * n_pre, [0.0] * n_post
        c = [[0.0] * n_post for _ in range(n_pre)]
        d = 0.0
        for t in range(n_steps):
            for i in range(n_pre):
                p_plus[i] = p_plus[i] * math.exp(-1.0 / p["tau_plus"]) + p["a_plus"] * pre[t, b, i]
            for j in range(n_post):
                p_minus[j] = p_minus[j] * math.exp(-1.0 / p["tau_minus"]) + p["a_minus"] * post[t, b, j]
            d = d * math.exp(-1.0 / p["tau_d"]) + per_net["dopamine_per_reward"][b] * reward[t, b]
            for i in range(n_pre):
                for j in range(n_post):
                    if not weights.mask[b, i, j]:
                        continue
                    c[i][j] = c[i][j] * math.exp(-1.0 / p["tau_c"]) + p_plus[i] * post[t, b, j] + pre[t, b, i] * p_minus[j]
                    if (t + 1) % interval:
                        continue  # weights change only at the end of each interval, by interval times the step's
                    change = interval * per_net["learning_rate"][b] * (d + per_net["tonic_dopamine"][b]) * c[i][j]
                    w[b, i, j] = min(max(w[b, i, j] + change, weights.low[b, i]), weights.high[b, i])
    return w


# ---------------------------------------------------------------- the per-step equations


@pytest.mark.parametrize("changes", [
    {"tonic_dopamine": 0.002},  # Izhikevich's time constants and amplitudes
    {"learning_rate": 3.0, "tau_c": 40.0, "tau_d": 15.0, "tau_plus": 5.0, "tau_minus": 8.0,
     "dopamine_per_reward": 2.0, "tonic_dopamine": [0.0, 0.05]},
    {"learning_rate": [2.0, 0.5], "tau_c": 0.3, "tau_d": 30.0, "a_plus": 1.0, "a_minus": -1.2},  # c renormalized
    {"learning_rate": 5.0, "tau_c": 0.002, "tau_d": 30.0, "a_plus": 1.0},  # c decays below 1e-100 in one step
    {"tonic_dopamine": 0.002, "update_interval": 10},  # Izhikevich's code: weights change every 10 ms
    {"learning_rate": 3.0, "tau_c": 40.0, "tau_d": 15.0, "update_interval": 7},
], ids=["izhikevich", "fast", "renormalized", "instant", "every 10 ms", "every 7 ms"])
def test_matches_dense_per_step_reference_with_clipping(changes):
    rng = np.random.default_rng(1)
    rule = make(**changes)
    weights = weight_state(2, rng, max_weight=1.0)
    pre, post, reward = random_inputs(600, 2, rng, reward_p=0.05)
    expected = reference(weights, pre, post, reward, rule.params)
    run(rule, weights, pre, post, reward)
    np.testing.assert_allclose(weights.values, expected, rtol=0, atol=1e-12)
    values, low, high = weights.values, weights.low[:, :, None], weights.high[:, :, None]
    clipped = ((values == high) & (high > 0) | (values == low) & (low < 0)) & weights.mask
    assert clipped.any()  # some weights were held at a nonzero bound: the reference checked clipping too


# ---------------------------------------------------------------- distal reward


def single_synapse(pre_time, post_time, reward_time=None, steps=None, w0=1.0, **changes):
    """Weight change of the lone synapse input 0 -> neuron 0 (bounds [0, 4] mV), Izhikevich's parameters."""
    rule = DopamineSTDP(n_inputs=1, n_neurons=1, **{**IZHIKEVICH, **changes})
    steps = steps or (reward_time or 0) + 3000
    mask = np.zeros((1, 2, 1), dtype=bool)
    mask[0, 0, 0] = True
    weights = Weight.State(np.where(mask, w0, 0.0), mask, *bounds(np.ones((1, 2)), 4.0))
    pre = np.zeros((steps, 1, 2), dtype=bool)
    post = np.zeros((steps, 1, 1), dtype=bool)
    pre[pre_time, 0, 0] = post[post_time, 0, 0] = True
    reward = np.zeros((steps, 1))
    if reward_time is not None:
        reward[reward_time, 0] = 1.0
    run(rule, weights, pre, post, reward)
    return weights.values[0, 0, 0] - w0, steps


def distal_closed_form(amplitude, pair_time, reward_time, steps, eta=0.1, k=0.5, tau_c=1000.0, tau_d=200.0):
    """η k c(t_r) Σ_{n < steps - t_r} (e^(-1/τc - 1/τd))^n with c(t_r) = A e^(-1/20) e^(-(t_r - t_pair)/τc)."""
    a, b = math.exp(-1 / tau_c), math.exp(-1 / tau_d)
    c = amplitude * math.exp(-1 / 20) * a ** (reward_time - pair_time)
    return eta * k * c * (1 - (a * b) ** (steps - reward_time)) / (1 - a * b)


def test_reward_seconds_after_a_pairing_strengthens_the_synapse():
    soon, steps_soon = single_synapse(10, 11, reward_time=1500)
    late, steps_late = single_synapse(10, 11, reward_time=3011)  # 3 s after the post spike
    assert soon == pytest.approx(distal_closed_form(0.1, 11, 1500, steps_soon), rel=0, abs=1e-12)
    assert late == pytest.approx(distal_closed_form(0.1, 11, 3011, steps_late), rel=0, abs=1e-12)
    assert soon > late > 0
    assert late / soon == pytest.approx(math.exp(-1.511), rel=1e-5)  # c decays by e^(-Δt/τc) in between
    assert soon == pytest.approx(0.1794, abs=1e-4)  # mV: 0.1 * 0.5 * 0.0951 * e^(-1.489) / (1 - e^(-0.006))
    assert late == pytest.approx(0.0396, abs=1e-4)


def test_no_reward_no_change_without_tonic_dopamine():
    change, _ = single_synapse(10, 11, steps=5000)
    assert change == 0.0
    tonic, steps = single_synapse(10, 11, steps=5000, tonic_dopamine=0.002)  # Izhikevich's baseline learns slowly
    a = math.exp(-1 / 1000)
    assert tonic == pytest.approx(0.1 * 0.002 * 0.1 * math.exp(-1 / 20) * (1 - a ** (steps - 11)) / (1 - a),
                                  rel=0, abs=1e-12)
    assert 0 < tonic < 0.02


def test_post_before_pre_then_reward_weakens_the_synapse():
    change, steps = single_synapse(11, 10, reward_time=1500)
    assert change < 0
    assert change == pytest.approx(distal_closed_form(-0.15, 11, 1500, steps), rel=0, abs=1e-12)


def test_weights_change_every_step_while_dopamine_lasts():
    rule = make()
    assert rule.REWARD_GATED is False
    rng = np.random.default_rng(3)
    weights = weight_state(1, rng)
    pre, post, _ = random_inputs(50, 1, rng, p=0.3)
    reward = np.zeros((50, 1))
    reward[20] = 1.0
    state = rule.init_state(1, rng)
    history = []
    for t in range(50):
        state = rule.timestep(state, weights, pre[t], post[t], reward[t])
        history.append(weights.values.copy())
    steps = np.array(history)
    assert not np.diff(steps[:20], axis=0).any()  # no dopamine yet
    assert all(np.diff(steps[19:], axis=0)[t].any() for t in range(30))  # then every step
    assert 0 < state.d[0] < 0.5


def test_dopamine_reaches_zero_and_then_weights_stop_changing():
    """The exact decay would stick at a subnormal d forever, keeping every later step dense."""
    stuck = 0.5
    for _ in range(800 * 4):
        stuck *= math.exp(-1 / 4.0)
    assert stuck > 0  # plain float64 recurrence: stuck at a subnormal value
    rule = make(tau_d=4.0, learning_rate=1.0)
    rng = np.random.default_rng(8)
    weights = weight_state(1, rng, max_weight=100.0)
    pre, post, _ = random_inputs(800 * 4, 1, rng, p=0.0)
    pre[:100], post[:100] = random_inputs(100, 1, rng, p=0.3)[:2]
    reward = np.zeros((800 * 4, 1))
    reward[150] = 1.0
    state = run(rule, weights, pre[:2970], post[:2970], reward[:2970])  # 705 τd after the pulse
    assert 0 < state.d[0] < 1e-300
    state = run(rule, weights, pre[2970:3000], post[2970:3000], reward[2970:3000], state)  # 708 τd: d = 0
    assert state.d[0] == 0.0
    frozen = weights.values.copy()
    run(rule, weights, pre[3000:], post[3000:], reward[3000:], state)
    np.testing.assert_array_equal(weights.values, frozen)


# ---------------------------------------------------------------- reward() after a tick


def _true_state(state):
    return state.p_plus, state.p_minus, eligibility(state), state.d


@pytest.mark.parametrize("interval", [1, 7, 10], ids=lambda k: f"update every {k}")  # 200 steps: 10 ends on an update
@pytest.mark.parametrize("signed, max_weight", [(False, 1.0), (True, 1e9)], ids=["positive-clipped", "signed"])
def test_reward_after_tick_equals_reward_at_its_last_step(signed, max_weight, interval):
    """Exact with clipping when rewards share the sign of d + d_tonic; exact for any sign without clipping."""
    rng = np.random.default_rng(4)
    rule = make(learning_rate=[3.0, 0.2], tonic_dopamine=0.01, tau_c=50.0, update_interval=interval)
    weights = weight_state(2, rng, max_weight=max_weight, scale=1.0)
    if signed:  # every row of either sign: no weight can reach a bound
        weights = weights._replace(low=np.full((2, N_PRE), -max_weight), high=np.full((2, N_PRE), max_weight))
    pre, post, reward = random_inputs(200, 2, rng, reward_p=0.05, signed=signed)
    final = np.array([1.5, -0.7]) if signed else np.array([1.5, 0.7])
    reward[-1] = 0.0
    after = copy_of(weights)
    state = rule.reward(run(rule, after, pre, post, reward), after, final)
    reward[-1] = final
    at_step = copy_of(weights)
    expected = run(rule, at_step, pre, post, reward)
    np.testing.assert_allclose(after.values, at_step.values, rtol=1e-12, atol=1e-12)
    for got, want in zip(_true_state(state), _true_state(expected)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    more = random_inputs(100, 2, rng, reward_p=0.0)
    run(rule, after, *more, state=state)  # the pulse keeps acting
    run(rule, at_step, *more, state=expected)
    np.testing.assert_allclose(after.values, at_step.values, rtol=1e-12, atol=1e-12)
    at_bound = ((after.values == after.high[:, :, None]) | (after.values == after.low[:, :, None])) & after.mask
    assert at_bound.any() != signed  # the positive case clips, the signed one never reaches its bounds


def test_zero_reward_after_tick_changes_nothing():
    rng = np.random.default_rng(5)
    rule = make()
    weights = weight_state(2, rng)
    state = run(rule, weights, *random_inputs(50, 2, rng))
    before = weights.values.copy()
    assert rule.reward(state, weights, np.zeros(2)) is state
    np.testing.assert_array_equal(weights.values, before)


# ---------------------------------------------------------------- mask, bounds, batch, keys


def test_mask_and_row_bounds_are_respected():
    rng = np.random.default_rng(6)
    rule = make(learning_rate=5.0, tonic_dopamine=0.05, tau_d=50.0)
    weights = weight_state(3, rng, density=0.5, max_weight=1.0)
    start = weights.values.copy()
    state = run(rule, weights, *random_inputs(800, 3, rng, p=0.3, reward_p=0.05))
    values, low, high = weights.values, weights.low[:, :, None], weights.high[:, :, None]
    assert not values[~weights.mask].any()
    assert not eligibility(state)[~weights.mask].any()
    assert ((values >= low) & (values <= high)).all()
    inhibitory = np.broadcast_to(weights.high[:, :, None] == 0, values.shape)
    assert (values[inhibitory] <= 0).all()
    assert (values[weights.mask] != start[weights.mask]).mean() > 0.9
    assert ((values == high) & (high > 0) & weights.mask).any() and ((values == low) & weights.mask).any()


def test_batch_rows_equal_lone_runs():
    rng = np.random.default_rng(7)
    batched = {"learning_rate": np.array([0.05, 0.3, 0.0]), "tonic_dopamine": np.array([0.0, 0.01, 0.002]),
               "dopamine_per_reward": np.array([0.5, 1.0, 2.0])}
    rule = make(tau_c=100.0, **batched)
    weights = weight_state(3, rng, max_weight=2.0)
    pre, post, reward = random_inputs(300, 3, rng, reward_p=0.05)
    start = weights.values.copy()
    state = run(rule, weights, pre, post, reward)
    state = rule.reward(state, weights, np.array([1.0, -2.0, 0.5]))
    for row in range(3):
        lone_rule = make(tau_c=100.0, **{k: float(v[row]) for k, v in batched.items()})
        lone = Weight.State(start[row:row + 1].copy(), weights.mask[row:row + 1], weights.low[row:row + 1],
                            weights.high[row:row + 1])
        lone_state = run(lone_rule, lone, pre[:, row:row + 1], post[:, row:row + 1], reward[:, row:row + 1])
        lone_state = lone_rule.reward(lone_state, lone, np.array([[1.0, -2.0, 0.5][row]]))
        np.testing.assert_allclose(weights.values[row], lone.values[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(state.d[row], lone_state.d[0], rtol=1e-12)
    np.testing.assert_array_equal(weights.values[2], start[2])  # learning_rate 0: the traces run, weights stay


@pytest.mark.parametrize("key, value", [
    ("tau_c", 0.0), ("tau_c", -1000.0), ("tau_d", 0.0), ("tau_d", "200 ms"), ("dopamine_per_reward", -0.5),
    ("tonic_dopamine", -0.002), ("a_minus", 0.15), ("a_plus", -0.1), ("learning_rate", np.zeros((2, 2))),
    ("learning_rate", -0.1), ("tonic_dopamine", np.zeros((2, 2))),
])
def test_bad_keys_raise_naming_the_key(key, value):
    with pytest.raises(InvalidParameterError, match=f"'{key}' parameter of DopamineSTDP"):
        make(**{key: value})


def test_missing_learning_rate_raises_naming_it():
    with pytest.raises(InvalidParameterError, match="'learning_rate'"):
        DopamineSTDP(**BASE)


def test_defaults():
    p = DopamineSTDP(**BASE, learning_rate=0.1).params
    assert (p.tau_c, p.tau_d, p.dopamine_per_reward, p.tonic_dopamine) == (1000.0, 200.0, 0.5, 0.0)
    assert (p.tau_plus, p.tau_minus) == (20.0, 20.0)


@pytest.mark.parametrize("config", [
    {"learning_rate": 0.05},
    {"learning_rate": 0.05, "tonic_dopamine": 0.002, "a_plus": 0.1, "a_minus": -0.15},
    {"learning_rate": np.array([0.0, 0.05, 0.2]), "tonic_dopamine": [0.0, 0.0, 0.01], "tau_c": 5.0, "tau_d": 3.0},
], ids=["plain", "izhikevich", "per-network"])
def test_check_part(config):
    check_part(DopamineSTDP, {"n_inputs": 4, "n_neurons": 5, "max_weight": 1.0, **config})


# ---------------------------------------------------------------- in a network


def test_in_a_network_learning_waits_for_dopamine_then_lasts_past_the_reward():
    keys = {"seed": 3, "a_plus": 0.1, "a_minus": -0.15, "learning_rate": 1.0, "processing_time": 50}
    net = SmallRL(parts={"synapses": DopamineSTDP}, keys=keys)
    net.reset()
    start = net.weights.copy()
    net.tick(np.array([1, 0]))
    net.reward(reward=0.0)
    np.testing.assert_array_equal(net.weights, start)  # no dopamine, no change
    net.reward(reward=1.0)
    after_reward = net.weights.copy()
    net.tick(np.array([1, 0]))
    assert not np.array_equal(net.weights, after_reward)  # dopamine outlasts the reward
    values, weights = net.weights, net.state["weights"]
    assert ((values >= weights.low[:, :, None]) & (values <= weights.high[:, :, None])).all()
    assert not values[~weights.mask].any()
