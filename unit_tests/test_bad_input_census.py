"""Every bad input of benchmarks/bad_input_census.py and every bad key value of benchmarks/key_census.py gets a clear error."""
import runpy
from pathlib import Path

CENSUS = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" / "bad_input_census.py"))


def test_every_bad_input_gets_a_clear_error_and_every_good_value_is_accepted():
    counts, good = CENSUS["census"]()
    assert sum(counts.values()) >= 60
    assert dict(counts) == {"clear error": sum(counts.values())}
    assert dict(good) == {"accepted": 4}


KEY_CENSUS = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" / "key_census.py"))


def test_every_bad_key_value_of_every_part_and_game_is_refused_clearly():
    counts, unbuildable = KEY_CENSUS["census"]()
    assert not unbuildable
    assert sum(counts.values()) >= 1400
    assert dict(counts) == {"clear error": sum(counts.values())}
