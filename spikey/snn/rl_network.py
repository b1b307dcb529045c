"""Networks that learn from reward: rewarded after each tick (RLNetwork) or at every output spike (ActiveRLNetwork).

Two reward channels, one convention each:

- **A rewarder part** (``parts={"rewarder": ...}``) scores (observation,
  action) itself: ``reward(state, action)`` asks it, and any reward the game
  gives is ignored. Spikey's logic games use this (``MatchExpected`` with the
  game's ``expected_value``).
- **No rewarder**: the network learns from the reward it is given,
  ``reward(reward=r)``, which a training loop fills with the game's own
  reward (a Gymnasium environment's return from ``step``).
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from spikey.module import InvalidParameterError
from spikey.snn.compiled import reward_compiled
from spikey.snn.network import Network, _describe
from spikey.snn.streams import for_copies

__all__ = ["RLNetwork", "ActiveRLNetwork"]


class RLNetwork(Network):
    """A network that learns from a reward given after each tick.

    ``reward(state, action)`` asks the ``rewarder`` part for the reward of each
    network (or takes ``reward=`` directly) and, in training mode, hands it to
    the learning rule as the reward of the tick's last timestep.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> class RewardedXOR(RLNetwork):  # Florian's parts, rewarded once per game step
    ...     parts, keys = FlorianXOR.parts, {**FlorianXOR.keys, "processing_time": 100}
    >>> net = RewardedXOR(keys={"seed": 0, "expected_value": lambda s: np.logical_xor(s[:, 0], s[:, 1])})
    >>> net.reset()
    >>> state = np.array([0, 1])
    >>> action = net.tick(state)
    >>> float(net.reward(state, action)) == (1.0 if action == 1 else -1.0)
    True
    """

    OPTIONAL_ROLES = ("rewarder", "modifiers")

    def reward(self, state=None, action=None, state_next=None, reward=None):
        """Reward the last tick and learn from it; returns the reward (a float, or (B,) array).

        Parameters
        ----------
        state, action, state_next : array_like, optional
            The tick's observation(s), action(s) and following observation(s), for the rewarder.
        reward : float or array_like of shape (B,), optional
            The reward itself, bypassing the rewarder: a finite int or float
            (``batch_size=1``) or an array of shape (B,) of them.

        Raises
        ------
        RuntimeError
            Before the first :meth:`reset`.
        InvalidParameterError
            For a reward that is not a finite int or float per network (a bool,
            str, NaN or an array of another shape), or, without a reward, for
            a network without a rewarder, a missing ``state`` or actions the
            rewarder refuses. Nothing has changed then.
        """
        rewards = self._rewards(state, action, state_next, reward)
        if self.training and not (self.backend == "numba" and reward_compiled(self, rewards)):
            self.state["synapses"] = self.parts["synapses"].reward(self.state["synapses"], self.state["weights"], rewards)
        return self._unbatch(rewards)

    def _rewards(self, state, action, state_next, reward) -> np.ndarray:
        """The reward of each network, float64 (B,): ``reward`` checked, or the rewarder's."""
        name = type(self).__name__
        if "neurons" not in self.state:
            raise RuntimeError(f"Call {name}.reset() before the first reward.")
        if reward is not None:
            return self._checked_rewards(reward)
        if "rewarder" not in self.parts:
            raise InvalidParameterError(f"{name} has no rewarder part: give the reward itself, reward(reward=r), "
                                        "e.g. the game's own reward.")
        if state is None:
            raise InvalidParameterError(
                f"{name}.reward needs the tick's state and action for its rewarder "
                f"{type(self.parts['rewarder']).__name__}: reward(state, action), or the reward itself: "
                f"reward(reward=r). Got state=None, action={action!r}."
            )
        next_states = None if state_next is None else self.batch_observations(state_next, "state_next")
        rewards = self.parts["rewarder"](self.batch_observations(state, "state"), self._batch(action, "action"),
                                         next_states)
        return np.asarray(rewards, dtype=np.float64)

    def _checked_rewards(self, reward) -> np.ndarray:
        """``reward`` as float64 (B,), if it is a finite int or float per network (a number when B is 1)."""
        batch = self.params.batch_size
        values = np.asarray(reward, dtype=object)
        if values.shape in ([(), (1,)] if batch == 1 else [(batch,)]) and all(map(_is_number, values.flat)):
            with np.errstate(over="ignore"):
                try:
                    rewards = values.astype(np.float64).reshape(batch)
                except OverflowError:  # an int beyond float64
                    rewards = np.full(batch, np.inf)
            if np.all(np.isfinite(rewards)):
                return rewards
        shape = "a number, or an array of shape (1,)," if batch == 1 else f"an array of shape ({batch},)"
        raise InvalidParameterError(
            f"The 'reward' argument of {type(self).__name__}.reward must be a finite reward per network: "
            f"{shape} of finite ints or floats (not bool or str). Got {reward!r} instead."
        )


def _is_number(value) -> bool:
    """True for an int or float (Python or numpy), False for a bool, str or anything else."""
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


class ActiveRLNetwork(RLNetwork):
    """An RL network rewarded at every output spike, during the tick.

    At each timestep where a network's output neurons spike, the readout reads
    that step's output spikes as an action and the rewarder scores it against
    the tick's observation; the learning rule receives that reward at once
    (Florian 2007's XOR setup: +1 per output spike when the answer is true, -1
    when false). Learning happens only from these rewards: ``reward()``
    computes the tick's reward for logging and does not learn from it.

    Silence is a dead end: a network whose outputs stop firing earns no
    reward, so its weights stop changing (the traces still run) and it cannot
    learn its way back. Punishment alone can drive an output there; a template
    must keep its outputs driven for the patterns they should answer (see
    :mod:`spikey.experiments.florian2007` for how Florian's network does, and
    how often it still falls silent).

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> net = FlorianXOR(keys={"seed": 1})
    >>> net.reset()
    >>> before = net.weights.copy()
    >>> _ = net.tick(np.array([1, 1]))  # every output spike is punished at once
    >>> bool(net.spike_log[:, 0, -1].any()) == (not np.array_equal(before, net.weights))
    True
    """

    REQUIRED_ROLES = Network.REQUIRED_ROLES + ("rewarder",)
    OPTIONAL_ROLES = ("modifiers",)

    def tick(self, state):
        """Play one game step, rewarded at every output spike; see :meth:`Network.tick`.

        Raises
        ------
        InvalidParameterError
            Also for observations the rewarder cannot score (an ``expected_value``
            that does not give one answer per network); nothing has run then.
        """
        observations = self.batch_observations(state)
        try:
            self._score = self.parts["rewarder"].scorer(observations)
        except InvalidParameterError as error:
            raise InvalidParameterError(f"{type(self).__name__}: its rewarder cannot score 'state' "
                                        f"{_describe(state)}: {error}") from None
        return self._play(observations)

    def continuous_reward(self, spikes):
        outputs = spikes[:, -self.params.n_outputs:]
        if not np.count_nonzero(outputs):
            return None
        fired = outputs.any(axis=1)
        actions = self.parts["readout"](outputs.astype(np.float64), for_copies(self.rng, fired))
        return np.where(fired, self._score(actions), 0.0)

    def reward(self, state=None, action=None, state_next=None, reward=None):
        """The tick's reward (float or (B,)), for logging; learning happened during the tick.

        Takes the arguments of :meth:`RLNetwork.reward` and raises the same errors.
        """
        return self._unbatch(self._rewards(state, action, state_next, reward))
