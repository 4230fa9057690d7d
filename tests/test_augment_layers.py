"""kerascnn.augment layers: the op table, apply_op, RandAugment, the classic stack."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from kerascnn.augment import (
    ARTICLE_OPS,
    OP_NAMES,
    OP_TABLE,
    PAIRED_OPS,
    PAPER_OPS,
    RandAugment,
    apply_op,
    classic_augmentation,
    layers,
    magnitude_to_parameter,
)


def test_name_lists_come_from_the_op_table():
    # Notebook 12 prints the table in this order (a checked output).
    assert OP_NAMES == (
        "identity",
        "shear_x",
        "shear_y",
        "translate_x",
        "translate_y",
        "rotate",
        "auto_contrast",
        "invert",
        "equalize",
        "solarize",
        "posterize",
        "contrast",
        "color",
        "brightness",
        "sharpness",
        "cutout",
        "sample_pairing",
    )
    # The order of the kinds decides which op a seed draws: changing it changes results.
    assert ARTICLE_OPS == (
        "shear_xy",
        "translate_xy",
        "rotate",
        "auto_contrast",
        "invert",
        "equalize",
        "solarize",
        "posterize",
        "contrast",
        "color",
        "brightness",
        "sharpness",
        "cutout",
        "sample_pairing",
    )
    assert PAIRED_OPS == {
        "shear_xy": ("shear_x", "shear_y"),
        "translate_xy": ("translate_x", "translate_y"),
    }
    assert len(PAPER_OPS) == 14 and set(OP_NAMES) - set(PAPER_OPS) == {
        "invert",
        "cutout",
        "sample_pairing",
    }
    assert sorted(layers._SIGNED_OPS) == sorted(
        [
            "shear_x",
            "shear_y",
            "translate_x",
            "translate_y",
            "rotate",
            "contrast",
            "color",
            "brightness",
            "sharpness",
        ]
    )


@pytest.mark.parametrize("name", OP_NAMES)
def test_op_table_words_match_its_functions(name):
    """``signed`` and the "at M = 10" column say what the parameter function computes."""
    op = OP_TABLE[name]
    if op.parameter is None:
        assert magnitude_to_parameter(name, 10) is None and not op.signed and not op.at_10
        return
    height, width = 40, 50
    values = sorted(
        float(magnitude_to_parameter(name, 10, sign=sign, image_size=(height, width)))
        for sign in (-1, 1)
    )
    assert (values[0] != values[1]) == op.signed
    # "+-0.45 width", "0.1 or 1.9", "0.2 min(h, w)", "4": the values for sign -1 and +1.
    size = {"width": width, "height": height, "min(h, w)": min(height, width)}
    text, unit = op.at_10, 1.0
    for word, value in size.items():
        if text.endswith(word):
            text, unit = text.removesuffix(word), value
    numbers = [float(n) * unit for n in re.findall(r"\d+(?:\.\d+)?", text)]
    expected = [-numbers[0], numbers[0]] if text.startswith("+-") else numbers
    assert np.allclose(values, sorted(expected * (2 // len(expected)))), (name, values)


def test_module_docstring_shows_the_op_table():
    table = layers._render_op_table()
    assert table in layers.__doc__
    for name, op in OP_TABLE.items():
        assert name in table and op.formula in table


@pytest.mark.parametrize(
    ("name", "magnitude", "sign", "expected"),
    [
        ("rotate", 10, 1, 30.0),
        ("rotate", 10, -1, -30.0),
        ("shear_x", 10, -1, -0.3),
        ("translate_x", 10, 1, 0.45 * 64),
        ("translate_y", 10, 1, 0.45 * 32),
        ("contrast", 10, 1, 1.9),
        ("color", 10, -1, 0.1),
        ("sharpness", 5, 1, 1.45),
        ("brightness", 30, -1, 0.0),  # 1 - 2.7, clipped
        ("posterize", 10, 1, 4.0),
        ("posterize", 0, 1, 8.0),
        ("posterize", 30, 1, 0.0),
        ("solarize", 10, 1, 0.0),
        ("solarize", 0, 1, 256.0),
        ("solarize", 5, 1, 128.0),
        ("cutout", 10, 1, 0.2 * 32),
        ("sample_pairing", 10, 1, 0.4),
        ("sample_pairing", 30, 1, 1.0),
    ],
)
def test_magnitude_table(name, magnitude, sign, expected):
    value = magnitude_to_parameter(name, magnitude, sign=sign, image_size=(32, 64))
    assert float(value) == pytest.approx(expected, abs=1e-5)


def test_apply_op_is_deterministic_and_signed(photo_crops):
    plus = apply_op(photo_crops, "rotate", 10).numpy()
    assert np.array_equal(plus, apply_op(photo_crops, "rotate", 10).numpy())
    assert not np.allclose(plus, apply_op(photo_crops, "rotate", 10, sign=-1).numpy())
    np.testing.assert_allclose(apply_op(photo_crops, "rotate", 0).numpy(), photo_crops, atol=1e-3)
    # Pairing defaults to the batch rolled by one.
    paired = apply_op(photo_crops, "sample_pairing", 10).numpy()
    np.testing.assert_allclose(
        paired, 0.6 * photo_crops + 0.4 * np.roll(photo_crops, 1, axis=0), atol=1e-3
    )


def test_ops_are_chosen_per_image(photo_crops):
    batch = np.repeat(photo_crops[:1], 64, axis=0)
    out = RandAugment(num_ops=1, magnitude=10, ops=["invert", "identity"], seed=3)(batch)
    inverted = np.all(np.isclose(out.numpy(), 255.0 - batch), axis=(1, 2, 3))
    unchanged = np.all(np.isclose(out.numpy(), batch), axis=(1, 2, 3))
    assert (inverted | unchanged).all()
    assert 10 < inverted.sum() < 54  # both ops in one batch (Keras's layer: one for all)


def test_each_image_gets_exactly_one_of_the_candidates(photo_crops):
    names = ["rotate", "equalize", "solarize", "posterize", "contrast", "auto_contrast"]
    out = RandAugment(num_ops=1, magnitude=7, ops=names, seed=11)(photo_crops).numpy()
    chosen = set()
    for i, image in enumerate(photo_crops):
        matches = [
            (name, sign)
            for name in names
            for sign in (-1, 1)
            if np.allclose(out[i], apply_op(image[None], name, 7, sign=sign)[0], atol=1e-3)
        ]
        assert matches, f"image {i} matches no op"
        chosen.add(matches[0][0])
    assert len(chosen) >= 3


def test_same_seed_same_output_in_range(photo_crops):
    a = RandAugment(seed=5)(photo_crops).numpy()
    assert np.array_equal(a, RandAugment(seed=5)(photo_crops).numpy())
    assert not np.array_equal(a, RandAugment(seed=6)(photo_crops).numpy())
    assert a.min() >= 0.0 and a.max() <= 255.0


@pytest.mark.parametrize("ops", ["article", "paper"])
def test_unit_range_and_random_magnitude(photo_crops, ops):
    layer = RandAugment(
        num_ops=3, magnitude=12, ops=ops, magnitude_std=3.0, value_range=(0, 1), seed=1
    )
    batch = layer(photo_crops / 255.0).numpy()
    assert batch.min() >= 0.0 and batch.max() <= 1.0 and not np.allclose(batch, photo_crops / 255.0)


def test_randaugment_keeps_the_layer_contract(photo_crops, fashion_images, layer_contract):
    # Each configuration traces its ops in several graphs (tf.data, fit): two cover the
    # arguments: a list of kinds with a paired one and random magnitudes on colour crops,
    # and the paper's ops on grey Fashion-MNIST images in [0, 1].
    layer_contract(
        RandAugment(
            num_ops=3, magnitude=14.5, ops=["rotate", "shear_xy"], magnitude_std=0.5, seed=7
        ),
        photo_crops,
    )
    layer_contract(
        RandAugment(num_ops=1, magnitude=9, ops="paper", value_range=(0, 1), seed=2),
        fashion_images[:8] / 255.0,
    )


def test_classic_augmentation_keeps_the_layer_contract(photo_crops, layer_contract):
    # The Rescaling pair around the noise rounds: identity at inference up to 1e-3. A
    # keras.Sequential fixes its input rank at the first call (batches or single images).
    layer_contract(
        classic_augmentation(seed=3, noise=0.05), photo_crops, atol=1e-3, mixed_ranks=False
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_ops": -1}, "num_ops"),
        ({"magnitude": 31}, "magnitude"),
        ({"magnitude": -1}, "magnitude"),
        ({"magnitude_std": -1.0}, "magnitude_std"),
        ({"ops": ["rotate", "blur"]}, "ops"),
        ({"ops": "imagenet"}, "ops"),
        ({"ops": []}, "ops"),
        ({"value_range": (1, 0)}, "value_range"),
    ],
)
def test_invalid_layer_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandAugment(**kwargs)


def test_other_backends_get_a_clear_error(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(RuntimeError, match=r"'jax'.*KERAS_BACKEND=tensorflow"):
        RandAugment()


def test_invalid_inputs(photo_crops):
    layer = RandAugment(value_range=(0, 1))
    with pytest.raises(ValueError, match="value_range"):
        layer(photo_crops)  # 0..255 given to a (0, 1) layer
    with pytest.raises(ValueError, match="rank"):
        layer(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="channels"):
        layer(np.zeros((2, 8, 8, 4)))
    with pytest.raises(ValueError, match="name"):
        apply_op(photo_crops, "blur", 5)
    with pytest.raises(ValueError, match="magnitude"):
        apply_op(photo_crops, "rotate", 40)


def test_works_with_op_determinism_enabled(fresh_python):
    fresh_python("""
        import numpy as np, tensorflow as tf
        tf.config.experimental.enable_op_determinism()
        from kerascnn.augment import RandAugment
        x = np.random.default_rng(0).integers(0, 256, (16, 16, 16, 3)).astype("float32")
        a, b = RandAugment(num_ops=3, seed=1)(x), RandAugment(num_ops=3, seed=1)(x)
        ds = tf.data.Dataset.from_tensor_slices(x).batch(8).map(RandAugment(seed=1))
        assert np.array_equal(a, b) and len(list(ds)) == 2
        print("ok")
    """)


def test_classic_augmentation(photo_crops):
    augment = classic_augmentation(seed=3, noise=0.05)
    names = [layer.__class__.__name__ for layer in augment.layers]
    assert names == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomBrightness",
        "RandomContrast",
        "Rescaling",
        "GaussianNoise",
        "Rescaling",
    ]
    a = augment(photo_crops, training=True).numpy()
    assert not np.allclose(a, photo_crops, atol=1.0)
    # Noise relative to the value range: the same picture noise on a (0, 1) scale.
    only_noise = dict(flip=False, rotation=0, zoom=0, translation=0, brightness=0, contrast=0)
    flat = np.full((4, 32, 32, 1), 0.5, np.float32)
    noisy = classic_augmentation(noise=0.1, value_range=(0, 1), **only_noise)(flat, training=True)
    assert 0.08 < float(np.std(noisy)) < 0.12
    with pytest.raises(ValueError, match="rotation"):
        classic_augmentation(rotation=2.0)
