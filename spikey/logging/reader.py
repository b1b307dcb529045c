"""A results folder as a pandas DataFrame: a Ray Train run of Spikey's, or a Ray Tune experiment.

Only JSON and npz files are read (``allow_pickle=False``), so a folder copied
from another machine, or downloaded, is safe to open.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from spikey.snn.network import Network

__all__ = ["Reader", "read_rows", "checkpoint_rows"]

ROWS_FILE = "episodes.jsonl"


def read_rows(path) -> list:
    """The rows of a JSON-lines file (one dict per line), e.g. a worker's ``episodes.jsonl``.

    Raises
    ------
    ValueError
        If a line is not a JSON object; the message names the file and line.
    """
    path, rows = Path(path), []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}, line {number}, is not valid JSON: {error}.") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}, line {number}, is not a JSON object of results: {line[:80]!r}.")
        rows.append(row)
    return rows


def _flat(config: dict, prefix: str) -> dict:
    """Nested configuration dicts as one level, names joined by "/" as Tune does (``config/point/learning_rate``)."""
    flat = {}
    for name, value in config.items():
        flat.update(_flat(value, f"{prefix}{name}/") if isinstance(value, dict) else {f"{prefix}{name}": value})
    return flat


def checkpoint_rows(checkpoint) -> list:
    """Every worker's rows in a Ray Train checkpoint folder (``worker-<k>/``), in rank order (worker-10 after 2)."""
    folders = sorted(Path(checkpoint).glob("worker-*"), key=lambda folder: int(folder.name.rpartition("-")[2]))
    return [row for folder in folders for row in read_rows(folder / ROWS_FILE)]


def _json_object(path: Path) -> dict:
    """A JSON file holding one object; ValueError naming the file otherwise."""
    try:
        value = json.loads(path.read_text(errors="replace"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}.") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} does not hold a JSON object of parameters.")
    return value


class Reader:
    """Reads a Ray Train run (checkpoints with ``worker-<k>/``) or a Ray Tune experiment (trial folders).

    Parameters
    ----------
    path : str or path
        A run folder of :func:`spikey.core.ray_train.train` (``TrainRun.path``)
        or a Tune experiment folder (one sub-folder per trial, with
        ``params.json`` and ``result.json``).

    Attributes
    ----------
    kind : {"train", "tune"}
    df : pandas.DataFrame
        Train: one row per episode, network copy and worker (the results,
        ``episode``, ``copy``, ``worker``, ``seed``). Tune: one row per report
        of each trial, with ``config/<key>`` columns, the metrics and ``trial``.

    Raises
    ------
    ValueError
        If the folder holds neither, or a checkpoint whose rows files are all
        empty; for a rows file that is not JSON lines, naming the file and line.

    Examples
    --------
    >>> import tempfile
    >>> Reader(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... holds no Spikey Ray Train run (checkpoint_*/worker-*/) and no Ray Tune trials (*/result.json).
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise ValueError(f"{self.path} is not a folder{'' if self.path.exists() else ' (it does not exist)'}.")
        checkpoints = sorted(p for p in self.path.glob("checkpoint_*") if any(p.glob(f"worker-*/{ROWS_FILE}")))
        trials = sorted(p.parent for p in self.path.glob("*/result.json"))
        if checkpoints:
            self.kind, self.checkpoint = "train", checkpoints[-1]
            rows = checkpoint_rows(self.checkpoint)
            if not rows:
                raise ValueError(f"{self.checkpoint}: every worker's {ROWS_FILE} is empty; a checkpoint holds the "
                                 "rows of the episodes before it, so these files were truncated.")
            self.df = pd.DataFrame(rows)
        elif trials:
            self.kind, self.checkpoint = "tune", None
            self.df = pd.DataFrame([self._trial_row(trial, row) for trial in trials
                                    for row in read_rows(trial / "result.json")])
        else:
            raise ValueError(f"{self.path} holds no Spikey Ray Train run (checkpoint_*/worker-*/) and no Ray Tune "
                             "trials (*/result.json).")

    @staticmethod
    def _trial_row(trial: Path, row: dict) -> dict:
        config = _json_object(trial / "params.json") if (trial / "params.json").exists() else {}
        metrics = {name: value for name, value in row.items() if name != "config"}
        return {**_flat(config, "config/"), **metrics, "trial": trial.name}

    def network(self, worker: int = 0) -> Network:
        """Worker ``worker``'s network as saved in the run's last checkpoint (Train runs)."""
        if self.kind != "train":
            raise ValueError(f"{self.path} is a Tune experiment; networks are in its trials' checkpoints.")
        return Network.load(self.checkpoint / f"worker-{worker}")

    def __repr__(self):
        return f"Reader({str(self.path)!r}, kind={self.kind!r}, rows={len(self.df)})"
