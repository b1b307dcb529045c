"""Training loops: a network plays episodes of a game and learns, locally or wherever a ``report`` leads.

A loop is configured like a part, by one dict: its own keys (``n_episodes``,
``len_episode``, ``progress``), the network template's keys and the game's
keys, each checked by its owner; a name nobody declares is an error with a
did-you-mean hint. Calling it builds the network and ``batch_size`` copies of
the game (a :class:`~spikey.games.VectorGame`), and plays:

    network.reset(); observation = game.reset(seed)
    until every network has played n_episodes episodes:
        action = network.tick(observation)
        observation, reward, terminated, truncated = game.step(action)
        network.reward(...)          # an RLNetwork learns (see below)
        networks whose episode ended (the game ended it, or len_episode steps
        passed) are reset alone, and start their next episode

Rewards follow the network's convention (see :mod:`spikey.snn.rl_network`):
an RLNetwork with a rewarder part is rewarded by it, one without learns from
the game's reward; an ActiveRLNetwork learned during the tick. Modifier
schedules follow each network's training episode (``Network.set_episode``). A
network that has played its ``n_episodes`` while others of the batch go on
keeps running in lockstep, but its state at the end of its last episode is
restored when the loop ends, so every network has played exactly
``n_episodes``. The loop makes no Ray call: ``report(row)``, if given, gets one
dict of scalars per finished episode and network (Ray Train and Tune pass
their own).
"""
from __future__ import annotations

import gymnasium
import numpy as np
from tqdm import tqdm

from spikey.core.callback import RLCallback
from spikey.games.gym_wrapper import GymWrapper
from spikey.games.template import Game
from spikey.games.vector import VectorGame, copy_seeds
from spikey.module import InvalidParameterError, Interval, Key, Module, Options, unknown_key_error
from spikey.snn.network import Network, observation_width
from spikey.snn.rl_network import ActiveRLNetwork, RLNetwork

__all__ = ["TrainingLoop", "GenericLoop"]

N_EPISODES = Key("n_episodes", Interval(int, 1, None), "Episodes each network of the batch plays.")
LEN_EPISODE = Key("len_episode", Interval(int, 1, None),
                  "Most game steps in an episode; the game may end it sooner.")
RESET_NETWORK = Key("reset_network", Options(True, False),
                    "Reset a network's potentials, traces and inputs when it starts an episode (weights persist); "
                    "False carries them over, as one continuous run (Florian 2007 never resets).", default=True)
PROGRESS = Key("progress", Options("auto", True, False),
               "Show a tqdm progress bar over finished episodes: 'auto' only on a terminal.", default="auto")


class TrainingLoop(Module):
    """Base of training loops: splits one configuration dict between the loop, the network and the game.

    Parameters
    ----------
    network_template : type
        A :class:`~spikey.snn.network.Network` subclass (a template).
    game_template : type or str
        A :class:`~spikey.games.template.Game` subclass, or a Gymnasium id
        played through :class:`~spikey.games.GymWrapper` (the keys no loop or
        network part declares are its ``gymnasium.make`` arguments).
    callback : ExperimentCallback, optional
        Records the run; an :class:`~spikey.core.callback.RLCallback` by default.
    **params
        The loop's keys, the network's keys and the game's keys (``preset``
        included). Keys both declare go to both.

    Raises
    ------
    InvalidParameterError
        For templates of the wrong kind, and for a key nobody declares (with a
        did-you-mean hint) or a bad value of the loop's keys; the network and
        the game check theirs when they are built.
    """

    NECESSARY_KEYS = (N_EPISODES, LEN_EPISODE, RESET_NETWORK, PROGRESS)

    def __init__(self, network_template, game_template, callback=None, **params):
        if not (isinstance(network_template, type) and issubclass(network_template, Network)):
            raise InvalidParameterError(f"The network_template of {type(self).__name__} must be a Network subclass. "
                                        f"Got {network_template!r} instead.")
        if not (isinstance(game_template, str) or isinstance(game_template, type) and issubclass(game_template, Game)):
            raise InvalidParameterError(f"The game_template of {type(self).__name__} must be a spikey Game subclass "
                                        f"or a Gymnasium id. Got {game_template!r} instead.")
        loop_names = {key.name for key in self.NECESSARY_KEYS}
        network_names = set(network_template._declarations(network_template._resolve_parts(None), None))
        if isinstance(game_template, str):  # GymWrapper checks its gymnasium.make arguments when it is built
            game_names = set(params) - loop_names - network_names
        else:
            game_names = {key.name for key in game_template.NECESSARY_KEYS} | {"preset"}
        for name in params:
            if name not in loop_names | network_names | game_names:
                raise unknown_key_error(name, loop_names | network_names | game_names, type(self).__name__)
        super().__init__(**{name: value for name, value in params.items() if name in loop_names})
        self.network_template, self.game_template = network_template, game_template
        self.network_keys = {name: value for name, value in params.items() if name in network_names}
        self.game_keys = {name: value for name, value in params.items() if name in game_names}
        self.callback = RLCallback() if callback is None else callback

    def build(self):
        """A fresh network and its batch of games, ``(network, games)``.

        Raises
        ------
        InvalidParameterError
            If the game's observations do not fit the network's inputs, or its
            actions its readout's ``n_actions``.
        """
        game = self._make_game()
        network = self.network_template(keys=self.network_keys, game=game)
        _check_sizes(network, game)
        return network, self.build_games(network)

    def build_games(self, network):
        """``batch_size`` copies of the game for ``network`` (a VectorGame), each episode at most ``len_episode``."""
        return VectorGame(self._make_game, network.params.batch_size)

    def _make_game(self):
        return _limited_game(self.game_template, self.game_keys, self.params.len_episode)

    def __call__(self, report=None):
        """Run the loop; return ``(network, game, results, info)``."""
        raise NotImplementedError


def _check_sizes(network, game):
    inputs = network.parts["inputs"]
    width, size, n_inputs = observation_width(game.observation_space), inputs.observation_size(), inputs.params.n_inputs
    names = f"{type(network).__name__} and {getattr(game.unwrapped, '_owner', type(game.unwrapped).__name__)}"
    if width > n_inputs or size not in (None, width):
        takes = f"n_observations={size}" if size is not None else f"at most n_inputs={n_inputs}"
        raise InvalidParameterError(
            f"{names} do not fit: the game's observations have {width} values, the network's input part takes "
            f"{takes} (each value drives a group of inputs)."
        )
    readout = network.parts["readout"]
    if isinstance(game.action_space, gymnasium.spaces.Box) and not readout.VECTOR_ACTIONS:
        raise InvalidParameterError(
            f"{names} do not fit: {type(readout).__name__} chooses one discrete action per step, the game's actions "
            f"are continuous, {game.action_space}; use a readout of action vectors (NeuronRates, PopulationVector)."
        )
    n_actions = readout.params.get("n_actions")
    if isinstance(game.action_space, gymnasium.spaces.Discrete) and n_actions not in (None, game.action_space.n):
        raise InvalidParameterError(
            f"{names} do not fit: the readout chooses among n_actions={n_actions} actions, the game has "
            f"{game.action_space.n}."
        )


def _limited_game(game_template, keys: dict, len_episode: int):
    game = GymWrapper(game_template, **keys) if isinstance(game_template, str) else game_template(**keys)
    return gymnasium.wrappers.TimeLimit(game, max_episode_steps=len_episode)


class GenericLoop(TrainingLoop):
    """Episodes of tick, game step and reward, for every network of a batch, each on its own game.

    Examples
    --------
    >>> from spikey.experiments import FlorianXOR
    >>> from spikey.games import Logic
    >>> loop = GenericLoop(FlorianXOR, Logic, n_episodes=2, len_episode=4, preset="XOR", pattern_order="epochs",
    ...                    seed=0, batch_size=3, processing_time=50, progress=False)
    >>> network, game, results, info = loop()
    >>> results["steps"].tolist()
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """

    def __call__(self, report=None, network=None, first_episode: int = 0):
        """Play ``n_episodes`` episodes on every network; return ``(network, game, results, info)``.

        Parameters
        ----------
        report : callable, optional
            ``report(row)`` after each finished episode of each network, with
            the episode's ``results`` as scalars plus ``episode`` and ``copy``.
        network : Network, optional
            Go on training this network (e.g. loaded from a checkpoint) instead
            of building one from the template.
        first_episode : int, default 0
            The training episode the run starts at: it numbers the episodes
            in ``report`` rows, sets the modifier schedules, and seeds the games
            (with ``seed`` alone at 0, with ``(seed, first_episode)`` after), so
            a run split into pieces at the same episodes is the same run. With
            per-copy seeds (an array), copy ``k`` plays the games of a lone
            run seeded ``seed[k]``, and its network is that run's.

        Returns
        -------
        network : Network
            Trained; each network of the batch as it ended its last episode.
        game : VectorGame
        results : dict of str -> ndarray of shape (n_episodes, B)
            Per-episode scalars of each network (see the callback).
        info : dict of str -> ndarray
            Arrays the callback recorded (monitors).
        """
        p, callback = self.params, self.callback
        network, games = self.build() if network is None else (network, self.build_games(network))
        batch, seed = network.params.batch_size, network.params.seed
        observations, _ = games.reset(seed=_game_seed(seed, first_episode))
        episodes, finished = np.zeros(batch, dtype=np.int64), {}
        if "neurons" not in network.state or p.reset_network:
            network.reset()
        network.set_episode(first_episode + episodes if batch > 1 else first_episode)
        self.first_episode = first_episode
        callback.reset(network, games, p.n_episodes)
        with tqdm(total=p.n_episodes * batch, desc="episodes", disable=None if p.progress == "auto" else not p.progress) \
                as progress:
            while len(finished) < batch:
                ended = self._step(network, games, observations, callback)
                observations = ended.pop("observations")
                self._end_episodes(network, ended["copies"], episodes, finished, callback, report, progress)
        for copy, state in finished.items():  # every network as it ended its n_episodes-th episode
            network.set_copies_state(np.arange(batch) == copy, state)
        callback.training_end(network)
        return (network, games, *callback)

    def _step(self, network, games, observations, callback) -> dict:
        """One tick, game step and reward for every network; the next observations and which episodes ended."""
        batch = network.params.batch_size
        actions = np.asarray(network.tick(observations if batch > 1 else observations[0]))
        callback.on_tick(network, observations, actions)
        batched_actions = actions if batch > 1 else actions[None]
        next_observations, game_rewards, terminated, truncated, info = games.step(batched_actions)
        ended = terminated | truncated
        rewards = np.full(batch, np.nan)
        if isinstance(network, RLNetwork):
            final = next_observations.copy()
            for copy in np.flatnonzero(ended):  # the observation that ended the episode, not the next one's first
                final[copy] = info["final_obs"][copy]
            from_game = "rewarder" not in network.parts and not isinstance(network, ActiveRLNetwork)
            rewards = np.atleast_1d(network.reward(
                _unbatched(observations, batch), actions, _unbatched(final, batch),
                reward=_unbatched(game_rewards, batch) if from_game else None,
            ))
        callback.on_step(observations, actions, np.asarray(game_rewards, dtype=np.float64), rewards, terminated,
                         truncated)
        return {"observations": next_observations, "copies": ended}

    def _end_episodes(self, network, copies, episodes, finished, callback, report, progress):
        """Count the ended episodes, report them, reset those networks, keep the state of finished ones."""
        if not copies.any():
            return
        callback.on_episode_end(network, copies, episodes)
        n_episodes = self.params.n_episodes
        for copy in np.flatnonzero(copies & (episodes < n_episodes)):
            progress.update()
            if report is not None:
                row = {name: float(values[episodes[copy], copy]) for name, values in callback.results.items()}
                report({**row, "episode": self.first_episode + int(episodes[copy]), "copy": int(copy)})
        episodes[copies] += 1
        for copy in np.flatnonzero(copies & (episodes == n_episodes)):
            finished[int(copy)] = network.copies_state(np.arange(len(episodes)) == copy)
        if len(finished) == len(episodes):
            return
        if self.params.reset_network:
            network.reset(copies=copies) if len(episodes) > 1 else network.reset()
        current = self.first_episode + np.minimum(episodes, n_episodes - 1)
        network.set_episode(current if len(episodes) > 1 else int(current[0]))


def _game_seed(seed, first_episode: int):
    """The games' seed for a run starting at ``first_episode``: ``seed`` at 0, else one drawn from (seed, episode).

    Per-copy seeds (an array) give a list, copy ``k``'s game seed the one a
    lone network seeded ``seed[k]`` gives its single game, so copy ``k``
    plays that lone run's episodes.
    """
    if isinstance(seed, np.ndarray):
        return [copy_seeds(_game_seed(int(one), first_episode), 1)[0] for one in seed]
    if seed is None or first_episode == 0:
        return seed
    return int(np.random.SeedSequence([seed, first_episode]).generate_state(1, dtype=np.uint64)[0])


def _unbatched(values, batch: int):
    return values if batch > 1 else np.asarray(values)[0]
