"""The results reader on folders laid out as Ray writes them: rows, configuration columns, networks, bad files."""
import json

import pytest
from conftest import SmallRL

from spikey.logging import Reader
from spikey.logging.reader import read_rows


def write_rows(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_a_train_run_reads_its_last_checkpoint(tmp_path):
    for stamp, episodes in (("01", 1), ("02", 2)):
        for worker in (0, 1):
            write_rows(tmp_path / f"checkpoint_{stamp}" / f"worker-{worker}" / "episodes.jsonl",
                       [{"episode": e, "worker": worker, "total_reward": e + worker} for e in range(episodes)])
    net = SmallRL(keys={"seed": 2})
    net.save(tmp_path / "checkpoint_02" / "worker-1")
    (tmp_path / "checkpoint_manager_snapshot.json").write_text("{}")
    reader = Reader(tmp_path)
    assert reader.kind == "train" and reader.checkpoint.name == "checkpoint_02"
    assert sorted(zip(reader.df["worker"], reader.df["episode"])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert (reader.network(1).weights == net.weights).all()


def test_a_tune_experiment_has_configuration_columns(tmp_path):
    for trial, rate in (("trial_a", 0.1), ("trial_b", 0.2)):
        (tmp_path / trial).mkdir()
        (tmp_path / trial / "params.json").write_text(json.dumps({"learning_rate": rate}))
        write_rows(tmp_path / trial / "result.json", [{"reward": rate * k, "config": {"learning_rate": rate}}
                                                      for k in range(3)])
    reader = Reader(tmp_path)
    assert reader.kind == "tune" and len(reader.df) == 6 and "config" not in reader.df
    assert reader.df.groupby("trial")["config/learning_rate"].first().to_dict() == {"trial_a": 0.1, "trial_b": 0.2}
    with pytest.raises(ValueError, match="is a Tune experiment; networks are in its trials' checkpoints"):
        reader.network()


@pytest.mark.parametrize("text, problem", [("{\"episode\": 0}\n{broken\n", "line 2, is not valid JSON"),
                                           ("[1, 2]\n", "line 1, is not a JSON object of results")])
def test_a_corrupt_rows_file_is_named(tmp_path, text, problem):
    path = tmp_path / "checkpoint_01" / "worker-0" / "episodes.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ValueError, match=f"{path}, {problem}"):
        read_rows(path)
    with pytest.raises(ValueError, match=f"{path}, {problem}"):
        Reader(tmp_path)


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_a_checkpoint_whose_rows_files_are_all_empty_is_refused(tmp_path, text):
    for worker in (0, 1):
        path = tmp_path / "checkpoint_01" / f"worker-{worker}" / "episodes.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text(text)
    with pytest.raises(ValueError, match="checkpoint_01: every worker's episodes.jsonl is empty"):
        Reader(tmp_path)


def test_a_missing_folder_and_a_bad_trial_configuration_are_named(tmp_path):
    with pytest.raises(ValueError, match="absent is not a folder \\(it does not exist\\)"):
        Reader(tmp_path / "absent")
    (tmp_path / "trial_a").mkdir()
    (tmp_path / "trial_a" / "params.json").write_text("[1, 2]")
    write_rows(tmp_path / "trial_a" / "result.json", [{"reward": 1.0}])
    with pytest.raises(ValueError, match="params.json does not hold a JSON object"):
        Reader(tmp_path)


def test_workers_are_read_in_rank_order(tmp_path):
    for worker in (2, 10):
        write_rows(tmp_path / "checkpoint_01" / f"worker-{worker}" / "episodes.jsonl", [{"episode": 0, "worker": worker}])
    assert Reader(tmp_path).df["worker"].tolist() == [2, 10]
