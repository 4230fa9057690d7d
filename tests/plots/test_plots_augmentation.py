"""kerascnn.plots.augmentation: the ops grid, RandAugment samples, augmentation draws."""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from kerascnn import augment, plots
from kerascnn.data import load_photo


@pytest.fixture(scope="module")
def boot(fashion_subset) -> np.ndarray:
    (x_train, _), _ = fashion_subset
    return x_train[0]


def test_plot_ops_grid(boot):
    fig = plots.plot_ops_grid(boot, magnitudes=(0, 10))
    rows = [name for kind in augment.ARTICLE_OPS for name in augment.PAIRED_OPS.get(kind, (kind,))]
    assert len(fig.axes) == 2 * len(rows)
    assert [ax.get_ylabel() for ax in fig.axes[::2]] == rows
    assert [ax.get_title() for ax in fig.axes[:2]] == ["M = 0", "M = 10"]
    assert fig.axes[0].images[0].get_cmap().name == "gray" and fig.get_suptitle()
    invert = rows.index("invert")
    np.testing.assert_allclose(fig.axes[2 * invert + 1].images[0].get_array(), 255.0 - boot)
    photo = load_photo("chelsea")[:32, :32]
    fig = plots.plot_ops_grid(photo, magnitudes=(5,), ops=["shear_xy", "cutout"])
    assert [ax.get_ylabel() for ax in fig.axes] == ["shear_x", "shear_y", "cutout"]
    assert fig.axes[0].images[0].get_array().shape == (32, 32, 3)


def test_plot_ops_grid_rejects_bad_input(boot):
    with pytest.raises(ValueError, match="pair_with"):
        plots.plot_ops_grid(boot, pair_with=np.zeros((8, 8)))
    with pytest.raises(ValueError, match="ops"):
        plots.plot_ops_grid(boot, ops=["no_such_op"])
    with pytest.raises(ValueError, match="value_range"):
        plots.plot_ops_grid(boot / 255.0 - 1.0)


def test_plot_randaugment_samples():
    photo = load_photo("chelsea")[:32, :32]
    fig = plots.plot_randaugment_samples(photo, n=8, seed=0)
    assert len(fig.axes) == 9  # the original and 8 samples; the unused cells removed
    assert [ax.get_title() for ax in fig.axes[:2]] == ["original", "sample 1"]
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), photo)
    assert "num_ops=2, magnitude=9" in fig.get_suptitle()
    with pytest.raises(ValueError, match="n"):
        plots.plot_randaugment_samples(photo, n=0)


def test_plot_augmentation_draws(boot):
    layers = {
        "flip": keras.layers.RandomFlip("horizontal", seed=0),
        "noise": lambda batch, training: (
            batch + np.random.default_rng(0).normal(0.0, 400.0, batch.shape)
        ),
    }  # any callable; far out of [0, 255]
    fig = plots.plot_augmentation_draws(boot, layers, draws=3, title="Two layers")
    assert len(fig.axes) == 2 * 4
    assert [ax.get_ylabel() for ax in fig.axes[::4]] == ["flip", "noise"]
    assert [ax.get_title() for ax in fig.axes[:4]] == ["original", "draw 1", "draw 2", "draw 3"]
    noisy = fig.axes[5].images[0].get_array()
    assert noisy.min() >= 0 and noisy.max() <= 255  # clipped for display
    assert fig.get_suptitle() == "Two layers"
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_augmentation_draws(boot, [keras.layers.RandomFlip()])


def test_augmentation_figures_are_pyplot_figures(boot):
    """Made with plt.subplots like every other figure, so Jupyter shows each one once."""
    figures = [
        plots.plot_ops_grid(boot, magnitudes=(0,), ops=["invert"]),
        plots.plot_randaugment_samples(boot, n=1),
        plots.plot_augmentation_draws(boot, {"flip": keras.layers.RandomFlip()}, 1),
    ]
    assert all(fig.number in plt.get_fignums() for fig in figures)
    assert not hasattr(augment, "plot_ops_grid")  # augment draws nothing: plots does
