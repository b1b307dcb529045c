"""A census of what bad input does at every public entry point: clear error, unclear crash, silently accepted.

Not a speed benchmark: it feeds the entry points a network or game offers
after construction (``tick``, ``reward``, ``set_state``, ``set_key``,
modifiers, ``Game.step``, ``VectorGame.step``, ``GymWrapper.step``) and a few
constructors the bad values of each kind, and sorts every outcome:

- **clear error**: a ValueError, TypeError, RuntimeError or FloatingPointError
  whose message names the network, part or game, with the object unchanged;
- **unclear crash**: any other exception (IndexError, KeyError,
  OverflowError...), or a clear-looking one that names nobody;
- **half-applied**: a clear error, but the object changed before it;
- **silently accepted**: no error, and nothing visibly wrong;
- **wrong result**: no error, and the result is not finite or leaves its space.

A handful of good values (numpy scalars and 0-d arrays that equal valid
values) are counted apart: they must be accepted.

Usage::

    python benchmarks/bad_input_census.py            # the counts, a few seconds
    python benchmarks/bad_input_census.py --verbose  # one line per case
"""
from __future__ import annotations

import argparse
import json
import warnings
from collections import Counter

import numpy as np

from spikey.experiments import FlorianTemporalXOR, FlorianXOR
from spikey.games import CartPole, GymWrapper, Logic, RandState, VectorGame
from spikey.snn.modifier import LinearDecay
from spikey.snn.synapse import STDP

CLEAR = (ValueError, TypeError, RuntimeError, FloatingPointError)


def network(template=FlorianXOR, **keys):
    net = template(keys={"seed": 0, "processing_time": 20, **keys})
    net.reset()
    return net


def snapshot(obj):
    """Everything a refused call must leave as it was."""
    if hasattr(obj, "get_state"):
        return {**obj.get_state(), **{f"{role}.params": repr(part.params) for role, part in obj.parts.items()}}
    if isinstance(obj, VectorGame):
        return [snapshot(env) for env in obj.envs]
    inner = getattr(obj, "env", obj).unwrapped
    return repr({name: value for name, value in vars(inner).items() if "state" in name})


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    return a == b


def finite(result) -> bool:
    """Whether a call's result (an action, the observation of a game step, an object) has only finite numbers."""
    first = result[0] if isinstance(result, tuple) else result
    if first is None:
        return True
    try:
        return bool(np.isfinite(np.asarray(first, dtype=float)).all())
    except (TypeError, ValueError):
        return True


def state_with(name, edit):
    net = network()
    state = net.get_state()
    state[name] = edit(state[name].copy())
    return net, lambda: net.set_state(state)


def put(index, value):
    def edit(array):
        array[index] = value
        return array
    return edit


def tick_cases():
    bad = {"None": None, "str": "on", "NaN": [np.nan, 1], "inf": [1, np.inf], "empty": [], "short": [1],
           "wide": [1, 0, 1], "2x2": [[1, 0], [0, 1]], "ragged": [[1], [0, 1]], "object": [None, 1]}
    for template in (FlorianXOR, FlorianTemporalXOR):
        for label, value in bad.items():
            net = network(template)
            yield f"{template.__name__}.tick({label})", net, lambda net=net, value=value: net.tick(value)
    net = network(batch_size=4)
    yield "FlorianXOR(B=4).tick(one observation)", net, lambda: net.tick([1, 0, 1, 1])


def reward_cases():
    for label, kwargs in {"str": {"reward": "1"}, "bool": {"reward": True}, "NaN": {"reward": np.nan},
                          "inf": {"reward": np.inf}, "3 rewards": {"reward": [1.0, 1.0, 1.0]},
                          "no arguments": {}, "action 7": {"state": [1, 0], "action": 7},
                          "action None": {"state": [1, 0], "action": None},
                          "action 0.5": {"state": [1, 0], "action": 0.5},
                          "state NaN": {"state": [np.nan, 0], "action": 1}}.items():
        net = network()
        yield f"FlorianXOR.reward({label})", net, lambda net=net, kwargs=kwargs: net.reward(**kwargs)
    fresh = FlorianXOR(keys={"seed": 0})
    yield "FlorianXOR.reward before reset", fresh, lambda: fresh.reward(reward=1.0)


def state_cases():
    for label, name, edit in [("NaN weight", "weights.values", put((0, 0, 0), np.nan)),
                              ("weight above its bound", "weights.values", put((0, 0, 0), 50.0)),
                              ("weight on an absent synapse", "weights.values", put((0, 60, 0), 1.0)),
                              ("zero eligibility scale", "synapses.z_scale", put(0, 0.0)),
                              ("negative eligibility scale", "synapses.z_scale", put(0, -1.0)),
                              ("float32 weights", "weights.values", lambda a: a.astype(np.float32)),
                              ("bad rng JSON", "rng", lambda a: np.array("{oops")),
                              ("foreign rng", "rng", lambda a: np.array(json.dumps({"bit_generator": "MT19937"}))),
                              ("NaN potential", "neurons.potential", put((0, 0), np.nan))]:
        net, call = state_with(name, edit)
        yield f"FlorianXOR.set_state({label})", net, call


def key_cases():
    for label, name, value in [("prob_connection (read at construction)", "prob_connection", 0.0),
                               ("max_weight (bounds)", "max_weight", 0.3),
                               ("firing_threshold below rest", "firing_threshold", -1.0),
                               ("negative learning_rate", "learning_rate", -1.0),
                               ("n_observations", "n_observations", 3)]:
        net = network()
        yield f"FlorianXOR.set_key({label})", net, lambda net=net, name=name, value=value: net.set_key(name, value)
    decay = LinearDecay(key="learning_rate", t_stop=10, value_start=0.1, value_stop=-0.1)
    yield "LinearDecay leaving the range, 10 episodes", None, lambda: _schedule(decay)


def _schedule(modifier):
    net = FlorianXOR(keys={"seed": 0}, parts={"modifiers": [modifier]})
    for episode in range(modifier.params.t_stop + 1):
        net.set_episode(episode)
    return net.parts["synapses"].params.learning_rate


def game_cases():
    for label, action in {"7": 7, "None": None, "0.5": 0.5, "str": "a"}.items():
        game = Logic(preset="XOR")
        game.reset(seed=0)
        yield f"Logic.step({label})", game, lambda game=game, action=action: game.step(action)
    for label, actions in {"3 for 4": [1, 1, 1], "5 for 4": [1, 1, 1, 1, 1], "2x2": [[1, 1], [1, 1]],
                           "7 for one copy": [1, 7, 1, 1]}.items():
        games = VectorGame("spikey/Logic-v0", batch_size=4, preset="XOR")
        games.reset(seed=0)
        yield f"VectorGame.step({label})", games, lambda games=games, actions=actions: games.step(actions)
    for label, action in {"NaN": [np.nan], "out of bounds": [5.0], "wrong size": [1.0, 1.0], "str": ["a"]}.items():
        game = GymWrapper("Pendulum-v1")
        game.reset(seed=0)
        yield f"GymWrapper(Pendulum).step({label})", game, lambda game=game, action=action: game.step(action)


def constructor_cases():
    yield "LIF refractory_period=10**30", None, lambda: network(refractory_period=10**30).tick([1, 0])
    yield "FlorianXOR a_plus=1e250, 20 ticks", None, lambda: _ticks(network(a_plus=1e250, processing_time=500), 20)
    yield "LIF resting_mv above threshold", None, lambda: network(resting_mv=20.0)
    yield "RandState n_states=2**64", None, lambda: RandState(n_states=2**64).reset(seed=0)
    yield "CartPole tau=1e300", None, lambda: _cartpole_steps(tau=1e300)
    yield "CartPole theta_init_range=(1, 2)", None, lambda: _cartpole_steps(theta_init_range=(1.0, 2.0))
    yield "STDP(tau_plsu=5.0)", None, lambda: STDP(n_inputs=2, n_neurons=2, learning_rate=0.1, tau_plsu=5.0)
    net = network()
    yield "params array written through", net, lambda: _write(net.parts["inputs"].params.input_polarity)


def _ticks(net, n: int):
    for _ in range(n):
        net.reward([1, 0], net.tick([1, 0]))
    return net.weights


def _write(array):
    array[0] = 5.0


def _cartpole_steps(**keys):
    game = CartPole(**keys)
    observation, _ = game.reset(seed=0)
    if not game.observation_space.contains(observation.astype(game.observation_space.dtype)):
        return np.array([np.nan])  # outside its own space: a wrong result
    return game.step(0)


def good_cases():
    yield "0-d array for a batched key", lambda: network(potential_decay=np.array(0.05))
    yield "np.str_ option", lambda: network(spike_pairing=np.str_("arrival"))
    yield "np.int64 int key", lambda: network(processing_time=np.int64(20))
    yield "np.float32 float key", lambda: network(learning_rate=np.float32(0.5))


def owner_named(error, obj) -> bool:
    """Whether the message names who refused (numpy's own read-only error needs no name)."""
    names = {"FlorianXOR", "FlorianTemporalXOR", "LIF", "MSTDPET", "Random", "RateMap", "SymbolTrains", "Logic",
             "VectorGame", "GymWrapper", "CartPole", "RandState", "STDP", "MatchExpected", "LinearDecay", "Threshold"}
    return "read-only" in str(error) or any(name in str(error) for name in names)


def outcome(obj, call) -> str:
    before = snapshot(obj) if obj is not None else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except CLEAR as error:
        if not owner_named(error, obj):
            return "unclear crash"
        return "clear error" if obj is None or same(before, snapshot(obj)) else "half-applied"
    except Exception:  # noqa: BLE001 -- any other exception is what the census counts
        return "unclear crash"
    return "silently accepted" if finite(result) else "wrong result"


def census(verbose: bool = False) -> tuple[Counter, Counter]:
    """Run every case; return the outcome counts of the bad inputs and of the good numpy values."""
    counts, good = Counter(), Counter()
    for group in (tick_cases, reward_cases, state_cases, key_cases, game_cases, constructor_cases):
        for label, obj, call in group():
            result = outcome(obj, call)
            counts[result] += 1
            if verbose:
                print(f"  {result:18s} {label}")
    for label, call in good_cases():
        try:
            call()
            good["accepted"] += 1
        except Exception as error:  # noqa: BLE001
            good["refused"] += 1
            if verbose:
                print(f"  {'refused (good)':18s} {label}: {type(error).__name__}")
    return counts, good


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    counts, good = census(parser.parse_args(argv).verbose)
    kinds = ("clear error", "unclear crash", "half-applied", "silently accepted", "wrong result")
    print(f"bad inputs tried: {sum(counts.values())}; " + ", ".join(f"{kind}: {counts[kind]}" for kind in kinds))
    print(f"good numpy values: {good['accepted']} accepted, {good['refused']} refused")


if __name__ == "__main__":
    main()
