"""Every network the course trains or dissects: MLP, small CNN, VGG and ResNet (+ plain twins).

Builders: :func:`mlp`, :func:`cnn`, :func:`vgg` (the paper's configurations),
:func:`resnet` (the ImageNet ResNets 18/34/50/101/152) and :func:`cifar_resnet` (the
paper's CIFAR ResNets, depth 6n + 2). Every argument after ``num_classes`` is keyword-only,
so a call reads like its configuration: ``cnn((28, 28, 1), 10, filters=(32, 64))``.

All builders use the Keras functional API and name every layer (``block1_conv1``,
``stage2_block1_add``, ``predictions``, ...), so a notebook can pick a layer by name and
the models round-trip through ``model.save("m.keras")`` / ``keras.models.load_model``
without custom objects.

Shape contract shared by every builder: the model takes float32 images
``(batch, *input_shape)`` already scaled to ``[0, 1]`` by the data pipeline (there is no
``Rescaling`` layer inside) and returns ``(batch, num_classes)`` class probabilities that
sum to 1, or unnormalised logits with ``logits=True``.

Parameter counts. Keras keeps the moving mean and variance of each ``BatchNormalization``
layer as non-trainable weights, so ``model.count_params()`` of a network with batch
normalisation is larger than the figure papers and torchvision quote (torchvision's
``sum(p.numel() for p in model.parameters())`` leaves those running statistics out, as
buffers). The trainable count is the paper/torchvision figure; :func:`summarize` reports
both.

Weight initialisation: the builders use Keras's defaults except where a builder says
otherwise. ``Dense`` and ``Conv2D`` kernels start ``glorot_uniform`` (Glorot & Bengio:
uniform in ``±sqrt(6 / (fan_in + fan_out))``) and biases at zero; the ResNet
convolutions (stems, blocks and projection shortcuts, all without bias) start
``he_normal`` (He et al.: a truncated normal of standard deviation ``sqrt(2 / fan_in)``,
made for ReLU); ``BatchNormalization`` starts with ``gamma = 1``, ``beta = 0``, moving mean 0 and
moving variance 1. So a new model normalises with the identity until it has seen data,
and the same seed (``keras.utils.set_random_seed``) gives the same initial weights.

At the end, two ways of looking inside a model: :func:`gradient_norms` (the size of the
loss gradient per layer) and :func:`calibrate_batch_norm` (batch-norm statistics from one
batch, to see a network at initialisation as training sees it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from kerascnn._checks import check_choice, check_positive_int

__all__ = [
    "bottleneck_block",
    "calibrate_batch_norm",
    "cifar_resnet",
    "cnn",
    "gradient_norms",
    "mlp",
    "preact_block",
    "preact_resnet",
    "residual_block",
    "resnet",
    "summarize",
    "vgg",
]

# Batch normalisation as in the papers and torchvision (PyTorch momentum 0.1 == Keras 0.9),
# so the moving statistics settle within the few hundred steps of a course run.
_BN = {"momentum": 0.9, "epsilon": 1e-5}


# --------------------------------------------------------------------------- checks


def _check_input_shape(input_shape, *, image: bool) -> tuple[int, ...]:
    """Return ``input_shape`` as a tuple of positive ints; images must be (h, w, c)."""
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = None
    if (
        not shape
        or (image and len(shape) != 3)
        or not all(isinstance(d, (int, np.integer)) and d >= 1 for d in shape)
    ):
        expected = "(height, width, channels)" if image else "a tuple of dimensions"
        raise ValueError(
            f"`input_shape` must be {expected} of positive integers, got {input_shape!r}"
        )
    return tuple(int(d) for d in shape)


def _check_units(units, name: str) -> tuple[int, ...]:
    """Return ``units`` (an int or a sequence of ints >= 1) as a tuple."""
    units = (units,) if isinstance(units, (int, np.integer)) else tuple(units)
    return tuple(check_positive_int(u, name) for u in units)


def _check_dropout(rate) -> float:
    if not (isinstance(rate, (int, float)) and 0.0 <= rate < 1.0):
        raise ValueError(f"`dropout` must be a rate in [0, 1), got {rate!r}")
    return float(rate)


def _check_num_classes(num_classes) -> int:
    if check_positive_int(num_classes, "num_classes") < 2:
        raise ValueError(f"`num_classes` must be >= 2, got {num_classes}")
    return int(num_classes)


# --------------------------------------------------------------------------- shared parts


def _dense_head(x, units: Sequence[int], activation: str, dropout: float):
    """Hidden layers ``fc1``, ``fc2``, ... each optionally followed by ``fcN_dropout``."""
    for i, width in enumerate(units, start=1):
        x = layers.Dense(width, activation=activation, name=f"fc{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    return x


def _classifier(x, num_classes: int, logits: bool):
    # float32 output keeps the softmax stable under a mixed-precision policy.
    activation = None if logits else "softmax"
    return layers.Dense(num_classes, activation=activation, dtype="float32", name="predictions")(x)


def _conv_pool_block(x, filters, convs, *, kernel_size, batch_norm, pooling, name):
    """``convs`` same-padded convolutions (+ BN) with ReLU, then a 2x2 pool (or none)."""
    for i in range(1, convs + 1):
        conv = f"{name}_conv{i}"
        if batch_norm:
            x = layers.Conv2D(filters, kernel_size, padding="same", name=conv)(x)
            x = layers.BatchNormalization(**_BN, name=f"{conv}_bn")(x)
            x = layers.ReLU(name=f"{conv}_relu")(x)
        else:
            x = layers.Conv2D(filters, kernel_size, padding="same", activation="relu", name=conv)(x)
    if pooling == "max":
        x = layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    elif pooling == "avg":
        x = layers.AveragePooling2D(2, name=f"{name}_pool")(x)
    return x


# --------------------------------------------------------------------------- MLP and CNN


def mlp(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    hidden_units: int | Sequence[int] = (256, 128),
    activation: str = "relu",
    dropout: float = 0.0,
    logits: bool = False,
) -> keras.Model:
    """A multilayer perceptron: ``Flatten``, hidden ``Dense`` layers, a softmax output.

    Input ``(batch, *input_shape)`` floats in ``[0, 1]``; output ``(batch, num_classes)``
    probabilities (or logits with ``logits=True``). Layers: ``flatten``, ``fc1``, ``fc2``,
    ... (each followed by ``fcN_dropout`` when ``dropout > 0``), ``predictions``.
    ``hidden_units=()`` gives softmax regression (a single layer of neurons).

    Initialisation: every ``Dense`` kernel ``glorot_uniform``, biases zero (Keras's
    defaults).

    >>> model = mlp((28, 28, 1), 10, hidden_units=(32,))
    >>> model.name, model.output_shape, model.count_params()
    ('mlp', (None, 10), 25450)
    """
    shape = _check_input_shape(input_shape, image=False)
    num_classes = _check_num_classes(num_classes)
    units = _check_units(hidden_units, "hidden_units")
    dropout = _check_dropout(dropout)

    inputs = keras.Input(shape, name="input")
    x = layers.Flatten(name="flatten")(inputs)
    x = _dense_head(x, units, activation, dropout)
    return keras.Model(inputs, _classifier(x, num_classes, logits), name="mlp")


def cnn(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    filters: int | Sequence[int] = (32, 64),
    kernel_size: int = 3,
    pooling: str = "max",
    dense_units: int = 128,
    dropout: float = 0.0,
    batch_norm: bool = False,
    logits: bool = False,
) -> keras.Model:
    """A small CNN: one conv/pool block per entry of ``filters``, then the MLP head.

    Block ``i`` is ``block{i}_conv1`` (``kernel_size`` square, same padding, ReLU; with
    ``batch_norm`` followed by ``block{i}_conv1_bn`` and ``block{i}_conv1_relu``) and a 2x2
    ``block{i}_pool`` (``pooling`` is ``"max"`` or ``"avg"``). Then ``flatten``, ``fc1``
    (``dense_units``, ReLU, optional ``fc1_dropout``) and ``predictions``.

    Input ``(batch, height, width, channels)`` floats in ``[0, 1]``; output
    ``(batch, num_classes)``. Each pool halves the image, so ``len(filters)`` blocks need a
    side of at least ``2 ** len(filters)`` pixels; a smaller input raises ``ValueError``.

    Initialisation: ``Conv2D`` and ``Dense`` kernels ``glorot_uniform``, biases zero;
    batch norm ``gamma = 1``, ``beta = 0`` (Keras's defaults).

    >>> model = cnn((28, 28, 1), 10)
    >>> model.get_layer("block2_pool").output.shape
    (None, 7, 7, 64)
    """
    height, width, _ = shape = _check_input_shape(input_shape, image=True)
    num_classes = _check_num_classes(num_classes)
    filters = _check_units(filters, "filters")
    if not filters:
        raise ValueError("`filters` must name at least one convolution block, got ()")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    check_choice(pooling, "pooling", ("max", "avg"))
    dense_units = check_positive_int(dense_units, "dense_units")
    dropout = _check_dropout(dropout)
    smallest = 2 ** len(filters)
    if min(height, width) < smallest:
        raise ValueError(
            f"cnn with {len(filters)} pooling blocks needs inputs of at least "
            f"{smallest}x{smallest} pixels, got input_shape {shape}"
        )

    inputs = keras.Input(shape, name="input")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = _conv_pool_block(
            x,
            f,
            1,
            kernel_size=kernel_size,
            batch_norm=batch_norm,
            pooling=pooling,
            name=f"block{i}",
        )
    x = layers.Flatten(name="flatten")(x)
    x = _dense_head(x, (dense_units,), "relu", dropout)
    return keras.Model(inputs, _classifier(x, num_classes, logits), name="cnn")


# --------------------------------------------------------------------------- VGG

# Simonyan & Zisserman (2015), table 1: convolutions per block for columns A, B, D and E.
# The five blocks have 64, 128, 256, 512 and 512 filters, each ends with a 2x2 max pool.
_VGG_FILTERS = (64, 128, 256, 512, 512)
_VGG_CONVS = {
    11: (1, 1, 2, 2, 2),  # A
    13: (2, 2, 2, 2, 2),  # B
    16: (2, 2, 3, 3, 3),  # D
    19: (2, 2, 4, 4, 4),  # E
}


def vgg(
    depth: int,
    input_shape: Sequence[int] = (224, 224, 3),
    num_classes: int = 1000,
    *,
    batch_norm: bool = False,
    dense_units: int = 4096,
    dropout: float = 0.5,
    logits: bool = False,
) -> keras.Model:
    """VGG-11, -13, -16 or -19 (the paper's configurations A, B, D and E).

    Five blocks of 3x3 convolutions (``block{b}_conv{i}``, same padding, ReLU), each ending
    with a 2x2 max pool ``block{b}_pool``; then ``flatten``, ``fc1`` and ``fc2``
    (``dense_units`` each, ReLU, ``dropout``) and ``predictions``. The layer names and the
    parameter count of ``vgg(16)`` are those of ``keras.applications.VGG16(weights=None)``
    (138,357,544). ``batch_norm=True`` adds ``..._bn`` after every convolution and keeps the
    convolution biases, as torchvision's ``vgg16_bn`` does (its trainable count matches).
    Model name ``"vgg16"`` or ``"vgg16_bn"``.

    Input ``(batch, height, width, channels)`` floats in ``[0, 1]``; output
    ``(batch, num_classes)``. Small inputs: a pool that would shrink the feature map below
    1x1 is left out (28x28 keeps four pools and ends at 1x1, 32x32 keeps all five), so
    every input size works; the ``flatten`` head then sees the remaining map.

    Initialisation: ``Conv2D`` and ``Dense`` kernels ``glorot_uniform``, biases zero, batch
    norm ``gamma = 1``, ``beta = 0`` (Keras's defaults, as ``keras.applications.VGG16``;
    torchvision draws its convolutions ``kaiming_normal`` instead).

    >>> model = vgg(11, input_shape=(32, 32, 3), num_classes=10, dense_units=64)
    >>> model.name, model.get_layer("block5_pool").output.shape
    ('vgg11', (None, 1, 1, 512))
    """
    if check_positive_int(depth, "depth") not in _VGG_CONVS:
        raise ValueError(f"`depth` must be one of {sorted(_VGG_CONVS)} for vgg, got {depth!r}")
    shape = _check_input_shape(input_shape, image=True)
    num_classes = _check_num_classes(num_classes)
    dense_units = check_positive_int(dense_units, "dense_units")
    dropout = _check_dropout(dropout)

    inputs = keras.Input(shape, name="input")
    x = inputs
    side = min(shape[:2])
    blocks = zip(_VGG_FILTERS, _VGG_CONVS[depth], strict=True)
    for b, (filters, convs) in enumerate(blocks, start=1):
        pool = "max" if side >= 2 else None  # a pool that would go below 1x1 is left out
        side //= 2 if pool else 1
        x = _conv_pool_block(
            x,
            filters,
            convs,
            kernel_size=3,
            batch_norm=batch_norm,
            pooling=pool,
            name=f"block{b}",
        )
    x = layers.Flatten(name="flatten")(x)
    x = _dense_head(x, (dense_units, dense_units), "relu", dropout)
    name = f"vgg{depth}_bn" if batch_norm else f"vgg{depth}"
    return keras.Model(inputs, _classifier(x, num_classes, logits), name=name)


# --------------------------------------------------------------------------- ResNet


def _conv_bn(x, filters: int, kernel_size: int, stride: int, prefix: str, suffix="", relu=True):
    """Convolution without bias (``{prefix}_conv{suffix}``), batch norm, optional ReLU."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=stride,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name=f"{prefix}_conv{suffix}",
    )(x)
    x = layers.BatchNormalization(**_BN, name=f"{prefix}_bn{suffix}")(x)
    return layers.ReLU(name=f"{prefix}_relu{suffix}")(x) if relu else x


def _shortcut(x, channels: int, stride: int, kind: str, name: str):
    """The identity, or what matches ``x`` to a ``channels``-deep, ``stride``-smaller map."""
    check_choice(kind, "shortcut", ("projection", "zero_pad"))
    if stride == 1 and x.shape[-1] == channels:
        return x
    if kind == "projection":  # option B: a 1x1 convolution with batch norm
        return _conv_bn(x, channels, 1, stride, f"{name}_shortcut", relu=False)
    # Option A: subsample (a 1x1 "pool" keeps every stride-th pixel), pad zero channels.
    extra = channels - x.shape[-1]
    if extra < 0:
        raise ValueError(
            f"a zero_pad shortcut cannot reduce {x.shape[-1]} channels to {channels}; "
            "use shortcut='projection'"
        )
    if stride > 1:
        x = layers.MaxPooling2D(1, strides=stride, name=f"{name}_shortcut_pool")(x)
    if extra:
        # In channels_first mode ZeroPadding2D pads the last two axes: width (by 0) and,
        # here, channels (by `extra` zeros).
        x = layers.ZeroPadding2D(
            ((0, 0), (0, extra)), data_format="channels_first", name=f"{name}_shortcut_pad"
        )(x)
    return x


def _add_shortcut(x, fx, stride: int, residual: bool, shortcut: str, name: str):
    """``relu(F(x) + x)``, or ``relu(F(x))`` for the plain twin."""
    if residual:
        x = _shortcut(x, fx.shape[-1], stride, shortcut, name)
        fx = layers.Add(name=f"{name}_add")([fx, x])
    return layers.ReLU(name=f"{name}_out")(fx)


def residual_block(
    x: keras.KerasTensor,
    filters: int,
    stride: int = 1,
    residual: bool = True,
    *,
    shortcut: str = "projection",
    name: str = "residual_block",
) -> keras.KerasTensor:
    """The basic residual block: ``y = relu(F(x) + x)``, ``F`` = two 3x3 conv + BN layers.

    ``x`` is a ``(batch, height, width, channels)`` Keras tensor; the result is
    ``(batch, ceil(height / stride), ceil(width / stride), filters)``. The first convolution
    carries the ``stride``. When the shape changes, the shortcut is a 1x1 convolution + BN
    (``shortcut="projection"``, the paper's option B, layers ``{name}_shortcut_conv`` and
    ``{name}_shortcut_bn``) or a parameter-free subsample plus zero channels
    (``"zero_pad"``, option A). ``residual=False`` drops the addition (the plain block).

    >>> inputs = keras.Input((32, 32, 16))
    >>> outputs = residual_block(inputs, 32, stride=2, name="demo")
    >>> tuple(outputs.shape)
    (None, 16, 16, 32)
    """
    fx = _conv_bn(x, filters, 3, stride, name, "1")
    fx = _conv_bn(fx, filters, 3, 1, name, "2", relu=False)
    return _add_shortcut(x, fx, stride, residual, shortcut, name)


def bottleneck_block(
    x: keras.KerasTensor,
    filters: int,
    stride: int = 1,
    residual: bool = True,
    *,
    shortcut: str = "projection",
    name: str = "bottleneck_block",
) -> keras.KerasTensor:
    """The bottleneck block: 1x1 (``filters``), 3x3 (``filters``), 1x1 (``4 * filters``).

    ``x`` is a ``(batch, height, width, channels)`` Keras tensor; the result is
    ``(batch, ceil(height / stride), ceil(width / stride), 4 * filters)``. The stride sits
    on the 3x3 convolution, as in torchvision ("ResNet v1.5"; same parameters as the
    paper, which strides the first 1x1). Shortcut and ``residual`` as in
    :func:`residual_block`.

    >>> inputs = keras.Input((8, 8, 64))
    >>> tuple(bottleneck_block(inputs, 64, name="demo").shape)
    (None, 8, 8, 256)
    """
    fx = _conv_bn(x, filters, 1, 1, name, "1")
    fx = _conv_bn(fx, filters, 3, stride, name, "2")
    fx = _conv_bn(fx, 4 * filters, 1, 1, name, "3", relu=False)
    return _add_shortcut(x, fx, stride, residual, shortcut, name)


# He et al. (2016), table 1: the ImageNet networks, blocks per stage (64/128/256/512 filters).
_RESNET_IMAGENET = {
    18: (residual_block, (2, 2, 2, 2)),
    34: (residual_block, (3, 4, 6, 3)),
    50: (bottleneck_block, (3, 4, 6, 3)),
    101: (bottleneck_block, (3, 4, 23, 3)),
    152: (bottleneck_block, (3, 8, 36, 3)),
}
_IMAGENET_FILTERS = (64, 128, 256, 512)
# Section 4.2: the CIFAR networks, depth 6n + 2, n basic blocks in each of three stages.
_CIFAR_FILTERS = (16, 32, 64)
# The ImageNet stem (7x7/2 convolution, 3x3/2 max pool) and stages 2-4 downsample by 32
# in all; below a 32-pixel side the last stages would work on less than one pixel of the
# input grid. keras.applications' ResNets refuse such inputs for the same reason.
_IMAGENET_STEM_MIN_SIDE = 32
_STEMS = ("imagenet", "small")


def _check_width(width) -> float:
    if not (isinstance(width, (int, float)) and width > 0):
        raise ValueError(f"`width` must be a positive number, got {width!r}")
    return width


def _build_resnet(
    depth, shape, num_classes, *, block, stages, filters, stem, residual, width, shortcut, logits
) -> keras.Model:
    """The ResNet body shared by :func:`resnet` and :func:`cifar_resnet` (checked arguments)."""
    filters = [max(1, round(f * width)) for f in filters]
    inputs = keras.Input(shape, name="input")
    if stem == "imagenet":
        x = _conv_bn(inputs, filters[0], 7, 2, "stem")
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    else:
        x = _conv_bn(inputs, filters[0], 3, 1, "stem")
    for s, (blocks, f) in enumerate(zip(stages, filters, strict=True), start=1):
        for b in range(1, blocks + 1):
            stride = 2 if s > 1 and b == 1 else 1
            x = block(x, f, stride, residual, shortcut=shortcut, name=f"stage{s}_block{b}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    name = f"{'resnet' if residual else 'plain'}{depth}" + (f"_w{width:g}" if width != 1 else "")
    return keras.Model(inputs, _classifier(x, num_classes, logits), name=name)


def resnet(
    depth: int,
    input_shape: Sequence[int] = (224, 224, 3),
    num_classes: int = 1000,
    *,
    residual: bool = True,
    width: float = 1.0,
    shortcut: str = "projection",
    stem: str = "imagenet",
    logits: bool = False,
) -> keras.Model:
    """The ImageNet ResNets: ResNet-18/34 (basic blocks) and -50/101/152 (bottlenecks).

    He et al. (2016), table 1: a stem, four stages of blocks with 64/128/256/512 filters
    (:func:`residual_block` for 18 and 34, :func:`bottleneck_block` for 50, 101 and 152),
    global average pooling and one dense layer. The first block of stages 2, 3 and 4
    halves the map and doubles the filters; where the shape changes the shortcut is a
    projection (``shortcut="projection"``, the paper's option B) unless
    ``shortcut="zero_pad"`` (option A). For the CIFAR networks of the paper's section 4.2
    (ResNet-20, -56, -110, ...) use :func:`cifar_resnet`.

    Layers: stem ``stem_conv``/``stem_bn``/``stem_relu`` (+ ``stem_pool``), blocks
    ``stage{s}_block{b}_...``, ``avg_pool`` and ``predictions``. Every convolution has no
    bias and is followed by batch normalisation. Conv2D + Dense layers on the main path
    number exactly ``depth``; shortcut convolutions are named ``..._shortcut_conv`` and
    not counted. With a 224x224x3 input and 1000 classes the trainable parameters equal
    torchvision's counts (ResNet-50: 25,557,032); ``model.count_params()`` adds the BN
    moving statistics.

    ``stem`` chooses the first layers, and nothing chooses it for you:

    * ``"imagenet"`` (the paper's): a 7x7 stride-2 convolution and a 3x3 stride-2 max
      pool. With the stages the network downsamples by 32, so it needs a side of at
      least 32 pixels (ResNet-18 on 32x32 ends with a 1x1 map, on 224x224 with 7x7);
      a smaller input raises ``ValueError``, as ``keras.applications.ResNet50`` does.
    * ``"small"``: a 3x3 stride-1 convolution without pool, the usual adaptation to
      28x28 or 32x32 images (the last stage then sees a 4x4 map). It has fewer
      parameters in the stem and costs far more computation per image.

    ``residual=False`` builds the plain twin (model name ``"plain18"`` instead of
    ``"resnet18"``): the same main-path layers, no shortcuts and no additions. ``width``
    multiplies every channel count (0.25 for a thin, fast network; the name gets a
    ``_w0.25`` suffix).

    Initialisation: every convolution ``he_normal`` (the paper's, for ReLU), batch norm
    ``gamma = 1``, ``beta = 0``, the ``predictions`` layer Keras's default
    ``glorot_uniform`` with zero bias.

    Input ``(batch, height, width, channels)`` floats in ``[0, 1]``; output
    ``(batch, num_classes)``.

    >>> model = resnet(18, input_shape=(32, 32, 3), num_classes=10, stem="small")
    >>> model.name, model.get_layer("stage4_block2_out").output.shape
    ('resnet18', (None, 4, 4, 512))
    """
    if check_positive_int(depth, "depth") not in _RESNET_IMAGENET:
        hint = (
            " (a CIFAR ResNet, depth 6n + 2: use cifar_resnet)"
            if depth >= 8 and (depth - 2) % 6 == 0
            else ""
        )
        raise ValueError(
            f"`depth` must be one of {sorted(_RESNET_IMAGENET)} for resnet, got {depth!r}{hint}"
        )
    shape = _check_input_shape(input_shape, image=True)
    num_classes = _check_num_classes(num_classes)
    width = _check_width(width)
    check_choice(shortcut, "shortcut", ("projection", "zero_pad"))
    check_choice(stem, "stem", _STEMS)
    if stem == "imagenet" and min(shape[:2]) < _IMAGENET_STEM_MIN_SIDE:
        raise ValueError(
            f"the ImageNet stem (7x7/2 convolution + 3x3/2 max pool) needs inputs of at "
            f"least {_IMAGENET_STEM_MIN_SIDE}x{_IMAGENET_STEM_MIN_SIDE} pixels, got "
            f'input_shape {shape}; pass stem="small" (3x3/1 convolution, no pool) for '
            "small images"
        )
    block, stages = _RESNET_IMAGENET[depth]
    return _build_resnet(
        depth,
        shape,
        num_classes,
        block=block,
        stages=stages,
        filters=_IMAGENET_FILTERS,
        stem=stem,
        residual=residual,
        width=width,
        shortcut=shortcut,
        logits=logits,
    )


def cifar_resnet(
    depth: int,
    input_shape: Sequence[int] = (32, 32, 3),
    num_classes: int = 10,
    *,
    residual: bool = True,
    width: float = 1.0,
    shortcut: str = "zero_pad",
    logits: bool = False,
) -> keras.Model:
    """The CIFAR ResNets of the paper's section 4.2: ResNet-20, -32, -44, -56, -110, ...

    ``depth = 6n + 2`` with ``n >= 1``: a 3x3 stride-1 stem (``stem_conv``/``stem_bn``/
    ``stem_relu``, no pool), three stages of ``n`` basic blocks (:func:`residual_block`)
    with 16, 32 and 64 filters, global average pooling (``avg_pool``) and ``predictions``.
    The first block of stages 2 and 3 halves the map and doubles the filters, and its
    shortcut is parameter-free (``shortcut="zero_pad"``: subsample and pad zero channels,
    option A, what the paper used on CIFAR) unless ``shortcut="projection"``. ResNet-20
    has 0.27M, ResNet-56 0.85M, ResNet-110 1.7M parameters (the paper's table 6). Layer
    names and depth counting as in :func:`resnet`; ``residual=False`` builds the plain
    twin (``"plain20"``), ``width`` multiplies every channel count (``"resnet20_w2"``).

    Initialisation: every convolution ``he_normal`` (the paper's), batch norm
    ``gamma = 1``, ``beta = 0``, the ``predictions`` layer ``glorot_uniform`` with zero
    bias.

    Input ``(batch, height, width, channels)`` floats in ``[0, 1]`` (any size: 32x32
    ends with an 8x8 map, 28x28 with 7x7); output ``(batch, num_classes)``.

    >>> model = cifar_resnet(20)
    >>> model.name, model.get_layer("stage3_block3_out").output.shape
    ('resnet20', (None, 8, 8, 64))
    """
    if not (check_positive_int(depth, "depth") >= 8 and (depth - 2) % 6 == 0):
        raise ValueError(
            "`depth` must be 6n + 2 with n >= 1 for cifar_resnet (20, 32, 44, 56, 110, ...), "
            f"got {depth!r}"
        )
    shape = _check_input_shape(input_shape, image=True)
    num_classes = _check_num_classes(num_classes)
    width = _check_width(width)
    check_choice(shortcut, "shortcut", ("projection", "zero_pad"))
    return _build_resnet(
        depth,
        shape,
        num_classes,
        block=residual_block,
        stages=((depth - 2) // 6,) * 3,
        filters=_CIFAR_FILTERS,
        stem="small",
        residual=residual,
        width=width,
        shortcut=shortcut,
        logits=logits,
    )


# --------------------------------------------------------------------------- the flagship


def preact_block(
    x: keras.KerasTensor, filters: int, stride: int = 1, *, name: str = "preact_block"
) -> keras.KerasTensor:
    """The pre-activation residual block (He et al. 2016b): ``y = F(x) + shortcut(x)``.

    ``F`` is BN, ReLU, 3x3 convolution (carrying ``stride``), BN, ReLU, 3x3 convolution:
    normalisation and activation come *before* each convolution, so the shortcut path is
    a clean identity from block to block and nothing is applied after the addition.
    When the shape changes, the shortcut is a 1x1 convolution (``stride``, no BN) of the
    pre-activated input, as in the paper's ``preact_resnet``. Layers: ``{name}_bn1``,
    ``{name}_relu1``, ``{name}_conv1``, ``{name}_bn2``, ``{name}_relu2``, ``{name}_conv2``,
    ``{name}_shortcut_conv`` (when needed) and ``{name}_add``.

    ``x`` is a ``(batch, height, width, channels)`` Keras tensor; the result is
    ``(batch, ceil(height / stride), ceil(width / stride), filters)``.

    >>> inputs = keras.Input((14, 14, 32))
    >>> tuple(preact_block(inputs, 64, stride=2, name="demo").shape)
    (None, 7, 7, 64)
    """
    filters = check_positive_int(filters, "filters")
    stride = check_positive_int(stride, "stride")
    pre = layers.BatchNormalization(**_BN, name=f"{name}_bn1")(x)
    pre = layers.ReLU(name=f"{name}_relu1")(pre)
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(
            filters,
            1,
            strides=stride,
            use_bias=False,
            kernel_initializer="he_normal",
            name=f"{name}_shortcut_conv",
        )(pre)
    fx = layers.Conv2D(
        filters,
        3,
        strides=stride,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name=f"{name}_conv1",
    )(pre)
    fx = layers.BatchNormalization(**_BN, name=f"{name}_bn2")(fx)
    fx = layers.ReLU(name=f"{name}_relu2")(fx)
    fx = layers.Conv2D(
        filters,
        3,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name=f"{name}_conv2",
    )(fx)
    return layers.Add(name=f"{name}_add")([fx, shortcut])


def preact_resnet(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    channels: Sequence[int] = (32, 64, 128, 256),
    blocks: Sequence[int] = (1, 1, 1),
    logits: bool = False,
) -> keras.Model:
    """The course's flagship: a pre-activation ResNet sized for 28x28 images and a CPU.

    A 3x3 stem convolution (``stem_conv``, ``channels[0]`` filters, full resolution), then
    one stage per entry of ``blocks``: stage ``s`` has ``blocks[s - 1]``
    :func:`preact_block` s (``stage{s}_block{b}``) with ``channels[s]`` filters, the first
    one with stride 2. Then ``final_bn``, ``final_relu``, global average pooling
    (``avg_pool``) and ``predictions``.

    Why this shape. A CIFAR ResNet-20 at width 2 keeps 32 channels at full 28x28
    resolution for a third of its layers, which is where most of its cost goes on a CPU.
    Here the map is halved at every stage (28 -> 14 -> 7 -> 4) while the channels double
    (32 -> 64 -> 128 -> 256), so each stage costs about the same, the last stage sees the
    whole garment, and the network holds about 1.2M parameters at about 37M
    multiply-accumulates per image (see :func:`summarize`), the size of the small
    pre-activation ResNets that the fast.ai course trains on Fashion-MNIST.

    Initialisation: convolutions ``he_normal``, batch norm ``gamma = 1``, ``beta = 0``,
    ``predictions`` ``glorot_uniform`` with zero bias.

    Input ``(batch, height, width, channels)`` floats in ``[0, 1]``; output
    ``(batch, num_classes)`` probabilities (logits with ``logits=True``). The model name
    is ``"preact_resnet"``.

    >>> model = preact_resnet()
    >>> model.get_layer("stage3_block1_add").output.shape
    (None, 4, 4, 256)
    """
    shape = _check_input_shape(input_shape, image=True)
    num_classes = _check_num_classes(num_classes)
    channels = _check_units(channels, "channels")
    blocks = _check_units(blocks, "blocks")
    if len(channels) != len(blocks) + 1:
        raise ValueError(
            f"`channels` needs one entry for the stem plus one per stage of `blocks`: "
            f"{len(blocks)} stages need {len(blocks) + 1} channel counts, got {channels}"
        )
    inputs = keras.Input(shape, name="input")
    x = layers.Conv2D(
        channels[0],
        3,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name="stem_conv",
    )(inputs)
    for s, (filters, count) in enumerate(zip(channels[1:], blocks, strict=True), start=1):
        for b in range(1, count + 1):
            x = preact_block(x, filters, 2 if b == 1 else 1, name=f"stage{s}_block{b}")
    x = layers.BatchNormalization(**_BN, name="final_bn")(x)
    x = layers.ReLU(name="final_relu")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes, logits), name="preact_resnet")


# --------------------------------------------------------------------------- summary


def _weighted_layers(model: keras.Model):
    """Conv2D and Dense layers of ``model``, descending into nested models."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _weighted_layers(layer)
        elif isinstance(layer, (layers.Conv2D, layers.Dense)):
            yield layer


def _size(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def summarize(
    models: keras.Model | Iterable[keras.Model] | Mapping[str, keras.Model],
) -> list[dict]:
    """Tabulate models: one plain ``dict`` per model, in the order given.

    ``models`` is a model, a sequence of models (rows named by ``model.name``) or a
    ``{name: model}`` mapping. Each row has

    * ``name``;
    * ``depth``: Conv2D + Dense layers on the main path (``..._shortcut_conv`` layers are
      not counted), the number in a paper's model name;
    * ``parameters``: trainable weights, the count papers and torchvision quote;
    * ``non_trainable_parameters``: the rest of ``model.count_params()`` (batch norm
      moving mean and variance);
    * ``macs``: multiply-accumulates to classify one image, summed over Conv2D and Dense
      layers (shortcut convolutions included) as output positions x kernel size, from
      each layer's output shape. Biases, batch norm, activations, pooling and additions
      are not counted, as in the usual FLOP tables (which report these MACs).
    * ``mflops``: the forward pass in millions of floating-point operations, ``2 x macs /
      1e6`` (a multiply and an add per MAC). Many papers and courses print MACs under the
      name "FLOPs"; compare like with like. Training an image costs about three forward
      passes (forward, gradient of the input, gradient of the weights).

    >>> rows = summarize({"softmax regression": mlp((28, 28, 1), 10, hidden_units=())})
    >>> sorted(rows[0].items())  # doctest: +NORMALIZE_WHITESPACE
    [('depth', 1), ('macs', 7840), ('mflops', 0.01568), ('name', 'softmax regression'),
     ('non_trainable_parameters', 0), ('parameters', 7850)]
    """
    if isinstance(models, keras.Model):
        items = [(models.name, models)]
    elif isinstance(models, Mapping):
        items = list(models.items())
    else:
        items = [(model.name, model) for model in models]
    rows = []
    for name, model in items:
        weighted = list(_weighted_layers(model))
        positions = [layer.output.shape[1:-1] for layer in weighted]
        if any(None in p for p in positions):
            raise ValueError(f"summarize needs a fixed input size; {name!r} has a None dimension")
        macs = sum(
            int(np.prod(p)) * int(np.prod(layer.kernel.shape))
            for p, layer in zip(positions, weighted, strict=True)
        )
        rows.append(
            {
                "name": name,
                "depth": sum(not layer.name.endswith("_shortcut_conv") for layer in weighted),
                "parameters": _size(model.trainable_weights),
                "non_trainable_parameters": _size(model.non_trainable_weights),
                "macs": macs,
                "mflops": 2 * macs / 1e6,
            }
        )
    return rows


# --------------------------------------------------------------------------- looking inside
# Looking inside a model: gradients per layer (to see vanishing gradients) and batch-norm
# statistics set from one batch (to see a network at initialisation as training sees it).


def gradient_norms(model: keras.Model, x, y, *, from_logits: bool = False) -> dict[str, float]:
    """The size of the loss gradient for each weight layer, first layer first.

    One forward and backward pass (``tf.GradientTape``) on the batch ``x`` (what the
    model takes, e.g. float32 images in ``[0, 1]``) with integer labels ``y``, under
    the sparse cross-entropy of :func:`kerascnn.training.compile_and_fit`. For every
    layer with a ``kernel`` (``Dense``, ``Conv2D``) it returns the L2 norm of the
    gradient of that kernel, ``||dL/dW||``; biases and batch-normalisation parameters
    are left out. When the norms shrink from the last layer to the first, the gradient
    is vanishing. The model runs in inference mode (``training=False``: no dropout,
    batch normalisation with its moving statistics), so the call changes nothing in the
    model.

    Returns a dict ``{layer name: norm}`` in the order of ``model.layers``.

    >>> inputs = keras.Input((4,))
    >>> hidden = keras.layers.Dense(3, activation="sigmoid", name="fc1")(inputs)
    >>> model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax",
    ...                                                name="out")(hidden))
    >>> norms = gradient_norms(model, np.ones((8, 4), "float32"), np.arange(8) % 2)
    >>> list(norms), all(value >= 0 for value in norms.values())
    (['fc1', 'out'], True)
    """
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    kernels = [
        (layer.name, layer.kernel)
        for layer in model.layers
        if getattr(layer, "kernel", None) is not None and layer.trainable
    ]
    if not kernels:
        raise ValueError(f"model {model.name!r} has no trainable layer with a kernel")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    grads = tape.gradient(loss, [kernel for _, kernel in kernels])
    return {name: float(tf.norm(grad)) for (name, _), grad in zip(kernels, grads, strict=True)}


def calibrate_batch_norm(model: keras.Model, x) -> int:
    """Set every ``BatchNormalization`` layer's moving statistics to those of the batch ``x``.

    In training, batch normalisation divides by the statistics of the current batch; in
    inference (``training=False``, what :func:`gradient_norms` uses) it uses its moving
    mean and variance, which are 0 and 1 in a freshly built model. This runs ``x`` once
    in training mode with momentum 0, so that afterwards inference mode normalises
    ``x`` exactly as the first training step would: the way to look at a network "at
    initialisation" as training sees it. Only the moving statistics change, no weight.
    Returns how many layers were calibrated.

    >>> inputs = keras.Input((3,))
    >>> bn = keras.layers.BatchNormalization(name="bn")
    >>> model = keras.Model(inputs, bn(inputs))
    >>> calibrate_batch_norm(model, np.array([[0., 1, 2], [2, 3, 6]], "float32"))
    1
    >>> bn.moving_mean.numpy().tolist(), bn.moving_variance.numpy().tolist()
    ([1.0, 2.0, 4.0], [1.0, 1.0, 4.0])
    """

    def batch_norms(layers):
        for layer in layers:
            if isinstance(layer, keras.Model):
                yield from batch_norms(layer.layers)
            elif isinstance(layer, keras.layers.BatchNormalization):
                yield layer

    found = list(batch_norms(model.layers))
    momenta = [layer.momentum for layer in found]
    try:
        for layer in found:
            layer.momentum = 0.0
        model(x, training=True)
    finally:
        for layer, momentum in zip(found, momenta, strict=True):
            layer.momentum = momentum
    return len(found)
