"""Checkpoint folders of a long local run: the network and its record so far, each put in place by one rename.

A run writes into one output folder: ``experiment.json`` (what it runs, so
that a second command with other settings is refused rather than mixed in)
and ``checkpoint-N`` folders, numbered by the amount of work done, each
holding ``network`` (:meth:`~spikey.snn.network.Network.save`) and
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
    """Start the run described by ``experiment`` in ``out``, or find the one there; return its last checkpoint.

    Parameters
    ----------
    out : path-like
        The run's folder, created if missing.
    experiment : dict
        What the run runs (seeds, keys, options), JSON-able: plain ints,
        floats, strings, lists and dicts.

    Returns
    -------
    pathlib.Path or None
        The last checkpoint folder, or None when the run starts afresh.

    Raises
    ------
    ValueError
        If ``experiment`` is not JSON-able, or ``out`` holds checkpoints of
        another experiment or without its ``experiment.json``; nothing is
        written then.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> open_run(out, {"seed": [0, 1]}) is None
    True
    >>> open_run(out, {"seed": [0, 1]}) is None  # no checkpoint yet
    True
    """
    try:
        described = json.dumps(experiment)
    except (TypeError, ValueError) as error:
        raise ValueError(f"open_run: the experiment must be JSON-able (plain ints, floats, strings, lists, dicts); "
                         f"got {experiment!r} ({error}).") from None
    out, identity = Path(out), Path(out) / "experiment.json"
    saved = _checkpoints(out)
    if saved and not identity.exists():
        raise ValueError(f"{out} holds checkpoints but no experiment.json saying what they run; give another folder.")
    if saved and json.loads(identity.read_text()) != json.loads(described):
        raise ValueError(f"{out} holds another experiment ({identity.read_text()}); give another folder.")
    if not saved:
        out.mkdir(parents=True, exist_ok=True)
        identity.write_text(described)
    return saved[-1] if saved else None


def save_checkpoint(out: Path, network, record: dict, done: int) -> Path:
    """Write ``network`` and ``record`` as checkpoint ``done`` of ``out``, then drop the older ones.

    Parameters
    ----------
    out : path-like
        A folder :func:`open_run` opened.
    network : Network
        Saved with its own ``save``.
    record : dict of str -> ndarray
        Numeric arrays, saved as npz (no pickled objects).
    done : int
        The amount of work done (seconds, episodes), above that of every
        checkpoint in ``out``.

    Returns
    -------
    pathlib.Path
        The new checkpoint folder.

    Raises
    ------
    ValueError
        If ``done`` is not above the last checkpoint's number, or ``record``
        holds object arrays or a name npz cannot take; nothing is kept then.
    """
    out = Path(out)
    saved = _checkpoints(out)
    last = _number(saved[-1]) if saved else -1
    if not isinstance(done, int) or isinstance(done, bool) or done <= last:
        raise ValueError(f"save_checkpoint: done must be an int above the last checkpoint's {last}; got {done!r}.")
    if {"file", "allow_pickle"} & set(record):
        raise ValueError(f"save_checkpoint: a record cannot hold arrays named 'file' or 'allow_pickle'; got "
                         f"{sorted(record)}.")
    partial = out / "partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    try:
        np.savez(partial / "record.npz", allow_pickle=False, **record)
    except ValueError as error:
        shutil.rmtree(partial)
        raise ValueError(f"save_checkpoint: the record must hold numeric arrays ({error}).") from None
    network.save(partial / "network")
    folder = out / f"checkpoint-{done:07d}"
    partial.rename(folder)
    for older in saved:
        shutil.rmtree(older)
    return folder


def load_checkpoint(folder: Path, network_class) -> tuple:
    """The ``(network, record)`` of a checkpoint folder; the network loaded by ``network_class.load``."""
    folder = Path(folder)
    with np.load(folder / "record.npz") as record:
        return network_class.load(folder / "network"), dict(record)


def _checkpoints(out: Path) -> list:
    """The checkpoint folders in ``out``, by their number."""
    folders = [folder for folder in out.glob("checkpoint-*") if folder.name[len("checkpoint-"):].isdigit()]
    return sorted(folders, key=_number)


def _number(folder: Path) -> int:
    return int(folder.name.split("-", 1)[1])
