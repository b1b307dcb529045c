"""Every bad input of benchmarks/bad_input_census.py gets a clear error, and its good numpy values are accepted."""
import runpy
from pathlib import Path

CENSUS = runpy.run_path(str(Path(__file__).parent.parent / "benchmarks" / "bad_input_census.py"))


def test_every_bad_input_gets_a_clear_error_and_every_good_value_is_accepted():
    counts, good = CENSUS["census"]()
    assert sum(counts.values()) >= 60
    assert dict(counts) == {"clear error": sum(counts.values())}
    assert dict(good) == {"accepted": 4}
