"""Augmentation layers: the classic Keras stack and a per-image RandAugment.

Every RandAugment op has one entry in ``OP_TABLE`` (the shape of torchvision's
``_AUGMENTATION_SPACE``): the function from magnitude to the op's parameter, whether
the op is signed, what the parameter is at ``M = 10``, what it is clipped to and where
the numbers come from. The name lists (``OP_NAMES``, ``ARTICLE_OPS``, ``PAPER_OPS``,
``PAIRED_OPS``) and the table below are made from it, so they cannot disagree.

Magnitude -> parameter (``magnitude_to_parameter``). The scale is the RandAugment
paper's: ``M = 10`` is each op's AutoAugment maximum (the official code divides the
level by 10), so ``m = M / 10`` and every parameter is linear in ``m``. ``M`` may go up
to 30 (extrapolation); a parameter that would leave its valid range is clipped.
"signed" ops (``+-`` below) take a random sign per image in :class:`RandAugment`
(``sign`` in :func:`apply_op`).

{op_table}

The official TensorFlow RandAugment code maps solarize and posterize the other way
(a higher level gives a *weaker* op); we follow torchvision and timm, where a higher
magnitude is always a stronger change and ``M = 0`` leaves the image unchanged.
AutoAugment's CIFAR code paints a 20 px cutout on 32 px images (0.6 of the side); we use
the 0.2 of Fast AutoAugment.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

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

MAX_MAGNITUDE = 30.0


@dataclass(frozen=True)
class OpSpec:
    """One RandAugment op: how its magnitude becomes its parameter, and why.

    ``parameter(m, sign, height, width)`` is the op's parameter at ``m = M / 10`` for a
    ``sign`` of +1 or -1 (ignored by unsigned ops) on a ``height`` x ``width`` image, all
    float32 tensors (one value per image); ``None`` for an op without a parameter.
    ``formula``, ``at_10`` and ``clip`` describe ``parameter`` in words for the module
    table (the tests check ``signed`` and ``at_10`` against ``parameter``), ``source``
    says where the numbers come from. ``kind`` is the op's name in the course's list
    (``"shear_xy"`` for both shears: the layer picks X or Y per image; ``None``: not
    in the list) and ``paper`` says whether the RandAugment paper's 14 ops include it.
    """

    parameter: Callable[..., tf.Tensor] | None
    signed: bool = False
    formula: str = "(no parameter)"
    at_10: str = ""
    clip: str = ""
    source: str = ""
    kind: str | None = None
    paper: bool = True


def _shear(m, sign, height, width):
    return sign * 0.3 * m


def _blend_factor(m, sign, height, width):
    return tf.maximum(1.0 + sign * 0.9 * m, 0.0)


_SHEAR = {
    "parameter": _shear,
    "signed": True,
    "formula": "+-0.3 m",
    "at_10": "+-0.3",
    "source": "AutoAugment paper",
    "kind": "shear_xy",
}
_BLEND = {  # contrast, color, brightness and sharpness: the four ImageEnhance factors
    "parameter": _blend_factor,
    "signed": True,
    "formula": "factor 1 +- 0.9 m",
    "at_10": "0.1 or 1.9",
    "clip": ">= 0",
    "source": "AutoAugment range [0.1, 1.9]; signed as in torchvision and timm",
}
_AUTOAUGMENT_TRANSLATE = "AutoAugment (150 px of 331 = 0.453); timm translate_pct=0.45"

OP_TABLE: dict[str, OpSpec] = {
    "identity": OpSpec(None, source="RandAugment paper", kind=None),
    "shear_x": OpSpec(**_SHEAR),
    "shear_y": OpSpec(**_SHEAR),
    "translate_x": OpSpec(
        lambda m, sign, height, width: sign * tf.minimum(0.45 * m, 1.0) * width,
        signed=True,
        formula="+-0.45 m * width",
        at_10="+-0.45 width",
        clip="[-width, width]",
        source=_AUTOAUGMENT_TRANSLATE,
        kind="translate_xy",
    ),
    "translate_y": OpSpec(
        lambda m, sign, height, width: sign * tf.minimum(0.45 * m, 1.0) * height,
        signed=True,
        formula="+-0.45 m * height",
        at_10="+-0.45 height",
        clip="[-height, height]",
        source=_AUTOAUGMENT_TRANSLATE,
        kind="translate_xy",
    ),
    "rotate": OpSpec(
        lambda m, sign, height, width: sign * 30.0 * m,
        signed=True,
        formula="+-30 m degrees",
        at_10="+-30",
        source="AutoAugment paper",
        kind="rotate",
    ),
    "auto_contrast": OpSpec(None, source="AutoAugment paper", kind="auto_contrast"),
    "invert": OpSpec(None, source="AutoAugment paper", kind="invert", paper=False),
    "equalize": OpSpec(None, source="AutoAugment paper", kind="equalize"),
    "solarize": OpSpec(
        lambda m, sign, height, width: tf.clip_by_value(256.0 * (1.0 - m), 0.0, 256.0),
        formula="threshold 256 (1 - m)",
        at_10="0",
        clip="[0, 256]",
        source='timm "increasing", torchvision (255 -> 0)',
        kind="solarize",
    ),
    "posterize": OpSpec(
        lambda m, sign, height, width: tf.clip_by_value(8.0 - tf.floor(4.0 * m + 0.5), 0.0, 8.0),
        formula="bits 8 - round(4 m)",
        at_10="4",
        clip="[0, 8]",
        source="torchvision (8 -> 4)",
        kind="posterize",
    ),
    "contrast": OpSpec(**_BLEND, kind="contrast"),
    "color": OpSpec(**_BLEND, kind="color"),
    "brightness": OpSpec(**_BLEND, kind="brightness"),
    "sharpness": OpSpec(**_BLEND, kind="sharpness"),
    "cutout": OpSpec(
        lambda m, sign, height, width: tf.minimum(0.2 * m, 1.0) * tf.minimum(height, width),
        formula="side 0.2 m * min(h, w)",
        at_10="0.2 min(h, w)",
        clip="[0, min(h, w)]",
        source="Fast AutoAugment Cutout(0, 0.2)",
        kind="cutout",
        paper=False,
    ),
    "sample_pairing": OpSpec(
        lambda m, sign, height, width: tf.minimum(0.4 * m, 1.0),
        formula="weight 0.4 m",
        at_10="0.4",
        clip="[0, 1]",
        source="AutoAugment paper, range [0, 0.4]",
        kind="sample_pairing",
        paper=False,
    ),
}


def _ops_by_kind() -> dict[str, tuple[str, ...]]:
    kinds: dict[str, tuple[str, ...]] = {}
    for name, op in OP_TABLE.items():
        if op.kind is not None:
            kinds[op.kind] = kinds.get(op.kind, ()) + (name,)
    return kinds


OP_NAMES = tuple(OP_TABLE)
# The course's 14 kinds, in table order; a kind with two ops picks X or Y per image.
ARTICLE_OPS = tuple(_ops_by_kind())
PAIRED_OPS = {kind: names for kind, names in _ops_by_kind().items() if len(names) > 1}
PAPER_OPS = tuple(name for name, op in OP_TABLE.items() if op.paper)
_SIGNED_OPS = frozenset(name for name, op in OP_TABLE.items() if op.signed)


def _render_op_table() -> str:
    """``OP_TABLE`` as the text table of the module docstring, one row per description."""
    columns = (
        ("op", 14),
        ("parameter at M", 22),
        ("at M = 10", 13),
        ("clipped to", 17),
        ("source", 26),
    )
    rows: list[list[str]] = []  # consecutive ops described alike share a row
    for name, op in OP_TABLE.items():
        cells = [name, op.formula, op.at_10, op.clip, op.source]
        if rows and rows[-1][1:] == cells[1:]:
            rows[-1][0] += f", {name}"
        else:
            rows.append(cells)
    rule = "  ".join("=" * width for _, width in columns)

    def line(parts) -> str:
        return "  ".join(
            f"{part:<{width}}" for part, (_, width) in zip(parts, columns, strict=True)
        ).rstrip()

    lines = [rule, line(title for title, _ in columns), rule]
    for cells in rows:
        wrapped = [
            textwrap.wrap(text, width, break_long_words=False) or [""]
            for text, (_, width) in zip(cells, columns, strict=True)
        ]
        for i in range(max(len(cell) for cell in wrapped)):
            lines.append(line(cell[i] if i < len(cell) else "" for cell in wrapped))
    lines.append(rule)
    return "\n".join(lines)


if __doc__:  # None under python -OO
    __doc__ = __doc__.replace("{op_table}", _render_op_table())


def magnitude_to_parameter(name: str, magnitude, *, sign=1.0, image_size=(32, 32)):
    """The parameter of op ``name`` at ``magnitude`` (see ``OP_TABLE``), or ``None``.

    ``magnitude`` and ``sign`` (+1 or -1, used by signed ops only) are numbers or
    ``(batch,)`` tensors; ``image_size`` is ``(height, width)``. Returns a float32 tensor,
    or ``None`` for an op without a parameter (identity, invert, ...).

    >>> float(magnitude_to_parameter("rotate", 10, sign=-1))
    -30.0
    >>> float(magnitude_to_parameter("posterize", 30))  # 8 - 12 bits, clipped
    0.0
    """
    check_choice(name, "name", OP_NAMES)
    parameter = OP_TABLE[name].parameter
    if parameter is None:
        return None
    m = tf.cast(magnitude, tf.float32) / 10.0
    sign = tf.cast(sign, tf.float32)
    height, width = (tf.cast(v, tf.float32) for v in tf.unstack(tf.convert_to_tensor(image_size)))
    return parameter(m, sign, height, width)


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


class _Draws(NamedTuple):
    """What :class:`RandAugment` draws for each image in one round (one row per image)."""

    magnitude: tf.Tensor  # float32 (batch,): the op's magnitude, 0 to 30
    sign: tf.Tensor  # float32 (batch,): -1 or +1, used by signed ops
    center: tf.Tensor  # float32 (batch, 2): cutout's centre (row, col)
    partner: tf.Tensor  # int32 (batch,): the image that sample_pairing blends in


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
    ``training=False``. Runs with the TensorFlow backend (a ``RuntimeError`` at
    construction says how to switch otherwise), in a model or in ``tf.data``.

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
        backend = keras.backend.backend()
        if backend != "tensorflow":
            raise RuntimeError(
                "RandAugment runs TensorFlow ops and needs the TensorFlow backend, but Keras "
                f"is running on {backend!r}. Set the environment variable "
                "KERAS_BACKEND=tensorflow before Python imports keras (in a notebook: restart "
                "the kernel and set it in the first cell)."
            )
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

    def _draw(self, images: tf.Tensor) -> tuple[tf.Tensor, _Draws]:
        """The random choices of one round: each image's branch (op) and its draws."""
        shape = tf.shape(images)
        batch = shape[0]
        # One uniform draw per image and purpose (a column each; the order fixes the
        # random stream, so a seed keeps giving the same augmentation).
        kind_u, coin_u, sign_u, row_u, col_u, shift_u = tf.unstack(
            keras.random.uniform((batch, 6), seed=self.seed_generator), axis=1
        )
        kind = tf.minimum(tf.cast(kind_u * len(self.kinds), tf.int32), len(self.kinds) - 1)
        coin = tf.cast(coin_u < 0.5, tf.int32)  # X or Y twin of a paired kind
        branch = tf.gather(tf.constant(self._branch_of, tf.int32), 2 * kind + coin)
        magnitude = tf.fill([batch], self.magnitude)
        if self.magnitude_std > 0:
            noise = keras.random.normal((batch,), seed=self.seed_generator)
            magnitude = tf.clip_by_value(magnitude + self.magnitude_std * noise, 0.0, MAX_MAGNITUDE)
        # Pair image i with image i + shift, one shift in [1, batch - 1] per round.
        shift = 1 + tf.cast(shift_u[0] * tf.cast(tf.maximum(batch - 1, 1), tf.float32), tf.int32)
        draws = _Draws(
            magnitude=magnitude,
            sign=tf.where(sign_u < 0.5, -1.0, 1.0),
            center=tf.floor(tf.stack([row_u, col_u], axis=1) * tf.cast(shape[1:3], tf.float32)),
            partner=(tf.range(batch) + shift) % batch,
        )
        return branch, draws

    def _augment_once(self, images: tf.Tensor) -> tf.Tensor:
        """One round: each image through one op drawn for it. ``images`` in [0, 255]."""
        branch, draws = self._draw(images)
        n = len(self.branches)
        positions = tf.dynamic_partition(tf.range(tf.shape(images)[0]), branch, n)
        groups = tf.dynamic_partition(images, branch, n)
        # The draws of the images in each group: one _Draws per branch.
        parts = _Draws(*(tf.dynamic_partition(values, branch, n) for values in draws))
        outputs = []
        for i, (name, group) in enumerate(zip(self.branches, groups, strict=True)):
            drawn = _Draws(*(values[i] for values in parts))
            others = tf.gather(images, drawn.partner) if name == "sample_pairing" else None
            outputs.append(
                apply_op(
                    group,
                    name,
                    drawn.magnitude,
                    sign=drawn.sign,
                    others=others,
                    center=drawn.center,
                )
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
    for value, arg in (
        (rotation, "rotation"),
        (zoom, "zoom"),
        (translation, "translation"),
        (brightness, "brightness"),
        (contrast, "contrast"),
        (noise, "noise"),
    ):
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
