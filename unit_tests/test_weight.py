"""Weight initializers."""
import numpy as np
import pytest

from spikey.module import InvalidParameterError
from spikey.snn.weight import Manual, Random


def init(weights, batch=1, polarity=None, seed=0):
    n_pre = weights.shape[0]
    polarity = np.ones((batch, n_pre)) if polarity is None else polarity
    return weights.init_state(batch, np.random.default_rng(seed), polarity)


def test_manual_full_matrix_mask_is_nonzero_entries():
    matrix = np.array([[0.5, 0.0], [0.0, 0.0], [1.0, 0.2]])
    state = init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=matrix), batch=2)
    assert state.values.shape == (2, 3, 2)
    np.testing.assert_array_equal(state.mask[1], matrix != 0)


def test_manual_layers_build_feed_forward_blocks():
    layers = [np.full((2, 3), 0.1), np.full((3, 1), 0.2)]
    state = init(Manual(n_inputs=2, n_neurons=4, max_weight=1.0, matrix=layers))
    expected = np.zeros((6, 4))
    expected[:2, :3] = 0.1
    expected[2:5, 3:] = 0.2
    np.testing.assert_array_equal(state.values[0], expected)
    np.testing.assert_array_equal(state.mask[0], expected > 0)


def test_manual_errors():
    with pytest.raises(InvalidParameterError, match=r"must have shape \(3, 2\)"):
        init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=np.ones((2, 2))))
    with pytest.raises(InvalidParameterError, match=r"efficacies in \[-max_weight, max_weight\]"):
        init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=np.full((3, 2), 1.5)))
    with pytest.raises(InvalidParameterError, match=r"row 0 is excitatory, bounds \[0.0, 1.0\]. Got -1.0"):
        init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=-np.ones((3, 2))))
    with pytest.raises(InvalidParameterError, match="must chain"):
        init(Manual(n_inputs=2, n_neurons=4, max_weight=1.0, matrix=[np.ones((2, 3)), np.ones((2, 1))]))


def test_random_statistics_bounds_and_no_self_connections():
    weights = Random(n_inputs=50, n_neurons=100, max_weight=0.3, prob_connection=0.2, weight_scale=0.5)
    state = init(weights, batch=2)
    assert abs(state.mask.mean() - 0.2) < 0.02
    assert state.values.max() <= 0.3 and np.all(state.values[~state.mask] == 0)
    assert not state.mask[:, 50:].diagonal(axis1=1, axis2=2).any()
    assert not np.array_equal(state.mask[0], state.mask[1])


def test_random_layers_and_inhibitory_scaling():
    weights = Random(n_inputs=4, n_neurons=5, max_weight=10.0, prob_connection=1.0, weight_scale=1.0,
                     layer_sizes=[3, 2], inhibitory_weight_mult=2.0)
    polarity = np.ones((1, 9))
    polarity[0, 4] = -1
    state = init(weights, polarity=polarity)
    np.testing.assert_array_equal(state.mask[0], weights.layer_mask())
    assert state.mask[0, :4, :3].all() and state.mask[0, 4:7, 3:].all() and state.mask.sum() == 12 + 6
    same = init(weights)
    np.testing.assert_allclose(state.values[0, 4], -2 * same.values[0, 4])
    np.testing.assert_array_equal(state.values[0, :4], same.values[0, :4])


def test_random_is_seeded():
    weights = Random(n_inputs=3, n_neurons=4, max_weight=1.0, prob_connection=0.5, weight_scale=1.0)
    np.testing.assert_array_equal(init(weights, seed=5).values, init(weights, seed=5).values)


def test_bounds_follow_polarity_and_either_sign_rows_draw_both_signs():
    weights = Random(n_inputs=20, n_neurons=30, max_weight=5.0, prob_connection=1.0, weight_scale=5.0, layer_sizes=[29, 1])
    polarity = np.ones((2, 50))
    polarity[:, :10], polarity[:, 10:20] = -1.0, 0.0
    state = init(weights, batch=2, polarity=polarity)
    np.testing.assert_array_equal(state.low[:, :20], -5.0)
    np.testing.assert_array_equal(state.high[:, :10], 0.0)
    np.testing.assert_array_equal(state.low[:, 20:], 0.0)
    present = state.mask[0]
    inhibitory, either, excitatory = state.values[0, :10][present[:10]], state.values[0, 10:20][present[10:20]], \
        state.values[0, 20:][present[20:]]
    assert inhibitory.max() <= 0 and excitatory.min() >= 0
    assert either.min() < -2.5 and either.max() > 2.5 and abs((either > 0).mean() - 0.5) < 0.15


def test_manual_accepts_signed_matrix_within_row_bounds():
    matrix = np.array([[-0.5, 0.0], [0.7, -0.2], [0.0, 0.3]])  # rows: inhibitory input, either-sign input, neuron 0
    state = init(Manual(n_inputs=2, n_neurons=1 + 1, max_weight=1.0, matrix=np.vstack([matrix, [[0.0, 0.0]]])),
                 polarity=np.array([[-1.0, 0.0, 1.0, 1.0]]))
    np.testing.assert_array_equal(state.values[0, :3], matrix)


def test_manual_refuses_weights_outside_its_connectivity_and_the_wrong_batch():
    matrix = np.array([[0.5, 0.2], [0.0, 0.0], [0.0, 0.3]])
    with pytest.raises(InvalidParameterError, match=r"disagree: .* e.g. at \(0, 1\)"):
        init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=matrix,
                    connectivity=np.array([[True, False], [False, False], [False, True]])))
    with pytest.raises(InvalidParameterError, match="hold 3 networks .* but batch_size=2"):
        init(Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=np.stack([matrix] * 3)), batch=2)
