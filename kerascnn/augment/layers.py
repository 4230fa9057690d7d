"""Augmentation layers: the classic Keras stack and a per-image RandAugment.

Magnitude -> parameter (``magnitude_to_parameter``). The scale is the RandAugment
paper's: ``M = 10`` is each op's AutoAugment maximum (the official code divides the
level by 10), so ``m = M / 10`` and every parameter is linear in ``m``. ``M`` may go up
to 30 (extrapolation); a parameter that would leave its valid range is clipped.
"signed" ops take a random sign per image in :class:`RandAugment` (``sign`` in
:func:`apply_op`).

==================  ==========================  ============  =============================
op                  parameter at magnitude M    at M = 10     clipped to / source
==================  ==========================  ============  =============================
shear_x, shear_y    +-0.3 m                     +-0.3         AutoAugment paper, Table
translate_x, _y     +-0.45 m * width (height)   +-0.45 size   [-size, size]; AutoAugment
                                                              150 px of 331 (0.453), timm
                                                              ``translate_pct=0.45``
rotate              +-30 m degrees              +-30          AutoAugment paper
solarize            threshold 256 (1 - m)       0             [0, 256]; timm "increasing",
                                                              torchvision (255 -> 0)
posterize           bits 8 - round(4 m)         4             [0, 8]; torchvision (8 -> 4)
contrast, color,    factor 1 +- 0.9 m           0.1 or 1.9    >= 0; AutoAugment range
brightness,                                                   [0.1, 1.9], signed as in
sharpness                                                     torchvision and timm
cutout              side 0.2 m * min(h, w)      0.2 size      [0, min(h, w)]; Fast
                                                              AutoAugment ``Cutout(0, 0.2)``
sample_pairing      weight 0.4 m                0.4           [0, 1]; AutoAugment paper
                                                              range [0, 0.4]
identity, invert,   (no parameter)
auto_contrast,
equalize
==================  ==========================  ============  =============================

The official TensorFlow RandAugment code maps solarize and posterize the other way
(a higher level gives a *weaker* op); we follow torchvision and timm, where a higher
magnitude is always a stronger change and ``M = 0`` leaves the image unchanged.
AutoAugment's CIFAR code paints a 20 px cutout on 32 px images (0.6 of the side); we use
the 0.2 of Fast AutoAugment.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from kerascnn._checks import (
    check_choice,
    check_images,
    check_parameter,
    check_positive_int,
)
from kerascnn.augment import ops as _ops

OP_NAMES = (
    "identity", "shear_x", "shear_y", "translate_x", "translate_y", "rotate",
    "auto_contrast", "invert", "equalize", "solarize", "posterize", "contrast", "color",
    "brightness", "sharpness", "cutout", "sample_pairing",
)
# Kinds that pick their X or Y twin at random for each image.
PAIRED_OPS = {"shear_xy": ("shear_x", "shear_y"), "translate_xy": ("translate_x", "translate_y")}
ARTICLE_OPS = (
    "shear_xy", "translate_xy", "rotate", "auto_contrast", "invert", "equalize", "solarize",
    "posterize", "contrast", "color", "brightness", "sharpness", "cutout", "sample_pairing",
)
PAPER_OPS = (
    "identity", "auto_contrast", "equalize", "rotate", "solarize", "color", "posterize",
    "contrast", "brightness", "sharpness", "shear_x", "shear_y", "translate_x", "translate_y",
)
SIGNED_OPS = frozenset({
    "shear_x", "shear_y", "translate_x", "translate_y", "rotate",
    "contrast", "color", "brightness", "sharpness",
})
MAX_MAGNITUDE = 30.0


def magnitude_to_parameter(name: str, magnitude, *, sign=1.0, image_size=(32, 32)):
    """The parameter of op ``name`` at ``magnitude`` (see the module table), or ``None``.

    ``magnitude`` and ``sign`` (+1 or -1, used by signed ops only) are numbers or
    ``(batch,)`` tensors; ``image_size`` is ``(height, width)``. Returns a float32 tensor.

    >>> float(magnitude_to_parameter("rotate", 10, sign=-1))
    -30.0
    >>> float(magnitude_to_parameter("posterize", 30))  # 8 - 12 bits, clipped
    0.0
    """
    check_choice(name, "name", OP_NAMES)
    m = tf.cast(magnitude, tf.float32) / 10.0
    sign = tf.cast(sign, tf.float32)
    height, width = (tf.cast(v, tf.float32) for v in tf.unstack(tf.convert_to_tensor(image_size)))
    if name in ("shear_x", "shear_y"):
        return sign * 0.3 * m
    if name in ("translate_x", "translate_y"):
        return sign * tf.minimum(0.45 * m, 1.0) * (width if name == "translate_x" else height)
    if name == "rotate":
        return sign * 30.0 * m
    if name == "solarize":
        return tf.clip_by_value(256.0 * (1.0 - m), 0.0, 256.0)
    if name == "posterize":
        return tf.clip_by_value(8.0 - tf.floor(4.0 * m + 0.5), 0.0, 8.0)
    if name in ("contrast", "color", "brightness", "sharpness"):
        return tf.maximum(1.0 + sign * 0.9 * m, 0.0)
    if name == "cutout":
        return tf.minimum(0.2 * m, 1.0) * tf.minimum(height, width)
    if name == "sample_pairing":
        return tf.minimum(0.4 * m, 1.0)
    return None  # identity, invert, auto_contrast, equalize


def apply_op(images, name: str, magnitude, *, sign=1.0, others=None, center=None) -> tf.Tensor:
    """Apply op ``name`` at ``magnitude`` (0 to 30) to a batch, deterministically.

    ``images`` is float32 ``(batch, height, width, channels)`` in ``[0, 255]``;
    ``magnitude`` and ``sign`` are numbers or one per image. ``cutout`` paints its
    square at ``center`` (``(batch, 2)`` row, col; default the image centre);
    ``sample_pairing`` blends with ``others`` (default: the batch rolled by one).
    :class:`RandAugment` calls this for every group of images that drew op ``name``.

    >>> apply_op(np.full((1, 2, 2, 1), 100.0), "brightness", 10, sign=-1)[0, 0, 0, 0]
    ... # doctest: +ELLIPSIS
    <tf.Tensor: shape=(), dtype=float32, numpy=10.0...>
    """
    check_choice(name, "name", OP_NAMES)
    check_images(images, "images", value_range=None)
    images = tf.cast(tf.convert_to_tensor(images), tf.float32)
    batch = images.shape[0]
    check_parameter(magnitude, "magnitude", batch, low=0.0, high=MAX_MAGNITUDE)
    check_parameter(sign, "sign", batch, low=-1.0, high=1.0)
    size = tf.shape(images)[1:3]
    parameter = magnitude_to_parameter(name, magnitude, sign=sign, image_size=size)
    if name == "cutout":
        if center is None:
            center = tf.tile(size[None, :] // 2, [tf.shape(images)[0], 1])
        return _ops.cutout(images, parameter, center)
    if name == "sample_pairing":
        others = tf.roll(images, 1, axis=0) if others is None else others
        return _ops.sample_pairing(images, others, parameter)
    if parameter is None:
        return getattr(_ops, name)(images)
    return getattr(_ops, name)(images, parameter)


def _resolve_ops(ops) -> tuple[str, ...]:
    if isinstance(ops, str):
        check_choice(ops, "ops", ("article", "paper"))
        return ARTICLE_OPS if ops == "article" else PAPER_OPS
    names = tuple(ops)
    if not names:
        raise ValueError("`ops` must name at least one op")
    for name in names:
        check_choice(name, "ops", OP_NAMES + tuple(PAIRED_OPS))
    return names


def _check_value_range(value_range) -> tuple[float, float]:
    if np.shape(value_range) != (2,) or not value_range[0] < value_range[1]:
        raise ValueError(f"`value_range` must be (low, high) with low < high, got {value_range!r}")
    return float(value_range[0]), float(value_range[1])


@keras.saving.register_keras_serializable(package="kerascnn")
class RandAugment(keras.layers.Layer):
    """RandAugment with the op drawn for each image (Cubuk et al., 2020).

    Each image goes through ``num_ops`` ops, each drawn uniformly from ``ops`` for that
    image, at magnitude ``magnitude`` (0 to 30, 10 = the AutoAugment maximum; see the
    module table), with a random sign for signed ops. ``magnitude_std > 0`` draws the
    magnitude of each op and image from a normal around ``magnitude``, clipped to
    [0, 30]. ``ops`` is ``"article"`` (the course's 14 kinds, ``shear_xy`` and
    ``translate_xy`` picking X or Y per image), ``"paper"`` (the paper's 14) or a list of
    names from ``OP_NAMES`` and ``PAIRED_OPS``. ``sample_pairing`` blends each image with
    another image of the batch (the batch rolled by a random shift).

    Input: a batch ``(batch, height, width, channels)`` or one image ``(height, width,
    channels)``, 1 or 3 channels, values in ``value_range``. Inactive (identity) with
    ``training=False``. Runs with the TensorFlow backend, in a model or in ``tf.data``.

    Speed: Keras's own ``RandAugment`` (3.8+) draws the ops once per batch. Computing
    every op for every image and selecting would cost 14 ops per image; instead the
    batch is split by drawn op (``tf.dynamic_partition``), each group goes through its
    op only, and the results are stitched back in order (``tf.dynamic_stitch``).

    >>> layer = RandAugment(num_ops=2, magnitude=9, seed=0)
    >>> layer(np.full((4, 8, 8, 3), 100.0)).shape
    TensorShape([4, 8, 8, 3])
    """

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: float = 9.0,
        ops: str | Sequence[str] = "article",
        magnitude_std: float = 0.0,
        value_range: tuple[float, float] = (0, 255),
        seed: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        # The groups of images per op have data-dependent sizes, which XLA cannot compile:
        # this tells Model.compile(jit_compile="auto") to leave XLA off.
        self.supports_jit = False
        self.num_ops = check_positive_int(num_ops, "num_ops", allow_zero=True)
        if np.ndim(magnitude) != 0:
            raise ValueError(f"`magnitude` must be a number, got {magnitude!r}")
        check_parameter(magnitude, "magnitude", None, low=0.0, high=MAX_MAGNITUDE)
        check_parameter(magnitude_std, "magnitude_std", None, low=0.0)
        self.magnitude = float(magnitude)
        self.magnitude_std = float(magnitude_std)
        self.op_spec = ops if isinstance(ops, str) else list(ops)
        self.kinds = _resolve_ops(ops)
        self.value_range = _check_value_range(value_range)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # The concrete ops (branches) and, per kind, the branch for coin 0 and coin 1.
        twins = [PAIRED_OPS.get(kind, (kind, kind)) for kind in self.kinds]
        self.branches = tuple(dict.fromkeys(name for pair in twins for name in pair))
        self._branch_of = [self.branches.index(name) for pair in twins for name in pair]

    def _augment_once(self, images: tf.Tensor) -> tf.Tensor:
        """One round: each image through one op drawn for it. ``images`` in [0, 255]."""
        shape = tf.shape(images)
        batch = shape[0]
        u = keras.random.uniform((batch, 6), seed=self.seed_generator)
        kind = tf.minimum(tf.cast(u[:, 0] * len(self.kinds), tf.int32), len(self.kinds) - 1)
        coin = tf.cast(u[:, 1] < 0.5, tf.int32)
        branch = tf.gather(tf.constant(self._branch_of, tf.int32), 2 * kind + coin)
        magnitude = tf.fill([batch], self.magnitude)
        if self.magnitude_std > 0:
            noise = keras.random.normal((batch,), seed=self.seed_generator)
            magnitude = tf.clip_by_value(
                magnitude + self.magnitude_std * noise, 0.0, MAX_MAGNITUDE
            )
        sign = tf.where(u[:, 2] < 0.5, -1.0, 1.0)
        center = tf.floor(u[:, 3:5] * tf.cast(shape[1:3], tf.float32))
        # Pair image i with image i + shift, one shift in [1, batch - 1] per round.
        shift = 1 + tf.cast(u[0, 5] * tf.cast(tf.maximum(batch - 1, 1), tf.float32), tf.int32)
        partner = tf.cast((tf.range(batch) + shift) % batch, tf.float32)
        params = tf.stack([magnitude, sign, center[:, 0], center[:, 1], partner], axis=1)

        n = len(self.branches)
        positions = tf.dynamic_partition(tf.range(batch), branch, n)
        groups = tf.dynamic_partition(images, branch, n)
        group_params = tf.dynamic_partition(params, branch, n)
        outputs = []
        for name, group, p in zip(self.branches, groups, group_params, strict=True):
            others = None
            if name == "sample_pairing":
                others = tf.gather(images, tf.cast(p[:, 4], tf.int32))
            outputs.append(
                apply_op(group, name, p[:, 0], sign=p[:, 1], others=others, center=p[:, 2:4])
            )
        out = tf.dynamic_stitch(positions, outputs)
        out.set_shape(images.shape)
        return out

    def call(self, inputs, training=True):
        check_images(inputs, "inputs", value_range=self.value_range, allow_single=True)
        images = tf.cast(tf.convert_to_tensor(inputs), self.compute_dtype)
        if not training or self.num_ops == 0:
            return images
        single = len(images.shape) == 3
        x = images[None] if single else images
        low, high = self.value_range
        if (low, high) != (0.0, 255.0):
            x = tf.clip_by_value((x - low) * (255.0 / (high - low)), 0.0, 255.0)
        for _ in range(self.num_ops):
            x = self._augment_once(x)
        if (low, high) != (0.0, 255.0):
            x = tf.clip_by_value(x * ((high - low) / 255.0) + low, low, high)
        return x[0] if single else x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            num_ops=self.num_ops,
            magnitude=self.magnitude,
            ops=self.op_spec if isinstance(self.op_spec, str) else list(self.op_spec),
            magnitude_std=self.magnitude_std,
            value_range=list(self.value_range),
            seed=self.seed,
        )
        return config


def classic_augmentation(
    *,
    flip: bool = True,
    rotation: float = 0.05,
    zoom: float = 0.1,
    translation: float = 0.1,
    brightness: float = 0.2,
    contrast: float = 0.2,
    noise: float = 0.02,
    value_range: tuple[float, float] = (0, 255),
    seed: int | None = None,
    name: str = "classic_augmentation",
) -> keras.Sequential:
    """The classic augmentation stack, built from Keras's own layers.

    Random horizontal flip (``flip``; never vertical: a Fashion-MNIST shoe upside down
    is not a shoe), rotation (``rotation``: fraction of a full turn), zoom and
    translation (fractions of the image size), brightness and contrast change (Keras
    meaning: brightness adds up to ``brightness`` of the value range, contrast scales
    the distance to the mean by a factor in ``1 +- contrast``) and Gaussian noise with
    standard deviation ``noise`` times the width of ``value_range`` (GaussianNoise is
    scale-dependent and takes a stddev up to 1 only, so it works between two Rescaling
    layers; the noise is not clipped). A value of 0 leaves that layer out. Every layer
    is active only in training; at inference the output equals the input up to the
    float rounding of the Rescaling pair. Same ``seed``, same augmentation.

    >>> augment = classic_augmentation(seed=0)
    >>> [layer.__class__.__name__ for layer in augment.layers][:3]
    ['RandomFlip', 'RandomRotation', 'RandomZoom']
    >>> round(float(augment(np.full((2, 28, 28, 1), 100.0), training=False).numpy().max()), 3)
    100.0
    """
    low, high = _check_value_range(value_range)
    for value, arg in ((rotation, "rotation"), (zoom, "zoom"), (translation, "translation"),
                       (brightness, "brightness"), (contrast, "contrast"), (noise, "noise")):
        check_parameter(value, arg, None, low=0.0, high=1.0)
    seeds = iter(range(seed, seed + 7)) if seed is not None else iter([None] * 7)
    layers = []
    if flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=next(seeds)))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, seed=next(seeds)))
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, seed=next(seeds)))
    if translation:
        layers.append(keras.layers.RandomTranslation(translation, translation, seed=next(seeds)))
    if brightness:
        layers.append(
            keras.layers.RandomBrightness(brightness, value_range=(low, high), seed=next(seeds))
        )
    if contrast:
        # `value_range` (the clipping range) arrived in Keras 3.8; before, it clips to 255.
        kwargs = {"value_range": (low, high)}
        if "value_range" not in inspect.signature(keras.layers.RandomContrast).parameters:
            kwargs = {}
        layers.append(keras.layers.RandomContrast(contrast, seed=next(seeds), **kwargs))
    if noise:
        # GaussianNoise takes a stddev in [0, 1] only: add the noise on a [0, 1] scale.
        layers += [
            keras.layers.Rescaling(1.0 / (high - low)),
            keras.layers.GaussianNoise(noise, seed=next(seeds)),
            keras.layers.Rescaling(high - low),
        ]
    return keras.Sequential(layers, name=name)
