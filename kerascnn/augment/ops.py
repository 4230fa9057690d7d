"""The AutoAugment/RandAugment image operations as pure, deterministic batch functions.

Every function takes float32 images ``(batch, height, width, channels)`` with 1 or 3
channels and values in ``[0, 255]`` and returns a float32 tensor of the same shape, still
in ``[0, 255]``. A parameter is a Python number (the same for every image) or a tensor of
shape ``(batch,)`` (one value per image). The functions run eagerly and inside
``tf.function`` / ``tf.data`` (graph mode); values are checked only when they are
concrete, shapes always.

The reference semantics are Pillow's (``ImageOps``, ``ImageEnhance``,
``Image.transform``), on which the AutoAugment and RandAugment reference code and
torchvision are built. Keras has look-alikes (``RandomContrast``, ``RandomSharpness``, ...)
with other meanings, so the Pillow ones are written here. Where Pillow rounds an
intermediate image to uint8 (the luminance image, the contrast mean, the SMOOTH-filtered
image) we round too; the final result is left unrounded (Pillow truncates it to uint8),
so on uint8 photos a result differs from Pillow's by less than one grey level.

Geometric ops reproduce Pillow's pixel-centre convention: output pixel ``(x, y)`` reads
the input at ``M @ (x + 0.5, y + 0.5) - 0.5``, bilinear with edge pixels repeated inside
the image, ``fill_value`` for points whose source lies outside it.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from kerascnn._checks import check_images, check_parameter, check_rank

# Pillow's "L" conversion: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16, the integer
# form of the ITU-R 601 weights 0.299, 0.587, 0.114. These weights are exact in float32.
_LUMA = (19595 / 65536, 38470 / 65536, 7471 / 65536)


def _images(images) -> tf.Tensor:
    check_images(images, "images")
    return tf.cast(tf.convert_to_tensor(images), tf.float32)


def _param(value, name: str, images: tf.Tensor, **bounds) -> tf.Tensor:
    """A scalar or ``(batch,)`` parameter, checked, as a float32 ``(batch, 1, 1, 1)``."""
    check_parameter(value, name, images.shape[0], **bounds)
    value = tf.cast(tf.convert_to_tensor(value), tf.float32)
    value = tf.broadcast_to(tf.reshape(value, [-1]), tf.shape(images)[:1])
    return tf.reshape(value, [-1, 1, 1, 1])


def _fill(fill_value) -> float:
    check_parameter(fill_value, "fill_value", None, low=0.0, high=255.0)
    if np.ndim(fill_value) != 0:
        raise ValueError(f"`fill_value` must be a number, got {fill_value!r}")
    return float(fill_value)


def _clip(images: tf.Tensor) -> tf.Tensor:
    return tf.clip_by_value(images, 0.0, 255.0)


def _blend(degenerate: tf.Tensor, images: tf.Tensor, factor: tf.Tensor) -> tf.Tensor:
    """Pillow's ``Image.blend(degenerate, images, factor)``, clipped to ``[0, 255]``."""
    return _clip(degenerate + factor * (images - degenerate))


def _luminance(images: tf.Tensor) -> tf.Tensor:
    """Pillow's ``convert("L")`` (rounded) for RGB; a grey image is its own luminance."""
    if images.shape[-1] == 1:
        return images
    weights = tf.constant(_LUMA, tf.float32)
    return tf.floor(tf.reduce_sum(images * weights, axis=-1, keepdims=True) + 0.5)


def _affine(images: tf.Tensor, matrix: tf.Tensor, fill_value: float) -> tf.Tensor:
    """Pillow's ``Image.transform(AFFINE, BILINEAR)`` for one matrix per image.

    ``matrix`` is ``(batch, 6)``: ``(a, b, c, d, e, f)`` maps output *pixel indices*
    ``(x, y)`` to input indices ``(a x + b y + c, d x + e y + f)``. TensorFlow's projective
    transform with ``fill_mode="NEAREST"`` interpolates like Pillow (edge pixels repeated);
    Pillow then fills every output pixel whose source lies outside the image, which
    TensorFlow's constant mode does not do (it blends the border with the fill colour).
    """
    shape = tf.shape(images)
    height, width = shape[1], shape[2]
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=tf.concat([matrix, tf.zeros([shape[0], 2])], axis=1),
        output_shape=shape[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="NEAREST",
    )
    xs = tf.range(tf.cast(width, tf.float32))[None, None, :]
    ys = tf.range(tf.cast(height, tf.float32))[None, :, None]
    a, b, c, d, e, f = (matrix[:, i, None, None] for i in range(6))
    x_in, y_in = a * xs + b * ys + c, d * xs + e * ys + f
    inside = (
        (x_in >= -0.5)
        & (x_in < tf.cast(width, tf.float32) - 0.5)
        & (y_in >= -0.5)
        & (y_in < tf.cast(height, tf.float32) - 0.5)
    )
    return _clip(tf.where(inside[..., None], out, fill_value))


def _matrix(images: tf.Tensor, *entries) -> tf.Tensor:
    """Stack six entries (numbers or ``(batch, 1, 1, 1)`` tensors) into ``(batch, 6)``."""
    batch = tf.shape(images)[:1]
    columns = [tf.broadcast_to(tf.reshape(tf.cast(v, tf.float32), [-1]), batch) for v in entries]
    return tf.stack(columns, axis=1)


def identity(images) -> tf.Tensor:
    """Return the images unchanged (the RandAugment paper's "Identity" op).

    >>> identity(np.zeros((1, 2, 2, 1))).shape
    TensorShape([1, 2, 2, 1])
    """
    return _images(images)


def shear_x(images, shear, fill_value: float = 128.0) -> tf.Tensor:
    """Shear along x, as ``Image.transform(size, AFFINE, (1, shear, 0, 0, 1, 0), BILINEAR)``.

    Output pixel ``(x, y)`` reads the input at ``x + shear * y``: the shear pivots about
    the top-left corner, as in the AutoAugment reference code.

    >>> out = shear_x(np.full((1, 4, 4, 3), 200.0), 0.5, fill_value=0.0)
    >>> out[0, :, -1, 0].numpy().tolist()  # lower rows read beyond the right edge
    [200.0, 0.0, 0.0, 0.0]
    """
    images = _images(images)
    shear = _param(shear, "shear", images)
    return _affine(images, _matrix(images, 1, shear, 0.5 * shear, 0, 1, 0), _fill(fill_value))


def shear_y(images, shear, fill_value: float = 128.0) -> tf.Tensor:
    """Shear along y, as ``Image.transform(size, AFFINE, (1, 0, 0, shear, 1, 0), BILINEAR)``.

    >>> out = shear_y(np.full((1, 4, 4, 3), 200.0), 0.5, fill_value=0.0)
    >>> out[0, -1, :, 0].numpy().tolist()
    [200.0, 0.0, 0.0, 0.0]
    """
    images = _images(images)
    shear = _param(shear, "shear", images)
    return _affine(images, _matrix(images, 1, 0, 0, shear, 1, 0.5 * shear), _fill(fill_value))


def translate_x(images, pixels, fill_value: float = 128.0) -> tf.Tensor:
    """Shift the content right by ``pixels`` (left when negative).

    Pillow: ``Image.transform(size, AFFINE, (1, 0, -pixels, 0, 1, 0), BILINEAR)``.

    >>> translate_x(np.arange(4.0).reshape(1, 1, 4, 1), 1, fill_value=9.0)[0, 0, :, 0]
    ... # doctest: +ELLIPSIS
    <tf.Tensor: shape=(4,), dtype=float32, numpy=array([9., 0., 1., 2.], dtype=float32)>
    """
    images = _images(images)
    pixels = _param(pixels, "pixels", images)
    return _affine(images, _matrix(images, 1, 0, -pixels, 0, 1, 0), _fill(fill_value))


def translate_y(images, pixels, fill_value: float = 128.0) -> tf.Tensor:
    """Shift the content down by ``pixels`` (up when negative).

    Pillow: ``Image.transform(size, AFFINE, (1, 0, 0, 0, 1, -pixels), BILINEAR)``.

    >>> translate_y(np.arange(4.0).reshape(1, 4, 1, 1), -1, fill_value=9.0)[0, :, 0, 0]
    ... # doctest: +ELLIPSIS
    <tf.Tensor: shape=(4,), dtype=float32, numpy=array([1., 2., 3., 9.], dtype=float32)>
    """
    images = _images(images)
    pixels = _param(pixels, "pixels", images)
    return _affine(images, _matrix(images, 1, 0, 0, 0, 1, -pixels), _fill(fill_value))


def rotate(images, degrees, fill_value: float = 128.0) -> tf.Tensor:
    """Rotate about the image centre, positive = counter-clockwise, as ``Image.rotate``.

    Same size out (corners filled with ``fill_value``), bilinear interpolation.

    >>> image = np.zeros((1, 3, 3, 1)); image[0, 0, 1] = 255.0  # a dot above the centre
    >>> int(rotate(image, 90.0)[0, :, :, 0].numpy().argmax())  # now left of the centre
    3
    """
    images = _images(images)
    shape = tf.cast(tf.shape(images), tf.float32)
    cx, cy = (shape[2] - 1.0) / 2.0, (shape[1] - 1.0) / 2.0  # the centre in pixel indices
    theta = _param(degrees, "degrees", images) * (math.pi / 180.0)
    cos, sin = tf.cos(theta), tf.sin(theta)
    # Image.rotate's inverse map: input = R(-degrees) (output - centre) + centre.
    matrix = _matrix(
        images, cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy
    )
    return _affine(images, matrix, _fill(fill_value))


def auto_contrast(images) -> tf.Tensor:
    """Stretch each channel of each image to ``[0, 255]``: ``ImageOps.autocontrast``.

    A flat channel (min == max) is left unchanged, as in Pillow.

    >>> auto_contrast(np.array([[[[50.0], [100.0]]]]))[0, 0, :, 0].numpy().tolist()
    [0.0, 255.0]
    """
    images = _images(images)
    low = tf.reduce_min(images, axis=(1, 2), keepdims=True)
    high = tf.reduce_max(images, axis=(1, 2), keepdims=True)
    span = high - low
    stretched = (images - low) * (255.0 / tf.where(span > 0, span, 1.0))
    return _clip(tf.where(span > 0, stretched, images))


def invert(images) -> tf.Tensor:
    """``255 - images``: ``ImageOps.invert``.

    >>> invert(np.array([[[[0.0, 100.0, 255.0]]]]))[0, 0, 0].numpy().tolist()
    [255.0, 155.0, 0.0]
    """
    return 255.0 - _images(images)


def equalize(images) -> tf.Tensor:
    """Per-channel histogram equalisation with Pillow's lookup table (``ImageOps.equalize``).

    Values are rounded to the 256 grey levels first. For each image and channel, with
    ``n`` pixels and ``last`` the count of the highest non-empty level:
    ``step = (n - last) // 255``; ``lut[i] = (pixels below level i + step // 2) // step``,
    clipped to 255; the identity when ``step == 0``.

    >>> equalize(np.array([[[[10.0], [10.0], [20.0], [30.0]]]]))[0, 0, :, 0].numpy().tolist()
    [10.0, 10.0, 20.0, 30.0]
    """
    images = _images(images)
    shape = tf.shape(images)
    levels = tf.cast(_clip(tf.round(images)), tf.int32)
    # One row of pixels per (image, channel), so one bincount gives every histogram.
    rows = tf.reshape(tf.transpose(levels, [0, 3, 1, 2]), [shape[0] * shape[3], -1])
    hist = tf.math.bincount(rows, minlength=256, maxlength=256, axis=-1)
    nonempty = tf.cast(hist > 0, tf.int32)
    last = 255 - tf.argmax(tf.reverse(nonempty, [1]), axis=1, output_type=tf.int32)
    count_last = tf.gather(hist, last, batch_dims=1)
    step = (shape[1] * shape[2] - count_last) // 255
    below = tf.cumsum(hist, axis=1, exclusive=True)
    lut = tf.minimum((below + step[:, None] // 2) // tf.maximum(step, 1)[:, None], 255)
    lut = tf.where(step[:, None] > 0, lut, tf.range(256)[None, :])
    out = tf.gather(lut, rows, batch_dims=1)
    out = tf.transpose(tf.reshape(out, tf.gather(shape, [0, 3, 1, 2])), [0, 2, 3, 1])
    return tf.cast(out, tf.float32)


def solarize(images, threshold) -> tf.Tensor:
    """Invert every value ``>= threshold``: ``ImageOps.solarize``. ``threshold`` in [0, 256].

    >>> solarize(np.array([[[[100.0], [200.0]]]]), 128)[0, 0, :, 0].numpy().tolist()
    [100.0, 55.0]
    """
    images = _images(images)
    threshold = _param(threshold, "threshold", images, low=0.0, high=256.0)
    return tf.where(images >= threshold, 255.0 - images, images)


def posterize(images, bits) -> tf.Tensor:
    """Keep the top ``bits`` bits (0 to 8) of each grey level: ``ImageOps.posterize``.

    >>> posterize(np.array([[[[200.0], [37.0]]]]), 2)[0, 0, :, 0].numpy().tolist()
    [192.0, 0.0]
    """
    images = _images(images)
    step = 2.0 ** (8.0 - _param(bits, "bits", images, low=0, high=8, integer=True))
    return tf.floor(_clip(tf.round(images)) / step) * step


def contrast(images, factor) -> tf.Tensor:
    """``ImageEnhance.Contrast``: blend with the mean grey of the image, ``factor >= 0``.

    The grey is the mean of the (rounded) luminance image, rounded: ``int(mean + 0.5)``.
    ``factor`` 0 gives a flat grey image, 1 the original, more than 1 more contrast.

    >>> contrast(np.array([[[[0.0], [100.0]]]]), 0.5)[0, 0, :, 0].numpy().tolist()
    [25.0, 75.0]
    """
    images = _images(images)
    factor = _param(factor, "factor", images, low=0.0)
    mean = tf.reduce_mean(_luminance(images), axis=(1, 2, 3), keepdims=True)
    return _blend(tf.floor(mean + 0.5), images, factor)


def color(images, factor) -> tf.Tensor:
    """``ImageEnhance.Color``: blend with the luminance image, ``factor >= 0``.

    0 gives grey, 1 the original, more than 1 more saturated colours; a grey image is
    returned unchanged.

    >>> color(np.array([[[[255.0, 0.0, 0.0]]]]), 0.0)[0, 0, 0].numpy().tolist()
    [76.0, 76.0, 76.0]
    """
    images = _images(images)
    factor = _param(factor, "factor", images, low=0.0)
    return _blend(_luminance(images), images, factor)


def brightness(images, factor) -> tf.Tensor:
    """``ImageEnhance.Brightness``: blend with black, ``factor >= 0``, clipped at 255.

    >>> brightness(np.array([[[[100.0], [200.0]]]]), 1.5)[0, 0, :, 0].numpy().tolist()
    [150.0, 255.0]
    """
    images = _images(images)
    factor = _param(factor, "factor", images, low=0.0)
    return _clip(factor * images)


def sharpness(images, factor) -> tf.Tensor:
    """``ImageEnhance.Sharpness``: blend with Pillow's SMOOTH-filtered image, ``factor >= 0``.

    The 3x3 kernel ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13`` is applied inside the
    image, the result rounded; border pixels are kept, as Pillow's filter keeps them.
    0 gives the blurred image, 1 the original, more than 1 a sharper one.

    >>> image = np.zeros((1, 3, 3, 1)); image[0, 1, 1] = 130.0
    >>> float(sharpness(image, 0.0)[0, 1, 1, 0])  # the centre is blurred: 130 * 5 / 13
    50.0
    """
    images = _images(images)
    factor = _param(factor, "factor", images, low=0.0)
    # The kernel is a 3x3 box sum plus 4 x the centre. Shifted slices, not a convolution:
    # tf.nn.depthwise_conv2d returns a wrong shape for an empty batch on CPU (oneDNN).
    crop = [slice(i, i - 2 if i < 2 else None) for i in range(3)]
    box = tf.add_n([images[:, rows, cols] for rows in crop for cols in crop])
    smooth = tf.floor((box + 4.0 * images[:, 1:-1, 1:-1]) / 13.0 + 0.5)
    smooth = tf.pad(smooth, [[0, 0], [1, 1], [1, 1], [0, 0]])
    shape = tf.shape(images)
    interior = tf.pad(tf.ones(shape[1:3] - 2, tf.bool), [[1, 1], [1, 1]])
    degenerate = tf.where(interior[None, :, :, None], smooth, images)
    return _blend(degenerate, images, factor)


def cutout(images, size, center, fill_value: float = 128.0) -> tf.Tensor:
    """Paint a ``size`` x ``size`` square of ``fill_value`` at ``center``, clipped at the border.

    ``size`` (rounded to whole pixels) is a number or one per image; ``center`` is
    ``(batch, 2)`` integer ``(row, col)``. The square covers rows
    ``row - size // 2`` to ``row - size // 2 + size - 1``, columns likewise.

    >>> out = cutout(np.full((1, 4, 4, 1), 255.0), 2, [[0, 0]], fill_value=0.0)
    >>> out[0, :, :, 0].numpy().astype(int).tolist()
    [[0, 255, 255, 255], [255, 255, 255, 255], [255, 255, 255, 255], [255, 255, 255, 255]]
    """
    images = _images(images)
    size = tf.round(_param(size, "size", images, low=0.0))[:, :, :, 0]
    center = tf.convert_to_tensor(center)
    check_rank(center, "center", (2,))
    if (
        center.shape[-1] != 2
        or None not in (center.shape[0], images.shape[0])
        and (center.shape[0] != images.shape[0])
    ):
        raise ValueError(
            f"`center` must have shape ({images.shape[0]}, 2), got {tuple(center.shape)}"
        )
    center = tf.cast(center, tf.float32)
    top = center[:, 0, None, None] - tf.floor(size / 2.0)
    left = center[:, 1, None, None] - tf.floor(size / 2.0)
    shape = tf.shape(images)
    rows = tf.range(tf.cast(shape[1], tf.float32))[None, :, None]
    cols = tf.range(tf.cast(shape[2], tf.float32))[None, None, :]
    inside = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)
    return tf.where(inside[..., None], _fill(fill_value), images)


def sample_pairing(images, others, weight) -> tf.Tensor:
    """``(1 - weight) * images + weight * others``, ``weight`` in [0, 1] (SamplePairing).

    Pillow: ``Image.blend(image, other, weight)``.

    >>> sample_pairing(np.zeros((1, 1, 1, 1)), np.full((1, 1, 1, 1), 100.0), 0.25)
    ... # doctest: +ELLIPSIS
    <tf.Tensor: shape=(1, 1, 1, 1), dtype=float32, numpy=array([[[[25.]]]], dtype=float32)>
    """
    images = _images(images)
    check_images(others, "others")
    if tuple(others.shape) != tuple(images.shape):
        raise ValueError(
            f"`others` must have the shape of `images` {tuple(images.shape)}, "
            f"got {tuple(others.shape)}"
        )
    weight = _param(weight, "weight", images, low=0.0, high=1.0)
    others = tf.cast(tf.convert_to_tensor(others), tf.float32)
    return _clip(images + weight * (others - images))
