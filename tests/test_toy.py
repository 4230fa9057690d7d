"""Tests for kerascnn.toy: the 2-D toy data and its over-large MLP."""

from __future__ import annotations

import numpy as np
import pytest

from kerascnn.toy import fit_toy_mlp, make_toy_data, toy_true_labels


def test_make_toy_data():
    x, y = make_toy_data(200, seed=3)
    assert x.shape == (200, 2) and x.dtype == np.float32 and y.shape == (200,)
    assert set(np.unique(y)) == {0, 1}
    x2, y2 = make_toy_data(200, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, make_toy_data(200, seed=4)[0])


@pytest.mark.parametrize("kind", ["moons", "circles"])
def test_toy_label_noise_is_the_only_disagreement_with_the_truth(kind):
    # Without position noise each point lies on its curve, so only flipped labels differ.
    x, y = make_toy_data(200, noise=0.0, kind=kind, label_noise=0.05)
    assert int(np.sum(y != toy_true_labels(x, kind=kind))) == 10
    x, y = make_toy_data(200, noise=0.0, kind=kind, label_noise=0.0)
    np.testing.assert_array_equal(y, toy_true_labels(x, kind=kind))


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 1}, {"kind": "spirals"}, {"noise": -1.0}, {"label_noise": 0.7}]
)
def test_make_toy_data_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_toy_data(**kwargs)


def test_toy_true_labels_checks_shape():
    with pytest.raises(ValueError, match="points"):
        toy_true_labels(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="points"):
        toy_true_labels(np.zeros(4))


def test_fit_toy_mlp_overfits_the_label_noise():
    x, y = make_toy_data(200, seed=0)
    x_val, y_val = make_toy_data(200, seed=1)
    model, history = fit_toy_mlp(x, y, epochs=120, validation=(x_val, y_val), seed=0)
    assert model.output_shape == (None, 2)
    assert len(history.history["val_loss"]) == 120
    # The true boundary misclassifies the noisy points; the big MLP bends around them.
    true_accuracy = np.mean(toy_true_labels(x) == y)
    assert history.history["accuracy"][-1] > true_accuracy


def test_fit_toy_mlp_checks_its_input():
    with pytest.raises(ValueError, match="x"):
        fit_toy_mlp(np.zeros((10, 3)), np.zeros(10), epochs=1)
    with pytest.raises(ValueError, match="same length"):
        fit_toy_mlp(np.zeros((10, 2)), np.zeros(9), epochs=1)
    with pytest.raises(ValueError, match="hidden_units"):
        fit_toy_mlp(np.zeros((10, 2)), np.zeros(10), hidden_units=(0,), epochs=1)
