"""Inside a network: activation functions, the kernels of a convolution, what kernels
make of an image, the feature maps of each layer, and the gradient that reaches each layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from kerascnn._checks import check_positive_int, check_rank
from kerascnn.plots._figure import finish, finish_axes, grid, subplots

# Activations that act on a whole vector (not element by element) cannot be drawn as f(x).
_VECTOR_ACTIVATIONS = ("softmax", "log_softmax", "glu", "sparsemax")


def plot_activations(
    names: Sequence[str] = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu"),
    derivatives: bool = True,
    *,
    x_range: tuple[float, float] = (-5.0, 5.0),
    ncols: int = 3,
) -> Figure:
    """Activation functions from ``keras.activations`` and their derivatives.

    Each panel draws ``f(x)`` and, with ``derivatives=True``, ``f'(x)`` computed by
    automatic differentiation (``tf.GradientTape``), not by a hand formula. Only
    element-wise activations can be drawn (not ``softmax``).

    >>> fig = plot_activations(("relu", "sigmoid")); [ax.get_title() for ax in fig.axes]
    ['relu', 'sigmoid']
    """
    if isinstance(names, str):
        names = (names,)
    if len(names) == 0:
        raise ValueError("`names` must name at least one activation")
    ncols = check_positive_int(ncols, "ncols")
    low, high = x_range
    if not low < high:
        raise ValueError(f"`x_range` must be (low, high) with low < high, got {x_range}")
    functions = []
    for name in names:
        if name in _VECTOR_ACTIVATIONS:
            raise ValueError(
                f"`names`: {name!r} acts on a whole vector, not element-wise; "
                "see plot_softmax for softmax"
            )
        try:
            functions.append(keras.activations.get(name))
        except ValueError:
            raise ValueError(f"`names`: {name!r} is not a keras.activations function") from None
    x = tf.linspace(float(low), float(high), 401)
    fig, axes = grid(len(names), ncols, cell=(3.6, 2.9))
    for ax, name, function in zip(axes, names, functions, strict=True):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = function(x)
        ax.plot(x.numpy(), y.numpy(), label="$f(x)$", color="C0")
        if derivatives:
            ax.plot(
                x.numpy(), tape.gradient(y, x).numpy(), label="$f'(x)$", color="C1", linestyle="--"
            )
        ax.axhline(0.0, color="grey", linewidth=0.6)
        ax.axvline(0.0, color="grey", linewidth=0.6)
        finish_axes(
            ax,
            title=name,
            xlabel="$x$",
            ylabel="$f(x)$" + (" and $f'(x)$" if derivatives else ""),
            legend={"fontsize": 8},
        )
    return finish(fig, "Activation functions" + (" and their derivatives" if derivatives else ""))


def plot_filters(
    layer_or_weights,
    *,
    input_channel: int | None = None,
    max_filters: int = 64,
    ncols: int = 8,
    title: str | None = None,
) -> Figure:
    """The kernels of a Conv2D layer as small images, one per output channel.

    ``layer_or_weights`` is a built ``keras.layers.Conv2D`` (or any layer with a 4-D
    ``kernel``) or the kernel itself, shape ``(kh, kw, in_channels, filters)``. Kernels
    over 3 input channels are drawn in colour (each rescaled to [0, 1]); otherwise the
    weights of ``input_channel`` (default 0) are drawn in grey on one shared scale,
    with a colour bar (dark: negative, light: positive).

    >>> fig = plot_filters(np.random.default_rng(0).normal(size=(3, 3, 1, 4)))
    >>> len(fig.axes)  # 4 kernels and the colour bar
    5
    """
    max_filters = check_positive_int(max_filters, "max_filters")
    ncols = check_positive_int(ncols, "ncols")
    if isinstance(layer_or_weights, keras.layers.Layer):
        kernel = getattr(layer_or_weights, "kernel", None)
        if kernel is None:
            raise ValueError(
                f"`layer_or_weights`: layer {layer_or_weights.name!r} has no "
                "kernel; pass a Conv2D layer of a built (called or trained) model"
            )
        weights, source = keras.ops.convert_to_numpy(kernel), layer_or_weights.name
    else:
        weights, source = np.asarray(layer_or_weights, dtype=float), "the kernel"
    check_rank(weights, "layer_or_weights", (4,))
    height, width, channels, filters = weights.shape
    rgb = input_channel is None and channels == 3
    if not rgb:
        input_channel = 0 if input_channel is None else input_channel
        if not 0 <= input_channel < channels:
            raise ValueError(f"`input_channel` must be in [0, {channels}), got {input_channel}")
    shown = min(filters, max_filters)
    fig, axes = grid(shown, ncols, cell=(1.1, 1.2), margin=(1.2, 0.8))
    limit = float(np.abs(weights).max()) or 1.0
    for i, ax in enumerate(axes):
        if rgb:
            kernel = weights[..., i]
            span = np.ptp(kernel) or 1.0
            image = ax.imshow((kernel - kernel.min()) / span)
        else:
            image = ax.imshow(weights[:, :, input_channel, i], cmap="gray", vmin=-limit, vmax=limit)
        finish_axes(ax, title=f"filter {i}", ticks=False, title_kw={"fontsize": 7})
    if not rgb:
        fig.colorbar(image, ax=fig.axes, label="weight", shrink=0.8)
    channel_note = "RGB" if rgb else f"input channel {input_channel}"
    return finish(
        fig,
        title
        or f"Filters of {source}: {shown} of {filters} kernels {height}x{width} ({channel_note})",
        tight=False,
    )


def plot_filter_responses(
    responses,
    *,
    signed: bool | Sequence[str] = (),
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Named 2-D images side by side in grey, e.g. a photo and what kernels make of it.

    ``responses`` is a dict ``{name: array (h, w)}`` (a photo converted to grey, its
    convolutions with several kernels, the channels of a feature map). Images named in
    ``signed`` (or all of them with ``signed=True``) are drawn on a symmetric scale with 0
    as mid grey, each on its own scale, as suits an edge map; the others on ``[0, 1]``
    (values outside are clipped, as a screen would).

    >>> fig = plot_filter_responses({"a": np.zeros((4, 6)), "b": np.ones((4, 6)) - 2},
    ...                             signed=["b"])
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b (signed, 0 = grey)']
    """
    ncols = check_positive_int(ncols, "ncols")
    if not responses:
        raise ValueError("`responses` is empty: give a dict {name: image (h, w)}")
    images = {}
    for name, image in responses.items():
        image = np.asarray(image, dtype=float)
        check_rank(image, f"responses[{name!r}]", (2,))
        images[str(name)] = image
    signed_names = set(images) if signed is True else {str(s) for s in (signed or ())}
    unknown = signed_names - set(images)
    if unknown:
        raise ValueError(f"`signed` names {sorted(unknown)}, which are not in `responses`")
    n = len(images)
    height, width = next(iter(images.values())).shape
    panel = 3.2 if n <= 6 else 2.0
    fig, axes = grid(n, ncols, cell=(panel, panel * height / width), margin=(0.0, 0.8))
    for ax, (name, image) in zip(axes, images.items(), strict=True):
        if name in signed_names:
            limit = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit)
            panel_title = name if signed is True else f"{name} (signed, 0 = grey)"
        else:
            ax.imshow(np.clip(image, 0.0, 1.0), cmap="gray", vmin=0.0, vmax=1.0)
            panel_title = name
        finish_axes(ax, title=panel_title, frame=False, title_kw={"fontsize": 9})
    title = title or f"{n} images"
    return finish(fig, f"{title} (signed, 0 = grey)" if signed is True else title)


def plot_feature_maps(
    model: keras.Model,
    image,
    layer_names: Sequence[str] | None = None,
    *,
    max_maps: int = 8,
    title: str | None = None,
) -> Figure:
    """The feature maps that conv and pooling layers produce for one image.

    Builds ``keras.Model(model.input, [outputs of the named layers])`` and runs it on
    ``image``: ``(h, w)``, ``(h, w, c)`` or ``(1, h, w, c)``, scaled as the model
    expects (the course's models take floats in [0, 1]). One row per layer (default:
    every ``Conv2D`` and pooling layer of ``model``), showing its first ``max_maps``
    channels.

    >>> inputs = keras.Input((8, 8, 1))
    >>> conv = keras.layers.Conv2D(2, 3, name="conv")(inputs)
    >>> model = keras.Model(inputs, keras.layers.MaxPooling2D(name="pool")(conv))
    >>> fig = plot_feature_maps(model, np.ones((8, 8)))
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (4, 'conv\\n6x6x2')
    """
    max_maps = check_positive_int(max_maps, "max_maps")
    image = np.asarray(image, dtype=np.float32)
    check_rank(image, "image", (2, 3, 4))
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim == 3:
        image = image[None]
    if image.shape[0] != 1:
        raise ValueError(f"`image` must be one image, got a batch of shape {image.shape}")
    if layer_names is None:
        kinds = (keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
        layer_names = [layer.name for layer in model.layers if isinstance(layer, kinds)]
        if not layer_names:
            raise ValueError(
                f"`model` {model.name!r} has no Conv2D or pooling layer; "
                "name the layers in `layer_names`"
            )
    elif isinstance(layer_names, str):
        layer_names = [layer_names]
    outputs = [model.get_layer(name).output for name in layer_names]
    for name, output in zip(layer_names, outputs, strict=True):
        if len(output.shape) != 4:
            raise ValueError(
                f"`layer_names`: layer {name!r} outputs shape {output.shape}, "
                "not feature maps (batch, height, width, channels)"
            )
    maps = keras.Model(model.input, outputs)(image, training=False)
    if len(outputs) == 1:  # Keras returns a lone output unwrapped
        maps = [maps]
    maps = [keras.ops.convert_to_numpy(m)[0] for m in maps]
    ncols = min(max_maps, max(m.shape[-1] for m in maps))
    # one row per layer, each as long as that layer has channels: not one grid of panels
    fig, axes = subplots(
        len(maps), ncols, squeeze=False, figsize=(1.3 * ncols + 1.2, 1.4 * len(maps) + 0.6)
    )
    for row, (name, fmap) in zip(axes, zip(layer_names, maps, strict=True), strict=True):
        height, width, channels = fmap.shape
        for j, ax in enumerate(row):
            if j >= channels:
                fig.delaxes(ax)
                continue
            ax.imshow(fmap[..., j], cmap="viridis")
            finish_axes(ax, title=f"channel {j}", ticks=False, title_kw={"fontsize": 7})
        row[0].set_ylabel(f"{name}\n{height}x{width}x{channels}", fontsize=8)
    return finish(fig, title or "Feature maps of one image, layer by layer")


def plot_gradient_norms(
    norms_by_model: dict[str, Sequence[float]],
    layer_names: Sequence[str],
    *,
    title: str | None = None,
) -> Figure:
    """Gradient size per layer (log scale), one line per model, first layer on the left.

    ``norms_by_model`` maps a model's label to its norms ``||dL/dW||``, one per entry of
    ``layer_names`` (e.g. ``list(models.gradient_norms(model, x, y).values())``). A line
    that falls towards the left shows a vanishing gradient.

    >>> fig = plot_gradient_norms({"relu": [0.5, 0.4], "sigmoid": [1e-4, 0.3]},
    ...                           ["fc1", "predictions"])
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_xlabel()
    ('log', 'layer (input side on the left)')
    """
    if not norms_by_model:
        raise ValueError("`norms_by_model` is empty: give one list of norms per model")
    positions = np.arange(len(layer_names))
    fig, ax = subplots(figsize=(max(6.0, 0.8 * len(layer_names) + 2), 4))
    for i, (label, norms) in enumerate(norms_by_model.items()):
        norms = np.asarray(norms, dtype=float)
        if norms.shape != (len(layer_names),):
            raise ValueError(
                f"`norms_by_model`[{label!r}] must hold one norm per layer "
                f"({len(layer_names)}), got shape {norms.shape}"
            )
        if not (np.isfinite(norms).all() and (norms > 0).all()):
            raise ValueError(
                f"`norms_by_model`[{label!r}] must hold finite norms > 0 for a "
                f"log scale, got {norms.tolist()}"
            )
        ax.plot(positions, norms, color=f"C{i}", marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xticks(
        positions,
        layer_names,
        rotation=45 if len(layer_names) > 6 else 0,
        ha="right" if len(layer_names) > 6 else "center",
    )
    finish_axes(
        ax,
        title=title or "Gradient size per layer",
        xlabel="layer (input side on the left)",
        ylabel=r"gradient norm $\|\partial L / \partial W\|$ (log scale)",
        grid="both",
        legend=True,
    )
    return finish(fig)
