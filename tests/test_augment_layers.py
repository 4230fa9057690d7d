"""kerascnn.augment layers: RandAugment, apply_op, the magnitude table, classic stack, viz."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerascnn.augment import (
    ARTICLE_OPS,
    PAPER_OPS,
    RandAugment,
    apply_op,
    classic_augmentation,
    magnitude_to_parameter,
    plot_ops_grid,
    plot_randaugment_samples,
)
from kerascnn.data import load_fashion_mnist_subset, load_photo


@pytest.fixture(scope="module")
def crops() -> np.ndarray:
    """Eight real 32x32 colour crops of the cat photo, float32 in [0, 255]."""
    photo = load_photo("chelsea")[::4, ::4]  # about 43 x 64
    return np.stack([photo[r:r + 32, c:c + 32] for r in (0, 8) for c in (0, 10, 20, 30)]
                    ).astype(np.float32)


@pytest.mark.parametrize(
    ("name", "magnitude", "sign", "expected"),
    [
        ("rotate", 10, 1, 30.0), ("rotate", 10, -1, -30.0), ("shear_x", 10, -1, -0.3),
        ("translate_x", 10, 1, 0.45 * 64), ("translate_y", 10, 1, 0.45 * 32),
        ("contrast", 10, 1, 1.9), ("color", 10, -1, 0.1), ("sharpness", 5, 1, 1.45),
        ("brightness", 30, -1, 0.0),  # 1 - 2.7, clipped
        ("posterize", 10, 1, 4.0), ("posterize", 0, 1, 8.0), ("posterize", 30, 1, 0.0),
        ("solarize", 10, 1, 0.0), ("solarize", 0, 1, 256.0), ("solarize", 5, 1, 128.0),
        ("cutout", 10, 1, 0.2 * 32), ("sample_pairing", 10, 1, 0.4),
        ("sample_pairing", 30, 1, 1.0),
    ],
)
def test_magnitude_table(name, magnitude, sign, expected):
    value = magnitude_to_parameter(name, magnitude, sign=sign, image_size=(32, 64))
    assert float(value) == pytest.approx(expected, abs=1e-5)


def test_apply_op_is_deterministic_and_signed(crops):
    plus = apply_op(crops, "rotate", 10).numpy()
    assert np.array_equal(plus, apply_op(crops, "rotate", 10).numpy())
    assert not np.allclose(plus, apply_op(crops, "rotate", 10, sign=-1).numpy())
    np.testing.assert_allclose(apply_op(crops, "rotate", 0).numpy(), crops, atol=1e-3)
    # Pairing defaults to the batch rolled by one.
    paired = apply_op(crops, "sample_pairing", 10).numpy()
    np.testing.assert_allclose(paired, 0.6 * crops + 0.4 * np.roll(crops, 1, axis=0), atol=1e-3)


def test_ops_are_chosen_per_image(crops):
    batch = np.repeat(crops[:1], 64, axis=0)
    out = RandAugment(num_ops=1, magnitude=10, ops=["invert", "identity"], seed=3)(batch)
    inverted = np.all(np.isclose(out.numpy(), 255.0 - batch), axis=(1, 2, 3))
    unchanged = np.all(np.isclose(out.numpy(), batch), axis=(1, 2, 3))
    assert (inverted | unchanged).all()
    assert 10 < inverted.sum() < 54  # both ops in one batch (Keras's layer: one for all)


def test_each_image_gets_exactly_one_of_the_candidates(crops):
    names = ["rotate", "equalize", "solarize", "posterize", "contrast", "auto_contrast"]
    out = RandAugment(num_ops=1, magnitude=7, ops=names, seed=11)(crops).numpy()
    chosen = set()
    for i, image in enumerate(crops):
        matches = [(name, sign) for name in names for sign in (-1, 1)
                   if np.allclose(out[i], apply_op(image[None], name, 7, sign=sign)[0],
                                  atol=1e-3)]
        assert matches, f"image {i} matches no op"
        chosen.add(matches[0][0])
    assert len(chosen) >= 3


def test_same_seed_same_output_and_identity_at_inference(crops):
    a = RandAugment(seed=5)(crops).numpy()
    assert np.array_equal(a, RandAugment(seed=5)(crops).numpy())
    assert not np.array_equal(a, RandAugment(seed=6)(crops).numpy())
    assert not np.allclose(a, crops)
    assert np.array_equal(RandAugment(seed=5)(crops, training=False).numpy(), crops)
    assert a.min() >= 0.0 and a.max() <= 255.0


@pytest.mark.parametrize("ops", ["article", "paper"])
def test_single_image_unit_range_and_random_magnitude(crops, ops):
    layer = RandAugment(num_ops=3, magnitude=12, ops=ops, magnitude_std=3.0,
                        value_range=(0, 1), seed=1)
    single = layer(crops[0] / 255.0)
    assert single.shape == (32, 32, 3)
    batch = layer(crops / 255.0).numpy()
    assert batch.min() >= 0.0 and batch.max() <= 1.0 and not np.allclose(batch, crops / 255.0)
    assert len(ARTICLE_OPS) == len(PAPER_OPS) == 14


def test_works_in_tf_data_on_grey_fashion_mnist():
    (x_train, _), _ = load_fashion_mnist_subset()
    images = x_train[:64, :, :, None].astype(np.float32)
    layer = RandAugment(num_ops=2, magnitude=9, seed=0)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(32).map(
        lambda x: layer(x, training=True))
    out = np.concatenate([batch.numpy() for batch in dataset])
    assert out.shape == images.shape and not np.allclose(out, images)
    assert out.min() >= 0 and out.max() <= 255


def test_config_and_keras_file_round_trip(crops, tmp_path):
    layer = RandAugment(num_ops=3, magnitude=14.5, ops=["rotate", "shear_xy"],
                        magnitude_std=0.5, value_range=(0, 255), seed=7)
    config = layer.get_config()
    assert RandAugment.from_config(config).get_config() == config
    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(layer(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")  # a training step in a compiled model
    model.fit(crops, np.zeros((len(crops), 2)), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert loaded.layers[1].get_config() == config
    np.testing.assert_allclose(loaded.predict(crops, verbose=0), model.predict(crops, verbose=0),
                               atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_ops": -1}, "num_ops"), ({"magnitude": 31}, "magnitude"),
        ({"magnitude": -1}, "magnitude"), ({"magnitude_std": -1.0}, "magnitude_std"),
        ({"ops": ["rotate", "blur"]}, "ops"), ({"ops": "imagenet"}, "ops"), ({"ops": []}, "ops"),
        ({"value_range": (1, 0)}, "value_range"),
    ],
)
def test_invalid_layer_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandAugment(**kwargs)


def test_invalid_inputs(crops):
    layer = RandAugment(value_range=(0, 1))
    with pytest.raises(ValueError, match="value_range"):
        layer(crops)  # 0..255 given to a (0, 1) layer
    with pytest.raises(ValueError, match="rank"):
        layer(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="channels"):
        layer(np.zeros((2, 8, 8, 4)))
    with pytest.raises(ValueError, match="name"):
        apply_op(crops, "blur", 5)
    with pytest.raises(ValueError, match="magnitude"):
        apply_op(crops, "rotate", 40)


def test_works_with_op_determinism_enabled():
    script = textwrap.dedent("""
        import numpy as np, tensorflow as tf
        tf.config.experimental.enable_op_determinism()
        from kerascnn.augment import RandAugment
        x = np.random.default_rng(0).integers(0, 256, (16, 16, 16, 3)).astype("float32")
        a, b = RandAugment(num_ops=3, seed=1)(x), RandAugment(num_ops=3, seed=1)(x)
        ds = tf.data.Dataset.from_tensor_slices(x).batch(8).map(RandAugment(seed=1))
        assert np.array_equal(a, b) and len(list(ds)) == 2
        print("ok")
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


def test_classic_augmentation(crops):
    augment = classic_augmentation(seed=3, noise=0.05)
    names = [layer.__class__.__name__ for layer in augment.layers]
    assert names == ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                     "RandomBrightness", "RandomContrast", "Rescaling", "GaussianNoise",
                     "Rescaling"]
    assert np.allclose(augment(crops, training=False).numpy(), crops, atol=1e-3)
    a = augment(crops, training=True).numpy()
    assert np.array_equal(a, classic_augmentation(seed=3, noise=0.05)(crops, training=True))
    assert not np.allclose(a, crops, atol=1.0)
    # Noise relative to the value range: the same picture noise on a (0, 1) scale.
    only_noise = dict(flip=False, rotation=0, zoom=0, translation=0, brightness=0, contrast=0)
    flat = np.full((4, 32, 32, 1), 0.5, np.float32)
    noisy = classic_augmentation(noise=0.1, value_range=(0, 1), **only_noise)(flat, training=True)
    assert 0.08 < float(np.std(noisy)) < 0.12
    with pytest.raises(ValueError, match="rotation"):
        classic_augmentation(rotation=2.0)


def test_figures(crops):
    import matplotlib.figure

    (x_train, _), _ = load_fashion_mnist_subset()
    grid = plot_ops_grid(x_train[0], magnitudes=(0, 10))
    assert isinstance(grid, matplotlib.figure.Figure)
    assert len(grid.axes) == 16 * 2 and grid.get_suptitle()
    assert grid.axes[0].get_ylabel() == "shear_x" and grid.axes[1].get_title() == "M = 10"
    assert grid.axes[0].images[0].get_cmap().name == "gray"
    samples = plot_randaugment_samples(crops[0], n=8, seed=0)
    assert len([ax for ax in samples.axes if ax.images]) == 9 and samples.get_suptitle()
