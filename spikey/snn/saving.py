"""Saving a network: its state as npz and its configuration as json, loaded again without pickle.

A saved network is a folder:

- ``config.json``: the template class and every part class by import path,
  the modifiers (class and keys), and the value of every key. Arrays are
  saved as lists with their dtype, functions (a game's ``expected_value``) by
  import path; a lambda or a local function cannot be saved, and saying so is
  the error.
- ``state.npz``: :meth:`Network.get_state` (weights, potentials, traces,
  inputs, the Generator's state as JSON text), read with ``allow_pickle=False``.

:func:`load_network` imports the classes named, builds the network from the
saved keys and restores the state, so it continues bit-identically.
"""
from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path

import numpy as np

from spikey.module import InvalidParameterError

__all__ = ["save_network", "load_network"]

FORMAT = "spikey.network/1"


def _import_path(obj, what: str) -> str:
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
    if not module or module == "__main__" or not name or "<" in name:
        raise InvalidParameterError(
            f"{what} is {obj!r}, which cannot be saved by import path: define it at the top level of a module "
            "file (a lambda, a function defined inside another, or anything defined in a script or notebook run as "
            "__main__ cannot be imported again)."
        )
    return f"{module}:{name}"


def _import(path: str):
    module, _, name = path.partition(":")
    value = importlib.import_module(module)
    for attribute in name.split("."):
        value = getattr(value, attribute)
    return value


def _encode(value, what: str):
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, what) for item in value]}
    if isinstance(value, list):
        return [_encode(item, what) for item in value]
    if callable(value):
        return {"function": _import_path(value, what)}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InvalidParameterError(f"{what} is {value!r}, of a type a network's configuration cannot save.")


def _decode(value):
    if isinstance(value, dict):
        if "array" in value:
            return np.asarray(value["array"], dtype=value["dtype"])
        if "tuple" in value:
            return tuple(_decode(item) for item in value["tuple"])
        return _import(value["function"])
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def save_network(network, path) -> Path:
    """Save ``network`` into the folder ``path`` (created); return it.

    Raises
    ------
    InvalidParameterError
        If a key's value, a part or the template cannot be saved (a lambda, a
        class defined inside a function).
    """
    name = type(network).__name__
    config = {
        "format": FORMAT,
        "template": _import_path(type(network), f"The template of {name}"),
        "parts": {role: _import_path(type(part), f"The {role!r} part of {name}") for role, part in network.parts.items()},
        "modifiers": [{"class": _import_path(type(m), f"A modifier of {name}"),
                       "keys": {k: _encode(v, f"Key {k!r} of a modifier") for k, v in m.params.items()}}
                      for m in network.modifiers],
        "keys": {row["name"]: _encode(row["value"], f"Key {row['name']!r} of {name}") for row in network.effective_keys()},
    }
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(config, indent=1))
    np.savez(path / "state.npz", **network.get_state())
    return path


def load_network(path):
    """The network saved in the folder ``path``, continuing exactly where it was saved.

    Only classes and functions are imported by the paths the configuration
    names (the template must be a Network subclass, every part a Spikey
    module), and the state is read with ``allow_pickle=False``. Importing a
    module runs its top-level code, and a function key (``expected_value``)
    may name any importable function: load only folders you or a colleague
    you trust saved.

    Raises
    ------
    ValueError
        If the folder holds no saved network, or a file that is corrupt,
        foreign or does not match the other; the message names the file.
    """
    path = Path(path)
    config_file, state_file = path / "config.json", path / "state.npz"
    if not (config_file.is_file() and state_file.is_file()):
        raise ValueError(f"{path} holds no saved network: expected config.json and state.npz in it.")
    try:
        config = json.loads(config_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise ValueError(f"{config_file} is not valid JSON: {error}.") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{config_file} is not a saved spikey network (format {FORMAT!r}).")
    try:
        network = _build(config)
    except (KeyError, TypeError, AttributeError, ImportError, ValueError) as error:
        raise ValueError(f"{config_file} does not describe a network Spikey can build: "
                         f"{type(error).__name__}: {error}") from None
    if not zipfile.is_zipfile(state_file):
        raise ValueError(f"{state_file} is not an npz archive (truncated or foreign).")
    try:
        with np.load(state_file, allow_pickle=False) as saved:
            network.set_state(dict(saved))
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{state_file} does not hold the state of this network: {error}") from None
    return network


def _build(config: dict):
    """The network a saved configuration describes, its classes checked before they are called."""
    from spikey.module import Module
    from spikey.snn.network import Network

    template = _import_class(config["template"], Network)
    parts = {role: _import_class(part, Module) for role, part in config["parts"].items()}
    parts["modifiers"] = [_import_class(m["class"], Module)(**{k: _decode(v) for k, v in m["keys"].items()})
                          for m in config["modifiers"]]
    return template(parts=parts, keys={name: _decode(value) for name, value in config["keys"].items()})


def _import_class(path: str, base: type) -> type:
    value = _import(path)
    if not (isinstance(value, type) and issubclass(value, base)):
        raise TypeError(f"{path!r} is not a {base.__name__} subclass")
    return value
