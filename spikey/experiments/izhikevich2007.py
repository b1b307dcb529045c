"""Izhikevich (2007)'s distal-reward (Fig. 1) and classical-conditioning (Fig. 2) experiments on Spikey's parts.

The network of the paper's code (``daspnet.m``), the same as Izhikevich
(2003)'s cortical network:

- 1000 Izhikevich neurons, the first 800 excitatory regular spiking
  (``a = 0.02``, ``d = 8``), the last 200 inhibitory fast spiking
  (``a = 0.1``, ``d = 2``), ``b = 0.2``, ``c = -65`` mV for both, 1 ms steps
  (:class:`~spikey.snn.neuron.CorticalIzhikevich`);
- each neuron makes 100 synapses onto random targets, an inhibitory one onto
  excitatory neurons only, all starting at +1 mV (excitatory) or -1 mV
  (inhibitory), bounded by 4 mV (:class:`~spikey.snn.weight.OutDegree`);
  every spike reaches its targets 1 ms later;
- every neuron receives a random thalamic current uniform on
  ``[-6.5, 6.5]`` mV each step;
- dopamine-modulated STDP (:class:`~spikey.snn.synapse.DopamineSTDP`):
  ``A+ = 0.1``, ``A- = -0.15``, ``τ+ = τ- = 20`` ms, ``τc = 1`` s,
  ``τd = 0.2`` s, ``0.5`` dopamine per reward, tonic dopamine 0.002 and the
  code's rate (weights change by ``c d`` every 10 ms: ``learning_rate=0.1``
  per 1 ms step).

One synapse, from neuron ``n1`` (``chosen_neuron``, the first) to one of
its other targets ``n2`` drawn at random, starts at 0. Whenever ``n2`` fires less
than 20 ms after ``n1`` (``coincidence_window``), a reward is delivered 1 to
3 s later (``reward_delay_min`` = 1001 and ``reward_delay_max`` = 3000 ms,
uniform, as the code's ``1000 + ceil(2000 rand)``). Between the coincidence
and its reward the network fires about 1 spike per neuron per second, so
thousands of other pre-then-post pairings fall in the window; only the
chosen synapse's pairings are followed by reward every time, and it alone
grows to the maximum, 4 mV.

Departures from the code, beyond those of the parts (listed in their
modules): the neurons start at their rest (-70 mV) rather than -65 mV; the
targets of a neuron are distinct; inhibitory synapses learn too, within
``[-4, 0]`` mV (the code holds them at -1 mV). The paper's figure runs 1 h
of simulated time (``T = 3600`` s in the code).

:class:`ClassicalConditioning` (Fig. 2) runs the same network without a
chosen synapse: 100 stimuli, each a random group of 50 neurons made to fire
by a 1 ms current pulse, come in random order, and each presentation of the
first, S1, is rewarded up to 1 s later; the network comes to respond to S1
more than to the others. :class:`ConditioningCallback` records it in a
:class:`~spikey.core.GenericLoop` that plays a
:class:`~spikey.games.RandState` game.

Reference: E. M. Izhikevich, "Solving the distal reward problem through
linkage of STDP and dopamine signaling", Cerebral Cortex 17(10):2443-2452,
2007.
"""
from __future__ import annotations

from numbers import Integral

import gymnasium
import numpy as np
from tqdm import tqdm

from spikey.core.callback import ExperimentCallback
from spikey.module import Interval, InvalidParameterError, Key
from spikey.snn.input import StaticMap
from spikey.snn.network import Network
from spikey.snn.neuron import CorticalIzhikevich, Izhikevich
from spikey.snn.readout import Threshold
from spikey.snn.synapse import DopamineSTDP
from spikey.snn.weight import OutDegree

__all__ = ["DistalReward", "ClassicalConditioning", "ConditioningCallback", "play_distal_reward", "time_to_max"]

COINCIDENCE_WINDOW = Key(
    "coincidence_window", Interval(int, 1, None),
    "A reward is due when the chosen synapse's postsynaptic neuron n2 fires less than this many ms after its "
    "presynaptic neuron n1, with no n1 spike at n2's step (Izhikevich 2007's code: 20 ms).", default=20, fixed=True)
REWARD_DELAY_MIN = Key(
    "reward_delay_min", Interval(int, 1, None),
    "Shortest delay (ms) from a rewarded event to its reward (Izhikevich 2007, Fig. 1: 1001 ms after a "
    "coincidence, at least processing_time, so that a reward never falls in the tick of its coincidence; Fig. 2: "
    "1 ms after the rewarded stimulus).", default=1001, fixed=True)
REWARD_DELAY_MAX = Key(
    "reward_delay_max", Interval(int, 1, None),
    "Longest delay (ms) from a rewarded event to its reward, drawn uniformly between the two (Izhikevich 2007, "
    "Fig. 1: 3000 ms; Fig. 2: 1000 ms).", default=3000, fixed=True)
N_STIMULI = Key(
    "n_stimuli", Interval(int, 1, None),
    "Stimuli S1, S2, ...: each a random group of stimulus_size body neurons (Izhikevich 2007, Fig. 2: 100).",
    default=100, fixed=True)
STIMULUS_SIZE = Key(
    "stimulus_size", Interval(int, 1, None),
    "Body neurons in each stimulus's group, drawn at random among all of them, excitatory and inhibitory "
    "(Izhikevich 2007, Fig. 2: 50); at most n_neurons.", default=50, fixed=True)
STIMULUS_CURRENT = Key(
    "stimulus_current", Interval(float, 0, None),
    "Current (mV) injected into the neurons of the stimulus shown, for the first 1 ms step of its tick: "
    "Izhikevich 2007's superthreshold pulse, whose value the paper does not give (40 fires a resting regular "
    "spiking neuron within 3 ms, as in Knight et al. 2021's replication).", default=40.0)
REWARDED_STIMULUS = Key(
    "rewarded_stimulus", Interval(int, 0, None),
    "Index of the stimulus whose presentations are rewarded (Izhikevich 2007, Fig. 2: S1, index 0); below "
    "n_stimuli.", default=0, fixed=True)
CHOSEN_NEURON = Key(
    "chosen_neuron", Interval(int, 0, None),
    "Body neuron n1 whose synapse onto one of its targets n2, drawn at random, is the rewarded one "
    "(Izhikevich 2007: the first).", default=0, fixed=True)


class DistalReward(Network):
    """Izhikevich (2007)'s network, rewarded 1-3 s after each n1 -> n2 coincidence of one chosen synapse.

    See the module docstring for the model. Each tick runs ``processing_time``
    ms (1 s by default); the observation is ignored (one silent input).
    Rewards due during a tick are given to the learning rule at their step;
    the coincidences of a tick are found at its end, and their rewards drawn
    (``rng.integers``, (B, processing_time) delays per tick, one per step).
    The schedule runs on through ``reset()``, which starts no new experiment;
    a tick in ``eval()`` mode gives no reward, and the rewards due in it are
    dropped (its coincidences still schedule rewards for later ticks).

    Attributes
    ----------
    state["chosen"] : ndarray of shape (B, 2), int64
        The chosen synapse of each network: its row (``n_inputs + n1``) and column (``n2``) in the weights.
    state["reward_due"] : ndarray of shape (B, reward_delay_max), float64
        Rewards due at each step from the next tick's first.
    state["since_n1"] : ndarray of shape (B,), int64
        ms from n1's last spike to the next tick's first step, at most ``coincidence_window``.
    reward_log : ndarray of shape (processing_time, B), float64
        The rewards given at each step of the last tick.

    Raises
    ------
    InvalidParameterError
        At construction or :meth:`set_key`, if ``processing_time`` exceeds
        ``reward_delay_min`` or that exceeds ``reward_delay_max``; at
        construction, if ``chosen_neuron`` is not an excitatory neuron with a
        synapse onto another neuron.

    References
    ----------
    E. M. Izhikevich (2007), Cerebral Cortex 17(10):2443-2452, Fig. 1.

    Examples
    --------
    >>> net = DistalReward(keys={"seed": 0, "n_neurons": 100, "n_synapses": 10})
    >>> net.reset()
    >>> pre, post = net.state["chosen"][0]
    >>> float(net.weights[0, pre, post]), bool(net.state["weights"].mask[0, pre, post])  # it starts at 0
    (0.0, True)
    >>> _ = net.tick(np.zeros(1))
    >>> net.spike_log.shape, net.reward_log.shape  # 1 s of 1 input and 100 neurons; no reward yet
    ((1000, 1, 101), (1000, 1))
    """

    parts = {"inputs": StaticMap, "neurons": CorticalIzhikevich, "weights": OutDegree, "synapses": DopamineSTDP,
             "readout": Threshold}
    keys = {
        "n_inputs": 1, "n_observations": 1, "n_outputs": 1, "action_threshold": 0.0, "processing_time": 1000,
        "n_neurons": 1000, "neuron_pct_inhibitory": 0.2, "magnitude": 1.0, "thalamic_input": 13.0,
        **Izhikevich.PRESETS["regular_spiking"],
        "n_synapses": 100, "initial_weight": 1.0, "max_weight": 4.0,
        "spike_pairing": "emission", "tau_plus": 20.0, "tau_minus": 20.0, "a_plus": 0.1, "a_minus": -0.15,
        "tau_c": 1000.0, "tau_d": 200.0, "dopamine_per_reward": 0.5, "tonic_dopamine": 0.002, "learning_rate": 0.1,
        "update_interval": 10,
    }
    NECESSARY_KEYS = Network.NECESSARY_KEYS + (COINCIDENCE_WINDOW, REWARD_DELAY_MIN, REWARD_DELAY_MAX, CHOSEN_NEURON)

    def __init__(self, parts: dict | None = None, keys: dict | None = None, game=None):
        super().__init__(parts, keys, game)
        batch, p = self.params.batch_size, self.params
        self.state["chosen"] = chosen = self._choose_synapse()
        self.state["weights"].values[np.arange(batch), chosen[:, 0], chosen[:, 1]] = 0.0
        self.state["reward_due"] = np.zeros((batch, p.reward_delay_max))
        self.state["since_n1"] = np.full(batch, p.coincidence_window, dtype=np.int64)
        self.reward_log, self._given = np.zeros((0, batch)), None

    def _check_keys(self, params):
        """``processing_time <= reward_delay_min <= reward_delay_max``: a reward never falls in its own tick."""
        name = type(self).__name__
        _check_delays(params, name)
        if params.processing_time > params.reward_delay_min:
            raise InvalidParameterError(
                f"The 'processing_time' parameter of {name} must be at most reward_delay_min="
                f"{params.reward_delay_min} (a reward must not fall in the tick of its coincidence). "
                f"Got {params.processing_time} instead."
            )

    def _choose_synapse(self) -> np.ndarray:
        """Draw each network's n2 among n1's targets; return (B, 2) rows and columns in the weights."""
        n1, weights = self.params.chosen_neuron, self.state["weights"]
        row = self.parts["inputs"].params.n_inputs + n1
        refused = InvalidParameterError(
            f"The 'chosen_neuron' parameter of {type(self).__name__} must be an excitatory body neuron with a "
            f"synapse onto another neuron in every network. Got {n1} instead."
        )
        if n1 >= self.parts["neurons"].params.n_neurons or weights.high[0, row] <= 0:
            raise refused
        targets = weights.mask[:, row] & (np.arange(weights.mask.shape[2]) != n1)  # n1 -> n1 is never rewarded
        if not targets.any(axis=1).all():
            raise refused
        keys = np.where(targets, self.rng.random(targets.shape), np.inf)
        return np.stack((np.full(len(keys), row), keys.argmin(axis=1)), axis=1).astype(np.int64)

    def _state_problem(self, arrays: dict) -> str:
        """:meth:`Network._state_problem`, and the chosen synapses, rewards due and times since n1 in range."""
        problem = super()._state_problem(arrays)
        if problem:
            return problem
        chosen, mask = np.asarray(arrays["chosen"]), np.asarray(arrays["weights.mask"])
        row = self.parts["inputs"].params.n_inputs + self.params.chosen_neuron
        if np.any(chosen[:, 0] != row) or np.any(chosen[:, 1] < 0) or np.any(chosen[:, 1] >= mask.shape[2]) or \
                not mask[np.arange(len(chosen)), row, chosen[:, 1]].all():
            return f"'chosen' must hold row {row} (chosen_neuron) and a column of one of its synapses in every network"
        if np.any(np.asarray(arrays["reward_due"]) < 0):
            return "'reward_due' must hold rewards >= 0"
        since = np.asarray(arrays["since_n1"])
        if np.any(since < 1) or np.any(since > self.params.coincidence_window):
            return f"'since_n1' must lie in [1, coincidence_window={self.params.coincidence_window}]"
        return ""

    def tick(self, state):
        """Play one tick of ``processing_time`` ms, giving the rewards due; see :meth:`Network.tick`."""
        self._given = None
        action = super().tick(state)
        self.reward_log = np.zeros_like(self.spike_log[:, :, 0], dtype=np.float64) if self._given is None \
            else self._given
        self._schedule_rewards()
        return action

    def scheduled_rewards(self, n_steps):
        """The rewards due in this tick, drawn by the coincidences of earlier ones."""
        self._given = self.state["reward_due"][:, :n_steps].T.copy()
        return self._given

    def _schedule_rewards(self):
        """Find this tick's n1 -> n2 coincidences, draw their delays, and move the schedule on by one tick."""
        p, steps = self.params, self.params.processing_time
        rows, (pre, post) = np.arange(p.batch_size), self.state["chosen"].T
        n_inputs = self.parts["inputs"].params.n_inputs
        pre, post = self.spike_log[:, rows, pre], self.spike_log[:, rows, n_inputs + post]
        t = np.arange(steps)[:, None]
        last_n1 = np.maximum.accumulate(np.where(pre, t, -self.state["since_n1"][None, :]), axis=0)
        coincident = post & (last_n1 < t) & (t - last_n1 < p.coincidence_window)
        delays = self.rng.integers(p.reward_delay_min, p.reward_delay_max + 1, size=(p.batch_size, steps))
        due = np.zeros_like(self.state["reward_due"])
        due[:, :-steps] = self.state["reward_due"][:, steps:]
        step, copy = np.nonzero(coincident)
        np.add.at(due, (copy, step + delays[copy, step] - steps), 1.0)
        self.state["reward_due"] = due
        self.state["since_n1"] = np.minimum(steps - last_n1[-1], p.coincidence_window)


def _check_delays(params, name: str):
    """``reward_delay_min <= reward_delay_max``, or an InvalidParameterError naming the network."""
    if params.reward_delay_max < params.reward_delay_min:
        raise InvalidParameterError(
            f"The 'reward_delay_max' parameter of {name} must be at least reward_delay_min="
            f"{params.reward_delay_min}. Got {params.reward_delay_max} instead."
        )


class ClassicalConditioning(Network):
    """Izhikevich (2007)'s classical conditioning (Fig. 2): stimuli in random order, S1 rewarded up to 1 s later.

    The network of :class:`DistalReward` (1000 cortical Izhikevich neurons,
    100 synapses each, dopamine STDP), without a chosen synapse. Each of
    ``n_stimuli`` stimuli (100) is a random group of ``stimulus_size`` body
    neurons (50), excitatory and inhibitory, drawn once per network. A tick
    is one stimulus interval of ``processing_time`` ms (200): its observation
    is the index of the stimulus shown, the state of a
    :class:`~spikey.games.RandState` game, and the neurons of that stimulus
    receive ``stimulus_current`` (40 mV) for the tick's first 1 ms step
    (:meth:`~spikey.snn.network.Network.injected_current`). Each time the
    ``rewarded_stimulus`` (S1) is shown in training, a reward is drawn
    ``reward_delay_min`` to ``reward_delay_max`` ms (1 to 1000) after that
    step (``rng.integers``, one (B,) draw per training tick) and given at
    its step, in that tick or a later one. Between S1 and its reward, other
    stimuli come every 200 ms and the network fires about 1 Hz per neuron;
    only the synapses from S1's neurons onto the neurons S1 makes fire are
    reliably followed by dopamine, so the response to S1 grows.

    Departure: stimuli come every ``processing_time`` ms, 200 by default,
    the mean of the paper's random 100 to 300 ms intervals (a tick has a
    fixed length). The schedule of rewards runs on through ``reset()``; a
    tick in ``eval()`` mode schedules no reward and drops those due in it.

    Attributes
    ----------
    state["stimuli"] : ndarray of shape (B, n_stimuli, stimulus_size), int64
        Each stimulus's neurons, in increasing order.
    state["reward_due"] : ndarray of shape (B, reward_delay_max + 1), float64
        Rewards due at each step from the next tick's first.
    shown : ndarray of shape (B,), int64
        The stimulus shown in the last tick.
    reward_log : ndarray of shape (processing_time, B), float64
        The rewards given at each step of the last tick.

    Raises
    ------
    InvalidParameterError
        At construction, if ``reward_delay_max`` is below
        ``reward_delay_min``, ``rewarded_stimulus`` is not below
        ``n_stimuli``, ``stimulus_size`` exceeds ``n_neurons``, or a game is
        given whose observations are not the ``n_stimuli`` indices; at
        :meth:`tick`, for an observation that is not a stimulus index per
        network (nothing changes then).

    References
    ----------
    E. M. Izhikevich (2007), Cerebral Cortex 17(10):2443-2452, Fig. 2.
    J. C. Knight, A. Komissarov, T. Nowotny (2021), PyGeNN: a Python library
    for GPU-enhanced neural networks. Frontiers in Neuroinformatics 15:659005
    (the 40 mV pulse).

    Examples
    --------
    >>> net = ClassicalConditioning(keys={"seed": 0, "n_neurons": 100, "n_synapses": 10, "n_stimuli": 5,
    ...                                   "stimulus_size": 10})
    >>> net.reset()
    >>> net.state["stimuli"].shape
    (1, 5, 10)
    >>> _ = net.tick(3)  # S4 is shown: its 10 neurons fire within 3 ms
    >>> bool(net.spike_log[:3, 0, 1 + net.state["stimuli"][0, 3]].any(axis=0).all())
    True
    """

    parts = DistalReward.parts
    keys = {**DistalReward.keys, "processing_time": 200, "reward_delay_min": 1, "reward_delay_max": 1000}
    NECESSARY_KEYS = Network.NECESSARY_KEYS + (N_STIMULI, STIMULUS_SIZE, STIMULUS_CURRENT, REWARDED_STIMULUS,
                                               REWARD_DELAY_MIN, REWARD_DELAY_MAX)

    def __init__(self, parts: dict | None = None, keys: dict | None = None, game=None):
        super().__init__(parts, keys, game)
        p, n_neurons = self.params, self.parts["neurons"].params.n_neurons
        if p.stimulus_size > n_neurons:
            raise InvalidParameterError(
                f"The 'stimulus_size' parameter of {type(self).__name__} must be at most n_neurons={n_neurons}. "
                f"Got {p.stimulus_size} instead."
            )
        self._check_game(game)
        keys = self.rng.random((p.batch_size, p.n_stimuli, n_neurons))
        groups = np.argpartition(keys, p.stimulus_size - 1, axis=2)[:, :, :p.stimulus_size]
        self.state["stimuli"] = np.sort(groups, axis=2).astype(np.int64)
        self.state["reward_due"] = np.zeros((p.batch_size, p.reward_delay_max + 1))
        self.reward_log, self._given = np.zeros((0, p.batch_size)), None
        self.shown = np.zeros(p.batch_size, dtype=np.int64)

    def _check_game(self, game):
        """A game, if given, must show stimulus indices: a Discrete space of ``n_stimuli`` states."""
        space = getattr(game, "observation_space", None)
        if game is not None and not (isinstance(space, gymnasium.spaces.Discrete) and space.n == self.params.n_stimuli
                                     and space.start == 0):
            raise InvalidParameterError(
                f"The 'n_stimuli' parameter of {type(self).__name__} must equal the number of the game's states, "
                f"which are the stimulus indices (a Discrete space, as RandState with encoding='index' and "
                f"n_states=n_stimuli gives). Got n_stimuli={self.params.n_stimuli} for a game observing {space}."
            )

    def _check_keys(self, params):
        """``reward_delay_min <= reward_delay_max`` and ``rewarded_stimulus < n_stimuli``."""
        name = type(self).__name__
        _check_delays(params, name)
        if params.rewarded_stimulus >= params.n_stimuli:
            raise InvalidParameterError(
                f"The 'rewarded_stimulus' parameter of {name} must be below n_stimuli={params.n_stimuli}. "
                f"Got {params.rewarded_stimulus} instead."
            )

    def _state_problem(self, arrays: dict) -> str:
        """:meth:`Network._state_problem`, and stimulus groups of distinct neurons, rewards due >= 0."""
        problem = super()._state_problem(arrays)
        if problem:
            return problem
        stimuli, n_neurons = np.asarray(arrays["stimuli"]), self.parts["neurons"].params.n_neurons
        if np.any(stimuli < 0) or np.any(stimuli >= n_neurons) or np.any(np.diff(stimuli, axis=2) <= 0):
            return f"'stimuli' must hold increasing neuron indices in [0, {n_neurons}) in every group"
        if np.any(np.asarray(arrays["reward_due"]) < 0):
            return "'reward_due' must hold rewards >= 0"
        return ""

    def tick(self, state):
        """Show each network its stimulus for one tick of ``processing_time`` ms; return the action(s).

        Parameters
        ----------
        state : int or array_like of int
            The index of the stimulus shown, in [0, n_stimuli): one if
            ``batch_size == 1``, else one per network ((B,) or (B, 1)).

        See :meth:`Network.tick` for the rest.
        """
        previous, self.shown, self._given = self.shown, self._stimulus_indices(state), None
        batch = self.params.batch_size
        try:
            action = super().tick(np.zeros(batch if batch > 1 else 1))
        except RuntimeError:  # not reset yet: nothing ran
            self.shown = previous
            raise
        self.reward_log = np.zeros((self.params.processing_time, batch)) if self._given is None else self._given
        due, steps = self.state["reward_due"], self.params.processing_time
        moved = np.zeros_like(due)
        moved[:, :max(due.shape[1] - steps, 0)] = due[:, steps:]
        self.state["reward_due"] = moved
        return action

    def _stimulus_indices(self, state) -> np.ndarray:
        """The stimulus shown to each network, (B,) int64; an InvalidParameterError for anything else."""
        batch, n_stimuli = self.params.batch_size, self.params.n_stimuli
        values = np.asarray(state)
        shape_ok = values.shape in (((), (1,), (1, 1)) if batch == 1 else ((batch,), (batch, 1)))
        if values.dtype.kind not in "iu" or not shape_ok or np.any(values < 0) or np.any(values >= n_stimuli):
            raise InvalidParameterError(
                f"The observations of {type(self).__name__} must be stimulus indices: "
                f"{'an int' if batch == 1 else f'{batch} ints'} in [0, {n_stimuli}), shape "
                f"{'(), (1,) or (1, 1)' if batch == 1 else f'({batch},) or ({batch}, 1)'}. Got {state!r} instead."
            )
        return values.reshape(batch).astype(np.int64)

    def injected_current(self, n_steps: int) -> np.ndarray:
        """``stimulus_current`` into the neurons of each network's stimulus at the tick's first step."""
        batch, n_neurons = self.params.batch_size, self.parts["neurons"].params.n_neurons
        current = np.zeros((n_steps, batch, n_neurons))
        groups = self.state["stimuli"][np.arange(batch), self.shown]
        current[0, np.arange(batch)[:, None], groups] = self.params.stimulus_current
        return current

    def scheduled_rewards(self, n_steps: int) -> np.ndarray:
        """Draw the rewards of the networks shown the rewarded stimulus; return the rewards due in this tick."""
        p = self.params
        delays = self.rng.integers(p.reward_delay_min, p.reward_delay_max + 1, size=p.batch_size)
        rewarded = np.flatnonzero(self.shown == p.rewarded_stimulus)
        due = self.state["reward_due"].copy()
        due[rewarded, delays[rewarded]] += 1.0
        self.state["reward_due"] = due
        self._given = np.zeros((n_steps, p.batch_size))
        within = min(n_steps, due.shape[1])  # a tick may outlast the longest delay
        self._given[:within] = due[:, :within].T
        return self._given


class ConditioningCallback(ExperimentCallback):
    """Records a :class:`ClassicalConditioning` run: each stimulus, the response to it, and the weights.

    The response to a stimulus is the number of spikes that the body neurons
    outside its group fire in the first ``window`` ms of its tick (the pulse
    step included): what the stimulus's neurons make the rest of the network
    do. The weights recorded are the mean weight of the synapses from the
    rewarded stimulus's excitatory neurons (NaN if its group holds none) and
    that of every other excitatory synapse.

    Parameters
    ----------
    window : int, default 20
        ms after the pulse in which the response is counted; at most
        ``processing_time``.

    Attributes
    ----------
    info : dict of str -> ndarray of shape (ticks, B)
        After the run, per tick: ``stimulus`` (int64), ``response``,
        ``rewards`` (given in the tick), ``rewarded_weight`` and
        ``other_weight`` (mV, at the tick's end).
    results : dict of str -> ndarray of shape (n_episodes, B)
        Per episode: ``rewarded_response`` and ``other_response``, the mean
        response to the rewarded stimulus (NaN if not shown) and to the
        others; ``rewarded_weight`` and ``other_weight`` at its end; ``rewards``.

    Raises
    ------
    ValueError
        At the run's start, if the network is not a :class:`ClassicalConditioning`;
        at the start and at every tick, if ``window`` is not an int in
        [1, processing_time] (``processing_time`` may change during a run).

    Examples
    --------
    >>> from spikey.core import GenericLoop
    >>> from spikey.games import RandState
    >>> callback = ConditioningCallback(window=20)
    >>> loop = GenericLoop(ClassicalConditioning, RandState, callback=callback, n_episodes=2, len_episode=5,
    ...                    reset_network=False, progress=False, seed=0, n_neurons=100, n_synapses=10, n_stimuli=5,
    ...                    stimulus_size=10, n_states=5)
    >>> _, _, results, info = loop()
    >>> info["response"].shape, results["rewarded_weight"].shape
    ((10, 1), (2, 1))
    """

    def __init__(self, window: int = 20):
        super().__init__()
        self.window = window

    def reset(self, network, game, n_episodes: int):
        if not isinstance(network, ClassicalConditioning):
            raise ValueError(f"ConditioningCallback records a ClassicalConditioning network. Got a "
                             f"{type(network).__name__}.")
        self._check_window(network)
        p = network.params
        super().reset(network, game, n_episodes)
        self._ticks = {name: [] for name in ("stimulus", "response", "rewards", "rewarded_weight", "other_weight")}
        self._episode_start = np.zeros(p.batch_size, dtype=np.int64)
        self.results = {name: np.full((n_episodes, p.batch_size), np.nan) for name in
                        ("rewarded_response", "other_response", "rewarded_weight", "other_weight", "rewards")}
        self._synapses = _excitatory_synapses(network)

    def _check_window(self, network):
        steps = network.params.processing_time
        if not isinstance(self.window, Integral) or isinstance(self.window, bool) or not 1 <= self.window <= steps:
            raise ValueError(f"ConditioningCallback: window must be an int in [1, processing_time={steps}]. "
                             f"Got {self.window!r}.")

    def on_tick(self, network, observations, actions):
        self._check_window(network)
        super().on_tick(network, observations, actions)
        n_inputs = network.parts["inputs"].params.n_inputs
        groups = network.state["stimuli"][np.arange(network.params.batch_size), network.shown]
        early = network.spike_log[:self.window, :, n_inputs:].sum(axis=0)  # (B, n_neurons)
        flat = network.weights.reshape(-1)
        record = {
            "stimulus": network.shown.copy(),
            "response": early.sum(axis=1) - np.take_along_axis(early, groups, axis=1).sum(axis=1),
            "rewards": network.reward_log.sum(axis=0),
            "rewarded_weight": [flat[rows].mean() if len(rows) else np.nan for rows in self._synapses[0]],
            "other_weight": [flat[rows].mean() if len(rows) else np.nan for rows in self._synapses[1]],
        }
        for name, values in record.items():
            self._ticks[name].append(np.asarray(values))

    def on_episode_end(self, network, copies, episodes):
        super().on_episode_end(network, copies, episodes)
        ticks = {name: np.asarray(values) for name, values in self._ticks.items()}
        rewarded_stimulus = network.params.rewarded_stimulus
        for copy in np.flatnonzero(copies & (episodes < self.n_episodes)):
            episode = slice(self._episode_start[copy], len(ticks["stimulus"]))
            stimulus, response = ticks["stimulus"][episode, copy], ticks["response"][episode, copy]
            rewarded, row = stimulus == rewarded_stimulus, episodes[copy]
            self.results["rewarded_response"][row, copy] = response[rewarded].mean() if rewarded.any() else np.nan
            self.results["other_response"][row, copy] = response[~rewarded].mean() if (~rewarded).any() else np.nan
            self.results["rewarded_weight"][row, copy] = ticks["rewarded_weight"][-1, copy]
            self.results["other_weight"][row, copy] = ticks["other_weight"][-1, copy]
            self.results["rewards"][row, copy] = ticks["rewards"][episode, copy].sum()
        self._episode_start[copies] = len(self._ticks["stimulus"])

    def training_end(self, network):
        super().training_end(network)
        self.info.update({name: np.asarray(values) for name, values in self._ticks.items()})


def _excitatory_synapses(network) -> tuple:
    """Per network, the flat indices in ``weights`` of the rewarded stimulus's excitatory synapses and the others'."""
    weights, n_inputs = network.state["weights"], network.parts["inputs"].params.n_inputs
    batch = network.params.batch_size
    rewarded, others = [], []
    for copy in range(batch):
        excitatory = np.zeros(weights.mask.shape[1], dtype=bool)
        excitatory[n_inputs:] = weights.high[copy, n_inputs:] > 0
        stimulus = np.zeros_like(excitatory)
        stimulus[n_inputs + network.state["stimuli"][copy, network.params.rewarded_stimulus]] = True
        for rows, into in ((excitatory & stimulus, rewarded), (excitatory & ~stimulus, others)):
            selected = weights.mask[copy] & rows[:, None]
            into.append(np.ravel_multi_index((np.full(selected.sum(), copy), *np.nonzero(selected)),
                                             weights.values.shape))
    return rewarded, others


def play_distal_reward(net: DistalReward, seconds: int, progress: bool = False) -> dict:
    """Run ``net`` for ``seconds`` of simulated time, one tick per second; record the chosen and the other weights.

    Parameters
    ----------
    net : DistalReward
        With ``processing_time=1000`` and ``reset()`` called; it continues from its current state.
    seconds : int
        Ticks to run.
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    dict of ndarray
        ``time`` (seconds,) the simulated time (s) at the end of each tick;
        ``chosen`` (seconds, B) the chosen synapse's weight (mV);
        ``others`` (seconds, B) the mean weight (mV) of every other excitatory
        synapse; ``eligibility`` (seconds, B) the chosen synapse's
        eligibility trace c; ``rewards`` (seconds, B) rewards given in the tick;
        ``rate`` (seconds, B) mean firing rate (Hz) of the body neurons.

    Raises
    ------
    ValueError
        If ``seconds`` is not an int >= 1 or ``processing_time`` is not 1000.
    """
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 1:
        raise ValueError(f"play_distal_reward: seconds must be an int >= 1. Got {seconds!r}.")
    if net.params.processing_time != 1000:
        raise ValueError(f"play_distal_reward: net's processing_time must be 1000 (one tick per second). "
                         f"Got {net.params.processing_time}.")
    batch, n_inputs = net.params.batch_size, net.parts["inputs"].params.n_inputs
    rows, (pre, post) = np.arange(batch), net.state["chosen"].T
    weights = net.state["weights"]
    others = weights.mask & (weights.high > 0)[:, :, None]
    others[rows, pre, post] = False
    record = {name: np.zeros((seconds, batch)) for name in ("chosen", "others", "eligibility", "rewards", "rate")}
    for second in tqdm(range(seconds), desc="simulated s", disable=not progress):
        net.tick(np.zeros(batch) if batch > 1 else np.zeros(1))
        synapses = net.state["synapses"]
        record["chosen"][second] = net.weights[rows, pre, post]
        record["others"][second] = (net.weights * others).sum(axis=(1, 2)) / others.sum(axis=(1, 2))
        record["eligibility"][second] = synapses.c_scale * synapses.c[rows, pre, post]
        record["rewards"][second] = net.reward_log.sum(axis=0)
        record["rate"][second] = net.spike_log[:, :, n_inputs:].mean(axis=(0, 2)) * 1000.0
    return {"time": np.arange(1, seconds + 1, dtype=np.float64), **record}


def time_to_max(record: dict, max_weight: float = 4.0) -> np.ndarray:
    """Simulated time (s) at which the chosen synapse first reached ``max_weight``, per network; NaN if never.

    Examples
    --------
    >>> time_to_max({"time": np.array([1.0, 2.0, 3.0]), "chosen": np.array([[0.5, 4.0], [4.0, 4.0], [4.0, 3.0]])})
    array([2., 1.])
    """
    reached = record["chosen"] >= max_weight
    first = reached.argmax(axis=0)
    return np.where(reached.any(axis=0), record["time"][first], np.nan)
