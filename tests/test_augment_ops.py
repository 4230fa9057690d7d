"""kerascnn.augment.ops against Pillow on the real photos shipped in data/photos.

Pixel ops: the mean absolute difference (MAD) to Pillow's uint8 result is at most 0.6
grey levels and no pixel is off by more than 1 (Pillow truncates its results to uint8,
we keep the exact value). Geometric ops: compared on the whole image, borders included
(the ops reproduce Pillow's pixel-centre convention and its fill rule); MAD at most 0.5
and at most 0.2 % of the pixels off by more than 1 (pixels whose source point falls on
the image border, where float32 and Pillow's double coordinates decide differently).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageEnhance, ImageOps

from kerascnn.augment import ops


@pytest.fixture(scope="module")
def rgb_and_grey(photos) -> list[np.ndarray]:
    """The four shipped photos in RGB and their Pillow grey versions, uint8 (h, w, c)."""
    rgb = list(photos.values())
    grey = [np.asarray(Image.fromarray(image).convert("L"))[..., None] for image in rgb]
    return rgb + grey


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)


def _fill(im: Image.Image):
    return 128 if im.mode == "L" else (128, 128, 128)


BILINEAR = Image.Resampling.BILINEAR
AFFINE = Image.Transform.AFFINE

PIXEL_OPS = {
    "auto_contrast": (
        lambda x, p: ops.auto_contrast(x),
        lambda im, p: ImageOps.autocontrast(im),
        [None],
    ),
    "invert": (lambda x, p: ops.invert(x), lambda im, p: ImageOps.invert(im), [None]),
    "equalize": (lambda x, p: ops.equalize(x), lambda im, p: ImageOps.equalize(im), [None]),
    "solarize": (ops.solarize, ImageOps.solarize, [0, 77, 128, 200, 256]),
    "posterize": (ops.posterize, ImageOps.posterize, [1, 3, 4, 6, 8]),
    "contrast": (
        ops.contrast,
        lambda im, p: ImageEnhance.Contrast(im).enhance(p),
        [0.0, 0.1, 0.55, 1.45, 1.9],
    ),
    "color": (
        ops.color,
        lambda im, p: ImageEnhance.Color(im).enhance(p),
        [0.0, 0.1, 0.55, 1.45, 1.9],
    ),
    "brightness": (
        ops.brightness,
        lambda im, p: ImageEnhance.Brightness(im).enhance(p),
        [0.0, 0.1, 0.55, 1.45, 1.9],
    ),
    "sharpness": (
        ops.sharpness,
        lambda im, p: ImageEnhance.Sharpness(im).enhance(p),
        [0.0, 0.1, 0.55, 1.45, 1.9],
    ),
}

GEOMETRIC_OPS = {
    "shear_x": (
        ops.shear_x,
        lambda im, p: im.transform(
            im.size, AFFINE, (1, p, 0, 0, 1, 0), BILINEAR, fillcolor=_fill(im)
        ),
        [-0.3, 0.12, 0.3],
    ),
    "shear_y": (
        ops.shear_y,
        lambda im, p: im.transform(
            im.size, AFFINE, (1, 0, 0, p, 1, 0), BILINEAR, fillcolor=_fill(im)
        ),
        [-0.3, 0.12, 0.3],
    ),
    "translate_x": (
        ops.translate_x,
        lambda im, p: im.transform(
            im.size, AFFINE, (1, 0, -p, 0, 1, 0), BILINEAR, fillcolor=_fill(im)
        ),
        [-40, 3.5, 20],
    ),
    "translate_y": (
        ops.translate_y,
        lambda im, p: im.transform(
            im.size, AFFINE, (1, 0, 0, 0, 1, -p), BILINEAR, fillcolor=_fill(im)
        ),
        [-40, 3.5, 20],
    ),
    "rotate": (
        ops.rotate,
        lambda im, p: im.rotate(p, BILINEAR, fillcolor=_fill(im)),
        [-30, 12.5, 30, 90],
    ),
}


def _differences(images, ours, pillow, params):
    for image in images:
        for p in params:
            out = (ours(image[None].astype(np.float32), p)).numpy()[0]
            ref = np.asarray(pillow(_pil(image), p), np.float32).reshape(out.shape)
            yield p, np.abs(out - ref)


@pytest.mark.parametrize("name", sorted(PIXEL_OPS))
def test_pixel_ops_match_pillow(rgb_and_grey, name):
    ours, pillow, params = PIXEL_OPS[name]
    for p, diff in _differences(rgb_and_grey, ours, pillow, params):
        assert diff.mean() <= 0.6, (name, p, diff.mean())
        assert diff.max() <= 1.0 + 1e-3, (name, p, diff.max())


@pytest.mark.parametrize("name", sorted(GEOMETRIC_OPS))
def test_geometric_ops_match_pillow(rgb_and_grey, name):
    ours, pillow, params = GEOMETRIC_OPS[name]
    for p, diff in _differences(rgb_and_grey, ours, pillow, params):
        assert diff.mean() <= 0.5, (name, p, diff.mean())
        assert np.mean(diff.max(axis=-1) > 1.01) <= 0.002, (name, p)


def test_geometric_ops_do_not_move_pixels_at_zero():
    images = np.random.default_rng(0).integers(0, 256, (2, 9, 7, 3)).astype(np.float32)
    for op in (ops.shear_x, ops.shear_y, ops.translate_x, ops.translate_y, ops.rotate):
        np.testing.assert_allclose(op(images, 0.0).numpy(), images, atol=1e-3)


def test_rotate_turns_counter_clockwise():
    image = np.zeros((1, 5, 5, 1), np.float32)
    image[0, 0, 2] = 255.0  # top centre
    out = ops.rotate(image, 90.0, fill_value=0.0).numpy()[0, :, :, 0]
    assert np.unravel_index(out.argmax(), out.shape) == (2, 0)  # middle left


def test_equalize_and_auto_contrast_leave_flat_channels_alone():
    flat = np.full((1, 4, 4, 3), 77.0, np.float32)
    np.testing.assert_array_equal(ops.equalize(flat).numpy(), flat)
    np.testing.assert_array_equal(ops.auto_contrast(flat).numpy(), flat)


def test_per_image_parameters_equal_one_call_per_image(photos):
    images = np.stack([photos["chelsea"][:64, :64], photos["coffee"][:64, :64]]).astype(np.float32)
    cases = [
        (ops.brightness, [0.5, 1.5]),
        (ops.rotate, [-20.0, 10.0]),
        (ops.posterize, [2, 7]),
        (ops.solarize, [50.0, 200.0]),
    ]
    for op, values in cases:
        batch = op(images, tf.constant(values)).numpy()
        for i, value in enumerate(values):
            np.testing.assert_allclose(batch[i], op(images[i : i + 1], value).numpy()[0])


def test_cutout_is_clipped_at_the_border():
    images = np.full((2, 6, 6, 1), 255.0, np.float32)
    out = ops.cutout(images, [4, 2], [[0, 0], [3, 3]], fill_value=0.0).numpy()[..., 0]
    assert (out[0, :2, :2] == 0).all() and (out[0] == 0).sum() == 4
    assert (out[1, 2:4, 2:4] == 0).all() and (out[1] == 0).sum() == 4


def test_sample_pairing_blends():
    images, others = np.zeros((2, 2, 2, 3)), np.full((2, 2, 2, 3), 200.0)
    out = ops.sample_pairing(images, others, tf.constant([0.0, 0.4])).numpy()
    assert out[0].max() == 0.0 and np.allclose(out[1], 80.0)


@pytest.mark.parametrize("channels", [1, 3])
def test_ops_run_in_graph_mode(channels):
    images = np.random.default_rng(1).integers(0, 256, (3, 12, 10, channels)).astype(np.float32)
    calls = {
        "shear_x": lambda x: ops.shear_x(x, 0.2),
        "rotate": lambda x: ops.rotate(x, 15.0),
        "translate_y": lambda x: ops.translate_y(x, 3.0),
        "equalize": ops.equalize,
        "auto_contrast": ops.auto_contrast,
        "posterize": lambda x: ops.posterize(x, 3),
        "contrast": lambda x: ops.contrast(x, 1.5),
        "color": lambda x: ops.color(x, 0.3),
        "sharpness": lambda x: ops.sharpness(x, 1.9),
        "solarize": lambda x: ops.solarize(x, 99),
        "cutout": lambda x: ops.cutout(x, 4, tf.zeros((tf.shape(x)[0], 2))),
    }
    spec = tf.TensorSpec((None, None, None, channels), tf.float32)
    for name, call in calls.items():
        graph = tf.function(call, input_signature=[spec])
        np.testing.assert_allclose(
            graph(images).numpy(), call(images).numpy(), atol=1e-4, err_msg=name
        )
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(2).map(ops.equalize)
    assert sum(batch.shape[0] for batch in dataset) == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ops.invert(np.zeros((4, 4, 3))), "rank 4"),
        (lambda: ops.invert(np.zeros((1, 4, 4, 2))), "channels"),
        (lambda: ops.invert(np.full((1, 4, 4, 3), 256.0)), "value_range"),
        (lambda: ops.invert(np.full((1, 4, 4, 3), -1.0)), "value_range"),
        (lambda: ops.posterize(np.zeros((1, 4, 4, 3)), 9), "bits"),
        (lambda: ops.posterize(np.zeros((1, 4, 4, 3)), 2.5), "whole"),
        (lambda: ops.solarize(np.zeros((1, 4, 4, 3)), 300), "threshold"),
        (lambda: ops.contrast(np.zeros((1, 4, 4, 3)), -0.5), "factor"),
        (lambda: ops.rotate(np.zeros((2, 4, 4, 3)), [1.0, 2.0, 3.0]), "one value per image"),
        (lambda: ops.rotate(np.zeros((2, 4, 4, 3)), 10, fill_value=300), "fill_value"),
        (lambda: ops.cutout(np.zeros((2, 4, 4, 3)), 2, [[1, 1]]), "center"),
        (lambda: ops.sample_pairing(np.zeros((2, 4, 4, 3)), np.zeros((1, 4, 4, 3)), 0.5), "others"),
        (lambda: ops.sample_pairing(np.zeros((1, 4, 4, 3)), np.zeros((1, 4, 4, 3)), 1.5), "weight"),
    ],
)
def test_invalid_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
