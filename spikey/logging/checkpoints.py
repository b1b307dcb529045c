"""Checkpoint folders of a long local run: the network and its record so far, each put in place by one rename.

A run writes into one output folder: ``experiment.json`` (what it runs, so
that a second command with other settings is refused rather than mixed in)
and ``checkpoint-NNNNNNN`` folders, numbered by the amount of work done,
each holding ``network`` (:meth:`~spikey.snn.network.Network.save`) and
``record.npz``. A checkpoint is written into ``partial`` and renamed into
place, then the older ones are removed: a run killed at any moment leaves
its last whole checkpoint (and perhaps a ``partial`` folder, redone next
time), and the same command continues from there.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

__all__ = ["open_run", "save_checkpoint", "load_checkpoint"]


def open_run(out: Path, experiment: dict) -> Path | None:
    """Start the run described by ``experiment`` (JSON-able) in ``out``, or find the one there; its last checkpoint.

    Returns
    -------
    pathlib.Path or None
        The last checkpoint folder, or None when the run starts afresh.

    Raises
    ------
    ValueError
        If ``out`` holds checkpoints of another experiment.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> open_run(out, {"seed": [0, 1]}) is None
    True
    >>> open_run(out, {"seed": [0, 1]}) is None  # no checkpoint yet
    True
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    identity, saved = out / "experiment.json", sorted(out.glob("checkpoint-*"))
    if saved and json.loads(identity.read_text()) != json.loads(json.dumps(experiment)):
        raise ValueError(f"{out} holds another experiment ({identity.read_text()}); give another folder.")
    if not saved:
        identity.write_text(json.dumps(experiment))
    return saved[-1] if saved else None


def save_checkpoint(out: Path, network, record: dict, done: int) -> Path:
    """Write ``network`` and ``record`` (name -> array) as checkpoint ``done`` of ``out``; drop the older ones."""
    out = Path(out)
    partial = out / "partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    np.savez(partial / "record.npz", **record)
    network.save(partial / "network")
    folder = out / f"checkpoint-{done:07d}"
    partial.rename(folder)
    for older in sorted(out.glob("checkpoint-*"))[:-1]:
        shutil.rmtree(older)
    return folder


def load_checkpoint(folder: Path, network_class) -> tuple:
    """The ``(network, record)`` of a checkpoint folder; the network loaded by ``network_class.load``."""
    folder = Path(folder)
    with np.load(folder / "record.npz") as record:
        return network_class.load(folder / "network"), dict(record)
