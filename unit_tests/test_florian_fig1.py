"""examples/florian2007_fig1.py against Florian (2007)'s equations written out with plain floats."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "florian2007_fig1.py"


@pytest.fixture(scope="module")
def fig1():
    spec = importlib.util.spec_from_file_location("florian2007_fig1", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(rule):
    """One synapse, scalar loop: Florian (2007) eqs. with δt = 1 ms, no bounds."""
    pre_times, post_times = {5, 80, 115, 135}, {10, 70, 110, 140}
    tau_plus = tau_minus = 20.0
    tau_z, a_plus, a_minus, gamma = 25.0, 1.0, -1.0, 0.2
    p_plus = p_minus = z = 0.0
    w = 0.2
    trajectory = []
    for t in range(200):
        f_pre = 1.0 if t in pre_times else 0.0
        f_post = 1.0 if t in post_times else 0.0
        r = 1.0 if t < 100 else -1.0
        p_plus = p_plus * math.exp(-1.0 / tau_plus) + a_plus * f_pre
        p_minus = p_minus * math.exp(-1.0 / tau_minus) + a_minus * f_post
        zeta = p_plus * f_post + p_minus * f_pre
        if rule == "stdp":
            w += gamma * zeta
        elif rule == "mstdp":
            w += gamma * r * zeta
        else:
            z = z * math.exp(-1.0 / tau_z) + zeta / tau_z
            w += gamma * r * z
        trajectory.append(w)
    return trajectory


@pytest.mark.parametrize("rule", ["stdp", "mstdp", "mstdpet"])
def test_trajectory_matches_florian_equations(fig1, rule):
    got = fig1.run(rule)
    assert got.shape == (200,)
    np.testing.assert_allclose(got, reference(rule), rtol=1e-12, atol=1e-12)


def test_trajectories_stay_positive(fig1):
    # The protocol never reaches the lower bound 0, so clipping plays no part in the comparison above.
    for rule in ("stdp", "mstdp", "mstdpet"):
        assert min(reference(rule)) > 0


def test_main_writes_npz_and_png(fig1, tmp_path):
    out, png = tmp_path / "fig1.npz", tmp_path / "fig1.png"
    fig1.main(["--out", str(out), "--png", str(png)])
    saved = np.load(out)
    assert sorted(saved.files) == ["w_mstdp", "w_mstdpet", "w_stdp"]
    assert all(saved[name].shape == (200,) for name in saved.files)
    np.testing.assert_array_equal(saved["w_mstdpet"], fig1.run("mstdpet"))
    assert png.stat().st_size > 0
