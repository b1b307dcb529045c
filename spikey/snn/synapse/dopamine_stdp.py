"""Dopamine-modulated STDP of Izhikevich (2007), discrete time with δt = 1 ms.

Each synapse has an eligibility trace ``c`` that remembers its STDP and decays
over about a second; a global dopamine level ``d`` per network rises with each
reward and decays over about 200 ms; weights move by ``c d``, so a reward
given seconds after a pre -> post pairing still strengthens the synapse (the
distal reward problem). Izhikevich's equations, ``c' = -c/τc + STDP(τ)
δ(t - t_pre/post)``, ``d' = -d/τd + DA(t)``, ``s' = c d``, are taken per
timestep in this order, with ``f`` the 0/1 spikes of this step, ``⊗`` the
outer product over (pre, post) and ``r`` this step's reward (shape (B,)):

1. ``P+ ← P+ e^(-1/τ+) + A+ f_pre``, ``P- ← P- e^(-1/τ-) + A- f_post``;
2. ``c ← c e^(-1/τc) + ζ`` with ``ζ = P+ ⊗ f_post + f_pre ⊗ P-``, on existing synapses;
3. ``d ← d e^(-1/τd) + k r`` with ``k`` = ``dopamine_per_reward``;
4. ``w ← clip(w + η (d + d_tonic) c, low, high)`` with ``η`` = ``learning_rate``;
   with ``update_interval = k > 1``, only at every k-th step of a network, by
   ``k η (d + d_tonic) c`` (Izhikevich's code: ``k = 10``).

A pre spike at ``t0`` and a post spike at ``t0 + Δ`` add ``A+ e^(-Δ/τ+)`` to
``c``; the reverse order adds ``A- e^(-Δ/τ-)`` (a depression, ``A- <= 0``);
coincident spikes add ``A+ + A-``. Izhikevich's STDP window has ``A+ = 0.1``,
``A- = -0.15`` and ``τ+ = τ- = 20`` ms (``a_plus=0.1, a_minus=-0.15``; the
shared keys default to 1 and -1), and his weights lie in [0, 4] mV
(``max_weight=4``). ``reward(r)`` after a tick is a dopamine pulse at the
tick's last step: ``d += k r`` and ``w ← clip(w + η k r c, low, high)``, the
extra change that pulse would have made at that step. This equals giving
``r`` at the last step (up to rounding) unless that step's update clipped a
weight and ``k r`` has the opposite sign of ``d + d_tonic``.

Departures from Izhikevich's MATLAB code (``dastdp.m``), each chosen so the
rule is the per-step form of the paper's equations:

- His weights change every 10 ms by ``(0.002 + DA) sd``, after which ``sd``
  decays by 0.99; here they change every step by ``η (d + d_tonic) c``
  (``update_interval=1``, the default), or, with ``update_interval=10``,
  every 10 ms by ``10 η (d + d_tonic) c``, as his code does. His update adds
  ``c d`` once per 10 ms, a rate of ``learning_rate=0.1`` per step here
  (``learning_rate=1`` is the paper's ``s' = c d`` with t in ms).
- Decays are exact exponentials of the time constants: ``τc = 1000`` ms (his
  0.99 per 10 ms is 995 ms), ``τd = 200`` ms (his 0.995 per ms is 199.5 ms),
  ``τ± = 20`` ms (his 0.95 per ms is 19.5 ms).
- ``tonic_dopamine`` defaults to 0, so that without reward weights never
  change; his code adds a tonic 0.002, under which STDP alone slowly learns.
- The STDP traces add ``A±`` at each spike (all-to-all pairing, the
  library's trace form); his code sets the trace to 0.1 at each spike
  (nearest spike). Isolated pairs give the same ``ζ``; bursts do not.
- A reward enters ``d`` at its own step and acts on that step's weight
  update; in his code ``DA += 0.5`` comes after the step's update, so it acts
  from the next 10 ms update on.
- The pulse is ``dopamine_per_reward * r`` for any real reward: a negative
  reward makes ``d`` negative (a dip), which his code never does.
- Every existing synapse learns, clipped to the bounds of its presynaptic
  row (an inhibitory row stays in ``[-max_weight, 0]``); his code keeps the
  inhibitory synapses fixed and clips the excitatory ones to ``[0, 4]``.
- Spikes are paired when they arrive (or are emitted: the network's
  ``spike_pairing``), and every spike takes 1 ms to arrive, as in his
  distal-reward code (``daspnet.m``); his network code (``spnet.m``) draws
  axonal delays of 1-20 ms.

Cost. Steps 1-2 touch only the rows and columns of this step's spikes: ``c``
is kept as ``c_scale * c_stored`` so that its decay costs one multiplication
per network (``c_stored`` is renormalized when ``c_scale`` would fall below
1e-100). Step 4 is dense, O(n_pre n_post), for each network whose
``d + d_tonic`` is nonzero at one of its update steps (``update_interval``
divides this cost) (:func:`~spikey.snn.synapse.traces.add_matrix`):
with ``tonic_dopamine=0`` that is every step from a network's first reward
until ``d`` reaches 0, about 141 s (708 τd) after a last pulse of 0.5; with a
tonic level, every step. ``d`` is set to 0 once ``|d|`` falls below the
smallest normal number of its dtype (float64: 2.2e-308; float32: 1.2e-38),
where its decay would otherwise stick at a subnormal value forever; this
drops at most ``η |c|`` times that number per step. Since ``c`` and ``d``
decay exponentially between events, the weights have a closed form between spikes and rewards, but the
network reads the weights at every step, so they are kept current instead
(the closed form would save no work). The rule is therefore not
reward-gated: ``REWARD_GATED = False``.

Reference: E. M. Izhikevich, "Solving the distal reward problem through
linkage of STDP and dopamine signaling", Cerebral Cortex 17(10):2443-2452, 2007.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from spikey.keys import A_MINUS, A_PLUS, LEARNING_RATE, TAU_MINUS, TAU_PLUS
from spikey.module import Interval, Key, per_network, state_typed
from spikey.snn.synapse.traces import add_matrix, add_outer, decay_factor, rescale
from spikey.snn.synapse.stdp import stdp_traces
from spikey.snn.synapse.template import Synapse

__all__ = ["DopamineSTDP", "dopamine_stdp_step", "dopamine_stdp_reward", "eligibility",
           "TAU_C", "TAU_D", "DOPAMINE_PER_REWARD", "TONIC_DOPAMINE", "UPDATE_INTERVAL"]


TAU_C = Key("tau_c", Interval(float, 0, None, closed="neither"),
            "Time constant τc (ms) of the eligibility trace c (Izhikevich 2007: 1 s).", default=1000.0)
TAU_D = Key("tau_d", Interval(float, 0, None, closed="neither"),
            "Time constant τd (ms) of the extracellular dopamine d (Izhikevich 2007: 0.2 s).", default=200.0)
DOPAMINE_PER_REWARD = Key(
    "dopamine_per_reward", Interval(float, 0, None),
    "Dopamine added to d per unit of reward: the pulse DA(t) = dopamine_per_reward * r(t) (Izhikevich 2007's "
    "code: DA += 0.5 per reward).", default=0.5, batched=True,
)
TONIC_DOPAMINE = Key(
    "tonic_dopamine", Interval(float, 0, None),
    "Tonic (baseline) dopamine d_tonic added to d in the weight change η (d + d_tonic) c (Izhikevich 2007's "
    "code: 0.002; 0 here, so that no reward means no weight change).", default=0.0, batched=True,
)
UPDATE_INTERVAL = Key(
    "update_interval", Interval(int, 1, None),
    "Steps k (ms) between weight updates, each by k η (d + d_tonic) c: 1 updates every step, as the paper's "
    "equations; 10 as Izhikevich 2007's code, which costs a tenth of the dense weight update.", default=1, fixed=True,
)


def eligibility(state) -> np.ndarray:
    """The eligibility trace ``c`` of shape (B, n_pre, n_post), as a new array."""
    return state.c_scale[:, None, None] * state.c


def _update_factor(params, steps) -> np.ndarray:
    """``k η`` for the networks whose ``steps`` end an update interval of k steps, else 0, (B,)."""
    interval = params.update_interval
    return np.where(steps % interval == 0, interval * per_network(params.learning_rate), 0.0)


def dopamine_stdp_reward(state, weights, reward, params):
    """A dopamine pulse ``k r`` at the last step: ``d += k r``, and ``w += η k r c`` if that step updated w (in place).

    Returns the new state.
    """
    reward = np.asarray(reward, dtype=np.float64)
    pulse = per_network(params.dopamine_per_reward) * reward
    if not pulse.any():
        return state
    add_matrix(weights, _update_factor(params, state.steps) * pulse * state.c_scale, state.c)
    return state._replace(d=(state.d + pulse).astype(state.d.dtype, copy=False))


def dopamine_stdp_step(state, weights, pre, post, reward, params):
    """One timestep: traces, ``c`` (in place), ``d``, then ``w += η (d + d_tonic) c``; return the new state."""
    pre, post = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
    reward = np.asarray(reward, dtype=np.float64)
    batch = len(pre)
    p_plus, p_minus = stdp_traces(state.p_plus, state.p_minus, pre, post, params)
    c = state.c
    scale, decay = rescale(c, state.c_scale, decay_factor(params.tau_c))
    scale = scale * decay
    add_outer(c, weights, 1.0 / scale, p_plus, post, pre, p_minus)
    d = state.d * decay_factor(params.tau_d) + per_network(params.dopamine_per_reward) * reward
    d = d.astype(state.d.dtype, copy=False)  # the reward's float64 pulse, rounded to the state's dtype
    d[np.abs(d) < np.finfo(d.dtype).tiny] = 0.0  # else the decay sticks at a subnormal value, never 0
    level = d + state_typed(per_network(params.tonic_dopamine), d.dtype)
    steps = state.steps + 1
    add_matrix(weights, _update_factor(params, steps) * level * scale, c)
    return DopamineSTDP.State(p_plus, p_minus, c, scale, d, steps)


class DopamineSTDP(Synapse):
    """Dopamine-modulated STDP: an eligibility trace per synapse, turned into weight change by dopamine.

    Not reward-gated: dopamine outlasts a reward by seconds, so every step
    with ``d + d_tonic != 0`` changes the weights, densely (see the module
    docstring for the cost).

    Attributes
    ----------
    State.p_plus : ndarray of shape (B, n_inputs + n_neurons)
        Presynaptic trace ``P+``.
    State.p_minus : ndarray of shape (B, n_neurons)
        Postsynaptic trace ``P-``.
    State.c : ndarray of shape (B, n_inputs + n_neurons, n_neurons)
        Stored eligibility; the true trace is ``c_scale[:, None, None] * c``
        (see :func:`eligibility`). ``step`` updates this array in place: copy
        the state to keep a snapshot.
    State.c_scale : ndarray of shape (B,)
        Running decay factor of ``c``.
    State.d : ndarray of shape (B,)
        Extracellular dopamine above the tonic level. Every float field has the network's ``dtype``.
    State.steps : ndarray of shape (B,), int64
        Steps run since the state was made; the weights change at multiples of ``update_interval``.

    Notes
    -----
    The shared keys in Izhikevich (2007)'s symbols: ``tau_plus``, ``tau_minus``
    are the τ+, τ- of STDP(τ) (20 ms); ``a_plus``, ``a_minus`` its amplitudes
    A+ = 0.1 and A- = -0.15 (signed here); ``learning_rate`` is η in
    s' = η (d + d_tonic) c per 1 ms step: 1 is the paper's s' = c d with t in
    ms, 0.1 the rate of his code, which adds c d once every 10 ms.

    See Also
    --------
    MSTDPET : Florian (2007)'s eligibility rule, where reward acts only at its step.

    References
    ----------
    E. M. Izhikevich (2007), Cerebral Cortex 17(10):2443-2452.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.synapse import DopamineSTDP
    >>> from spikey.snn.weight.template import Weight
    >>> rule = DopamineSTDP(n_inputs=1, n_neurons=1, learning_rate=0.1, a_plus=0.1, a_minus=-0.15)
    >>> state = rule.init_state(batch_size=1, rng=np.random.default_rng(0))
    >>> mask = np.array([[[True], [False]]])  # only input -> neuron exists
    >>> weights = Weight.State(np.where(mask, 1.0, 0.0), mask, np.zeros((1, 2)), np.full((1, 2), 4.0))
    >>> quiet = lambda n: (np.zeros((n, 1, 2), bool), np.zeros((n, 1, 1), bool), np.zeros((n, 1)))
    >>> pre, post, no_reward = quiet(1000)
    >>> pre[10, 0, 0] = post[11, 0, 0] = True  # pre at 10 ms, post at 11 ms
    >>> state = rule.step(state, weights, pre, post, no_reward)
    >>> float(weights.values[0, 0, 0])  # no dopamine yet, no change
    1.0
    >>> state = rule.reward(state, weights, np.array([1.0]))  # reward at 999 ms: d jumps by 0.5
    >>> state = rule.step(state, weights, *quiet(2000))  # d decays, c keeps decaying, w grows by η d c
    >>> round(float(weights.values[0, 0, 0]), 6)  # 1 + η k c(999 ms) Σ_n (e^(-1/τc - 1/τd))^n
    1.29602
    """

    NECESSARY_KEYS = Synapse.extend_keys(
        TAU_PLUS, TAU_MINUS, A_PLUS, A_MINUS, LEARNING_RATE, TAU_C, TAU_D, DOPAMINE_PER_REWARD, TONIC_DOPAMINE,
        UPDATE_INTERVAL,
    )
    REWARD_GATED = False
    IN_PLACE_STATE = ("c",)  # step() updates the stored eligibility in place

    class State(NamedTuple):
        p_plus: np.ndarray
        p_minus: np.ndarray
        c: np.ndarray
        c_scale: np.ndarray
        d: np.ndarray
        steps: np.ndarray

    def state_problem(self, state) -> str | None:
        """The running scale of the eligibility c must be positive, the step count not negative."""
        if not np.all(state.c_scale > 0):
            return f"c_scale must be > 0; got {state.c_scale.min()}"
        return None if np.all(state.steps >= 0) else f"steps must be >= 0; got {state.steps.min()}"

    def init_state(self, batch_size: int, rng: np.random.Generator) -> "DopamineSTDP.State":
        """Zero traces and dopamine for ``batch_size`` networks."""
        return self.State(*self.zeros(batch_size, "pre", "post", "synapses"), np.ones(batch_size), np.zeros(batch_size),
                          np.zeros(batch_size, dtype=np.int64))

    def timestep(self, state, weights, pre_spikes, post_spikes, reward):
        """Advance traces, eligibility and dopamine one step; ``w += η (d + d_tonic) c``."""
        return dopamine_stdp_step(state, weights, pre_spikes, post_spikes, reward, self.params)

    def reward(self, state, weights, reward):
        """A dopamine pulse ``k r`` at the tick's last step: ``d += k r``, and ``w += η k r c`` if that step updated w."""
        return dopamine_stdp_reward(state, weights, reward, self.params)
