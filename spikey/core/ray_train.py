"""Training on Ray Train: the same GenericLoop in every worker of a TorchTrainer, with checkpoints to resume from.

:func:`train` runs ``num_workers`` Ray Train workers; worker ``k`` trains
its own network (a batch of ``batch_size``, if set) with the seed
:func:`worker_seed` derives from the base ``seed`` and ``k``, in pieces of
``checkpoint_every`` episodes. After each piece every worker writes its
network (:meth:`~spikey.snn.network.Network.save`) and its per-episode rows
into ``worker-<k>/`` of the checkpoint it reports; Ray merges the workers'
folders into one checkpoint. A worker that fails is restarted from the last
checkpoint (``max_failures``), and calling :func:`train` again with the
same ``name`` and ``storage_path`` resumes a run that was stopped: either
way the run ends with the same networks as an uninterrupted one. A worker
that keeps failing ends the run with its own exception; a corrupt or foreign
checkpoint is refused with an error naming the file, and the one before it
(Ray keeps two) still loads. Ray tracks
rank 0's metrics only; every worker's rows are in the checkpoint, where
:class:`spikey.logging.Reader` finds them.

Ray is embedded: a local Ray starts when none is running (``num_cpus``,
no dashboard); ``address=`` (or the ``RAY_ADDRESS`` variable) joins a
running cluster instead, with no other change. Functions and classes the
workers use must be importable (defined in a module, not in ``__main__`` or
a notebook cell).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from spikey.core.loop import GenericLoop
from spikey.logging.reader import ROWS_FILE, checkpoint_rows, read_rows
from spikey.snn.network import Network

__all__ = ["train", "TrainRun", "worker_seed", "load_worker_network"]


def worker_seed(seed, rank: int):
    """The seed of worker ``rank``: ``seed`` for rank 0, else drawn from ``SeedSequence([seed, rank])``; None stays None.

    Per-copy seeds (an array) give a list: each copy's seed, derived alone.
    """
    if seed is not None and np.ndim(seed) == 1:
        return [worker_seed(int(one), rank) for one in seed]
    if seed is None or rank == 0:
        return seed
    return int(np.random.SeedSequence([seed, rank]).generate_state(1, dtype=np.uint64)[0] % 2**63)


@dataclass
class TrainRun:
    """What :func:`train` returns.

    Attributes
    ----------
    path : pathlib.Path
        The run's folder in the storage path.
    checkpoint : pathlib.Path
        The last checkpoint's folder: ``worker-<k>/`` holds worker ``k``'s
        saved network and its rows.
    rows : list of dict
        Every worker's per-episode rows: results, ``episode``, ``copy``, ``worker``, ``seed``.
    """

    path: Path
    checkpoint: Path
    rows: list

    def network(self, worker: int = 0) -> Network:
        """Worker ``worker``'s trained network."""
        return load_worker_network(self.checkpoint, worker)


def load_worker_network(checkpoint, worker: int = 0) -> Network:
    """The network worker ``worker`` saved in a checkpoint folder."""
    return Network.load(Path(checkpoint) / f"worker-{worker}")


def _worker(config: dict):
    """The function every Ray Train worker runs: the loop in pieces, a report per episode, a checkpoint per piece."""
    import ray.train

    rank = ray.train.get_context().get_world_rank()
    seed = worker_seed(config["params"].get("seed"), rank)
    network, rows, done = None, [], 0
    checkpoint = ray.train.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            network, rows = load_worker_network(folder, rank), read_rows(Path(folder) / f"worker-{rank}" / ROWS_FILE)
            done = 1 + max(row["episode"] for row in rows)
    n_episodes, every = config["params"]["n_episodes"], config["checkpoint_every"]
    while done < n_episodes:
        piece = min(every, n_episodes - done)
        params = {**config["params"], "seed": seed, "n_episodes": piece, "progress": config["progress"] and rank == 0}
        callback = None if config["callback"] is None else config["callback"]()
        loop = GenericLoop(config["network_template"], config["game_template"], callback=callback, **params)
        first = len(rows)

        def report(row):  # each row as its episode ends, but the piece's last one, which goes with the checkpoint
            if len(rows) > first:
                ray.train.report(rows[-1])
            rows.append({**row, "worker": rank, "seed": seed})

        network, *_ = loop(report=report, network=network, first_episode=done)
        done += piece
        with tempfile.TemporaryDirectory() as folder:
            mine = Path(folder) / f"worker-{rank}"
            network.save(mine)
            (mine / ROWS_FILE).write_text("".join(json.dumps(row) + "\n" for row in rows))
            ray.train.report(rows[-1], checkpoint=ray.train.Checkpoint.from_directory(folder))
    return rows


class _CheckpointProgress:
    """A tqdm bar over episodes, moved by polling the run folder for worker 0's checkpoints."""

    def __init__(self, folder: Path, n_episodes: int, enabled: bool):
        self.folder, self.n_episodes, self.enabled = folder, n_episodes, enabled
        self.done = threading.Event()

    def __enter__(self):
        if self.enabled:
            self.bar = tqdm(total=self.n_episodes, desc="episodes (Ray Train)", disable=None)  # None: off if not a terminal
            self.thread = threading.Thread(target=self._poll, daemon=True)
            self.thread.start()
        return self

    def _poll(self):
        while not self.done.wait(0.5):
            self.bar.update(self._episodes() - self.bar.n)

    def _episodes(self) -> int:
        files = sorted(self.folder.glob(f"checkpoint_*/worker-0/{ROWS_FILE}"))
        try:
            return 1 + max(row["episode"] for row in read_rows(files[-1])) if files else 0
        except (OSError, ValueError):  # a checkpoint being written
            return self.bar.n

    def __exit__(self, *errors):
        if self.enabled:
            self.done.set()
            self.thread.join()
            self.bar.update(self._episodes() - self.bar.n)
            self.bar.close()


def _start_ray(address, num_cpus):
    os.environ.setdefault("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", "0.1")  # else each report blocks about 2 s
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS")
        if address and address != "local":  # Ray's "local" means: start a Ray here
            ray.init(address=address, log_to_driver=False)
        else:
            os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a local Ray needs no token in the home folder
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)


def _worker_error(error, name: str, max_failures: int) -> Exception:
    """The first failed worker's own exception, noting where it was raised; Ray's error if it has none."""
    failures = sorted(getattr(error, "worker_failures", {}).items())
    if not failures or not isinstance(failures[0][1], Exception):
        return error
    rank, failure = failures[0]
    if hasattr(failure, "add_note"):  # Python 3.11+
        failure.add_note(f"Raised in Ray Train worker {rank} of the run {name!r}, after {max_failures} restart(s) from "
                         "its last checkpoint (the Ray error above has the worker's traceback).")
    return failure


def train(network_template, game_template, *, num_workers: int = 1, checkpoint_every: int = 1, name: str,
          storage_path, max_failures: int = 0, callback=None, address: str | None = None, num_cpus: int | None = None,
          progress: bool = True, **params) -> TrainRun:
    """Train on Ray Train: ``num_workers`` workers, each its own network, checkpointed every ``checkpoint_every`` episodes.

    Parameters
    ----------
    network_template, game_template : type
        As for :class:`~spikey.core.loop.GenericLoop`; importable classes.
    num_workers : int, default 1
        Ray Train workers, one CPU each.
    checkpoint_every : int, default 1
        Episodes between checkpoints; each piece of a run reseeds its games
        (see ``GenericLoop.__call__``), so runs checkpointed alike are alike.
    name : str
        The run's name: its folder in ``storage_path``. Calling again with the
        same name resumes that run from its last checkpoint.
    storage_path : str or path
        Where Ray writes results and checkpoints (absolute, or made so).
    max_failures : int, default 0
        Restarts of a failed worker group, each from the last checkpoint.
    callback : callable, optional
        Makes the callback of each piece of the loop in a worker (a callback
        class, or a ``functools.partial`` of one); importable.
    address : str, optional
        A Ray cluster to join; by default ``RAY_ADDRESS``, else a local Ray.
    num_cpus : int, optional
        CPUs of a local Ray started here (default: all).
    progress : bool, default True
        A progress bar here, moved by the checkpoints worker 0 writes.
    **params
        The loop's, the network's and the game's keys (``n_episodes``,
        ``len_episode``, ``seed``...), checked here before Ray starts.

    Returns
    -------
    TrainRun

    Raises
    ------
    InvalidParameterError
        For a bad key or value, or a game that does not fit the network,
        before Ray starts.
    Exception
        A worker's own exception (the first failed rank's, with Ray's error,
        which holds the worker's traceback, as its cause) when it failed
        more than ``max_failures`` times; e.g. the ``ValueError`` naming
        the file of a corrupt checkpoint it was to resume from.
    ray.train.TrainingFailedError
        For a failure no worker raised (the Ray controller's).
    """
    GenericLoop(network_template, game_template, **params).build()  # check every key here, not in a worker
    _start_ray(address, num_cpus)
    from ray.train import CheckpointConfig, FailureConfig, RunConfig, ScalingConfig, WorkerGroupError
    from ray.train.torch import TorchTrainer

    trainer = TorchTrainer(
        _worker,
        train_loop_config={"network_template": network_template, "game_template": game_template, "params": params,
                           "checkpoint_every": checkpoint_every, "progress": False, "callback": callback},
        scaling_config=ScalingConfig(num_workers=num_workers, use_gpu=False),
        run_config=RunConfig(name=name, storage_path=str(Path(storage_path).absolute()),
                             failure_config=FailureConfig(max_failures=max_failures),
                             checkpoint_config=CheckpointConfig(num_to_keep=2)),
    )
    folder = Path(storage_path).absolute() / name
    with _CheckpointProgress(folder, params["n_episodes"], progress):
        try:
            result = trainer.fit()
        except WorkerGroupError as error:
            raise _worker_error(error, name, max_failures) from error
    checkpoint = Path(result.checkpoint.path)
    rows = checkpoint_rows(checkpoint)
    return TrainRun(Path(result.path), checkpoint, rows)
