"""The compiled tick against the numpy reference: same spikes, weights to 1e-12, same behaviour around them."""
import math
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
from conftest import KEYS, PARTS, SmallActive, SmallRL
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spikey.experiments import DistalReward, FlorianXOR
from spikey.module import InvalidParameterError
from spikey.snn import ActiveRLNetwork, Network, RLNetwork, compiled
from spikey.snn import network as network_module
from spikey.snn.input import RateMap, StaticMap
from spikey.snn.modifier import LinearDecay
from spikey.snn.neuron import LIF, CorticalIzhikevich, Izhikevich
from spikey.snn.readout import TopAction
from spikey.snn.synapse import LTP, MSTDP, MSTDPET, STDP, DopamineSTDP
from spikey.snn.synapse.mstdpet import eligibility
from spikey.snn.weight import OutDegree, Random

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


class Injected(Network):
    """A network given a current ``pulse`` (mV) at every third (step + neuron), and more in network b > 0."""

    pulse = 0.6

    def injected_current(self, n_steps):
        shape = (n_steps, self.params.batch_size, self.parts["neurons"].params.n_neurons)
        step, copy, neuron = np.indices(shape)
        return np.where((step + neuron) % 3 == 0, self.pulse * (1.0 + 0.5 * copy), 0.0)


NETWORKS = {"plain": Network, "rewarded after the tick": RLNetwork, "rewarded at output spikes": ActiveRLNetwork,
            "injected current": Injected}


def patterns(net, tick):
    """The tick's observation(s): pattern ``tick + b`` for network b."""
    batch = net.params.batch_size
    return PATTERNS[tick % 4] if batch == 1 else PATTERNS[(tick + np.arange(batch)) % 4]


def play(net, ticks, first=0):
    """Ticks (rewarded after each tick if the network takes it); returns actions and spike logs."""
    actions, logs = [], []
    for tick in range(first, first + ticks):
        state = patterns(net, tick)
        action = net.tick(state)
        if isinstance(net, RLNetwork) and "rewarder" in net.parts:
            net.reward(state, action)
        actions.append(np.copy(action))
        logs.append(net.spike_log.copy())
    return np.array(actions), np.array(logs)


def assert_same_run(numpy_net, numba_net, ticks, first=0):
    """Both play ``ticks`` ticks: identical actions and spikes, and every state array equal to 1e-12."""
    assert (numpy_net.backend, numba_net.backend) == ("numpy", "numba")
    for got, expected in zip(play(numba_net, ticks, first), play(numpy_net, ticks, first)):
        np.testing.assert_array_equal(got, expected)
    assert_same_state(numpy_net, numba_net)


def assert_same_state(numpy_net, numba_net):
    """Weights, potentials and traces equal to 1e-12 (the eligibility as ``z_scale * z``), the Generator identical."""
    expected, got = numpy_net.get_state(), numba_net.get_state()
    assert expected["rng"] == got["rng"]
    for name, array in expected.items():
        if name.startswith("synapses.z") or array.dtype.kind not in "fbi":
            continue
        np.testing.assert_allclose(got[name], array, rtol=0, atol=1e-12, err_msg=name)
    if "z" in numpy_net.state["synapses"]._fields:  # z adds ζ / τz: its rounding grows as 1 / τz
        scale = max(1.0, 1.0 / numpy_net.parts["synapses"].params.tau_z)
        np.testing.assert_allclose(eligibility(numba_net.state["synapses"]), eligibility(numpy_net.state["synapses"]),
                                   rtol=1e-12, atol=1e-12 * scale)


def pair(cls, keys, parts=None):
    """The same network on each backend."""
    return tuple(cls(parts=parts, keys={**keys, "backend": backend}) for backend in ("numpy", "numba"))


@st.composite
def configurations(draw):
    """A network class, its parts and keys: sizes, batch, rule, delays, refractory period, random firing."""
    batch = draw(st.integers(1, 3))
    n_neurons = draw(st.integers(2, 8))

    def per_network(low, high):
        values = st.floats(low, high)
        return draw(st.one_of(values, st.lists(values, min_size=batch, max_size=batch).map(np.array)))

    keys = {
        **KEYS, "seed": draw(st.integers(0, 2**16)), "batch_size": batch, "n_inputs": draw(st.integers(2, 8)),
        "n_neurons": n_neurons, "n_outputs": draw(st.integers(1, min(2, n_neurons))), "layer_sizes": None,
        "processing_time": draw(st.integers(1, 40)), "input_delay": draw(st.sampled_from([0, 1])),
        "spike_pairing": draw(st.sampled_from(["arrival", "emission"])),
        "refractory_period": draw(st.integers(0, 3)), "spike_delay": draw(st.integers(0, 2)),
        "prob_rand_fire": draw(st.sampled_from([0.0, 0.05])), "resting_mv": draw(st.sampled_from([0.0, -0.5])),
        "potential_decay": per_network(0.05, 0.5), "learning_rate": per_network(0.0, 0.3),
        "prob_connection": draw(st.floats(0.3, 1.0)), "tau_z": draw(st.sampled_from([25.0, 0.5, 1e-3])),
        "neuron_pct_inhibitory": draw(st.floats(0.0, 0.5)), "input_pct_inhibitory": draw(st.floats(0.0, 0.5)),
        "input_polarity": None,
    }
    parts = {**PARTS, "inputs": draw(st.sampled_from([RateMap, StaticMap])),
             "synapses": draw(st.sampled_from([STDP, MSTDP, MSTDPET]))}
    kind = draw(st.sampled_from(sorted(NETWORKS)))
    if kind in ("plain", "injected current"):
        del parts["rewarder"]
    template = type("Drawn", (NETWORKS[kind],), {"parts": parts})
    return template, declared(template, keys)


def declared(cls, keys, parts=None):
    """The keys some part of ``cls`` (with ``parts``) declares."""
    names = {row["name"] for row in cls.list_keys(**(parts or {}))}
    return {name: value for name, value in keys.items() if name in names}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations(), st.integers(1, 4))
def test_both_backends_give_the_same_spikes_and_weights(configuration, ticks):
    template, keys = configuration
    numpy_net, numba_net = pair(template, keys)
    numpy_net.reset()
    numba_net.reset()
    assert_same_run(numpy_net, numba_net, ticks)


class Scheduled(Network):
    """A network given the rewards of its attribute ``planned`` (T, B) at the steps of every tick."""

    def scheduled_rewards(self, n_steps):
        return self.planned[:n_steps]


class ScheduledRL(RLNetwork):
    """Scheduled rewards during the tick, and the rewarder's after it."""

    scheduled_rewards = Scheduled.scheduled_rewards


class ScheduledInjected(Scheduled):
    """Scheduled rewards and a current of 15 or 22.5 mV injected at every third (step + neuron)."""

    pulse = 15.0
    injected_current = Injected.injected_current


IZHIKEVICH_NETWORKS = {"scheduled": Scheduled, "scheduled and rewarded after the tick": ScheduledRL,
                       "rewarded at output spikes": ActiveRLNetwork, "scheduled, with injected current":
                       ScheduledInjected}


@st.composite
def izhikevich_configurations(draw):
    """Izhikevich or cortical neurons with DopamineSTDP (or another rule): sizes, batch, dopamine keys, rewards."""
    batch = draw(st.integers(1, 3))
    n_neurons = draw(st.integers(4, 9))
    n_steps = draw(st.integers(1, 40))

    def per_network(values):
        return draw(st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=batch,
                                                                max_size=batch).map(np.array)))

    keys = {
        **KEYS, "seed": draw(st.integers(0, 2**16)), "batch_size": batch, "n_inputs": draw(st.integers(6, 12)),
        "n_neurons": n_neurons, "n_outputs": draw(st.integers(1, 2)), "processing_time": n_steps, "layer_sizes": None,
        "input_delay": draw(st.sampled_from([0, 1])), "spike_pairing": draw(st.sampled_from(["arrival", "emission"])),
        "input_rate": 0.1, "magnitude": draw(st.sampled_from([20.0, 40.0])), "neuron_pct_inhibitory": 0.25,
        "thalamic_input": per_network([0.0, 20.0, 40.0]), "a": per_network([0.02, 0.1]),
        "d": per_network([8.0, 2.0]), "max_weight": 4.0, "weight_scale": 1.0, "n_synapses": 2,
        "initial_weight": 1.0, "learning_rate": per_network([0.0, 0.1, 0.5]), "a_plus": 0.1, "a_minus": -0.15,
        "tau_c": draw(st.sampled_from([1000.0, 20.0, 0.5, 1e-3])), "tau_d": draw(st.sampled_from([200.0, 3.0])),
        "tonic_dopamine": per_network([0.0, 0.002, 0.05]), "update_interval": draw(st.sampled_from([1, 3, 10])),
        "tau_z": draw(st.sampled_from([25.0, 0.5])),
    }
    parts = {**PARTS, "inputs": RateMap, "neurons": draw(st.sampled_from([Izhikevich, CorticalIzhikevich])),
             "weights": draw(st.sampled_from([Random, OutDegree])),
             "synapses": draw(st.sampled_from([DopamineSTDP, DopamineSTDP, STDP, MSTDP, MSTDPET]))}
    if parts["neurons"] is Izhikevich and parts["weights"] is OutDegree:
        keys["neuron_pct_inhibitory"] = 0.0  # drawn polarities: OutDegree's inhibitory neurons could lack targets
    kind = draw(st.sampled_from(sorted(IZHIKEVICH_NETWORKS)))
    if kind.startswith("scheduled") and kind != "scheduled and rewarded after the tick":
        del parts["rewarder"]
    template = type("Drawn", (IZHIKEVICH_NETWORKS[kind],), {"parts": parts})
    rewards = draw(st.lists(st.sampled_from([0.0, 0.0, 0.0, 1.0, -0.5]), min_size=n_steps * batch,
                            max_size=n_steps * batch))
    return template, declared(template, keys), np.reshape(rewards, (n_steps, batch))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(izhikevich_configurations(), st.integers(1, 4))
def test_izhikevich_networks_give_the_same_spikes_and_weights_on_both_backends(configuration, ticks):
    """Networks whose presynaptic spikes stay sparse: the numpy path then sums weight rows, as the kernel does.

    Where more than a quarter spike at a step, numpy's matrix product sums
    in BLAS's order, and the chaotic Izhikevich dynamics can grow its last
    bits beyond 1e-12.
    """
    template, keys, rewards = configuration
    numpy_net, numba_net = pair(template, keys)
    for net in (numpy_net, numba_net):
        net.planned = rewards
        net.reset()
    with mock.patch.object(network_module, "synaptic_input", side_effect=network_module.synaptic_input) as summed:
        expected = play(numpy_net, ticks)
    assume(all(4 * np.count_nonzero(call.args[0]) <= call.args[0].size for call in summed.call_args_list))
    assert numba_net.backend == "numba"
    for got, wanted in zip(play(numba_net, ticks), expected):
        np.testing.assert_array_equal(got, wanted)
    assert_same_state(numpy_net, numba_net)


def test_distal_reward_gives_the_same_spikes_rewards_and_weights_on_both_backends():
    """Two networks, a few dozen ticks of 50 ms, rewards 60-90 ms after each coincidence: some are delivered."""
    keys = {"n_neurons": 60, "n_synapses": 6, "processing_time": 50, "reward_delay_min": 60, "reward_delay_max": 90,
            "seed": 2, "thalamic_input": 20.0, "batch_size": 2}
    numpy_net, numba_net = pair(DistalReward, keys)
    assert DistalReward(keys=keys).backend == "numba"  # "auto" takes it
    for net in (numpy_net, numba_net):
        net.reset()
    given = []
    for _ in range(30):
        for net in (numpy_net, numba_net):
            net.tick(np.zeros((2, 1)))
        np.testing.assert_array_equal(numba_net.spike_log, numpy_net.spike_log)
        np.testing.assert_array_equal(numba_net.reward_log, numpy_net.reward_log)
        given.append(numpy_net.reward_log.sum())
    assert sum(given) > 0
    assert_same_state(numpy_net, numba_net)
    assert not np.array_equal(numba_net.weights, DistalReward(keys=keys).weights)  # they learnt


def test_dopamine_stdp_folds_its_scale_as_numpy_when_copies_are_reset_apart():
    """Copies reset at different ticks hold different scales of c; numpy folds them all when the smallest falls."""
    parts = {"inputs": RateMap, "neurons": CorticalIzhikevich, "weights": Random, "synapses": DopamineSTDP,
             "readout": PARTS["readout"]}
    keys = declared(Scheduled, {
        **KEYS, "seed": 3, "batch_size": 3, "n_inputs": 10, "n_neurons": 6, "layer_sizes": None, "input_rate": 0.1,
        "processing_time": 90, "magnitude": 30.0, "thalamic_input": 20.0, "max_weight": 4.0, "weight_scale": 1.0,
        "learning_rate": 0.5, "a_plus": 0.1, "a_minus": -0.15, "tau_c": 1.0, "tau_d": 50.0, "tonic_dopamine": 0.01,
        "update_interval": 3,
    }, parts)
    numpy_net, numba_net = pair(Scheduled, keys, parts)
    rewards = np.zeros((90, 3))
    rewards[::7, 1] = 1.0
    for net in (numpy_net, numba_net):
        net.planned = rewards
        net.reset()
    distinct = []
    for tick in range(6):
        for net in (numpy_net, numba_net):
            net.reset(copies=np.array([tick == 2, False, tick == 4]))
        assert_same_run(numpy_net, numba_net, ticks=1, first=tick)
        distinct.append(len(set(numpy_net.state["synapses"].c_scale.tolist())))
    assert max(distinct) > 1  # the copies' scales differed
    assert numpy_net.state["synapses"].c_scale.min() >= 1e-100  # e^-540 unfolded: the scales were folded in
    assert not np.array_equal(numba_net.weights, Scheduled(parts=parts, keys=keys).weights)


def test_dopamine_below_the_smallest_normal_float_is_set_to_0_on_both_backends():
    """With τd = 5 ms the decay alone would stick at a subnormal value; d reaches 0 after about 3.5 s."""
    parts = {"inputs": RateMap, "neurons": Izhikevich, "weights": Random, "synapses": DopamineSTDP,
             "readout": PARTS["readout"]}
    keys = declared(Scheduled, {**KEYS, "seed": 5, "n_inputs": 4, "n_neurons": 3, "layer_sizes": None,
                                "processing_time": 3600, "magnitude": 10.0, "input_rate": 0.05, "tau_d": 5.0,
                                "learning_rate": 0.1, "max_weight": 4.0}, parts)
    numpy_net, numba_net = pair(Scheduled, keys, parts)
    rewards = np.zeros((3600, 1))
    rewards[3] = 1.0
    for net in (numpy_net, numba_net):
        net.planned = rewards
        net.reset()
    assert_same_run(numpy_net, numba_net, ticks=1)
    assert numpy_net.state["synapses"].d[0] == numba_net.state["synapses"].d[0] == 0.0
    stuck = 0.5
    for _ in range(3600):
        stuck *= math.exp(-1 / 5.0)
    assert stuck > 0.0  # the decay alone stays subnormal


def test_scheduled_rewards_beside_rewards_at_output_spikes_run_on_numpy():
    class Both(ActiveRLNetwork):
        scheduled_rewards = Scheduled.scheduled_rewards

    keys = declared(SmallActive, {**KEYS, "seed": 0})
    assert Both(parts=PARTS, keys=keys).backend == "numpy"
    with pytest.raises(InvalidParameterError, match="Both has scheduled rewards besides the rewards at output spikes"):
        Both(parts=PARTS, keys={**keys, "backend": "numba"})


@pytest.mark.parametrize("template", [FlorianXOR, SmallActive, SmallRL])
def test_templates_learn_alike_over_many_ticks(template):
    """Long enough for the eligibility's scale to be folded in several times (below 1e-100, every 460 steps)."""
    numpy_net, numba_net = pair(template, {"seed": 4, "batch_size": 2, "processing_time": 500, "tau_z": 2.0})
    numpy_net.reset()
    numba_net.reset()
    assert_same_run(numpy_net, numba_net, ticks=4)
    assert not np.array_equal(numba_net.weights, template(keys={"seed": 4, "batch_size": 2}).weights)


def test_the_kernel_compiles_once_for_every_network():
    """Runtime flags, not specializations: every float64 network so far used one compiled signature."""
    from spikey.snn import _tick_kernel

    numpy_net, numba_net = pair(SmallActive, {"seed": 0})
    numba_net.reset()
    play(numba_net, 1)
    distal = DistalReward(keys={"n_neurons": 20, "n_synapses": 3, "processing_time": 20, "reward_delay_min": 20,
                                "reward_delay_max": 30, "seed": 0, "backend": "numba"})
    distal.reset()
    distal.tick(np.zeros(1))
    potentials = [str(signature[1]) for signature in _tick_kernel.run_tick.signatures]  # one per state dtype
    assert potentials.count("array(float64, 2d, C)") == 1


class OwnLIF(LIF):
    """A neuron model written outside Spikey (it changes nothing)."""


class RewardedEveryStep(Network):
    def continuous_reward(self, spikes):
        return np.ones(self.params.batch_size)


@pytest.mark.parametrize("cls, parts, named", [
    (SmallRL, {"neurons": OwnLIF}, "neurons=OwnLIF"),
    (SmallRL, {"synapses": LTP}, "synapses=LTP"),
    (RewardedEveryStep, {**PARTS, "rewarder": None}, "RewardedEveryStep overrides continuous_reward"),
    (SmallActive, {"readout": TopAction}, "readout=TopAction applied at every step"),
])
def test_parts_without_twins_run_on_numpy_and_refuse_numba(cls, parts, named):
    parts = {role: part for role, part in parts.items() if part is not None}
    keys = declared(cls, {**KEYS, "seed": 0, "n_actions": 1, "trace_decay": 0.1}, parts)
    assert cls(parts=parts, keys=keys).backend == "numpy"
    with pytest.raises(InvalidParameterError, match=rf"The 'backend' parameter of {cls.__name__} must be 'numpy' or "
                                                    rf"'auto' for this network: .*{named}.* Got 'numba' instead"):
        cls(parts=parts, keys={**keys, "backend": "numba"})


def test_without_numba_auto_runs_numpy_and_numba_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # an import of numba now fails
    assert not compiled.numba_installed()
    net = FlorianXOR(keys={"seed": 0, "processing_time": 20})
    assert net.backend == "numpy"
    net.reset()
    net.tick([1, 0])
    with pytest.raises(InvalidParameterError, match="numba is not installed"):
        FlorianXOR(keys={"backend": "numba"})


def test_spikey_imports_and_runs_where_numba_cannot_be_imported_and_never_imports_it_itself():
    code = ("import sys; {block}from spikey.experiments import FlorianXOR; "
            "net = FlorianXOR(keys={{'seed': 0, 'processing_time': 20}}); net.reset(); "
            "print(net.backend, 'numba' in sys.modules)")
    blocked = subprocess.run([sys.executable, "-c", code.format(block="sys.modules['numba'] = None; ")],
                             capture_output=True, text=True, check=True)
    assert blocked.stdout.split() == ["numpy", "True"]  # the blocking entry itself
    plain = subprocess.run([sys.executable, "-c", code.format(block="")], capture_output=True, text=True, check=True)
    assert plain.stdout.split() == ["numba", "False"]  # chosen, not yet imported: the first tick imports it


def test_a_state_moves_between_backends():
    numpy_net, numba_net = pair(SmallActive, {"seed": 6, "batch_size": 2})
    numba_net.reset()
    play(numba_net, 3)
    numpy_net.set_state(numba_net.get_state())
    assert_same_run(numpy_net, numba_net, ticks=3, first=3)


def test_a_saved_compiled_network_loads_and_continues(tmp_path):
    net = SmallActive(keys={"seed": 7, "backend": "numba"})
    net.reset()
    play(net, 2)
    loaded = Network.load(net.save(tmp_path / "net"))
    assert loaded.backend == "numba"
    for got, expected in zip(play(loaded, 3, 2), play(net, 3, 2)):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(loaded.weights, net.weights)


def test_resetting_some_copies_modifiers_and_eval_mode_behave_alike():
    modifier = LinearDecay(key="learning_rate", t_stop=4, value_start=0.3, value_stop=0.0)
    numpy_net, numba_net = (SmallActive(parts={"modifiers": [modifier]}, keys={"seed": 8, "batch_size": 3,
                                                                                "backend": backend})
                            for backend in ("numpy", "numba"))
    for net in (numpy_net, numba_net):
        net.reset()
    for episode in range(3):
        for net in (numpy_net, numba_net):
            net.set_episode(np.array([episode, 0, episode + 1]))
            net.reset(copies=np.array([True, False, episode % 2 == 1]))
        assert_same_run(numpy_net, numba_net, ticks=2, first=episode)
    before = numba_net.weights.copy()
    numpy_net.eval()
    numba_net.eval()
    assert_same_run(numpy_net, numba_net, ticks=2)
    np.testing.assert_array_equal(numba_net.weights, before)


def test_step_monitors_see_every_step_on_a_compiled_network():
    numpy_net, numba_net = pair(SmallActive, {"seed": 9})
    seen = []
    for net in (numpy_net, numba_net):
        net.reset()
        net.step_monitors = [lambda neurons, spikes: seen.append(spikes.copy())]
    assert_same_run(numpy_net, numba_net, ticks=2)
    assert len(seen) == 4 * KEYS["processing_time"]


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_value_too_large_for_float64_stops_the_run_on_either_backend(backend):
    net = FlorianXOR(keys={"seed": 0, "a_plus": 1e250, "backend": backend})
    net.reset()
    overflow = r"FlorianXOR: .* (became nan in this tick|became infinite or NaN).*: some key's value is too large"
    with pytest.raises(FloatingPointError, match=overflow):
        for _ in range(50):
            net.reward([1, 0], net.tick([1, 0]))


def test_a_rewarder_refusing_an_action_raises_as_on_numpy():
    """The readout's high action 7 is no answer to XOR: the tick's first output spike raises, on either backend."""
    for backend in ("numpy", "numba"):
        net = SmallActive(keys={**KEYS, "seed": 0, "output_range": (0, 7), "backend": backend})
        net.reset()
        with pytest.raises(InvalidParameterError, match="The actions given to MatchExpected"):
            play(net, 4)


def test_check_part_runs_parts_with_twins_on_both_backends_and_the_check_bites(monkeypatch):
    from spikey.testing import check_backends_agree, checks_for

    assert check_backends_agree in checks_for(MSTDPET) and check_backends_agree not in checks_for(LTP)
    assert check_backends_agree not in checks_for(OwnLIF)
    check_backends_agree(MSTDPET, {"learning_rate": 0.2})
    rule = compiled._rule

    def twice_the_learning_rate(network, n_steps):
        code, traces, rate, fparams = rule(network, n_steps)
        return code, traces, 2 * rate, fparams

    monkeypatch.setattr(compiled, "_rule", twice_the_learning_rate)
    with pytest.raises(AssertionError, match="check_backends_agree failed for MSTDPET: in ActiveRLNetwork, the comp"):
        check_backends_agree(MSTDPET, {"learning_rate": 0.2})


def test_the_backend_key_is_declared_validated_and_fixed():
    rows = {row["name"]: row for row in FlorianXOR.list_keys()}
    assert rows["backend"]["default"] == "auto" and rows["backend"]["declared_by"] == "FlorianXOR"
    typo = r"Unknown key 'backnd' for FlorianXOR\(\.\.\.\)\. Did you mean 'backend'\?"
    with pytest.raises(InvalidParameterError, match=typo):
        FlorianXOR(keys={"backnd": "numpy"})
    with pytest.raises(InvalidParameterError, match=r"The 'backend' parameter of FlorianXOR must be one of"):
        FlorianXOR(keys={"backend": "cython"})
    net = FlorianXOR(keys={"backend": "numpy"})
    with pytest.raises(InvalidParameterError, match="Key 'backend' of FlorianXOR is fixed at construction"):
        net.set_key("backend", "numba")
    assert net.backend == "numpy"
