"""The notebooks in examples/ run top to bottom in quick mode, and are stored without outputs.

Each notebook runs in a fresh ``python3`` kernel with ``SPIKEY_QUICK=1``, in a
temporary working folder (whatever it writes stays out of the repository), with
a non-interactive matplotlib backend and a local Ray of its own. The kernel
imports Spikey from this repository and, as Jupyter does for a notebook opened
in its own folder, the example scripts beside the notebooks.
"""
import json
import os
from pathlib import Path

import nbformat
import pytest
from conftest import _descendants, _end
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds for one cell
RAY_SETTINGS = {"RAY_ADDRESS": "local", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled",
                "RAY_AIR_NEW_OUTPUT": "0"}


def kernel_environment() -> dict:
    """The test's environment with quick mode, a non-interactive backend, a local Ray and this repository first."""
    paths = [str(ROOT), str(EXAMPLES), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, **RAY_SETTINGS, "SPIKEY_QUICK": "1", "MPLBACKEND": "Agg",
            "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


def test_there_are_notebooks():
    assert {"tutorial.ipynb", "florian2007.ipynb", "izhikevich2007.ipynb"} <= {path.name for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_a_notebook_runs_in_quick_mode(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    started = set()  # the kernel and the processes it started (its Ray), noted after every cell

    def note_processes(**_):
        kernel = client.km.provisioner.pid
        started.update({kernel} | _descendants(kernel))

    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", on_cell_executed=note_processes,
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute(env=kernel_environment())  # a failing cell raises CellExecutionError, with its traceback
    finally:
        _end(started)  # gone already when the notebook shut its Ray down and the kernel exited
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code)
    assert not any(output.output_type == "error" for cell in code for output in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_a_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    stored = [(index, cell.execution_count, len(cell.outputs)) for index, cell in enumerate(code)
              if cell.outputs or cell.execution_count is not None]
    assert not stored, f"{path.name}: code cells (index, execution_count, outputs) stored with outputs: {stored}"


def test_quick_mode_is_read_in_the_first_code_cell():
    for path in NOTEBOOKS:
        first = next(cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code")
        assert 'os.environ.get("SPIKEY_QUICK") == "1"' in "".join(first["source"]), path.name
