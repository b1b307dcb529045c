"""The example scripts run end to end and report what they measured."""
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from spikey.logging import wilson_interval

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_main_job_learns_xor_on_a_fixed_seed(capsys, tmp_path):
    result = load_example("florian_xor").main(["--local", "--epochs", "40", "--seed", "0", "--quiet",
                                                "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert result["learned"] and result["learned_after"]
    assert printed.count("NOT LEARNED") == 1 and printed.count("LEARNED:") == 3  # untrained it fails, then learns
    assert result["before"].shape == result["after"].shape == (10, 1, 4) and len(result["rows"]) == 4
    rates = result["after"].mean(axis=(0, 1))
    assert min(rates[1], rates[2]) > max(rates[0], rates[3])
    assert (tmp_path / "learning_curve.png").stat().st_size > 0


def test_main_job_trains_on_ray_train(ray_session, capsys, tmp_path):
    result = load_example("florian_xor").main(["--epochs", "10", "--seed", "0", "--quiet", "--out", str(tmp_path)])
    assert "on Ray Train" in capsys.readouterr().out and len(result["rows"]) == 1
    assert any(tmp_path.glob("FlorianXOR-seed0-*/checkpoint_*/worker-0/state.npz"))


@pytest.mark.parametrize("epochs", ["5", "45"])
def test_main_job_refuses_epochs_not_in_tens(epochs):
    with pytest.raises(SystemExit):
        load_example("florian_xor").main(["--epochs", epochs])


@pytest.mark.parametrize("successes, n, low, high", [(982, 1000, 0.9717, 0.9886), (0, 10, 0.0, 0.2775),
                                                      (10, 10, 0.7225, 1.0)])
def test_wilson_interval(successes, n, low, high):
    got = wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_replication_writes_results_and_resumes(tmp_path, capsys):
    replication = load_example("florian2007_xor")
    argv = ["--coding", "temporal", "--rule", "mstdp", "--runs", "3", "--batch", "2", "--epochs", "10",
            "--out", str(tmp_path), "--quiet"]
    summary = replication.main(argv)
    printed = capsys.readouterr().out
    assert "batch 2: runs 2-2" in printed and "95 % CI" in printed and "paper (1000 runs" in printed
    saved = json.loads((tmp_path / "results.json").read_text())
    assert len(saved["runs"]) == 3 and saved["summary"] == summary and len(saved["batch_seconds"]) == 2
    assert [run["batch_seed"] for run in saved["runs"]] == [0, 0, 1]
    with np.load(tmp_path / "rates.npz") as rates:
        assert rates["train"].shape == (3, 10, 4) and rates["evaluation"].shape == rates["control"].shape == (3, 10, 4)
        first_two = rates["train"][:2]
    assert (tmp_path / "success.png").stat().st_size > 0
    replication.main(argv)  # finished: nothing is run again
    assert "All 3 runs are already saved" in capsys.readouterr().out
    fewer = replication.main([*argv, "--runs", "2"])  # scores the first two saved runs, changes no file
    printed = capsys.readouterr().out
    assert fewer["train"]["n"] == 2 and "Scoring the first 2 of the 3 runs saved" in printed
    assert json.loads((tmp_path / "results.json").read_text()) == saved
    more = replication.main([*argv, "--runs", "4"])  # the last batch of one run is run again with two
    assert more["train"]["n"] == 4 and "batch 2: runs 2-3" in capsys.readouterr().out
    with np.load(tmp_path / "rates.npz") as rates:
        assert rates["train"].shape == (4, 10, 4)
        np.testing.assert_array_equal(rates["train"][:2], first_two)
    with pytest.raises(SystemExit, match="another configuration"):
        replication.main([*argv, "--seed", "5"])


@pytest.mark.parametrize("keys, message", [
    ('{"seed": 5}', "may not set \\['seed'\\]: use --seed and --batch"),
    ('{"batch_size": 3}', "may not set \\['batch_size'\\]"),
    ('[1, 2]', "must be a JSON object"),
    ('{"input_dely": 0}', "Did you mean 'input_delay'"),
    ('{"input_delay": 2}', "The 'input_delay' parameter of FlorianTemporalXOR must be one of \\{0, 1\\}"),
])
def test_replication_refuses_bad_keys_before_writing_anything(tmp_path, capsys, keys, message):
    out = tmp_path / "run"
    with pytest.raises(SystemExit):
        load_example("florian2007_xor").main(["--coding", "temporal", "--keys", keys, "--out", str(out)])
    assert re.search(message, capsys.readouterr().err) and not out.exists()


def test_xor_success_and_play_xor_check_their_arguments():
    from spikey.experiments import FlorianXOR
    from spikey.experiments.florian2007 import play_xor, xor_success

    with pytest.raises(ValueError, match=r"rates must have shape \(n_epochs, B, 4\)"):
        xor_success(np.zeros((10, 4)))
    with pytest.raises(ValueError, match=r"last must be in \[1, n_epochs=10\]"):
        xor_success(np.zeros((10, 2, 4)), last=0)
    with pytest.raises(ValueError, match="n_epochs must be an int >= 1"):
        play_xor(FlorianXOR(keys={"seed": 0}), 0, seed=0)


def test_run_series_prints_a_table_saves_a_plot_and_reads_back(ray_session, capsys, tmp_path):
    result = load_example("run_series").main(["--quick", "--quiet", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "learning_rate  total_reward_mean  total_reward_std  total_reward_sem" in printed
    assert len(result["df"]) == 6 and len(result["table"]) == 3 and result["reader"].df["trial"].nunique() == 3
    assert (tmp_path / "series.png").stat().st_size > 0


def test_run_meta_prints_generations_saves_a_plot_and_reads_back(ray_session, capsys, tmp_path):
    result = load_example("run_meta").main(["--quick", "--quiet", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "Best: {'learning_rate'" in printed and list(result["history"]["generation"]) == [0] * 4 + [1] * 4
    assert result["reader"].df["trial"].nunique() == (~result["history"]["cached"]).sum()
    assert (tmp_path / "fitness.png").stat().st_size > 0


def test_distal_reward_resumes_from_its_checkpoint_exactly(tmp_path, capsys):
    distal = load_example("izhikevich2007_distal")
    small = ["--keys", '{"n_neurons": 60, "n_synapses": 6}', "--checkpoint", "2"]
    whole = distal.main([*small, "--seconds", "4", "--out", str(tmp_path / "whole")])
    distal.main([*small, "--seconds", "2", "--out", str(tmp_path / "parts")])
    (tmp_path / "parts" / "partial").mkdir()  # a save cut short: the last whole checkpoint is taken
    resumed = distal.main([*small, "--seconds", "4", "--out", str(tmp_path / "parts"), "--png",
                           str(tmp_path / "distal.png")])
    assert set(resumed) == set(whole) and len(resumed["time"]) == 4
    assert [path.name for path in (tmp_path / "parts").glob("checkpoint-*")] == ["checkpoint-0000004"]
    for name in whole:
        np.testing.assert_array_equal(resumed[name], whole[name])
    printed = capsys.readouterr().out
    assert "time to the maximum (4.0 mV): not reached" in printed and "reached the maximum: 0 of 1 networks" in printed
    assert (tmp_path / "distal.png").stat().st_size > 0
    with pytest.raises(SystemExit, match="holds another experiment"):
        distal.main([*small, "--seconds", "4", "--seed", "1", "--out", str(tmp_path / "parts")])
    pair = distal.main([*small, "--seconds", "2", "--networks", "2", "--out", str(tmp_path / "pair")])
    np.testing.assert_array_equal(pair["chosen"][:, 0], whole["chosen"][:2, 0])  # network 0 is the lone seed 0


def test_conditioning_resumes_from_its_checkpoint_exactly(tmp_path, capsys):
    conditioning = load_example("izhikevich2007_conditioning")
    small = ["--keys", '{"n_neurons": 60, "n_synapses": 6, "n_stimuli": 3, "stimulus_size": 8}', "--checkpoint", "2",
             "--compare", "2"]
    whole = conditioning.main([*small, "--seconds", "6", "--out", str(tmp_path / "whole")])
    conditioning.main([*small, "--seconds", "2", "--out", str(tmp_path / "parts")])
    (tmp_path / "parts" / "partial").mkdir()  # a save cut short: the last whole checkpoint is taken
    resumed = conditioning.main([*small, "--seconds", "6", "--out", str(tmp_path / "parts"), "--png",
                                 str(tmp_path / "conditioning.png")])
    assert set(resumed) == set(whole) and resumed["stimulus"].shape == (30, 1)
    assert [path.name for path in (tmp_path / "parts").glob("checkpoint-*")] == ["checkpoint-0000003"]
    for name in whole:
        np.testing.assert_array_equal(resumed[name], whole[name])
    assert set(np.unique(whole["stimulus"])) == {0, 1, 2} and whole["rewards"].sum() > 0
    printed = capsys.readouterr().out
    assert "seed 0: response to S1" in printed and "responding most to S1 over the last 2 s:" in printed
    assert (tmp_path / "conditioning.png").stat().st_size > 0
    with pytest.raises(SystemExit, match="holds another experiment"):
        conditioning.main([*small, "--seconds", "6", "--seed", "1", "--out", str(tmp_path / "parts")])
    pair = conditioning.main([*small, "--seconds", "4", "--networks", "2", "--out", str(tmp_path / "pair")])
    for name in whole:  # network 0 of the batch is the lone seed 0, stimuli included
        np.testing.assert_array_equal(pair[name][:, 0], whole[name][:20, 0])


@pytest.mark.parametrize("argv", [["--seconds", "0"], ["--checkpoint", "0"], ["--networks", "-1"],
                                  ["--keys", '{"seed": 3}'], ["--keys", "[1]"]])
@pytest.mark.parametrize("example", ["izhikevich2007_distal", "izhikevich2007_conditioning"])
def test_izhikevich_examples_refuse_bad_options(example, argv, tmp_path):
    with pytest.raises(SystemExit):
        load_example(example).main([*argv, "--out", str(tmp_path)])
    assert not any(tmp_path.glob("checkpoint-*"))


@pytest.mark.parametrize("argv", [["--seconds", "5", "--checkpoint", "2"], ["--compare", "0"], ["--compare", "nan"],
                                  ["--compare", "inf"], ["--keys", '{"processing_time": 300}', "--checkpoint", "1"],
                                  ["--keys", '{"processing_time": 2000}', "--checkpoint", "1"],
                                  ["--keys", '{"n_states": 5}'], ["--keys", '{"max_steps": 5}']])
def test_conditioning_refuses_options_that_do_not_fit(argv, tmp_path):
    with pytest.raises(SystemExit):
        load_example("izhikevich2007_conditioning").main([*argv, "--out", str(tmp_path)])
    assert not any(tmp_path.glob("checkpoint-*"))


def test_checkpoints_are_ordered_by_number_and_never_overwritten(tmp_path):
    from spikey.experiments import DistalReward
    from spikey.logging import load_checkpoint, open_run, save_checkpoint

    net = DistalReward(keys={"n_neurons": 20, "n_synapses": 2, "seed": 0})
    assert open_run(tmp_path, {"seed": 0}) is None
    save_checkpoint(tmp_path, net, {"x": np.arange(3)}, 9_999_999)
    newest = save_checkpoint(tmp_path, net, {"x": np.arange(4)}, 10_000_000)
    assert open_run(tmp_path, {"seed": 0}) == newest and [p.name for p in tmp_path.glob("checkpoint-*")] == \
        ["checkpoint-10000000"]
    for record, done, match in [({"x": np.arange(2)}, 10_000_000, "above the last checkpoint's 10000000"),
                                ({"x": np.array([None])}, 10_000_001, "numeric arrays"),
                                ({"file": np.arange(2)}, 10_000_001, "named 'file'")]:
        with pytest.raises(ValueError, match=match):
            save_checkpoint(tmp_path, net, record, done)
    np.testing.assert_array_equal(load_checkpoint(newest, DistalReward)[1]["x"], np.arange(4))
    with pytest.raises(ValueError, match="JSON-able"):
        open_run(tmp_path / "other", {"seed": np.int64(0)})
    assert not (tmp_path / "other").exists()
    (tmp_path / "experiment.json").unlink()
    with pytest.raises(ValueError, match="no experiment.json"):
        open_run(tmp_path, {"seed": 0})
