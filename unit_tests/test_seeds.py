"""Per-copy seeds: network k of a batch seeded with an array is a lone network seeded seed[k], on both backends.

The compiled tick computes every network of a batch on its own, so there the
copy equals the lone run bit for bit in everything. The numpy tick draws the
same random numbers and gives the same spikes and actions, but some of its
sums depend on the whole batch (a dense or a sparse charge sum chosen by the
batch's spike count, learning blocks and trace renormalizations decided for
the batch, one matrix product over every network's traces): there potentials,
weights and traces agree to rounding.
"""
import json

import numpy as np
import pytest
from conftest import KEYS, PARTS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spikey.module import InvalidParameterError
from spikey.snn import ActiveRLNetwork, Network, RLNetwork
from spikey.snn.input import RateMap, StaticMap
from spikey.snn.neuron import LIF
from spikey.snn.readout import Threshold, TopAction
from spikey.snn.streams import CopyStreams
from spikey.snn.synapse import MSTDP, MSTDPET, STDP

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
NETWORKS = {"plain": Network, "rewarded after the tick": RLNetwork, "rewarded at output spikes": ActiveRLNetwork}
BACKENDS = ["numpy", "numba"]


@st.composite
def configurations(draw):
    """A network class and its keys: random inputs, random firing, random weights and polarities, any rule."""
    n_neurons = draw(st.integers(2, 8))
    kind = draw(st.sampled_from(sorted(NETWORKS)))
    readout = draw(st.sampled_from([Threshold, TopAction]))
    n_inputs = draw(st.integers(2, 8))
    keys = {
        **KEYS, "n_inputs": n_inputs, "n_neurons": n_neurons, "layer_sizes": None,
        "n_outputs": 2 if readout is TopAction else draw(st.integers(1, 2)), "n_actions": 2,
        "processing_time": draw(st.integers(1, 30)), "input_delay": draw(st.sampled_from([0, 1])),
        "prob_rand_fire": draw(st.sampled_from([0.02, 0.1])), "input_rate": draw(st.floats(0.1, 0.6)),
        "prob_connection": draw(st.floats(0.3, 1.0)), "weight_dist": draw(st.sampled_from(["uniform", "lognormal"])),
        "neuron_pct_inhibitory": draw(st.floats(0.0, 0.5)), "learning_rate": draw(st.floats(0.0, 0.5)),
        "input_pct_inhibitory": 0.0,
    }
    polarity = draw(st.sampled_from(["drawn", "either sign"]))
    if polarity == "drawn":
        keys["input_pct_inhibitory"] = draw(st.floats(0.1, 0.5))
    else:  # inputs of either sign: the Random weights draw each synapse's sign
        keys["input_polarity"] = np.array([0, 1] * n_inputs)[:n_inputs]
    parts = {**PARTS, "readout": readout, "inputs": draw(st.sampled_from([RateMap, StaticMap])),
             "synapses": draw(st.sampled_from([STDP, MSTDP, MSTDPET]))}
    if kind == "plain":
        del parts["rewarder"]
    template = type("Drawn", (NETWORKS[kind],), {"parts": parts})
    names = {row["name"] for row in template.list_keys()}
    return template, {name: value for name, value in keys.items() if name in names}


def play(net, ticks, copy=None, first=0):
    """``ticks`` ticks of XOR patterns, rewarded after each if the network takes it; (actions, spike logs).

    Network ``b`` of a batch sees pattern ``(tick + b) % 4``; a lone network stands for ``copy`` of a batch.
    """
    actions, logs = [], []
    for tick in range(first, first + ticks):
        batch = net.params.batch_size
        state = PATTERNS[(tick + copy) % 4] if copy is not None else PATTERNS[(tick + np.arange(batch)) % 4]
        action = net.tick(state)
        if isinstance(net, RLNetwork) and "rewarder" in net.parts:
            net.reward(state, action)
        actions.append(np.atleast_1d(action).copy())
        logs.append(net.spike_log.copy())
    return np.array(actions), np.array(logs)


def assert_copy_is_lone_run(batched, k, lone, exact_state):
    """Copy ``k``'s state equals the lone network's: its Generator state, and every array exactly or to rounding."""
    got, expected = batched.get_state(), lone.get_state()
    assert json.loads(str(got["rng"]))[k] == json.loads(str(expected["rng"])), "the copy's stream moved differently"
    for name, array in expected.items():
        if name in ("rng", "episode"):
            continue
        if exact_state or array.dtype.kind != "f":
            np.testing.assert_array_equal(got[name][k], array[0], err_msg=name)
        else:
            np.testing.assert_allclose(got[name][k], array[0], rtol=1e-12, atol=1e-12, err_msg=name)


def run_both_ways(template, keys, seeds, ticks, backend):
    """The batch seeded ``seeds`` and a lone network per seed, each after ``ticks`` ticks; the runs compared."""
    batched = template(keys={**keys, "seed": np.array(seeds), "batch_size": len(seeds), "backend": backend})
    assert batched.backend == backend
    batched.reset()
    actions, logs = play(batched, ticks)
    for k, seed in enumerate(seeds):
        lone = template(keys={**keys, "seed": seed, "backend": backend})
        lone.reset()
        lone_actions, lone_logs = play(lone, ticks, copy=k)
        np.testing.assert_array_equal(actions[:, k], lone_actions[:, 0])
        np.testing.assert_array_equal(logs[:, :, k], lone_logs[:, :, 0])
        assert_copy_is_lone_run(batched, k, lone, exact_state=backend == "numba")


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations(), st.lists(st.integers(0, 2**32), min_size=2, max_size=5), st.integers(1, 4))
def test_copy_k_of_a_seeded_batch_is_the_lone_network_seeded_k(backend, configuration, seeds, ticks):
    template, keys = configuration
    rewarded_per_step = issubclass(template, ActiveRLNetwork)
    assume(backend == "numpy" or not (rewarded_per_step and template.parts["readout"] is TopAction))  # numpy only
    run_both_ways(template, keys, seeds, ticks, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_one_seed_array_is_the_int_seed(backend):
    """B=1: ``seed=[s]`` draws what ``seed=s`` draws, so a lone run is the same either way."""
    template = type("Drawn", (RLNetwork,), {"parts": PARTS})
    runs = []
    for seed in (7, [7]):
        net = template(keys={**KEYS, "seed": seed, "backend": backend})
        net.reset()
        runs.append((*play(net, 4, copy=0), net.get_state()))
    (actions, logs, state), (array_actions, array_logs, array_state) = runs
    np.testing.assert_array_equal(actions, array_actions)
    np.testing.assert_array_equal(logs, array_logs)
    assert [json.loads(str(state["rng"]))] == json.loads(str(array_state["rng"]))
    for name in state:
        if name != "rng":
            np.testing.assert_array_equal(state[name], array_state[name], err_msg=name)


class TopActionRL(RLNetwork):
    parts = {**PARTS, "readout": TopAction}
    keys = {**{name: value for name, value in KEYS.items() if name != "action_threshold"}, "n_outputs": 2, "n_actions": 2}


def small(backend, seeds=(3, 9, 27), batch_size=None):
    """A reset TopActionRL seeded ``seeds``: an int (a lone network, or ``batch_size`` sharing it) or one per copy."""
    batch = batch_size or (1 if np.ndim(seeds) == 0 else len(seeds))
    net = TopActionRL(keys={"seed": seeds if np.ndim(seeds) == 0 else np.array(seeds), "batch_size": batch,
                            "backend": backend})
    net.reset()
    return net


def assert_same_state(got, expected):
    assert set(got) == set(expected)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_per_copy_streams_round_trip_through_get_state_set_state_save_and_load(backend, tmp_path):
    net = small(backend)
    play(net, 2)
    saved = net.get_state()
    assert len(json.loads(str(saved["rng"]))) == 3
    net.save(tmp_path / "net")
    expected = play(net, 3, first=2)
    net.set_state(saved)
    for got, want in zip(play(net, 3, first=2), expected):
        np.testing.assert_array_equal(got, want)
    loaded = type(net).load(tmp_path / "net")
    assert isinstance(loaded.rng, CopyStreams) and list(loaded.params.seed) == [3, 9, 27]
    for got, want in zip(play(loaded, 3, first=2), expected):
        np.testing.assert_array_equal(got, want)
    assert_same_state(loaded.get_state(), net.get_state())


@pytest.mark.parametrize("rng, message", [
    (lambda states: states[:2], "'rng' must hold a list of 3 PCG64 states, one per network \\(the seed is an array\\); "
                                "got a list of 2"),
    (lambda states: states[0], "'rng' must hold a list of 3 PCG64 states, one per network .*; got one dict"),
    (lambda states: states[:2] + [{"bit_generator": "MT19937"}], "'rng' is not a PCG64 state"),
])
def test_a_bad_list_of_generator_states_is_refused_and_nothing_changes(rng, message):
    net = small("numpy")
    play(net, 1)
    bad = {**net.get_state(), "rng": np.array(json.dumps(rng(json.loads(str(net.get_state()["rng"])))))}
    before = net.get_state()
    with pytest.raises(InvalidParameterError, match=f"TopActionRL.set_state: {message}"):
        net.set_state(bad)
    assert_same_state(net.get_state(), before)


@pytest.mark.parametrize("backend", BACKENDS)
def test_resetting_some_copies_draws_from_their_streams_alone(backend):
    """Copies 0 and 2 reset after 2 ticks, copy 1 goes on: each is the lone run that did the same."""
    seeds, reset = (3, 9, 27), np.array([True, False, True])
    net = small(backend, seeds)
    actions, logs = play(net, 2)
    net.reset(copies=reset)
    assert_later_ticks_are_lone_runs(net, seeds, reset, lambda seed: small(backend, seed), backend == "numba")


def assert_later_ticks_are_lone_runs(net, seeds, reset, lone_network, exact_state):
    """After 2 ticks and a reset of some copies, 3 more ticks of ``net`` equal lone runs that did the same."""
    later_actions, later_logs = play(net, 3, first=2)
    for k, seed in enumerate(seeds):
        lone = lone_network(seed)
        play(lone, 2, copy=k)
        if reset[k]:
            lone.reset()
        lone_actions, lone_logs = play(lone, 3, copy=k, first=2)
        np.testing.assert_array_equal(later_actions[:, k], lone_actions[:, 0])
        np.testing.assert_array_equal(later_logs[:, :, k], lone_logs[:, :, 0])
        assert_copy_is_lone_run(net, k, lone, exact_state=exact_state)


class RandomStartLIF(LIF):
    """LIF neurons that start each episode at a random potential: a reset that draws."""

    def init_state(self, batch_size, rng):
        state = super().init_state(batch_size, rng)
        return state._replace(potential=state.potential + rng.uniform(0.0, 0.5, state.potential.shape))


def test_a_partial_reset_that_draws_moves_only_the_reset_copies_streams():
    seeds, reset = (3, 9, 27), np.array([False, True, True])
    net = TopActionRL(parts={"neurons": RandomStartLIF}, keys={"seed": np.array(seeds), "batch_size": 3})
    net.reset()
    play(net, 2)
    before = json.loads(str(net.get_state()["rng"]))
    net.reset(copies=reset)
    assert json.loads(str(net.get_state()["rng"]))[0] == before[0]

    def lone_network(seed):
        lone = TopActionRL(parts={"neurons": RandomStartLIF}, keys={"seed": seed})
        lone.reset()
        return lone

    assert_later_ticks_are_lone_runs(net, seeds, reset, lone_network, exact_state=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_copies_state_holds_each_copys_stream(backend):
    """A copy put back with set_copies_state replays its ticks exactly; the others are untouched."""
    net = small(backend)
    play(net, 1)
    middle = np.array([False, True, False])
    kept = net.copies_state(middle)
    assert kept["rng"].shape == (1,) and json.loads(str(kept["rng"][0])) == json.loads(str(net.get_state()["rng"]))[1]
    actions, logs = play(net, 2, first=1)
    after = net.get_state()
    net.set_copies_state(middle, kept)
    restored = net.get_state()
    assert json.loads(str(restored["rng"]))[::2] == json.loads(str(after["rng"]))[::2]
    assert json.loads(str(restored["rng"]))[1] == json.loads(str(kept["rng"][0]))
    again, again_logs = play(net, 2, first=1)
    np.testing.assert_array_equal(again[:, 1], actions[:, 1])
    np.testing.assert_array_equal(again_logs[:, :, 1], logs[:, :, 1])
    shared = small(backend, 3, batch_size=3)
    assert not isinstance(shared.rng, CopyStreams)
    assert "rng" not in shared.copies_state(middle)  # one Generator for the batch: not a copy's own


@pytest.mark.parametrize("seed, message", [
    ([1, 2], "must be a scalar or an array of shape \\(3,\\). Got an array of shape \\(2,\\) instead"),
    ([1, None, 2], "must be an int >= 0 or None, or a 1-D array with one value per network, each an int in the range "
                   "\\[0, 2\\*\\*63 - 1\\]. Got \\[1, None, 2\\] instead"),
    ([1, -2, 3], "Got \\[1, -2, 3\\] instead"),
    (np.array([1.0, 2.0, 3.0]), "Got array\\(\\[1., 2., 3.\\]\\) instead"),
    ([True, False, True], "Got \\[True, False, True\\] instead"),
    ([[1, 2, 3]], "must be a scalar or an array of shape \\(3,\\)"),
])
def test_a_bad_seed_array_is_refused_naming_the_network(seed, message):
    with pytest.raises(InvalidParameterError, match="The 'seed' parameter of SmallNetwork .*" + message):
        from conftest import SmallNetwork
        SmallNetwork(keys={"seed": seed, "batch_size": 3})


def test_copy_streams_split_every_draw_along_the_batch_axis():
    generators = [np.random.default_rng(seed) for seed in (1, 2)]
    streams = CopyStreams([np.random.default_rng(seed) for seed in (1, 2)])
    high = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])  # a parameter per network: row k is copy k's
    got = streams.uniform(0.0, high, (2, 3))
    for k, generator in enumerate(generators):
        np.testing.assert_array_equal(got[k], generator.uniform(0.0, high[k], (1, 3))[0])
    np.testing.assert_array_equal(streams.lognormal(0.0, 0.5, size=(2, 4))[1], generators[1].lognormal(0.0, 0.5, 4))
    with pytest.raises(ValueError, match="size must start with B=2; got size \\(3, 2\\) for random"):
        streams.random((3, 2))
    with pytest.raises(AttributeError, match="CopyStreams draws with .* only"):
        streams.shuffle


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loop_gives_copy_k_the_games_and_network_of_a_lone_run(backend):
    """GenericLoop seeds copy k's game as a lone run seeded seed[k] does, from the first episode or a later one."""
    from spikey.core import GenericLoop
    from spikey.experiments import FlorianXOR
    from spikey.games import Logic

    params = {"n_episodes": 3, "len_episode": 4, "preset": "XOR", "pattern_order": "uniform", "processing_time": 30,
              "progress": False, "backend": backend}
    seeds = [4, 2**40, 17]
    for first_episode in (0, 5):
        network, _, results, _ = GenericLoop(FlorianXOR, Logic, **params, seed=np.array(seeds),
                                             batch_size=3)(first_episode=first_episode)
        for k, seed in enumerate(seeds):
            lone, _, lone_results, _ = GenericLoop(FlorianXOR, Logic, **params, seed=seed)(first_episode=first_episode)
            for name, values in lone_results.items():
                np.testing.assert_array_equal(results[name][:, k], values[:, 0], err_msg=name)
            assert_copy_is_lone_run(network, k, lone, exact_state=backend == "numba")


def test_ray_train_workers_derive_each_copys_seed_alone():
    from spikey.core.ray_train import worker_seed

    assert worker_seed(np.array([3, 8]), 0) == [3, 8]
    assert worker_seed(np.array([3, 8]), 2) == [worker_seed(3, 2), worker_seed(8, 2)]
    assert worker_seed(3, 2) != 3


def test_a_seed_list_without_batch_size_is_refused_naming_seed():
    with pytest.raises(InvalidParameterError, match=r"The 'seed' parameter of TopActionRL must be a scalar or an "
                                                    r"array of shape \(1,\). Got an array of shape \(3,\)"):
        TopActionRL(keys={"seed": [1, 2, 3]})


@pytest.mark.parametrize("seed", [7, [1, 2]], ids=["one seed", "a seed per copy"])
def test_a_batch_whose_copies_are_in_different_episodes_saves_and_loads(seed, tmp_path):
    """A training loop gives each network of a batch its own episode: a state with one episode per copy loads back."""
    net = small("numpy", seed, batch_size=2)
    net.set_episode(np.array([3, 5]))
    play(net, 1)
    loaded = Network.load(net.save(tmp_path / "net"))
    np.testing.assert_array_equal(loaded.episode, [3, 5])
    fresh = small("numpy", seed, batch_size=2)
    fresh.set_state(net.get_state())
    np.testing.assert_array_equal(play(fresh, 1)[0], play(loaded, 1)[0])


@pytest.mark.parametrize("seeds", [(3, 9), 7], ids=["a seed per copy", "one seed"])
def test_set_copies_state_refuses_what_set_state_would_before_anything_changes(seeds):
    net = small("numpy", seeds, batch_size=2)
    play(net, 1)
    copy_one, first = np.array([False, True]), np.array([True, False])
    good = net.copies_state(copy_one)
    bad_weights = {**good, "weights.values": np.full_like(good["weights.values"], np.nan)}
    missing = {name: array for name, array in good.items() if name != "weights.mask"}
    other_seeding = small("numpy", 7 if np.ndim(seeds) else (3, 9), batch_size=2).copies_state(copy_one)
    before = net.get_state()
    for arrays, match in [(bad_weights, "'weights.values' must be finite"), (missing, "takes the entries of"),
                          (other_seeding, "takes the entries of|'rng'"), ([1, 2], "takes the entries of")]:
        with pytest.raises(InvalidParameterError, match=rf"TopActionRL.set_copies_state.*({match})"):
            net.set_copies_state(first, arrays)
        assert_same_state(net.get_state(), before)
    net.set_copies_state(first, good)  # copy 1's state into copy 0, copy 1 unchanged
    assert_same_state(net.copies_state(first), good)
    assert_same_state(net.copies_state(copy_one), good)
    with pytest.raises(ValueError, match=r"TopActionRL.set_copies_state: copies must be a bool array"):
        net.set_copies_state([0, 1], good)


@pytest.mark.parametrize("seeds", [[True, 2], [np.bool_(True), 1]], ids=["bool", "numpy bool"])
def test_a_bool_among_seeds_is_refused_not_read_as_an_int(seeds):
    with pytest.raises(InvalidParameterError, match=r"The 'seed' parameter of TopActionRL must be .* Got \["):
        TopActionRL(keys={"seed": seeds, "batch_size": 2})
