"""The main example runs end to end and reports what it measured."""
import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "florian_xor.py"


def load_example():
    spec = importlib.util.spec_from_file_location("florian_xor", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_florian_xor_example_prints_rates_per_pattern(capsys):
    result = load_example().main(["--episodes", "1", "--steps", "2", "--seed", "0"])
    printed = capsys.readouterr().out
    assert printed.count("XOR") == 8 and "Hz" in printed
    assert result["before"].shape == result["after"].shape == (4,)
    assert result["before"][0] == 0.0 and result["before"][3] > 0  # a silent pattern stays silent
    assert len(result["mean_rewards"]) == 1 and np.isfinite(result["mean_rewards"][0])
