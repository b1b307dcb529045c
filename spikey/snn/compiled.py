"""The compiled backend: which built-in parts have a compiled twin, and the call that runs a tick compiled.

A network's ``backend`` key picks how its ticks run. ``"numpy"`` runs the
parts' own numpy code, the reference and the path of every part written
outside Spikey. ``"numba"`` runs each tick's timesteps in one call of the
compiled kernel of :mod:`spikey.snn._tick_kernel`, which gives the same spikes
from the same seed and weights equal to 1e-12 (in a network whose ``dtype``
is float32, the kernel runs in float32 too: weights equal to 1e-5).
``"auto"`` (the default) takes ``"numba"`` when every part is listed in
:data:`COMPILED_TWINS` and numba is installed, ``"numpy"`` otherwise.

The kernel runs LIF or Izhikevich neurons (:class:`~spikey.snn.neuron.Izhikevich`,
:class:`~spikey.snn.neuron.CorticalIzhikevich`, each neuron with its own
``a, b, c, d``) with STDP, MSTDP, MSTDPET or DopamineSTDP. DopamineSTDP keeps
a network's weights and eligibility by synapse during the tick, so that its
update every ``update_interval`` steps reads only the synapses; its running
scale is folded in at the steps the numpy rule folds it, which are known
before the tick.

The random stream is the network's Generator on both backends: the input
part draws a tick's input spikes and, with ``prob_rand_fire > 0``, the
random firing draws of every step are taken at once after them, as the numpy
path draws them step by step; so is CorticalIzhikevich's thalamic current
(nothing else draws between the steps of these networks). Rewards scheduled
before the tick (:meth:`~spikey.snn.network.Network.scheduled_rewards`, as
:class:`~spikey.experiments.DistalReward` gives them) reach the rule at their
steps, and a current injected into the neurons
(:meth:`~spikey.snn.network.Network.injected_current`, as
:class:`~spikey.experiments.ClassicalConditioning` gives its stimuli) is added
to each step's charge. A rewarder scoring the output spikes of each step
(:class:`~spikey.snn.rl_network.ActiveRLNetwork`) is asked once per tick for
the reward of every number of output neurons that can fire, which the
:class:`~spikey.snn.readout.Threshold` readout turns into its two actions;
such a network with scheduled rewards as well runs on numpy. A tick with
step monitors runs on numpy (they are Python callables).

The kernel sums each step's charge over the weight rows of the arriving
spikes, in row order, as :func:`~spikey.snn.network.synaptic_input` does
while at most a quarter of the batch's presynaptic neurons spike. Above
that, numpy takes a matrix product, summed in BLAS's order: the charges can
then differ in their last bits, which Izhikevich neurons, being chaotic, can
grow beyond 1e-12 over many steps.

numba is imported on the first compiled tick, never at ``import spikey``;
the first tick of a process compiles the kernel (about 10 s, then loaded
from numba's disk cache in well under a second). The kernel is serial:
parallelism comes from the batch axis and from Ray workers, so numba's
thread count does not matter.
"""
from __future__ import annotations

import importlib.util
import math
import warnings

import numpy as np

from spikey.module import InvalidParameterError
from spikey.snn.input import RBF, RateMap, SpikeTrain, StaticMap, SymbolTrains
from spikey.snn.neuron import LIF, CorticalIzhikevich, Izhikevich
from spikey.snn.readout import NeuronRates, PopulationVector, Threshold, TopAction
from spikey.snn.reward import MatchExpected
from spikey.snn.streams import random_steps
from spikey.snn.synapse import MSTDP, MSTDPET, STDP, DopamineSTDP
from spikey.snn.synapse.traces import renormalize_below
from spikey.snn.weight import Manual, OutDegree, Random

__all__ = ["COMPILED_TWINS", "unsupported_parts", "resolve_backend", "run_compiled", "reward_compiled"]

COMPILED_TWINS = {
    "inputs": (RateMap, StaticMap, RBF, SpikeTrain, SymbolTrains),  # their own step draws, outside the kernel
    "neurons": (LIF, Izhikevich, CorticalIzhikevich),  # CorticalIzhikevich's thalamic draws outside the kernel
    "weights": (Manual, Random, OutDegree),  # initial weights only: the kernel reads the weight state
    "synapses": (STDP, MSTDP, MSTDPET, DopamineSTDP),
    "readout": (Threshold, NeuronRates, PopulationVector, TopAction),  # read after the tick
    "rewarder": (MatchExpected,),
}
"""Built-in part classes the compiled tick runs, by role (the exact classes, not subclasses)."""

STEP_READOUTS = (Threshold,)
"""Readouts the compiled tick can apply to each step's output spikes (rewards during the tick)."""

_RULES = {STDP: 1, MSTDP: 2, MSTDPET: 3, DopamineSTDP: 4}  # the kernel's STDP_RULE ... DOPAMINE_RULE
_KERNEL = []  # the imported kernel module, once imported


def numba_installed() -> bool:
    """Whether numba can be found (without importing it)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):
        return False


def unsupported_parts(network) -> list[str]:
    """What keeps ``network`` off the compiled tick, e.g. ``["neurons=Izhikevich"]``; empty if nothing.

    Besides parts without a twin, a network class that overrides how a tick
    runs or is rewarded, or a network rewarded during the tick whose readout
    cannot be applied per step, is listed.
    """
    from spikey.snn.network import Network
    from spikey.snn.rl_network import ActiveRLNetwork

    problems = [f"{role}={type(part).__name__}" for role, part in network.parts.items()
                if type(part) not in COMPILED_TWINS.get(role, ())]
    if network.modifiers and not all(type(m).__module__ == "spikey.snn.modifier" for m in network.modifiers):
        problems.append("modifiers written outside spikey.snn.modifier")
    cls = type(network)
    overridden = [name for name in ("_run", "_learn") if getattr(cls, name) is not getattr(Network, name)]
    if cls.continuous_reward not in (Network.continuous_reward, ActiveRLNetwork.continuous_reward):
        overridden.append("continuous_reward")
    if overridden:
        problems.append(f"{cls.__name__} overrides {', '.join(overridden)}")
    rewarded_per_step = cls.continuous_reward is ActiveRLNetwork.continuous_reward
    if rewarded_per_step and cls.scheduled_rewards is not Network.scheduled_rewards:
        problems.append(f"{cls.__name__} has scheduled rewards besides the rewards at output spikes")
    if rewarded_per_step and type(network.parts["readout"]) not in STEP_READOUTS:
        problems.append(f"readout={type(network.parts['readout']).__name__} applied at every step (rewards during "
                        f"the tick need {', '.join(r.__name__ for r in STEP_READOUTS)})")
    return problems


def resolve_backend(network) -> str:
    """The backend ``network`` runs on, ``"numpy"`` or ``"numba"``, from its ``backend`` key.

    Raises
    ------
    InvalidParameterError
        For ``backend="numba"`` when a part has no compiled twin (naming
        each) or numba is not installed.
    """
    requested = network.params.backend
    if requested == "numpy":
        return "numpy"
    problems = unsupported_parts(network)
    if requested == "auto":
        return "numba" if not problems and numba_installed() else "numpy"
    if not numba_installed():
        problems.append("numba is not installed (python -m pip install numba)")
    if problems:
        raise InvalidParameterError(
            f"The 'backend' parameter of {type(network).__name__} must be 'numpy' or 'auto' for this network: "
            f"the compiled tick cannot run it ({'; '.join(problems)}). Got 'numba' instead."
        )
    return "numba"


def _kernel():
    """The kernel module, imported on first use; None if numba fails to import."""
    if not _KERNEL:
        try:
            from spikey.snn import _tick_kernel
        except ImportError as error:  # found but broken: run on numpy, say so once
            warnings.warn(f"numba failed to import ({error}); ticks run on the numpy backend.", RuntimeWarning)
            _tick_kernel = None
        _KERNEL.append(_tick_kernel)
    return _KERNEL[0]


def run_compiled(network, arrivals: np.ndarray, rewards: np.ndarray, injected: np.ndarray | None) -> bool:
    """Run a tick's steps compiled, as ``Network._run`` would on numpy; False if this tick must run on numpy.

    Parameters
    ----------
    network : Network
        Its state (neurons, synapse traces, weights, next arrivals) is updated; its Generator draws random
        firing.
    arrivals : ndarray of shape (T + 1, B, n_inputs + n_neurons), bool
        Input columns filled in; the body columns of rows 1 to T are written.
        The kernel runs in the network's ``dtype``.
    rewards : ndarray of shape (T, B), float64
        The rewards scheduled at each step (``Network._rewards_planned``).
    injected : ndarray of shape (T, B, n_neurons), float64, or None
        The current injected at each step (``Network._current_planned``).

    Returns
    -------
    bool
        False, with nothing changed, when the tick has step monitors, numba
        fails to import, or the rewarder refuses an action the readout can
        give (the numpy path then raises at the step that gives it).

    Raises
    ------
    FloatingPointError
        If a learning update was infinite or NaN (the numpy path's neurons
        then turn NaN, which :meth:`Network.tick` reports), after the tick
        has updated the state, as there.
    """
    kernel = _kernel() if not network.step_monitors else None
    if kernel is None:
        return False
    reward_table = _reward_table(network)
    if reward_table is None:
        return False
    n_steps = len(arrivals) - 1
    neurons, state = network.parts["neurons"], network.state
    potential = _own_array(state["neurons"].potential)
    per_step, lif, izhikevich, code = _neuron_arrays(network, n_steps)
    rule, traces, rate, fparams = _rule(network, n_steps)
    refractory, rest, prob_rand_fire = _lif_keys(neurons)
    interval = getattr(network.parts["synapses"].params, "update_interval", 1)  # DopamineSTDP's
    iparams = np.array([refractory, rule, network.params.input_delay, network.params.spike_pairing == "emission",
                        network.params.n_outputs, code, interval], dtype=np.int64)
    fparams[:3] = rest, neurons.params.magnitude, prob_rand_fire
    injected = np.zeros((0, 0, 0)) if injected is None else injected
    finite = kernel.run_tick(arrivals, potential, per_step, injected, lif, izhikevich, *state["weights"], *traces,
                             rate, reward_table, rewards, fparams, iparams)
    state["neurons"] = _neuron_state(network, potential, lif, izhikevich)
    state["next_arrivals"] = arrivals[-1].copy()
    if rule:
        state["synapses"] = _synapse_state(network, traces)
    if not finite:
        raise _overflow(network)
    return True


def _neuron_arrays(network, n_steps: int):
    """``(per_step, lif, izhikevich, code)`` for the kernel; the Generator draws the tick's random numbers.

    LIF draws the random firing of every step at once (with ``prob_rand_fire
    > 0``), CorticalIzhikevich the thalamic current of every step: the
    numbers of the numpy path's draws of each step, as nothing else draws
    between them.
    """
    neurons, batch, dtype = network.parts["neurons"], network.params.batch_size, network.dtype
    state, n = network.state["neurons"], neurons.params.n_neurons
    no_draws = np.zeros((0, 0, 0))  # float64, as the draws: one compiled signature per state dtype
    if type(neurons) is LIF:
        p = neurons.params
        draws = random_steps(network.rng, n_steps, (batch, n)) if p.prob_rand_fire > 0 else no_draws
        lif = (_own_array(state.refractory_timer), _own_array(state.pending),
               _per_network(1.0 - np.asarray(p.potential_decay), batch, dtype),
               _per_network(p.firing_threshold, batch, dtype))
        return draws, lif, (np.zeros((0, 0), dtype=dtype), np.zeros((0, 0, 0), dtype=dtype)), 0
    current = neurons.thalamic_current(network.rng, (batch, n), n_steps) if type(neurons) is CorticalIzhikevich \
        else None
    cells = _own_array(np.stack([np.broadcast_to(value, (batch, n)) for value in neurons.cell_parameters()]), dtype)
    lif = (np.zeros((0, 0), dtype=np.int64), np.zeros((batch, 0, 0), dtype=bool), np.ones(batch, dtype=dtype),
           np.ones(batch, dtype=dtype))
    return no_draws if current is None else current, lif, (_own_array(state.recovery), cells), 1


def _lif_keys(neurons) -> tuple:
    """``(refractory_period, resting_mv, prob_rand_fire)`` of LIF neurons; values that do nothing for others."""
    if type(neurons) is not LIF:
        return 0, 0.0, 0.0
    p = neurons.params
    return p.refractory_period, p.resting_mv, p.prob_rand_fire


def _neuron_state(network, potential, lif, izhikevich):
    """The neurons' new state from the kernel's arrays."""
    state = network.state["neurons"]
    if type(network.parts["neurons"]) is LIF:
        return type(state)(potential, *lif[:2])
    return type(state)(potential, izhikevich[0])


def reward_compiled(network, rewards: np.ndarray) -> bool:
    """Apply a reward (B,) given after a tick with the compiled kernel; False if the rule's numpy reward must do it.

    MSTDPET's ``w += γ r z`` reads every synapse, the one reward worth a
    kernel; the other rules' rewards touch only the last step's spikes.

    Raises
    ------
    FloatingPointError
        If a sum was infinite or NaN (the weights are clipped by then).
    """
    kernel = _kernel() if type(network.parts["synapses"]) is MSTDPET else None
    if kernel is None:
        return False
    state, batch = network.state["synapses"], network.params.batch_size
    values, _, low, high = network.state["weights"]
    finite = kernel.reward_eligibility(values, low, high, state.z, state.z_scale,
                                       _per_network(network.parts["synapses"].params.learning_rate, batch),
                                       np.array(rewards, dtype=np.float64))
    if not finite:
        raise _overflow(network)
    return True


def _overflow(network) -> FloatingPointError:
    """The error for a learning update that overflowed the state's float type."""
    return FloatingPointError(
        f"{type(network).__name__}: a weight or eligibility update of {type(network.parts['synapses']).__name__} "
        f"became infinite or NaN: some key's value is too large for {network.dtype} arithmetic (effective_keys() "
        "lists every value)."
    )


def _own_array(array, dtype=None) -> np.ndarray:
    """A C-ordered copy of an array, of ``dtype`` if given: one compiled signature whatever order a state has."""
    return np.array(array, dtype=dtype, order="C")


def _per_network(value, batch: int, dtype=np.float64) -> np.ndarray:
    """A batched key's value as a new array (B,), computed in float64 and cast to ``dtype``."""
    return np.full(batch, value, dtype=np.float64).astype(dtype, copy=False)


def _rule(network, n_steps: int):
    """``(rule code, traces, learning rate (B,), float params)`` for the kernel; code 0 in eval mode."""
    synapses = network.parts["synapses"]
    p, state, batch, dtype = synapses.params, network.state["synapses"], network.params.batch_size, network.dtype
    rule = _RULES[type(synapses)] if network.training else 0
    fparams = np.zeros(10)
    flags = np.zeros((1, 1), dtype=bool)
    dopamine = (np.zeros(1, dtype=dtype), np.zeros(1, dtype=np.int64), np.zeros(1), np.zeros(1),
                np.zeros(0, dtype=bool))
    traces = [np.array(state.p_plus), np.array(state.p_minus), flags, flags, np.zeros((1, 1, 1), dtype=dtype),
              np.ones(1, dtype=dtype), dopamine]
    if rule == _RULES[MSTDP]:
        traces[2:4] = np.array(state.pre), np.array(state.post)
    if rule == _RULES[MSTDPET]:
        traces[4:6] = state.z, np.array(state.z_scale)  # z in place, as the numpy rule updates it
        fparams[7:9] = math.exp(-1.0 / p.tau_z), p.tau_z
    if rule == _RULES[DopamineSTDP]:
        traces[4:6] = state.c, np.array(state.c_scale)  # c in place, as the numpy rule updates it
        fparams[7], fparams[9] = math.exp(-1.0 / p.tau_c), math.exp(-1.0 / p.tau_d)
        traces[6] = (np.array(state.d), np.array(state.steps), _per_network(p.dopamine_per_reward, batch),
                     _per_network(p.tonic_dopamine, batch), _fold_steps(state.c_scale, fparams[7], n_steps))
    fparams[3:7] = math.exp(-1.0 / p.tau_plus), math.exp(-1.0 / p.tau_minus), p.a_plus, p.a_minus
    return rule, traces, _per_network(p.learning_rate, batch), fparams


def _fold_steps(scale, decay: float, n_steps: int) -> np.ndarray:
    """The steps (T,) at which the numpy rule folds the running scales into c (traces.rescale).

    It folds every network's scale in at once, when the smallest would fall
    below 1e-100 (float32: :func:`~spikey.snn.synapse.traces.renormalize_below`);
    the scales do not depend on spikes, so the steps are known before the
    tick. The arithmetic is the rule's, in the scale's float type.
    """
    fold = np.zeros(n_steps, dtype=bool)
    smallest, below, typed = np.min(scale), renormalize_below(scale.dtype), scale.dtype.type
    for t in range(n_steps):
        if smallest * decay >= below:
            smallest *= decay
        else:
            fold[t] = True
            smallest = typed(decay if decay >= below else 1.0)
    return fold


def _synapse_state(network, traces):
    """The rule's new state from the kernel's trace arrays."""
    rule = type(network.parts["synapses"])
    if rule is DopamineSTDP:
        level, steps = traces[6][:2]
        return rule.State(*traces[:2], *traces[4:6], level, steps)
    fields = {STDP: (0, 1), MSTDP: (0, 1, 2, 3), MSTDPET: (0, 1, 4, 5)}[rule]
    return rule.State(*(traces[k] for k in fields))


def _reward_table(network):
    """The reward (B, n_outputs + 1) of a step at which k output neurons fire; zeros without step rewards.

    None if the rewarder refuses an action the readout gives for some k.
    """
    from spikey.snn.rl_network import ActiveRLNetwork

    batch, n_outputs = network.params.batch_size, network.params.n_outputs
    table = np.zeros((batch, n_outputs + 1))
    if type(network).continuous_reward is not ActiveRLNetwork.continuous_reward or not network.training:
        return table
    fired = np.tri(n_outputs + 1, n_outputs, -1)[1:]  # row k - 1: the first k outputs fire
    actions = network.parts["readout"](fired, network.rng)  # Threshold: a function of the count alone
    try:
        for action in np.unique(actions):
            rewards = network._score(np.full(batch, action))  # the tick's scorer, as continuous_reward uses it
            table[:, 1:][:, actions == action] = np.asarray(rewards, dtype=np.float64)[:, None]
    except InvalidParameterError:
        return None
    return table
