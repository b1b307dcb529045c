"""Keys, constraints and validation errors."""
import inspect
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spikey.module import (
    InstanceOf,
    Interval,
    InvalidParameterError,
    Key,
    Module,
    Options,
    Params,
    parameters_section,
    unknown_key_error,
    validate_config,
)

DECAY = Key("potential_decay", Interval(float, 0, 1), "Fraction lost per step.", batched=True)
COUNT = Key("n_neurons", Interval(int, 1, None), "Count.")
MODE = Key("mode", Options("a", "b"), "Mode.", default="a")


class Part(Module):
    NECESSARY_KEYS = (DECAY, COUNT, MODE)


def test_error_is_value_and_type_error():
    assert issubclass(InvalidParameterError, ValueError) and issubclass(InvalidParameterError, TypeError)


@pytest.mark.parametrize(
    "key, value, expected",
    [
        (DECAY, 1.5, "a float in the range [0, 1]"),
        (DECAY, "x", "a float in the range [0, 1]"),
        (DECAY, True, "a float in the range [0, 1]"),
        (DECAY, float("nan"), "a float in the range [0, 1]"),
        (COUNT, 2.0, "an int in the range [1, 2**63 - 1]"),
        (COUNT, 0, "an int in the range [1, 2**63 - 1]"),
        (MODE, "c", "one of {'a', 'b'}"),
    ],
)
def test_bad_values_name_part_key_expectation_and_value(key, value, expected):
    with pytest.raises(InvalidParameterError) as error:
        key.validate(value, owner="Part")
    message = str(error.value)
    assert message.startswith(f"The '{key.name}' parameter of Part must be {expected}")
    assert f"Got {value!r} instead." in message


def test_int_widens_to_float_and_numpy_scalars_accepted():
    assert DECAY.validate(1, "Part") == 1.0 and isinstance(DECAY.validate(1, "Part"), float)
    assert COUNT.validate(np.int64(3), "Part") == 3


def test_batched_key_accepts_array_of_batch_length():
    values = DECAY.validate([0.1, 0.2], "Part", batch_size=2)
    assert values.dtype == np.float64 and values.shape == (2,)
    with pytest.raises(InvalidParameterError, match=r"shape \(3,\)"):
        DECAY.validate([0.1, 0.2], "Part", batch_size=3)
    with pytest.raises(InvalidParameterError, match="potential_decay"):
        DECAY.validate([0.1, 2.0], "Part", batch_size=2)


def test_unbatched_key_rejects_array():
    with pytest.raises(InvalidParameterError, match="n_neurons"):
        COUNT.validate([1, 2], "Part")


def test_missing_keys_listed_together_with_docs():
    with pytest.raises(InvalidParameterError) as error:
        Part()
    assert "'potential_decay' (Part: Fraction lost per step.)" in str(error.value)
    assert "'n_neurons' (Part: Count.)" in str(error.value)


def test_module_takes_declared_keys_and_ignores_others_of_the_shared_dict():
    part = Part(potential_decay=0.5, n_neurons=3, firing_threshold=2.0)
    assert dict(part.params) == {"potential_decay": 0.5, "n_neurons": 3, "mode": "a"}


def test_params_are_read_only_and_pickle():
    part = Part(potential_decay=0.5, n_neurons=3)
    with pytest.raises(AttributeError, match="read-only"):
        part.params.n_neurons = 4
    assert pickle.loads(pickle.dumps(part)) == part


def test_replace_validates_and_leaves_original():
    part = Part(potential_decay=0.5, n_neurons=3)
    assert part.replace(potential_decay=0.25).params.potential_decay == 0.25
    assert part.params.potential_decay == 0.5
    with pytest.raises(InvalidParameterError):
        part.replace(potential_decay=-1)


def test_extend_keys_overrides_by_name():
    new_mode = Key("mode", Options("a", "b"), "Mode.", default="b")
    keys = Part.extend_keys(new_mode, Key("extra", Interval(float), "Extra."))
    assert [k.name for k in keys] == ["potential_decay", "n_neurons", "mode", "extra"]
    assert keys[2] is new_mode


def test_list_keys_rows():
    rows = Part.list_keys()
    assert rows[0] == {
        "name": "potential_decay",
        "type": "a float in the range [0, 1], or a 1-D array of such values (one per network)",
        "default": Key("x", Interval(float), "").default,
        "description": "Fraction lost per step.",
        "declared_by": "Part",
    }


def test_unknown_key_suggests_close_name():
    error = unknown_key_error("n_neuron", ["n_neurons", "n_inputs"], "Network(...)")
    assert str(error) == "Unknown key 'n_neuron' for Network(...). Did you mean 'n_neurons'?"


def test_instance_of_with_check():
    key = Key("f", InstanceOf(object, "a callable", callable), "Function.")
    assert key.validate(len, "Part") is len
    with pytest.raises(InvalidParameterError, match="must be a callable"):
        key.validate(3, "Part")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_interval_accepts_exactly_its_range(value):
    inside = 0 <= value <= 1
    if inside:
        assert DECAY.validate(value, "Part") == value
    else:
        with pytest.raises(InvalidParameterError):
            DECAY.validate(value, "Part")


@given(st.integers(min_value=-5, max_value=5), st.sampled_from(["both", "left", "right", "neither"]))
def test_interval_closedness(value, closed):
    interval = Interval(int, -2, 2, closed=closed)
    expected = -2 < value < 2 or (value == -2 and closed in ("both", "left")) or (value == 2 and closed in ("both", "right"))
    try:
        interval.normalize(value)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == expected


def test_validate_config_uses_defaults_and_returns_params():
    params = validate_config(Part.NECESSARY_KEYS, {"potential_decay": 0.1, "n_neurons": 2}, "Part")
    assert isinstance(params, Params) and params.mode == "a"


def test_parameters_section_is_rendered_into_a_subclass_docstring_once():
    decay = Key("decay", Interval(float, 0, 1), "Fraction lost per step.", default=0.1)

    class Leak(Module):
        """Leaks.

        Examples
        --------
        >>> Leak().params.decay
        0.1
        """

        NECESSARY_KEYS = (decay,)

    class Documented(Module):
        """Leaks, documented by hand.

        Parameters
        ----------
        decay : float
            Hand-written.
        """

        NECESSARY_KEYS = (decay,)

    rendered = inspect.cleandoc(Leak.__doc__)  # rendered at the docstring's own indentation
    assert "\ndecay : a float in the range [0, 1], default 0.1\n    Fraction lost per step.\n" in rendered
    assert rendered.index("Parameters") < rendered.index("Examples")
    assert Documented.__doc__.count("Parameters") == 1 and "Hand-written." in Documented.__doc__
    assert parameters_section([decay]).startswith("Parameters\n----------\ndecay : ")


def test_options_accept_numpy_scalars_of_a_choice():
    from spikey.constraints import Options
    assert Options(0, 1).normalize(np.int64(1)) == 1 and type(Options(0, 1).normalize(np.int64(1))) is int
    assert Options("arrival", "emission").normalize(np.str_("arrival")) == "arrival"
    assert Options(False, True).normalize(np.True_) is True
    with pytest.raises(ValueError):
        Options(0, 1).normalize(np.float64(1.0))


def test_fixed_keys_are_marked_in_the_rendered_parameters():
    from spikey.snn.weight import Random
    assert "prob_connection : a float in the range [0, 1], fixed at construction" in Random.__doc__
