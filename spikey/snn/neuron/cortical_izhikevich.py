"""A cortical network's neurons: excitatory and inhibitory Izhikevich cells driven by random thalamic input.

The neurons of Izhikevich (2003)'s and Izhikevich (2007)'s cortical networks:
the first neurons are excitatory, of one cell class (regular spiking by
default), the last ``round(neuron_pct_inhibitory * n_neurons)`` inhibitory,
of another (fast spiking by default); in both papers 80 % and 20 %. Each
step every neuron also receives a random thalamic current drawn uniformly
from ``[-thalamic_input / 2, thalamic_input / 2]`` mV (Izhikevich 2007's
code: ``I = 13 (rand - 0.5)``, so ``thalamic_input = 13``), added to the
charge its synapses deliver and held over both half-steps like it. The
dynamics are those of :class:`~spikey.snn.neuron.Izhikevich`, one
implementation for both parts.

References
----------
E. M. Izhikevich (2003), Simple model of spiking neurons. IEEE Transactions
on Neural Networks 14(6):1569-1572.
E. M. Izhikevich (2007), Solving the distal reward problem through linkage
of STDP and dopamine signaling. Cerebral Cortex 17(10):2443-2452.
"""
from __future__ import annotations

import numpy as np

from spikey.module import Interval, Key, per_network
from spikey.snn.neuron.izhikevich import Izhikevich, IzhikevichState
from spikey.snn.streams import random_steps

__all__ = ["CorticalIzhikevich"]

_FAST_SPIKING = Izhikevich.PRESETS["fast_spiking"]


def _inhibitory_key(name: str, base: Key) -> Key:
    """The key of an inhibitory cell's parameter, declared like the excitatory one, fast spiking by default."""
    return Key(f"inhibitory_{name}", base.constraint,
               f"{name} of the inhibitory neurons (Izhikevich 2003's fast spiking class: {_FAST_SPIKING[name]}); "
               f"see the key {name!r} of the excitatory ones.", default=_FAST_SPIKING[name], fixed=True)


class CorticalIzhikevich(Izhikevich):
    """Izhikevich neurons of two cell classes, excitatory first then inhibitory, with random thalamic input.

    Unlike other neuron parts, which draw each neuron's polarity, the
    inhibitory neurons are the last ``round(neuron_pct_inhibitory *
    n_neurons)``, so the 20 % of Izhikevich's networks are exact. The keys
    ``a``, ``b``, ``c``, ``d`` set the excitatory cells (regular spiking by
    default), ``inhibitory_a`` ... ``inhibitory_d`` the inhibitory ones (fast
    spiking by default).

    Attributes
    ----------
    State.potential : ndarray of shape (B, n_neurons), float64 (or the network's ``dtype``)
        Membrane potential v (mV); each neuron starts at its own rest.
    State.recovery : ndarray of shape (B, n_neurons), float64 (or the network's ``dtype``)
        Recovery variable u.

    References
    ----------
    E. M. Izhikevich (2003), IEEE Trans. Neural Networks 14(6):1569-1572;
    E. M. Izhikevich (2007), Cerebral Cortex 17(10):2443-2452.

    Examples
    --------
    >>> neurons = CorticalIzhikevich(n_neurons=5, magnitude=1.0, neuron_pct_inhibitory=0.4, thalamic_input=0.0)
    >>> rng = np.random.default_rng(0)
    >>> neurons.polarity(1, rng).tolist()  # the last 40 % are inhibitory
    [[1.0, 1.0, 1.0, -1.0, -1.0]]
    >>> state = neurons.init_state(1, rng)
    >>> spikes, state = neurons.step(state, np.full((1, 5), 100.0), rng)  # a strong kick: every cell fires
    >>> spikes.tolist(), state.recovery.round(1).tolist()  # u rose by d: 8 (regular spiking), 2 (fast spiking)
    ([[True, True, True, True, True]], [[-5.5, -5.5, -5.5, -9.3, -9.3]])
    """

    NECESSARY_KEYS = Izhikevich.extend_keys(
        *(_inhibitory_key(name, key) for name in "abcd" for key in Izhikevich.NECESSARY_KEYS if key.name == name),
        Key("thalamic_input", Interval(float, 0, None),
            "Width (mV) of the random thalamic current each neuron receives every step, uniform on "
            "[-thalamic_input / 2, thalamic_input / 2] (Izhikevich 2007's code: 13); 0 for none.", default=0.0,
            batched=True),
    )

    def n_inhibitory(self) -> int:
        """How many neurons, the last ones, are inhibitory."""
        return round(self.params.neuron_pct_inhibitory * self.params.n_neurons)

    def polarity(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """+1 for the excitatory neurons, then -1 for the last :meth:`n_inhibitory` (B, n_neurons); draws nothing."""
        n = self.params.n_neurons
        return np.broadcast_to(np.where(np.arange(n) < n - self.n_inhibitory(), 1.0, -1.0), (batch_size, n)).copy()

    def cell_parameters(self) -> tuple:
        """``(a, b, c, d)``, each of shape (1 or B, n_neurons): each neuron's value for its cell class."""
        p = self.params
        inhibitory = np.arange(p.n_neurons) >= p.n_neurons - self.n_inhibitory()
        return tuple(np.where(inhibitory, p[f"inhibitory_{name}"], per_network(p[name], 2)) for name in "abcd")

    def step(self, state: IzhikevichState, incoming: np.ndarray, rng: np.random.Generator):
        """One 1 ms timestep, the thalamic current added to ``incoming``; see :meth:`Izhikevich.step`.

        Draws (B, n_neurons) uniforms from ``rng`` every step, whatever
        ``thalamic_input`` (so a network's stream does not depend on it).
        """
        current = self.thalamic_current(rng, incoming.shape).astype(state.potential.dtype, copy=False)
        return super().step(state, incoming + current, rng)

    def thalamic_current(self, rng: np.random.Generator, shape: tuple, n_steps: int | None = None) -> np.ndarray:
        """The thalamic current (mV) of one step, ``shape`` = (B, n_neurons), or of ``n_steps`` steps at once.

        ``width * (u - 0.5)`` with ``u`` uniform on [0, 1), drawn whatever the
        width (0 gives 0), so that a network's stream does not depend on it.
        ``n_steps`` steps at once, (n_steps, B, n_neurons), are the numbers of
        ``n_steps`` draws of one step (:func:`~spikey.snn.streams.random_steps`).
        """
        width = per_network(self.params.thalamic_input, 2)
        return width * ((rng.random(shape) if n_steps is None else random_steps(rng, n_steps, shape)) - 0.5)
