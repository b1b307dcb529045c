"""Faults on purpose, to test that training survives them."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from spikey.core.callback import RLCallback

__all__ = ["FailOnce", "FailAlways"]


class FailOnce(RLCallback):
    """An RLCallback that raises once, at the end of training episode ``episode``, to test fault tolerance.

    The first time any loop using it ends that episode it creates the file
    ``marker`` and raises ``RuntimeError``; once the file exists it records
    as an ordinary RLCallback. Pass it to ``spikey.core.ray_train.train`` as
    ``callback=functools.partial(FailOnce, marker, episode)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> callback = FailOnce(pathlib.Path(tempfile.mkdtemp()) / "failed", episode=3)
    >>> callback.marker.exists()
    False
    """

    def __init__(self, marker, episode: int):
        super().__init__()
        self.marker, self.episode = Path(marker), episode

    def on_episode_end(self, network, copies, episodes):
        super().on_episode_end(network, copies, episodes)
        if np.any(np.asarray(network.episode) == self.episode) and not self.marker.exists():
            self.marker.touch()
            raise RuntimeError(f"FailOnce: a failure on purpose at the end of training episode {self.episode}.")


class FailAlways(RLCallback):
    """An RLCallback that raises ``RuntimeError`` every time a loop ends training episode ``episode``.

    Tests that a worker that keeps failing ends a run with its own error.

    Examples
    --------
    >>> FailAlways(episode=1).episode
    1
    """

    def __init__(self, episode: int):
        super().__init__()
        self.episode = episode

    def on_episode_end(self, network, copies, episodes):
        super().on_episode_end(network, copies, episodes)
        if np.any(np.asarray(network.episode) == self.episode):
            raise RuntimeError(f"FailAlways: a failure on purpose at the end of training episode {self.episode}.")
