"""Every entry point of networks built from every built-in part, and of every game, refuses bad input cleanly.

A network case swaps one part (or the network kind, a modifier, the batch
size) into a small rewarded XOR network; ``check_network`` then feeds its
``tick``, ``reward``, ``set_state``, ``set_key``, ``set_episode`` and
``reset`` the bad-value kinds and requires a clear error and an unchanged
network, on both backends. A new part is covered by adding a case here; a
test fails until every exported part has one.
"""
import numpy as np
import pytest
from conftest import KEYS, PARTS

from spikey.experiments import FlorianTemporalXOR, FlorianTemporalXORMSTDP, FlorianXOR, FlorianXORMSTDP
from spikey.games import CartPole, GymWrapper, Logic, RandState, VectorGame
from spikey.games.checks import bad_actions, check_bad_actions_refused
from spikey.module import Module
from spikey.snn import ActiveRLNetwork, Network, RLNetwork, input, modifier, neuron, readout, reward, synapse, weight
from spikey.testing import check_network

XOR_PAIRS = np.array([[0, 1], [1, 1], [0, 0]])


def first_symbol_odd(states):
    """Expected action of a game whose observation is one symbol number."""
    return np.asarray(states).reshape(len(states), -1)[:, 0] % 2 == 1


N_BODY = KEYS["n_neurons"] + KEYS["n_inputs"]
MANUAL = np.where(np.eye(N_BODY, KEYS["n_neurons"]) == 0, 0.5, 0.0)
TRAINS = np.random.default_rng(3).random((3, 10, KEYS["n_inputs"])) < 0.3

# id: (network kind, parts swapped in, keys changed, observation at batch_size 1)
CASES = {
    "RLNetwork": (RLNetwork, {}, {}, [0, 1]),
    "RLNetwork without rewarder": (RLNetwork, {"rewarder": None}, {}, [0, 1]),
    "ActiveRLNetwork": (ActiveRLNetwork, {}, {}, [0, 1]),
    "Network": (Network, {"rewarder": None}, {}, [0, 1]),
    "StaticMap": (RLNetwork, {"inputs": input.StaticMap}, {}, [0, 1]),
    "RBF": (RLNetwork, {"inputs": input.RBF}, {"rbf_low": [0.0, 0.0], "rbf_high": [1.0, 1.0]}, [0.0, 1.0]),
    "SpikeTrain": (RLNetwork, {"inputs": input.SpikeTrain},
                   {"spike_trains": TRAINS, "expected_value": first_symbol_odd}, [1]),
    "SymbolTrains": (ActiveRLNetwork, {"inputs": input.SymbolTrains},
                     {"n_symbols": 2, "train_length": 25, "train_spikes": 5}, [0, 1]),
    "Izhikevich": (RLNetwork, {"neurons": neuron.Izhikevich}, {"magnitude": 10.0}, [0, 1]),
    "RandPotential": (RLNetwork, {"neurons": neuron.RandPotential}, {"leak_scalar": 0.5}, [0, 1]),
    "CorticalIzhikevich": (RLNetwork, {"neurons": neuron.CorticalIzhikevich},
                           {"magnitude": 10.0, "thalamic_input": 13.0}, [0, 1]),
    "OutDegree": (RLNetwork, {"weights": weight.OutDegree}, {"n_synapses": 2, "initial_weight": 0.5}, [0, 1]),
    "Manual": (RLNetwork, {"weights": weight.Manual},
               {"matrix": MANUAL, "neuron_pct_inhibitory": 0.0, "input_pct_inhibitory": 0.0}, [0, 1]),
    "STDP": (RLNetwork, {"synapses": synapse.STDP}, {}, [0, 1]),
    "LTP": (RLNetwork, {"synapses": synapse.LTP}, {"trace_decay": 0.1}, [0, 1]),
    "RLSTDP": (RLNetwork, {"synapses": synapse.RLSTDP}, {"trace_decay": 0.1}, [0, 1]),
    "MSTDP": (ActiveRLNetwork, {"synapses": synapse.MSTDP}, {}, [0, 1]),
    "DopamineSTDP": (RLNetwork, {"synapses": synapse.DopamineSTDP}, {"update_interval": 3}, [0, 1]),
    "NeuronRates": (RLNetwork, {"readout": readout.NeuronRates}, {"n_actions": 1}, [0, 1]),
    "PopulationVector": (RLNetwork, {"readout": readout.PopulationVector}, {"n_actions": 1}, [0, 1]),
    "TopAction": (RLNetwork, {"readout": readout.TopAction}, {"n_outputs": 2, "layer_sizes": (5, 2), "n_actions": 2},
                  [0, 1]),
    "LinearDecay": (RLNetwork, {"modifiers": [modifier.LinearDecay(key="learning_rate", t_stop=10, value_start=0.1,
                                                                    value_stop=0.0)]}, {}, [0, 1]),
    "DropOff": (RLNetwork, {"modifiers": [modifier.DropOff(key="prob_rand_fire", t_stop=3, value_start=0.02,
                                                            value_stop=0.0)]}, {}, [0, 1]),
}
ROLE_BASES = {input.Input, neuron.Neuron, weight.Weight, synapse.Synapse, readout.Readout, reward.Reward,
              modifier.Modifier}  # abstract: their steps raise NotImplementedError
TEMPLATES = [FlorianXOR, FlorianXORMSTDP, FlorianTemporalXOR, FlorianTemporalXORMSTDP]


def composed(kind, swapped: dict, keys: dict, batch_size: int = 1):
    """The small network of conftest with parts swapped in, given the shared keys its parts declare."""
    parts = {role: part for role, part in {**PARTS, **swapped}.items() if part is not None}
    classes = [kind, *(part for part in parts.values() if isinstance(part, type))]
    declared = {key.name for cls in classes for key in cls.NECESSARY_KEYS}
    template = type(f"Small{kind.__name__}", (kind,), {"parts": parts, "keys": {
        **{name: value for name, value in KEYS.items() if name in declared}, **keys}})
    net = template(keys={"seed": 0, "batch_size": batch_size})
    net.reset()
    return net


def batched(observation, batch_size):
    return observation if batch_size == 1 else [observation] * batch_size


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("batch_size", [1, 3])
def test_every_part_in_a_network_refuses_bad_input_at_every_entry_point(case, batch_size, each_backend):
    kind, swapped, keys, observation = CASES[case]
    check_network(composed(kind, swapped, keys, batch_size), batched(observation, batch_size))


@pytest.mark.parametrize("case", CASES)
def test_every_part_in_a_float32_network_refuses_bad_input_at_every_entry_point(case, each_backend):
    """The same checks with ``dtype="float32"``: a float64 state array is refused as any other dtype."""
    kind, swapped, keys, observation = CASES[case]
    net = composed(kind, swapped, {**keys, "dtype": "float32"})
    assert net.state["weights"].values.dtype == np.float32
    check_network(net, observation)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.__name__)
def test_every_template_refuses_bad_input_at_every_entry_point(template, each_backend):
    net = template(keys={"seed": 0, "processing_time": 10})
    net.reset()
    check_network(net, [0, 1])


@pytest.mark.parametrize("package", [input, neuron, weight, synapse, readout, reward, modifier],
                         ids=lambda m: m.__name__)
def test_every_exported_part_has_a_network_case(package):
    used = {part for _, swapped, _, _ in CASES.values() for part in swapped.values() if isinstance(part, type)}
    used |= {type(m) for _, swapped, _, _ in CASES.values() for m in swapped.get("modifiers", [])}
    used |= set(PARTS.values())
    exported = [obj for obj in vars(package).values() if isinstance(obj, type) and issubclass(obj, Module)
                and obj.__module__.startswith(package.__name__)]
    missing = [obj.__name__ for obj in exported if obj not in ROLE_BASES | used]
    assert not missing, f"add a network case for {missing} to CASES in unit_tests/test_conformance.py"


# ---------------------------------------------------------------- games

GAMES = [Logic(preset="XOR"), Logic(preset="AND", pattern_order="epochs"), RandState(), RandState(encoding="index"),
         CartPole()]


@pytest.mark.parametrize("game", GAMES, ids=repr)
def test_every_game_refuses_bad_actions_before_it_changes(game):
    check_bad_actions_refused(game)


@pytest.mark.parametrize("game", GAMES, ids=repr)
def test_every_vector_game_refuses_a_bad_action_of_one_copy_before_any_copy_steps(game):
    vector = VectorGame(type(game), 3, **game.get_params())
    vector.reset(seed=0)
    valid = np.array([0, 0, 0])
    for kind, action in bad_actions(game.action_space).items():
        reference = VectorGame(type(game), 3, **game.get_params())
        reference.reset(seed=0)
        actions = np.array([0, action, 0], dtype=object) if np.ndim(action) == 0 else [0, action, 0]
        with pytest.raises(ValueError, match="VectorGame"):
            vector.step(actions)
        assert np.array_equal(vector.step(valid)[0], reference.step(valid)[0]), kind
        vector.reset(seed=0)


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Pendulum-v1", "FrozenLake-v1"])
def test_gym_wrapper_refuses_every_bad_action_kind_before_the_environment_steps(env_id):
    check_bad_actions_refused(GymWrapper(env_id))


class AnyAction(Logic):
    def step(self, action):
        return super().step(int(bool(action)) if action is not None else 0)


def test_the_game_check_catches_a_game_that_takes_any_action():
    with pytest.raises(AssertionError, match="was accepted"):
        check_bad_actions_refused(AnyAction(preset="XOR"))


class Sloppy(RLNetwork):
    parts, keys = PARTS, KEYS

    def tick(self, state):
        self.rng.random()  # draws before it checks
        return super().tick(state)


def test_the_network_check_catches_a_network_that_changes_before_it_refuses():
    net = Sloppy(keys={"seed": 0})
    net.reset()
    with pytest.raises(AssertionError, match=r"check_network failed for Sloppy: tick\(None\) was refused, but "
                                             r"changed \['rng'\]"):
        check_network(net, [0, 1])
