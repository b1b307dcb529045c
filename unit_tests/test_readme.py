"""The README's examples run as written: its Python blocks, and each `>>>` line raises the error shown under it."""
import re
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)
PYTHON = [code for language, code in BLOCKS if language == "python"]
SHOWN = [(line[4:], error) for language, code in BLOCKS if not language
         for line, error in zip(code.splitlines(), code.splitlines()[1:]) if line.startswith(">>> ")]


def test_the_readme_has_examples():
    assert len(PYTHON) >= 2 and len(SHOWN) >= 3


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_a_python_block_runs(code, ray_session, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write their results into the working folder
    exec(compile(code, "README.md", "exec"), {})


@pytest.mark.parametrize("code, shown", SHOWN, ids=[code for code, _ in SHOWN])
def test_an_example_error_is_the_one_shown(code, shown):
    name, _, message = shown.partition(": ")
    namespace = {}
    exec("from spikey.experiments import FlorianXOR", namespace)
    with pytest.raises(Exception) as info:
        exec(code, namespace)
    assert (type(info.value).__name__, str(info.value)) == (name, message)
