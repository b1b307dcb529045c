"""Spikey games: Gymnasium environments with declared keys and presets.

Every game is a ``gymnasium.Env`` subclass configured by validated keys
(:class:`Game`), registered under a ``spikey/`` id so ``gymnasium.make`` builds
it once ``spikey.games`` is imported (or with ``"spikey.games:spikey/Logic-v0"``)::

    import gymnasium, spikey.games
    env = gymnasium.make("spikey/Logic-v0", preset="XOR")
    env.unwrapped.params.expected_value   # wrappers added by make hide `params`

``spikey/Logic-v0`` defaults to the XOR preset; ``Logic()`` itself has no
default gate. Any other Gymnasium environment plays through :class:`GymWrapper`;
:class:`VectorGame` steps B copies for a network with ``batch_size=B``;
:func:`check_game` checks a game against Gymnasium's API and Spikey's keys.
"""
import gymnasium

from spikey.games.cartpole import CartPole
from spikey.games.checks import check_game
from spikey.games.gym_wrapper import GymWrapper
from spikey.games.logic import Logic
from spikey.games.rand_state import RandState
from spikey.games.template import Game
from spikey.games.vector import VectorGame, copy_seeds

__all__ = [
    "Game",
    "Logic",
    "CartPole",
    "RandState",
    "GymWrapper",
    "VectorGame",
    "copy_seeds",
    "check_game",
    "GAME_IDS",
    "register_games",
]

GAME_IDS = {
    "spikey/Logic-v0": ("spikey.games.logic:Logic", {"preset": "XOR"}),
    "spikey/CartPole-v0": ("spikey.games.cartpole:CartPole", {}),
    "spikey/RandState-v0": ("spikey.games.rand_state:RandState", {}),
}
"""Registered id -> (entry point, default kwargs). Episode length is each game's
``max_steps`` key, so no ``max_episode_steps`` (TimeLimit) is registered."""


def register_games() -> None:
    """Register every Spikey game with Gymnasium; ids already registered are left alone."""
    for env_id, (entry_point, kwargs) in GAME_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry_point, kwargs=dict(kwargs))


register_games()
