"""Networks: parts composed around one shared, validated configuration.

A network runs ``batch_size`` independent copies in lockstep. Each game step,
``tick`` encodes the observations, draws the input spikes of all its
``processing_time`` timesteps of 1 ms, runs them, and reads the output
neurons' rates into actions. One timestep is:

1. the presynaptic spikes that arrive at this step deliver ``magnitude *
   weight`` to the body neurons: body spikes emitted the step before, and
   input spikes emitted this step (``input_delay=0``) or the step before
   (``input_delay=1``, Florian 2007's timing, where every spike is a voltage
   jump on the next step);
2. body neurons integrate and fire;
3. in training mode, the learning rule updates traces and weights, pairing
   this step's body spikes with the presynaptic spikes that arrived at this
   step (``spike_pairing="arrival"``) or were emitted at it (``"emission"``,
   as Florian 2007's traces).

The learning rule sees each timestep, but not always at once: a rule whose
weights change only at rewarded steps (``REWARD_GATED``) is handed blocks of
steps that end at a rewarded step, at the end of the tick, or after
``LEARNING_BLOCK`` steps, which gives the same weights (up to rounding) with
far fewer calls.

State (potentials, traces, weights, the Generator) is plain arrays:
``get_state`` and ``set_state`` save and restore it exactly.

This module is longer than the 300 lines a part gets, on purpose: a
Network's configuration, its timestep loop and its state are one object
whose pieces call each other. Networks that learn from reward are in
:mod:`spikey.snn.rl_network`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from spikey.keys import BACKEND, BATCH_SIZE, DTYPE, INPUT_DELAY, N_OUTPUTS, PROCESSING_TIME, SEED, SPIKE_PAIRING
from spikey.module import InvalidParameterError, KeyTable, key_row, merge_keys, unknown_key_error, validate_config
from spikey.snn.compiled import resolve_backend, run_compiled
from spikey.snn.input.template import Input
from spikey.snn.neuron.template import Neuron
from spikey.snn.readout.template import Readout
from spikey.snn.reward.template import Reward
from spikey.snn.saving import load_network, save_network
from spikey.snn.streams import for_copies, make_stream, set_stream_state, stream_state, stream_state_problem
from spikey.snn.synapse.template import Synapse
from spikey.snn.weight.template import Weight

ROLE_BASES = {"inputs": Input, "neurons": Neuron, "weights": Weight, "synapses": Synapse, "readout": Readout,
              "rewarder": Reward}

LEARNING_BLOCK = 64


def synaptic_input(pre_spikes: np.ndarray, magnitude: float, weights: np.ndarray) -> np.ndarray:
    """Charge (B, n_post) delivered by presynaptic spikes (B, n_pre) through signed weights (B, n_pre, n_post).

    When at most a quarter of the presynaptic neurons spike (the usual case),
    only the weight rows of the spiking neurons are read and summed per
    network, in row order; otherwise one batched matrix product reads every
    weight. The charge has the weights' dtype, and so has its arithmetic.
    """
    networks, rows = pre_spikes.nonzero()
    if 4 * len(rows) > pre_spikes.size:
        return magnitude * np.matmul(pre_spikes[:, None, :].astype(weights.dtype), weights)[:, 0, :]
    if len(pre_spikes) == 1:
        return magnitude * weights[0, rows].sum(axis=0)[None]
    n_post = weights.shape[2]
    if weights.dtype != np.float64:  # bincount sums in float64: add the rows in the weights' own dtype
        charges = np.zeros((len(pre_spikes), n_post), dtype=weights.dtype)
        np.add.at(charges, networks, weights[networks, rows])
        return magnitude * charges
    bins = (networks[:, None] * n_post + np.arange(n_post)).ravel()
    charges = np.bincount(bins, weights[networks, rows].ravel(), minlength=len(pre_spikes) * n_post)
    return magnitude * charges.reshape(-1, n_post)


def in_dtype(state, dtype: np.dtype):
    """A part's state (a NamedTuple of arrays) with its float arrays in ``dtype``; the same arrays where they are."""
    return type(state)(*(array.astype(dtype, copy=False) if array.dtype.kind == "f" else array for array in state))


def _where_copies(mask, new, old):
    """``new`` where ``mask`` (B,) is True, else ``old``, for an array or a NamedTuple of arrays (batch first)."""
    if isinstance(old, tuple):
        return type(old)(*(_where_copies(mask, n, o) for n, o in zip(new, old)))
    return np.where(mask.reshape((-1,) + (1,) * (old.ndim - 1)), new, old)


def game_parameters(game) -> dict:
    """A game's key values, with ``n_observations`` from its observation space; wrappers are looked through."""
    if game is None:
        return {}
    params = getattr(game, "params", None)
    params = dict(params if params is not None else getattr(game.unwrapped, "params", {}))
    space = getattr(game, "single_observation_space", getattr(game, "observation_space", None))
    if getattr(space, "shape", None) is not None:
        params.setdefault("n_observations", observation_width(space))
    return params


def observation_width(space) -> int:
    """Values in one observation of ``space`` as a network receives it: 1 for a Discrete state number."""
    return int(np.prod(space.shape))


def _restored(value, role: str, arrays: dict):
    """The state of ``role`` (a part's NamedTuple or an array) rebuilt from ``get_state()`` entries, copied."""
    if isinstance(value, tuple):
        return type(value)(*(np.array(arrays[f"{role}.{field}"]) for field in value._fields))
    return np.array(arrays[role])


def _describe(value) -> str:
    """A value for an error message: its shape and dtype, and a short repr."""
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    try:
        array = np.asarray(value)
        return f"shape {array.shape}, dtype {array.dtype}: {text}"
    except ValueError:
        return f"a ragged sequence: {text}"


class Network:
    """A spiking neural network assembled from parts.

    Parameters
    ----------
    parts : dict, optional
        Part classes by role: ``inputs``, ``neurons``, ``weights``, ``synapses``,
        ``readout`` (and ``rewarder`` for RL networks); ``modifiers`` is a list of
        modifier instances. Merged over the class attribute ``parts``.
    keys : dict, optional
        Key values for the network and all its parts.
    game : spikey game, optional
        Its ``params`` fill keys the network or its parts declare.

    Key values are taken, highest priority first, from ``keys``, the class
    attribute ``keys`` of a template subclass, ``game.params``, and the Key
    defaults. Templates are never changed by use. Every problem (unknown key,
    missing key, bad value, conflicting declarations) raises
    :class:`~spikey.module.InvalidParameterError` at construction.

    Attributes
    ----------
    params : Params
        The network's own keys: ``n_outputs``, ``processing_time``, ``batch_size``, ``seed``, ...
    parts : dict
        The constructed parts by role.
    dtype : numpy.dtype
        The float type of the neurons', weights' and synapses' state, from the ``dtype`` key.
    state : dict
        ``inputs``, ``neurons``, ``synapses`` (part states), ``weights`` (values, mask,
        bounds), and ``next_arrivals`` (B, n_inputs + n_neurons), the presynaptic
        spikes that arrive at the next step. The float arrays of ``neurons``,
        ``synapses`` and ``weights`` are of type ``dtype``: the network casts
        the states its parts build, whose steps keep the type they are given.
        The inputs' state (encoded observations) stays as the input part
        makes it.
    spike_log : ndarray of shape (processing_time, B, n_inputs + n_neurons), bool
        Input and body spikes emitted at every timestep of the last tick.
    rng : numpy.random.Generator or spikey.snn.streams.CopyStreams
        The network's only source of randomness, seeded from ``seed``: one
        Generator for the batch if ``seed`` is an int or None; one per network
        if it is an array of B ints, network k then drawing what a lone
        network seeded ``seed[k]`` draws (see :mod:`spikey.snn.streams`).

    Examples
    --------
    >>> from spikey.snn import input, neuron, readout, synapse, weight
    >>> class Tiny(Network):
    ...     parts = {"inputs": input.StaticMap, "neurons": neuron.LIF, "weights": weight.Manual,
    ...              "synapses": synapse.STDP, "readout": readout.Threshold}
    ...     keys = {"n_inputs": 2, "n_neurons": 1, "n_outputs": 1, "processing_time": 10, "magnitude": 1.0,
    ...             "firing_threshold": 1.5, "potential_decay": 1.0, "max_weight": 1.0, "matrix": np.array([[1.0], [1.0], [0.0]]),
    ...             "action_threshold": 0.1, "tau_plus": 20.0, "tau_minus": 20.0, "a_plus": 1.0, "a_minus": -1.0,
    ...             "learning_rate": 0.0}
    >>> net = Tiny(keys={"seed": 0})
    >>> net.reset()
    >>> int(net.tick(np.array([1, 1]))), int(net.tick(np.array([1, 0])))
    (1, 0)
    """

    parts: dict = {}
    keys: dict = {}
    NECESSARY_KEYS = (N_OUTPUTS, PROCESSING_TIME, BATCH_SIZE, SEED, INPUT_DELAY, SPIKE_PAIRING, BACKEND, DTYPE)
    REQUIRED_ROLES = ("inputs", "neurons", "weights", "synapses", "readout")
    OPTIONAL_ROLES = ("rewarder", "modifiers")

    def __init__(self, parts: dict | None = None, keys: dict | None = None, game=None):
        if keys is not None and not isinstance(keys, Mapping):
            raise InvalidParameterError(f"The keys of {type(self).__name__} must be a dict of name: value. Got {keys!r}.")
        part_classes = self._resolve_parts(parts)
        self.modifiers = tuple(part_classes.pop("modifiers", ()))
        declared = self._declarations(part_classes, game)
        config, self._origins = self._resolve_keys(keys or {}, game, declared)
        batch = BATCH_SIZE.validate(config.get("batch_size", BATCH_SIZE.default), type(self).__name__)
        self.params = validate_config(self.NECESSARY_KEYS, config, type(self).__name__, batch)
        self._check_keys(self.params)
        shared = {**config, "batch_size": self.params.batch_size}
        self.parts = {role: self._build_part(cls, shared) for role, cls in part_classes.items()}
        self._check_dimensions()
        self._check_modifiers(declared)
        self.backend = resolve_backend(self)
        self.training = True
        self.set_episode(0)  # the schedules hold from construction
        self.step_monitors = []  # callables (neuron_state, spikes) run after every timestep
        self.rng = make_stream(self.params.seed)
        batch = self.params.batch_size
        polarity = np.concatenate(
            (self.parts["inputs"].polarity(batch, self.rng), self.parts["neurons"].polarity(batch, self.rng)), axis=1
        )
        self.dtype = np.dtype(self.params.dtype)
        self.state = {
            "weights": in_dtype(self.parts["weights"].init_state(batch, self.rng, polarity), self.dtype),
            "inputs": self.parts["inputs"].init_state(batch, self.rng),
        }
        self.spike_log = np.zeros((0, *polarity.shape), dtype=bool)

    # ------------------------------------------------------------------ configuration
    @classmethod
    def _resolve_parts(cls, parts: dict | None, complete: bool = True) -> dict:
        """The part classes by role, the class attribute ``parts`` updated by ``parts``; checked."""
        if parts is not None and not isinstance(parts, Mapping):
            raise InvalidParameterError(f"The parts of {cls.__name__} must be a dict of role: part class. Got {parts!r}.")
        merged = {**cls.parts, **(parts or {})}
        roles = cls.REQUIRED_ROLES + cls.OPTIONAL_ROLES
        for role, part in merged.items():
            if role not in roles:
                raise unknown_key_error(role, roles, f"{cls.__name__} parts")
            if role == "modifiers" or part is None:
                continue
            base = ROLE_BASES[role]
            if not (isinstance(part, type) and issubclass(part, base)):
                raise InvalidParameterError(
                    f"The {role!r} part of {cls.__name__} must be a subclass of {base.__module__}.{base.__name__} "
                    f"(the class itself, not an instance or a name). Got {part!r} instead."
                )
        missing = [role for role in cls.REQUIRED_ROLES if merged.get(role) is None]
        if missing and complete:
            raise InvalidParameterError(f"{cls.__name__} is missing parts: {missing}; give them in parts={{...}}.")
        return {role: merged[role] for role in roles if merged.get(role) is not None}

    @classmethod
    def _declarations(cls, part_classes: dict, game) -> dict:
        """Map key name -> (Key, [declaring owners]); conflicting declarations are an error."""
        owners = [(cls.__name__, cls.NECESSARY_KEYS)]
        owners += [(part.__name__, part.NECESSARY_KEYS) for role, part in part_classes.items() if role != "modifiers"]
        if game is not None:
            owners.append((type(game).__name__, getattr(getattr(game, "unwrapped", game), "NECESSARY_KEYS", ())))
        declared: dict = {}
        for owner, keys in owners:
            for key in keys:
                known, names = declared.setdefault(key.name, (key, []))
                if not known.same_declaration(key):
                    raise InvalidParameterError(
                        f"Key {key.name!r} is declared differently by {names[0]} and {owner}; "
                        "share one Key from spikey.keys."
                    )
                if owner not in names:
                    names.append(owner)
        return declared

    def _resolve_keys(self, keys: dict, game, declared: dict) -> tuple[dict, dict]:
        """Merge keys by priority; return ``(config, origins)``.

        Template keys read only by a part the caller swapped out are dropped,
        and so are game parameters no part declares.
        """
        name = type(self).__name__
        template_parts = {role: part for role, part in type(self).parts.items() if role != "modifiers"}
        template_declared = self._declarations(template_parts, None) if template_parts else {}
        sources = [
            (f"{name}(...)", keys, ()),
            (f"{name}.keys", type(self).keys, template_declared),
            (f"game {type(getattr(game, 'unwrapped', game)).__name__}", game_parameters(game), None),
        ]
        config, origins = merge_keys(sources, declared)
        missing = [
            f"{name!r} ({owners[0]}: {key.doc})"
            for name, (key, owners) in declared.items()
            if key.required and name not in config
        ]
        if missing:
            raise InvalidParameterError("Missing keys: " + ", ".join(missing))
        return config, origins

    def _build_part(self, part_class, config: dict):
        """``part_class(**config)``; an error about a key the game gave says so."""
        try:
            return part_class(**config)
        except InvalidParameterError as error:
            from_game = [f"{name}={config[name]!r} came from the {origin}" for name, origin in self._origins.items()
                         if origin.startswith("game") and f"'{name}'" in str(error)]
            if not from_game:
                raise
            raise InvalidParameterError(f"{error} ({'; '.join(from_game)}.)") from None

    def _check_keys(self, params):
        """Checks across the network's own keys, at construction and at every change; none here.

        Raises
        ------
        InvalidParameterError
            In a subclass, for values that do not fit together.
        """

    def _check_dimensions(self):
        neurons = self.parts["neurons"].params
        if self.params.n_outputs > neurons.n_neurons:
            raise InvalidParameterError(
                f"The 'n_outputs' parameter of {type(self).__name__} must be at most n_neurons="
                f"{neurons.n_neurons}. Got {self.params.n_outputs} instead."
            )

    def _check_modifiers(self, declared: dict):
        """Check each modifier's key, then every value the schedules take, as :meth:`set_episode` sets them.

        The schedules are checked together, at every episode of their
        :meth:`~spikey.snn.modifier.Modifier.checked_episodes`, with the
        validation :meth:`set_key` uses; each distinct combination of their
        values is validated once. Nothing changes.

        Raises
        ------
        InvalidParameterError
            For a modifier that is not a :mod:`spikey.snn.modifier` instance,
            an unknown or fixed key, or a value the network refuses, naming the
            modifier, its key, the episode, the value and the reason.
        """
        for modifier in self.modifiers:
            name = getattr(getattr(modifier, "params", None), "key", None)
            if name is None or not all(callable(getattr(modifier, method, None))
                                       for method in ("change", "checked_episodes")):
                raise InvalidParameterError(f"Modifiers must be spikey.snn.modifier instances. Got {modifier!r}.")
            if name not in declared:
                raise unknown_key_error(name, declared, f"{type(modifier).__name__} modifier")
            if declared[name][0].fixed:
                raise InvalidParameterError(f"Key {name!r} is fixed at construction ({declared[name][0].doc}); it "
                                            f"cannot be scheduled by {type(modifier).__name__}.")
        keys = [modifier.params.key for modifier in self.modifiers]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise InvalidParameterError(f"Two modifiers of {type(self).__name__} schedule {twice[0]!r}; give one "
                                        "schedule per key (the later would silently override the earlier).")
        checked = set()
        for episode in sorted(set().union(*(modifier.checked_episodes().tolist() for modifier in self.modifiers))):
            changes = [modifier.change(episode) for modifier in self.modifiers]
            values = tuple(value for _, value, _ in changes)
            if values not in checked:
                checked.add(values)
                self._with_keys(changes)

    @classmethod
    def list_keys(cls, **parts) -> KeyTable:
        """Every key the network and its parts need, one row each; prints as a table.

        Rows hold ``name``, ``type``, ``default`` (the template's own value where
        its class attribute ``keys`` sets one), ``description`` and ``declared_by``.
        """
        part_classes = {role: part for role, part in cls._resolve_parts(parts, complete=False).items()
                        if role != "modifiers"}
        return KeyTable(
            {**key_row(key, owners[0]), "default": cls.keys.get(key.name, key.default), "declared_by": ", ".join(owners)}
            for key, owners in cls._declarations(part_classes, None).values()
        )

    def effective_keys(self) -> KeyTable:
        """Every key's value in this network and where it came from; prints as a table.

        Rows hold ``name``, ``value`` (validated), ``source`` (the ``keys=``
        argument, the template's class attribute ``keys``, the game, a later
        ``set_key`` or the Key's ``default``) and ``declared_by``.

        Examples
        --------
        >>> from spikey.experiments import FlorianXOR
        >>> rows = {row["name"]: row for row in FlorianXOR(keys={"seed": 3}).effective_keys()}
        >>> rows["seed"]["source"], rows["firing_threshold"]["source"], rows["resting_mv"]["source"]
        ('FlorianXOR(...)', 'FlorianXOR.keys', 'default')
        """
        values = {**{name: value for part in self.parts.values() for name, value in part.params.items()},
                  **self.params}
        part_classes = {role: type(part) for role, part in self.parts.items()}
        return KeyTable(
            {"name": name, "value": values[name], "source": self._origins.get(name, "default"),
             "declared_by": ", ".join(owners)}
            for name, (key, owners) in self._declarations(part_classes, None).items()
        )

    def __repr__(self):
        parts = ", ".join(f"{role}={type(part).__name__}" for role, part in self.parts.items())
        modifiers = f", modifiers={list(self.modifiers)}" if self.modifiers else ""
        return f"{type(self).__name__}(batch_size={self.params.batch_size}, seed={self.params.seed}, {parts}{modifiers})"

    def set_key(self, name: str, value):
        """Change a key after construction; validated like at construction, all or nothing.

        Every part holding the key, and the network's own params if they do,
        is rebuilt with the new value before any is replaced, so a value one
        of them refuses changes nothing. Keys declared ``fixed`` are read only
        at construction (array shapes, initial weights and their bounds,
        polarities, arrays drawn once, the backend) and cannot change: build
        a new network instead.

        Raises
        ------
        InvalidParameterError
            For an unknown or fixed key, or a value a holder's declaration or
            cross-key checks refuse (an LIF ``firing_threshold`` at or below
            ``resting_mv``); the network is unchanged then.
        """
        if name not in self.params and not any(name in part.params for part in self.parts.values()):
            known = set(self.params).union(*(part.params for part in self.parts.values()))
            raise unknown_key_error(name, known, f"{type(self).__name__}.set_key")
        if any(key.name == name and key.fixed for part in (self, *self.parts.values()) for key in part.NECESSARY_KEYS):
            raise InvalidParameterError(
                f"Key {name!r} of {type(self).__name__} is fixed at construction (it sets shapes, initial weights, "
                f"bounds, drawn arrays or the backend); build a new network to change it."
            )
        parts, params = self._with_keys([(name, value, None)])
        self.parts.update(parts)
        self.params = params
        self._origins[name] = "set_key"

    def _with_keys(self, changes) -> tuple:
        """The parts and network params with ``changes`` made, each holder rebuilt once; nothing is assigned.

        Parameters
        ----------
        changes : iterable of (name, value, source)
            Made at once: a holder of several changed keys is validated with
            all of them (a later change of the same key wins). ``source``
            names who asks for the change in errors (see
            :meth:`~spikey.snn.modifier.Modifier.change`), or is None.

        Returns
        -------
        parts : dict
            Every part by role, those holding a changed key rebuilt.
        params : Params
            The network's own keys.

        Raises
        ------
        InvalidParameterError
            For values a holder's declarations or cross-key checks refuse,
            after the sources of the values that holder was given.
        """
        values, sources = {}, {}
        for name, value, source in changes:
            values[name], sources[name] = value, source
        parts, params, batch = dict(self.parts), self.params, self.params.batch_size
        try:
            for role, part in self.parts.items():
                changed = {name: value for name, value in values.items() if name in part.params}
                if changed:
                    parts[role] = part.replace(**changed, batch_size=batch)
            changed = {name: value for name, value in values.items() if name in params}
            if changed:
                params = validate_config(self.NECESSARY_KEYS, {**params, **changed}, type(self).__name__, batch)
                self._check_keys(params)
        except InvalidParameterError as error:
            blamed = [sources[name] for name in changed if sources[name] is not None]
            if not blamed:
                raise
            raise InvalidParameterError(f"{'; '.join(blamed)}: {error}") from None
        return parts, params

    # ------------------------------------------------------------------ running
    def train(self):
        """Learn during ticks (the default)."""
        self.training = True
        return self

    def eval(self):
        """Run without changing weights."""
        self.training = False
        return self

    def reset(self, copies=None):
        """Start an episode: fresh potentials, traces and inputs; weights persist.

        Parameters
        ----------
        copies : array_like of shape (B,), bool, optional
            Reset only these networks of the batch (their games ended), the
            others go on; None resets all. Only after a first full reset.
            With per-copy seeds, only these networks draw from their
            streams, as each would alone.

        Modifier schedules do not move here: they follow the training
        episode given to :meth:`set_episode`, so an evaluation pass does not
        advance them.
        """
        batch = self.params.batch_size
        mask = None if copies is None else self._copies(copies)
        rng = self.rng if mask is None else for_copies(self.rng, mask)  # per-copy seeds: the others' streams stay
        fresh = {
            "inputs": self.parts["inputs"].reset(self.state["inputs"], rng),
            "neurons": in_dtype(self.parts["neurons"].init_state(batch, rng), self.dtype),
            "synapses": in_dtype(self.parts["synapses"].init_state(batch, rng), self.dtype),
            "next_arrivals": np.zeros(self.state["weights"].low.shape, dtype=bool),
        }
        if mask is None:
            self.state.update(fresh)
            return
        for role, value in fresh.items():
            self.state[role] = _where_copies(mask, value, self.state[role])

    def _copies(self, copies, method: str = "reset") -> np.ndarray:
        mask = np.asarray(copies)
        batch = self.params.batch_size
        if mask.dtype != bool or mask.shape != (batch,):
            raise ValueError(f"{type(self).__name__}.{method}: copies must be a bool array of shape ({batch},), one "
                             f"per network; got {mask.dtype} {mask.shape}.")
        if "neurons" not in self.state:
            doing = "resetting some" if method == "reset" else f"calling {method}"
            raise RuntimeError(f"Call {type(self).__name__}.reset() on every network before {doing}.")
        return mask

    def set_episode(self, episode):
        """Set the training episode the modifier schedules follow, and apply their values, all or nothing.

        Parameters
        ----------
        episode : int or array_like of shape (B,)
            0-based episode, or one per network when the networks of a batch
            are in different episodes (then every scheduled key must be
            batched, unless the values agree).

        Raises
        ------
        InvalidParameterError
            For an episode that is not an int >= 0, or one per network; for a
            scheduled value the network refuses (values that differ
            between networks for a key that is not batched), naming the
            modifier, its key, the episode, the value and the reason. The
            network is unchanged then.
        """
        episodes = np.asarray(episode)
        if episodes.dtype.kind not in "iu" or episodes.shape not in ((), (self.params.batch_size,)) or \
                np.any(episodes < 0):
            raise InvalidParameterError(f"{type(self).__name__}.set_episode: episode must be an int >= 0 or "
                                        f"{self.params.batch_size} of them; got {episode!r}.")
        episode = int(episodes) if episodes.ndim == 0 else episodes.astype(np.int64)
        parts, params = self._with_keys([modifier.change(episode) for modifier in self.modifiers])
        self.parts.update(parts)
        self.params = params
        self._origins.update({modifier.params.key: "set_key" for modifier in self.modifiers})
        self.episode = episode

    def tick(self, state):
        """Play one game step: encode ``state``, run ``processing_time`` steps, return the action(s).

        Parameters
        ----------
        state : array_like
            One observation if ``batch_size == 1``, else a sequence of ``batch_size`` observations.

        Returns
        -------
        action
            One action, or an array of ``batch_size`` actions.

        Raises
        ------
        RuntimeError
            Before the first :meth:`reset`.
        InvalidParameterError
            For observations :meth:`batch_observations` refuses; nothing has run.
        ValueError
            If :meth:`injected_current` or :meth:`scheduled_rewards` returns
            anything but finite real numbers of its shape; nothing has run.
        FloatingPointError
            If the tick left a neuron's state infinite or NaN (key values too
            large for the state's float arithmetic, e.g. ``a_plus=1e250``). The tick is
            not undone (that would cost a copy of every weight per tick): the
            network's state is then invalid, :meth:`save` refuses it, and
            :meth:`set_state` or :meth:`load` restores a saved one.
        """
        return self._play(self.batch_observations(state))

    def _play(self, observations: np.ndarray):
        """:meth:`tick` on observations :meth:`batch_observations` has checked, (B, ...)."""
        if "neurons" not in self.state:
            raise RuntimeError(f"Call {type(self).__name__}.reset() before the first tick.")
        self._observations = observations
        arrivals = self._run(self.params.processing_time)
        self._check_finite()
        self.spike_log = self._emitted(arrivals, 0, self.params.processing_time)
        rates = self.spike_log[:, :, -self.params.n_outputs:].mean(axis=0)
        return self._unbatch(self.parts["readout"](rates, self.rng))

    def _check_finite(self):
        """Raise FloatingPointError, naming the field, network and neuron, if a neuron's state is not finite."""
        for field, array in self.state["neurons"]._asdict().items():
            if array.dtype.kind == "f" and not np.isfinite(array).all():
                where = tuple(int(k) for k in np.argwhere(~np.isfinite(array))[0])
                raise FloatingPointError(
                    f"{type(self).__name__}: the neurons' {field} became {array[where]} in this tick (at {where}): "
                    f"some key's value is too large for {self.dtype} arithmetic (effective_keys() lists every value)."
                )

    def _run(self, n_steps: int) -> np.ndarray:
        """Run ``n_steps`` timesteps; return the spikes arriving at each, (n_steps + 1, B, n_pre).

        Row t holds the presynaptic spikes that arrive at step t: body spikes
        emitted at step t - 1 and input spikes emitted at step t - input_delay.
        The last row arrives at the next tick's first step.
        """
        parts, state, rng = self.parts, self.state, self.rng
        injected = self._current_planned(n_steps)  # both checked before anything changes
        rewards = self._rewards_planned(n_steps)
        n_inputs, delay = parts["inputs"].params.n_inputs, self.params.input_delay
        state["inputs"] = parts["inputs"].encode(state["inputs"], self._observations)
        input_spikes, state["inputs"] = parts["inputs"].step(state["inputs"], rng, n_steps)
        arrivals = np.empty((n_steps + 1, *state["next_arrivals"].shape), dtype=bool)
        arrivals[0] = state["next_arrivals"]
        arrivals[-1, :, :n_inputs] = False
        arrivals[delay:n_steps + delay, :, :n_inputs] = input_spikes
        if self.backend == "numba" and run_compiled(self, arrivals, rewards, injected):
            return arrivals
        body = arrivals[:, :, n_inputs:]
        planned = rewards.any(axis=1)
        # the loop reads locals only: it runs processing_time times per tick
        step_neurons, neuron_state, continuous_reward = parts["neurons"].step, state["neurons"], self.continuous_reward
        magnitude, weights, training = parts["neurons"].params.magnitude, state["weights"].values, self.training
        gated, learned, monitors = parts["synapses"].REWARD_GATED, 0, self.step_monitors
        for t in range(n_steps):
            incoming = synaptic_input(arrivals[t], magnitude, weights)
            if injected is not None:  # in the state's type, as the compiled tick adds it
                incoming += injected[t].astype(incoming.dtype, copy=False)
            spikes, neuron_state = step_neurons(neuron_state, incoming, rng)
            body[t + 1] = spikes
            for monitor in monitors:
                monitor(neuron_state, spikes)
            if training:
                reward = continuous_reward(spikes)
                if reward is not None:
                    rewards[t] = reward
                if not gated or reward is not None or planned[t] or t + 1 - learned == LEARNING_BLOCK:
                    self._learn(arrivals, rewards, learned, t + 1)
                    learned = t + 1
        if training and learned < n_steps:
            self._learn(arrivals, rewards, learned, n_steps)
        state["neurons"], state["next_arrivals"] = neuron_state, arrivals[-1].copy()
        return arrivals

    def _emitted(self, arrivals, start: int, stop: int) -> np.ndarray:
        """Input and body spikes emitted at steps ``start`` to ``stop - 1``, (stop - start, B, n_pre)."""
        if self.params.input_delay == 1:
            return arrivals[start + 1:stop + 1]
        n_inputs = self.parts["inputs"].params.n_inputs
        return np.concatenate((arrivals[start:stop, :, :n_inputs], arrivals[start + 1:stop + 1, :, n_inputs:]), axis=2)

    def _learn(self, arrivals, rewards, start: int, stop: int):
        """Hand the learning rule the steps ``start`` to ``stop - 1`` of this tick."""
        n_inputs = self.parts["inputs"].params.n_inputs
        paired = arrivals[start:stop] if self.params.spike_pairing == "arrival" else self._emitted(arrivals, start, stop)
        self.state["synapses"] = self.parts["synapses"].step(
            self.state["synapses"], self.state["weights"], paired,
            arrivals[start + 1:stop + 1, :, n_inputs:], rewards[start:stop],
        )

    def continuous_reward(self, spikes: np.ndarray) -> np.ndarray | None:
        """Reward (B,) given to the learning rule at a timestep, or None for none (a plain network)."""
        return None

    def scheduled_rewards(self, n_steps: int) -> np.ndarray | None:
        """Rewards (n_steps, B) given to the learning rule at each step of the coming tick, known before it runs.

        None (the default) for none. A subclass overrides it for rewards fixed
        in advance, such as rewards delayed past the tick of their cause
        (:class:`~spikey.experiments.DistalReward`); the compiled tick takes
        them, where it cannot take :meth:`continuous_reward`. Asked once per
        tick, in training mode only.
        """
        return None

    def injected_current(self, n_steps: int) -> np.ndarray | None:
        """Current (mV) injected into each body neuron at each step of the coming tick, (n_steps, B, n_neurons).

        None (the default) for none. A subclass overrides it for a stimulus
        given as a current rather than as input spikes, such as the 1 ms
        superthreshold pulses of :class:`~spikey.experiments.ClassicalConditioning`.
        At step t neuron j receives ``injected[t, b, j]`` added to the charge
        its synapses deliver (after ``magnitude``), in training and in eval
        mode. Asked once per tick, on both backends; :meth:`tick` raises a
        ValueError, before anything changes, for anything but real numbers of
        that shape, all finite.
        """
        return None

    def _current_planned(self, n_steps: int) -> np.ndarray | None:
        """:meth:`injected_current` checked (shape, finite), or None."""
        injected = self.injected_current(n_steps)
        if injected is None:
            return None
        return self._checked_plan(injected, (n_steps, self.params.batch_size, self.parts["neurons"].params.n_neurons),
                                  "injected_current", "currents")

    def _rewards_planned(self, n_steps: int) -> np.ndarray:
        """The tick's reward array (n_steps, B): :meth:`scheduled_rewards` checked, or zeros."""
        shape = (n_steps, self.params.batch_size)
        scheduled = self.scheduled_rewards(n_steps) if self.training else None
        if scheduled is None:
            return np.zeros(shape)
        return self._checked_plan(scheduled, shape, "scheduled_rewards", "rewards")

    def _checked_plan(self, values, shape: tuple, method: str, what: str) -> np.ndarray:
        """``values``, real numbers of ``shape``, all finite, as a C-ordered float64 array; else a ValueError."""
        owner = f"{type(self).__name__}.{method}"
        try:
            given = np.asarray(values)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{owner} must return an array of {what}, shape {shape}; got {values!r} ({error}).") \
                from None
        if given.dtype.kind not in "iuf" or given.shape != shape:
            raise ValueError(f"{owner} must return real {what} (int or float) of shape {shape}; "
                             f"got shape {given.shape}, dtype {given.dtype}.")
        array = np.array(given, dtype=np.float64, order="C")
        if not np.isfinite(array).all():
            raise ValueError(f"{type(self).__name__}.{method} must return finite {what}; got "
                             f"{array[~np.isfinite(array)][0]} at step {np.argwhere(~np.isfinite(array))[0][0]}.")
        return array

    def batch_observations(self, state, name: str = "state") -> np.ndarray:
        """Observations as a batch (B, ...), checked against what the input part encodes.

        Every observation must hold finite numbers (bools, ints or floats),
        as many as the input part's ``observation_size()`` (``n_observations``,
        a game's observation width, or what its keys fix), else from 1 to
        ``n_inputs``.

        Raises
        ------
        InvalidParameterError
            Naming the network, the expected shapes with and without the
            batch axis, and what was given.
        """
        size, batch = self.parts["inputs"].observation_size(), self.params.batch_size
        n_inputs = self.parts["inputs"].params.n_inputs
        try:
            array = np.asarray(state)
        except ValueError:  # ragged
            array = np.asarray(None)
        one_given_batched = batch == 1 and array.ndim >= 2 and len(array) == 1  # shape (1, n): already batched
        batched = array[None] if batch == 1 and not one_given_batched else array
        numeric = array.dtype.kind in "biuf" and batched.ndim > 0 and len(batched) == batch
        width = batched[0].size if numeric else 0
        fits = width == size if size is not None else 1 <= width <= n_inputs
        if not (numeric and fits and np.isfinite(batched).all()):
            one = f"{size} finite numbers" if size is not None else f"1 to n_inputs={n_inputs} finite numbers"
            n = size if size is not None else "n"
            shapes = f"shape ({n},) or (1, {n})" if batch == 1 else f"shape ({batch}, {n}) for batch_size={batch}"
            raise InvalidParameterError(f"{type(self).__name__}: {name!r} must hold {one} per observation, "
                                        f"{shapes}. Got {_describe(state)}.")
        return batched

    def _batch(self, values, name: str) -> np.ndarray:
        batch = self.params.batch_size
        array = np.asarray(values)
        if batch == 1:
            return array[None]
        if array.ndim == 0 or len(array) != batch:
            raise InvalidParameterError(
                f"{type(self).__name__} with batch_size={batch} expects {batch} values for {name!r}, "
                f"got {array.shape}."
            )
        return array

    def _unbatch(self, values: np.ndarray):
        return values[0] if self.params.batch_size == 1 else values

    # ------------------------------------------------------------------ state
    @property
    def weights(self) -> np.ndarray:
        """Current signed weights (B, n_inputs + n_neurons, n_neurons): the charge per presynaptic spike / magnitude."""
        return self.state["weights"].values

    def _arrays(self) -> dict:
        """Every state array, by ``role`` or ``role.field``: the same arrays, not copies."""
        arrays = {}
        for role, value in self.state.items():
            if isinstance(value, tuple):
                arrays.update({f"{role}.{field}": array for field, array in value._asdict().items()})
            else:
                arrays[role] = value
        return arrays

    def copies_state(self, copies) -> dict:
        """The state of some networks of the batch (weights included): ``{name: array (n, ...)}``, copied.

        With per-copy seeds, ``rng`` holds each network's Generator state as
        JSON text, (n,); one Generator shared by the batch is not included.

        Parameters
        ----------
        copies : array_like of shape (B,), bool
        """
        mask = self._copies(copies, "copies_state")
        arrays = {name: array[mask].copy() for name, array in self._arrays().items()}
        streams = stream_state(self.rng)
        if isinstance(streams, list):
            arrays["rng"] = np.array([json.dumps(one) for one, kept in zip(streams, mask) if kept])
        return arrays

    def set_copies_state(self, copies, arrays: dict):
        """Put back a :meth:`copies_state` into the same networks of the batch (in place).

        Raises
        ------
        InvalidParameterError
            Naming ``set_copies_state`` and the entry, for what :meth:`set_state`
            would refuse in the whole state (a missing or unexpected entry, a
            shape or dtype other than those of :meth:`copies_state`, a float that
            is not finite, an entry a part refuses, a Generator state the
            network cannot take). Nothing changes then.
        """
        mask, owner = self._copies(copies, "set_copies_state"), f"{type(self).__name__}.set_copies_state"
        expected = self.copies_state(copies)
        if not isinstance(arrays, Mapping) or set(arrays) != set(expected):
            given = sorted(arrays) if isinstance(arrays, Mapping) else type(arrays).__name__
            raise InvalidParameterError(f"{owner} takes the entries of copies_state(), {sorted(expected)}; got {given}.")
        for name, array in arrays.items():
            array, want = np.asarray(array), expected[name]
            if array.shape != want.shape or (name != "rng" and array.dtype != want.dtype):
                hint = self._dtype_hint(array.dtype, want.dtype)
                raise InvalidParameterError(f"{owner}: {name!r} must have shape {want.shape} and dtype {want.dtype}; "
                                            f"got {array.shape} {array.dtype}{hint}.")
        whole = self.get_state()
        for name, array in arrays.items():
            if name != "rng":
                whole[name][mask] = array
        if "rng" in arrays:
            given, streams = iter(arrays["rng"]), json.loads(str(whole["rng"]))
            try:
                streams = [json.loads(str(next(given))) if kept else one for one, kept in zip(streams, mask)]
            except ValueError as error:
                raise InvalidParameterError(f"{owner}: 'rng' must hold JSON Generator states ({error}).") from None
            whole["rng"] = np.array(json.dumps(streams))
        problem = self._state_problem(whole)
        if problem:
            raise InvalidParameterError(f"{owner}: {problem}.")
        self.set_state(whole)

    def get_state(self) -> dict:
        """Copies of every state array, plus the stream's state, as a flat dict of arrays (npz-ready).

        ``rng`` is JSON text: the Generator's bit generator state, or with
        per-copy seeds the list of each network's.
        """
        arrays = {
            "episode": np.array(self.episode),
            "rng": np.array(json.dumps(stream_state(self.rng))),
            **self._arrays(),
        }
        return {name: np.array(array, copy=True) for name, array in arrays.items()}

    def save(self, path):
        """Save this network into the folder ``path`` (see :mod:`spikey.snn.saving`); return the folder.

        Raises
        ------
        InvalidParameterError
            For a state :meth:`set_state` would refuse (non-finite after a
            tick that raised FloatingPointError), or a key, part or template
            that cannot be saved.
        """
        problem = self._state_problem(self.get_state())
        if problem:
            raise InvalidParameterError(f"{type(self).__name__}.save: {problem}; a state load would refuse is not saved.")
        return save_network(self, path)

    @classmethod
    def load(cls, path):
        """The network saved in the folder ``path``, continuing exactly where it was saved."""
        network = load_network(path)
        if not isinstance(network, cls):
            raise ValueError(f"{path} holds a {type(network).__name__}, not a {cls.__name__}.")
        return network

    def set_state(self, arrays: dict):
        """Restore a ``get_state()`` dict; the network then continues exactly where that one stopped.

        Raises
        ------
        InvalidParameterError
            Naming ``set_state`` and the entry, for a missing or unexpected
            entry, a shape or dtype other than this network's, a float that
            is not finite, an entry its part refuses (weights outside their
            row's bounds or on absent synapses, a scale that is not positive),
            an episode that is not an int >= 0, or a Generator state this
            network's bit generator cannot take (with per-copy seeds, a list
            of one per network). The network is unchanged then.
        """
        if not isinstance(arrays, Mapping):
            raise InvalidParameterError(f"{type(self).__name__}.set_state takes a dict of arrays, as get_state() "
                                        f"returns; got {type(arrays).__name__}.")
        saved, rng_state = dict(self.state), stream_state(self.rng)
        if "neurons" not in self.state and any(name.startswith("neurons") for name in arrays):
            self.reset()  # a state saved after a reset: its arrays have the shapes a reset gives
        try:
            problem = self._state_problem(arrays)
        finally:
            set_stream_state(self.rng, rng_state)
        if problem:
            self.state = saved
            raise InvalidParameterError(f"{type(self).__name__}.set_state: {problem}.")
        try:
            self.set_episode(np.asarray(arrays["episode"]))  # all or nothing, like the checks above
        except InvalidParameterError:
            self.state = saved
            raise
        set_stream_state(self.rng, json.loads(str(arrays["rng"])))
        for role, value in self.state.items():
            self.state[role] = _restored(value, role, arrays)

    def _dtype_hint(self, given: np.dtype, expected: np.dtype) -> str:
        """For a float array of another float type than the state's, why it is refused; else ''."""
        if given.kind == expected.kind == "f" and given != expected:
            return f" (the network's 'dtype' key is {self.params.dtype!r}; nothing is converted)"
        return ""

    def _state_problem(self, arrays: dict) -> str:
        """What is wrong with a ``get_state()`` dict for this network, or ''."""
        expected = self.get_state()
        if set(arrays) != set(expected):
            return f"missing {sorted(set(expected) - set(arrays))}, unexpected {sorted(set(arrays) - set(expected))}"
        batch = self.params.batch_size
        for name, array in arrays.items():
            array = np.asarray(array)
            same_dtype = array.dtype == expected[name].dtype or array.dtype.kind == expected[name].dtype.kind == "U"
            shapes = ((), (batch,)) if name == "episode" else (expected[name].shape,)  # one episode, or one per network
            if array.shape not in shapes or not same_dtype:
                return (f"{name!r} must have shape {' or '.join(map(str, shapes))} and dtype {expected[name].dtype}; "
                        f"got {array.shape} {array.dtype}{self._dtype_hint(array.dtype, expected[name].dtype)}")
            if array.dtype.kind == "f" and not np.isfinite(array).all():
                return f"{name!r} must be finite; it holds {array[~np.isfinite(array)][0]}"
        if np.any(np.asarray(arrays["episode"]) < 0):
            return f"'episode' must be an int >= 0 (one per network if batched); got {arrays['episode']}"
        problem = stream_state_problem(self.rng, str(arrays["rng"]))
        if problem:
            return problem
        for role, value in self.state.items():
            problem = self.parts[role].state_problem(_restored(value, role, arrays)) if role in self.parts else None
            if problem:
                return f"{role!r}: {problem}"
        return ""
