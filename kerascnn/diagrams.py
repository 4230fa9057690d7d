"""The article's concept figures drawn by code: Figs. 1, 3, 4, 8, 10 and 13.

Each function returns a ``matplotlib.figure.Figure`` made by :mod:`kerascnn.plots._figure`
(so a notebook shows it once) and draws a real figure of the idea from the numbers it is
handed, computed here with NumPy, never a pasted image:

* :func:`network_diagram` (Fig. 1): nodes in layers joined by weights; real weights
  (``model.get_weights()``) drawn by colour and width, node values written in the nodes.
* :func:`cnn_pipeline_diagram` (Fig. 3): conv -> pool -> ... -> flatten -> dense as
  blocks scaled by their output shapes, read from a built Keras model or given.
* :func:`convolution_diagram` (Fig. 4): the kernel over a window of the input grid, the
  arithmetic of that one output cell, and the whole feature map.
* :func:`backprop_diagram` (Fig. 8): the computation graph of one neuron and its loss,
  forward values above the edges, gradients (chain rule, :func:`backprop_values`) below.
* :func:`dropout_diagram` (Fig. 10): a network and the same network with dropped nodes
  (:func:`dropout_masks`, reproducible from a seed).
* :func:`residual_block_diagram` (Fig. 13): ``y = ReLU(F(x) + x)`` with its identity
  shortcut.

Only NumPy and matplotlib are used; a Keras model is read through its attributes
(``layers``, ``inputs``, ``layer.output.shape``), so this module imports no Keras. Colours
are the Okabe-Ito palette and the ColorBrewer ``RdBu`` map, both readable by colour-blind
readers, and every colour also has a shape or a label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle
from matplotlib.path import Path
from numpy.typing import ArrayLike

from kerascnn._checks import check_choice, check_positive_int, check_rank
from kerascnn.plots._figure import finish, finish_axes, subplots

if TYPE_CHECKING:  # annotations only: this module imports no Keras
    import keras

# The Okabe-Ito palette (Okabe & Ito 2008), distinguishable with every common colour-vision
# deficiency.
PALETTE = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
_WEIGHT_CMAP = "RdBu"  # diverging, colour-blind safe: negative red, positive blue
_FORWARD = "black"  # forward values in the backprop diagram
_BACKWARD = PALETTE["vermillion"]  # gradients in the backprop diagram

# A layer with more nodes than this is drawn with its first and last few and a "⋮".
_MAX_DRAWN = 10
_ELIDED_HEAD, _ELIDED_TAIL = 4, 3


def _tint(color: str, amount: float = 0.55) -> tuple[float, float, float]:
    """``color`` mixed with white (``amount`` of the colour kept): an opaque light fill."""
    return tuple(1.0 - amount * (1.0 - c) for c in to_rgb(color))


def _number(value: float, digits: int = 3) -> str:
    """A number as a figure writes it: integers plain, others to ``digits`` significant
    digits, negatives with a true minus sign (``−``).

    >>> _number(7.0), _number(-1), _number(0.123456), _number(-2.5)
    ('7', '−1', '0.123', '−2.5')
    """
    value = float(value)
    if value == round(value) and abs(value) < 1e6:
        text = str(int(round(value)))
    else:
        text = f"{value:.{digits}g}"
    return text.replace("-", "\N{MINUS SIGN}")


def _node_value(value: float) -> str:
    """A node's value in at most 5 characters: ``0.53``, ``−1.20``, ``123``."""
    value = float(value)
    text = f"{value:.2f}" if abs(value) < 9.995 else f"{value:.3g}"
    return text.replace("-", "\N{MINUS SIGN}")


def _shape_text(shape: Sequence[int | None]) -> str:
    """``(28, 28, 32)`` -> ``'28×28×32'`` (an unknown size as ``?``)."""
    return "×".join("?" if s is None else str(s) for s in shape)


def _bare_axes(ax: Axes) -> Axes:
    """An axis for a drawing: equal scales and no frame."""
    ax.set_aspect("equal")
    return finish_axes(ax, frame=False)


# --------------------------------------------------------------------------------------
# Fig. 1 and Fig. 10: a network of nodes and weights
# --------------------------------------------------------------------------------------


def _check_layer_sizes(layer_sizes, name: str = "layer_sizes") -> list[int]:
    if isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 1:
        layer_sizes = layer_sizes.tolist()
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise ValueError(f"`{name}` must be a sequence of layer sizes, got {layer_sizes!r}")
    sizes = [check_positive_int(s, f"{name}[{i}]") for i, s in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(
            f"`{name}` must have at least 2 layers (input and output), got {len(sizes)}"
        )
    return sizes


def _drawn_nodes(size: int) -> list[int | None]:
    """The indices of the nodes drawn for a layer of ``size``; ``None`` marks the "⋮"."""
    if size <= _MAX_DRAWN:
        return list(range(size))
    return [*range(_ELIDED_HEAD), None, *range(size - _ELIDED_TAIL, size)]


def _layer_name(i: int, n_layers: int) -> str:
    if i == 0:
        return "input"
    return "output" if i == n_layers - 1 else f"hidden {i}"


def _draw_network(
    ax: Axes,
    sizes: list[int],
    *,
    weights: list[np.ndarray] | None = None,
    norm: Normalize | None = None,
    activations: list[np.ndarray] | None = None,
    dropped: list[np.ndarray] | None = None,
    boxes: bool = True,
) -> None:
    """Draw the nodes (circles), the weights (lines) and the layer labels on ``ax``.

    Columns are 3 units apart and nodes 1 unit; ``dropped`` holds one boolean mask per
    layer (dropped nodes are greyed, crossed and lose their edges).
    """
    n_layers = len(sizes)
    slots = [_drawn_nodes(s) for s in sizes]
    tallest = max(len(s) for s in slots)
    xs = [3.0 * i for i in range(n_layers)]
    ys = [[(len(col) - 1) / 2 - j for j in range(len(col))] for col in slots]

    def is_dropped(layer: int, node: int) -> bool:
        return dropped is not None and bool(dropped[layer][node])

    # The weights, one line per pair of drawn nodes, beneath the nodes.
    segments, colors, widths = [], [], []
    cmap = ScalarMappable(norm=norm, cmap=_WEIGHT_CMAP) if weights is not None else None
    for layer in range(n_layers - 1):
        for a, i in enumerate(slots[layer]):
            for b, j in enumerate(slots[layer + 1]):
                if i is None or j is None or is_dropped(layer, i) or is_dropped(layer + 1, j):
                    continue
                segments.append([(xs[layer], ys[layer][a]), (xs[layer + 1], ys[layer + 1][b])])
                if cmap is not None:
                    w = float(weights[layer][i, j])
                    colors.append(cmap.to_rgba(w))
                    widths.append(0.4 + 2.6 * abs(w) / norm.vmax)
                else:
                    colors.append((0.45, 0.45, 0.45, 0.8))
                    widths.append(0.8)
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths, zorder=1))

    # The nodes, with their values, the "⋮" of a large layer and the layer's box and label.
    fills = [PALETTE["sky"]] + [PALETTE["orange"]] * (n_layers - 2) + [PALETTE["green"]]
    size_pt = 28.0 if activations is not None else 20.0
    bottom = -(tallest - 1) / 2 - 0.7
    for layer, (x, col) in enumerate(zip(xs, slots, strict=True)):
        for y, node in zip(ys[layer], col, strict=True):
            if node is None:
                ax.text(x, y, "⋮", ha="center", va="center", fontsize=14, fontweight="bold")
                continue
            gone = is_dropped(layer, node)
            ax.plot(
                x,
                y,
                marker="o",
                markersize=size_pt,
                markerfacecolor="#E8E8E8" if gone else _tint(fills[layer]),
                markeredgecolor=PALETTE["grey"] if gone else "black",
                markeredgewidth=1.0,
                linestyle="none",
                zorder=2,
            )
            if gone:
                ax.plot(
                    x,
                    y,
                    marker="x",
                    markersize=size_pt * 0.6,
                    markeredgewidth=2.0,
                    color=PALETTE["vermillion"],
                    linestyle="none",
                    zorder=3,
                )
            elif activations is not None:
                ax.text(
                    x,
                    y,
                    _node_value(activations[layer][node]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    zorder=3,
                )
        half = (len(col) - 1) / 2 + 0.55
        if boxes:
            ax.add_patch(
                FancyBboxPatch(
                    (x - 0.6, -half),
                    1.2,
                    2 * half,
                    boxstyle="round,pad=0.05,rounding_size=0.3",
                    fill=False,
                    linestyle="--",
                    edgecolor=PALETTE["grey"],
                    linewidth=1.0,
                    zorder=0,
                )
            )
        nodes = "node" if sizes[layer] == 1 else "nodes"
        ax.text(
            x,
            bottom - 0.2,
            f"{_layer_name(layer, n_layers)}\n{sizes[layer]:,} {nodes}",
            ha="center",
            va="top",
            fontsize=9,
        )
    for layer in range(n_layers - 1):
        ax.text(
            (xs[layer] + xs[layer + 1]) / 2,
            (tallest - 1) / 2 + 0.8,
            f"$W_{{{layer + 1}}}$\n{sizes[layer]:,}×{sizes[layer + 1]:,}",
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.set_xlim(xs[0] - 1.5, xs[-1] + 1.5)
    ax.set_ylim(bottom - 1.6, (tallest - 1) / 2 + 2.0)
    finish_axes(ax, frame=False)


def _network_figsize(n_layers: int, tallest: int, panels: int = 1) -> tuple[float, float]:
    width = min(10.0, max(8.0, panels * (1.9 * n_layers + 1.0)))
    return width, 0.45 * tallest + 2.4


def network_diagram(
    layer_sizes: Sequence[int],
    *,
    weights: Sequence[Any] | None = None,
    activations: Sequence[Any] | None = None,
    title: str | None = None,
) -> Figure:
    """Fig. 1: a multilayer perceptron as nodes (circles) in layers joined by weights (lines).

    Each column is a layer (dashed box), labelled with its size; the weight matrix
    between two layers, ``W_n`` of shape ``(n_in, n_out)``, is named above its lines. A
    layer of more than 10 nodes (a 784-pixel input) is drawn as its first 4 and last 3
    nodes with a "⋮" between them.

    Args:
        layer_sizes: nodes per layer, input first: at least 2 positive integers.
        weights: optional, one array ``(n_in, n_out)`` per pair of adjacent layers, e.g. a
            Dense model's ``model.get_weights()`` (its 1-D bias vectors are skipped). Each
            line is then coloured by the sign of its weight (blue positive, red negative,
            colour bar) and its width grows with ``|w|``.
        activations: optional, one vector of node values per layer (``(size,)``), written
            in the nodes (e.g. a forward pass computed by hand).
        title: the figure title; a description of the network by default.

    Returns:
        The figure, one axis (two with ``weights``: the colour bar).

    Raises:
        ValueError: a size that is not a positive integer, fewer than 2 layers, or
            weights/activations whose number or shapes do not match ``layer_sizes``.

    >>> fig = network_diagram([3, 4, 2]); len(fig.axes)
    1
    >>> rng = np.random.default_rng(0)
    >>> ws = [rng.normal(size=(784, 16)), np.zeros(16), rng.normal(size=(16, 10)), np.zeros(10)]
    >>> len(network_diagram([784, 16, 10], weights=ws).axes)  # the network and the colour bar
    2
    """
    sizes = _check_layer_sizes(layer_sizes)
    matrices = None
    norm = None
    if weights is not None:
        arrays = [np.asarray(w, dtype=float) for w in weights]
        matrices = [w for w in arrays if w.ndim != 1]  # biases from get_weights()
        if len(matrices) != len(sizes) - 1:
            raise ValueError(
                f"`weights` must hold {len(sizes) - 1} matrices (one per pair of adjacent "
                f"layers), got {len(matrices)}"
            )
        for i, w in enumerate(matrices):
            expected = (sizes[i], sizes[i + 1])
            if w.shape != expected:
                raise ValueError(
                    f"`weights[{i}]` must have shape {expected} (n_in, n_out) for layers "
                    f"{i} and {i + 1}, got {w.shape}"
                )
            if not np.all(np.isfinite(w)):
                raise ValueError(f"`weights[{i}]` contains NaN or infinite values")
        limit = max(float(np.abs(w).max()) for w in matrices) or 1.0
        norm = Normalize(-limit, limit)
    values = None
    if activations is not None:
        values = [np.asarray(a, dtype=float).reshape(-1) for a in activations]
        if len(values) != len(sizes):
            raise ValueError(
                f"`activations` must hold one vector per layer ({len(sizes)}), got {len(values)}"
            )
        for i, a in enumerate(values):
            if a.shape != (sizes[i],):
                raise ValueError(
                    f"`activations[{i}]` must hold {sizes[i]} values (layer {i}), got {a.size}"
                )
    tallest = max(len(_drawn_nodes(s)) for s in sizes)
    fig, ax = subplots(figsize=_network_figsize(len(sizes), tallest))
    _draw_network(ax, sizes, weights=matrices, norm=norm, activations=values)
    if norm is not None:
        fig.colorbar(
            ScalarMappable(norm=norm, cmap=_WEIGHT_CMAP),
            ax=ax,
            shrink=0.7,
            label="weight (line width: |w|)",
        )
    shape = " → ".join(f"{s:,}" for s in sizes)
    return finish(fig, title or f"A multilayer perceptron {shape}: nodes joined by weights")


def dropout_masks(
    layer_sizes: Sequence[int] = (4, 6, 6, 3), *, rate: float = 0.5, seed: int = 0
) -> list[np.ndarray]:
    """The nodes :func:`dropout_diagram` drops: one boolean mask per layer, ``True`` = dropped.

    Each hidden node is dropped with probability ``rate``, drawn from
    ``np.random.default_rng(seed)`` layer by layer (the same seed, the same nodes);
    input and output nodes are never dropped.

    >>> [m.astype(int).tolist() for m in dropout_masks((2, 4, 1), rate=0.5, seed=0)]
    [[0, 0], [0, 1, 1, 1], [0]]
    """
    sizes = _check_layer_sizes(layer_sizes)
    if (
        isinstance(rate, bool)
        or not isinstance(rate, (int, float, np.integer, np.floating))
        or not 0 <= rate < 1
    ):
        raise ValueError(f"`rate` must be a probability in [0, 1), got {rate!r}")
    seed = check_positive_int(seed, "seed", allow_zero=True)
    rng = np.random.default_rng(seed)
    masks = [np.zeros(sizes[0], dtype=bool)]
    masks += [rng.random(s) < rate for s in sizes[1:-1]]
    return [*masks, np.zeros(sizes[-1], dtype=bool)]


def dropout_diagram(
    layer_sizes: Sequence[int] = (4, 6, 6, 3),
    *,
    rate: float = 0.5,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """Fig. 10: a network, and the same network with dropout's dropped nodes removed.

    Left, the full network; right, one training step's thinned network: each hidden
    node dropped with probability ``rate`` (:func:`dropout_masks`, from ``seed``) is
    greyed and crossed out and its weights are gone. Each panel's title counts the hidden
    nodes it keeps. Every layer is drawn whole, so sizes are at most 10.

    Args:
        layer_sizes: nodes per layer, input first: 3 or more positive integers, each <= 10.
        rate: the probability of dropping a hidden node, in ``[0, 1)`` (Keras' ``Dropout``
            ``rate``).
        seed: the NumPy ``Generator`` seed that picks the dropped nodes.
        title: the figure title; a description by default.

    Returns:
        The figure, two axes (full network, after dropout).

    Raises:
        ValueError: bad ``layer_sizes`` (fewer than 3 layers, a size over 10), ``rate``
            outside ``[0, 1)`` or a negative ``seed``.

    >>> fig = dropout_diagram(seed=1); fig.axes[1].get_title()
    'After dropout (rate 0.5): 7 of 12 hidden nodes kept'
    """
    sizes = _check_layer_sizes(layer_sizes)
    if len(sizes) < 3:
        raise ValueError(f"`layer_sizes` needs a hidden layer (3 or more sizes), got {sizes}")
    if max(sizes) > _MAX_DRAWN:
        raise ValueError(
            f"`layer_sizes` must be at most {_MAX_DRAWN} per layer so that every node "
            f"is drawn, got {sizes}"
        )
    masks = dropout_masks(sizes, rate=rate, seed=seed)
    hidden = sum(sizes[1:-1])
    kept = hidden - sum(int(m.sum()) for m in masks)
    fig, (left, right) = subplots(1, 2, figsize=_network_figsize(len(sizes), max(sizes), 2))
    _draw_network(left, sizes, boxes=False)
    _draw_network(right, sizes, dropped=masks, boxes=False)
    finish_axes(left, title=f"Standard network: all {hidden} hidden nodes")
    finish_axes(right, title=f"After dropout (rate {rate:g}): {kept} of {hidden} hidden nodes kept")
    right.text(
        0.5,
        -0.02,
        f"× dropped this step (output 0); kept outputs scaled by 1/(1 − {rate:g})."
        "\nA new draw every training step; no node is dropped at inference.",
        transform=right.transAxes,
        ha="center",
        va="top",
        fontsize=8,
    )
    return finish(fig, title or "Dropout: hidden nodes switched off at random while training")


# --------------------------------------------------------------------------------------
# Fig. 3: the CNN pipeline
# --------------------------------------------------------------------------------------


def _stage_kind(name: str, kind: str) -> str:
    text = f"{name} {kind}".lower()
    for key, words in (
        ("input", ("input",)),
        ("pool", ("pool",)),
        ("conv", ("conv",)),
        ("flatten", ("flatten",)),
        ("dense", ("dense", "fc", "fully", "output", "logit", "class")),
    ):
        if any(w in text for w in words):
            return key
    return "other"


_STAGE_COLORS = {
    "input": PALETTE["grey"],
    "conv": PALETTE["blue"],
    "pool": PALETTE["orange"],
    "flatten": PALETTE["yellow"],
    "dense": PALETTE["green"],
    "other": PALETTE["purple"],
}


def _model_stages(model: keras.Model) -> list[tuple[str, str, tuple]]:
    """(name, class name, output shape without the batch axis) of a built Keras model."""
    try:
        inputs = model.inputs
        shape = tuple(inputs[0].shape[1:])
    except (AttributeError, ValueError, TypeError, IndexError):
        raise ValueError(
            "`model_or_shapes`: the model has no input shape yet; build it with "
            "keras.Input(...) (or call it on data) first"
        ) from None
    stages = [("input", "Input", shape)]
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        try:
            out = tuple(layer.output.shape[1:])
        except (AttributeError, ValueError, TypeError):
            raise ValueError(
                f"`model_or_shapes`: layer {layer.name!r} has no single output shape "
                "(a model with shared layers or several outputs cannot be drawn as a chain)"
            ) from None
        if out == stages[-1][2] and getattr(layer, "kernel", None) is None:
            continue  # Dropout, BatchNormalization, Activation, Rescaling: same shape
        stages.append((layer.name, kind, out))
    return stages


def _check_stages(stages) -> list[tuple[str, str, tuple]]:
    checked = []
    for i, stage in enumerate(stages):
        if not (isinstance(stage, tuple | list) and len(stage) == 2):
            raise ValueError(f"`model_or_shapes[{i}]` must be a (name, shape) tuple, got {stage!r}")
        name, shape = stage
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(shape)
        if not 1 <= len(shape) <= 3 or not all(
            isinstance(s, (int, np.integer)) and s >= 1 for s in shape
        ):
            raise ValueError(
                f"`model_or_shapes[{i}]`: the shape of {name!r} must be 1 to 3 positive "
                f"integers (height, width, channels) or (units,), got {shape}"
            )
        checked.append((str(name), "", tuple(int(s) for s in shape)))
    if not checked:
        raise ValueError("`model_or_shapes` must hold at least one (name, shape) stage")
    return checked


def _cuboid(ax: Axes, x: float, h: float, t: float, d: float, color: str) -> None:
    """A block centred on y = 0: front face ``t`` wide and ``h`` tall, depth ``d`` at 45°."""
    dx = dy = d / math.sqrt(2)
    y0, y1 = -h / 2, h / 2
    faces = (
        ([(x, y0), (x + t, y0), (x + t, y1), (x, y1)], 0.55),  # front
        ([(x, y1), (x + t, y1), (x + t + dx, y1 + dy), (x + dx, y1 + dy)], 0.35),  # top
        ([(x + t, y0), (x + t + dx, y0 + dy), (x + t + dx, y1 + dy), (x + t, y1)], 0.8),
    )
    for corners, amount in faces:
        ax.add_patch(
            Polygon(
                corners,
                closed=True,
                facecolor=_tint(color, amount),
                edgecolor="black",
                linewidth=0.8,
            )
        )


def cnn_pipeline_diagram(
    model_or_shapes: keras.Model | Sequence[tuple[str, Sequence[int] | int]],
    *,
    title: str | None = None,
) -> Figure:
    """Fig. 3: a CNN as a pipeline of blocks, input -> conv -> pool -> ... -> dense.

    Each feature map ``height×width×channels`` is a block whose height and depth grow
    with its spatial size and whose thickness grows with its channels (log scale); a
    vector (flatten, dense) is a bar whose height grows with its length (log scale).
    Each block is labelled with its name and layer kind above and its output shape below,
    coloured by kind (convolution, pooling, flatten, dense), and the feature-extraction
    and fully connected parts are bracketed.

    Args:
        model_or_shapes: a built ``keras.Model`` (every layer's output shape and class
            name are read; layers without a kernel that keep the shape, such as
            ``Dropout``, ``BatchNormalization`` or ``Activation``, are left out; a
            branching model is drawn in layer order), or a list of ``(name, shape)``
            tuples, shape ``(height, width, channels)`` or ``(units,)`` without the
            batch axis, whose names say the kind ("conv", "pool", "flatten", "dense").
        title: the figure title; a description by default.

    Returns:
        The figure, one axis.

    Raises:
        ValueError: a model without an input shape or with layers of several outputs,
            or stages that are not ``(name, shape)`` with 1 to 3 positive sizes.

    >>> stages = [("input", (28, 28, 1)), ("conv", (26, 26, 32)), ("pool", (13, 13, 32)),
    ...           ("flatten", (5408,)), ("dense", (10,))]
    >>> fig = cnn_pipeline_diagram(stages); "26×26×32" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    if hasattr(model_or_shapes, "layers"):
        stages = _model_stages(model_or_shapes)
        source = getattr(model_or_shapes, "name", "the model")
    elif isinstance(model_or_shapes, (str, bytes)) or not isinstance(model_or_shapes, Sequence):
        raise ValueError(
            "`model_or_shapes` must be a built keras.Model or a list of (name, shape) "
            f"tuples, got {type(model_or_shapes).__name__}"
        )
    else:
        stages = _check_stages(model_or_shapes)
        source = None

    def known(s):
        return 1 if s is None else s

    maps = [s for _, _, s in stages if len(s) == 3]
    vectors = [s for _, _, s in stages if len(s) != 3]
    h_max = max((known(s[0]) for s in maps), default=1)
    v_max = max((math.prod(known(d) for d in s) for s in vectors), default=1)
    n = len(stages)
    slot = 2.6
    tall = 3.2
    xs, geometry = [], []
    for i, (_, _, shape) in enumerate(stages):
        if len(shape) == 3:
            height, width, channels = (known(s) for s in shape)
            h = 0.5 + (tall - 0.5) * height / h_max
            d = 0.45 * h * width / height
            t = 0.12 + 0.1 * math.log2(channels)
        else:
            units = math.prod(known(s) for s in shape)
            h = 0.5 + (tall - 0.5) * math.log1p(units) / math.log1p(max(v_max, 2))
            d, t = 0.0, 0.3
        x = i * slot - (t + d / math.sqrt(2)) / 2
        xs.append(x)
        geometry.append((h, t, d))

    inches = min(12.0, max(8.0, 1.3 * n + 0.6))
    fontsize = 8 if inches / n >= 1.05 else 7
    fig, ax = subplots(figsize=(inches, 4.6))
    top = max(h / 2 + d / math.sqrt(2) for h, _, d in geometry) + 0.35
    bottom = -tall / 2 - 0.35
    stagger = inches / n < 0.95  # labels on two rows when the slots are narrow
    for i, ((name, kind, shape), x, (h, t, d)) in enumerate(zip(stages, xs, geometry, strict=True)):
        color = _STAGE_COLORS[_stage_kind(name, kind)]
        if len(shape) == 3:
            _cuboid(ax, x, h, t, d, color)
        else:
            ax.add_patch(
                Rectangle(
                    (x, -h / 2), t, h, facecolor=_tint(color), edgecolor="black", linewidth=0.8
                )
            )
        centre = i * slot
        raise_by = 0.7 if stagger and i % 2 else 0.0
        label = name if not kind or kind.lower() == name.lower() else f"{name}\n{kind}"
        ax.text(
            centre,
            top + raise_by,
            label,
            ha="center",
            va="bottom",
            fontsize=fontsize,
            fontweight="bold" if kind else "normal",
        )
        ax.text(
            centre, bottom - raise_by, _shape_text(shape), ha="center", va="top", fontsize=fontsize
        )
        if i + 1 < n:
            start = x + t + d / math.sqrt(2) + 0.08
            ax.annotate(
                "",
                xy=(xs[i + 1] - 0.08, 0),
                xytext=(start, 0),
                arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.0},
            )
    # Brackets: the convolution/pooling part and the fully connected part.
    first_vector = next((i for i, (_, _, s) in enumerate(stages) if len(s) != 3), None)
    y_bracket = bottom - (1.5 if stagger else 0.8)
    parts = []
    if first_vector is not None and first_vector > 1:
        parts.append((1, first_vector - 1, "feature extraction: convolution + pooling"))
    if first_vector is not None:
        parts.append((first_vector, n - 1, "classification: fully connected (MLP)"))
    for start, end, text in parts:
        left, right = start * slot - slot * 0.42, end * slot + slot * 0.42
        ax.plot(
            [left, left, right, right],
            [y_bracket + 0.15, y_bracket, y_bracket, y_bracket + 0.15],
            color="black",
            linewidth=1.0,
        )
        ax.text(
            (left + right) / 2, y_bracket - 0.12, text, ha="center", va="top", fontsize=fontsize + 1
        )
    ax.set_xlim(-slot / 2, (n - 0.5) * slot)
    ax.set_ylim(y_bracket - 0.9, top + (2.1 if stagger else 1.4))
    finish_axes(ax, frame=False)
    description = f" ({source})" if source else ""
    return finish(fig, title or f"The CNN pipeline{description}: each layer's output shape")


# --------------------------------------------------------------------------------------
# Fig. 4: a convolution, one output cell at a time
# --------------------------------------------------------------------------------------

_MAX_GRID = 16
_HIGHLIGHT = _tint(PALETTE["orange"], 0.45)


def _check_grid(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"`{name}` must be a 2-D array of numbers, got dtype {array.dtype}")
    check_rank(array, name, (2,))
    if array.size == 0:
        raise ValueError(f"`{name}` is empty, got shape {array.shape}")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinite values")
    if max(array.shape) > _MAX_GRID:
        raise ValueError(
            f"`{name}` must be at most {_MAX_GRID}×{_MAX_GRID} to write its numbers, got "
            f"shape {array.shape}; crop a patch (e.g. image[10:18, 10:18])"
        )
    return array


def valid_cross_correlation(image: ArrayLike, kernel: ArrayLike) -> np.ndarray:
    """What Keras' ``Conv2D`` computes on one channel (``padding="valid"``, stride 1):
    ``out[i, j] = sum(image[i:i+kh, j:j+kw] * kernel)``, shape ``(h-kh+1, w-kw+1)``.

    >>> valid_cross_correlation(np.arange(9).reshape(3, 3), np.eye(2))
    array([[ 4.,  6.],
           [10., 12.]])
    """
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def _grid(
    ax: Axes,
    values: np.ndarray,
    x0: float,
    y0: float,
    fill,
    cell_pt: float,
    *,
    weight: str = "normal",
    lit: tuple[int, int, int, int] | None = None,
) -> None:
    """A grid of numbered cells, top-left corner at (x0, y0), y pointing down, each cell
    ``cell_pt`` points wide; the cells ``lit = (row, column, rows, columns)`` are filled
    with the highlight colour. The numbers' size fits the longest in a cell."""
    rows, cols = values.shape
    longest = max(len(_number(v)) for v in values.ravel())
    fontsize = max(5.0, min(12.0, 0.4 * cell_pt, 0.85 * cell_pt / (0.62 * max(longest, 1))))
    for r in range(rows):
        for c in range(cols):
            on = lit is not None and lit[0] <= r < lit[0] + lit[2] and lit[1] <= c < lit[1] + lit[3]
            face = _HIGHLIGHT if on else fill
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 + r),
                    1,
                    1,
                    facecolor=face,
                    edgecolor="black",
                    linewidth=0.8,
                )
            )
            ax.text(
                x0 + c + 0.5,
                y0 + r + 0.5,
                _number(values[r, c]),
                ha="center",
                va="center",
                fontsize=fontsize,
                fontweight=weight,
                bbox={"facecolor": face, "edgecolor": "none", "pad": 0.5},  # hides the arrow
            )


def _arithmetic(window: np.ndarray, kernel: np.ndarray, result: float) -> str:
    """``'1×0 + 2×1 + 0×(−1) + ... = 7'``, one kernel row per line when it is long."""

    def term(a, b):
        b_text = _number(b)
        return f"{_number(a)}×" + (f"({b_text})" if b < 0 else b_text)

    rows = [
        " + ".join(term(a, b) for a, b in zip(w, k, strict=True))
        for w, k in zip(window, kernel, strict=True)
    ]
    line = " + ".join(rows) + f" = {_number(result)}"
    if len(line) <= 80:
        return line
    return " +\n".join(rows) + f"\n= {_number(result)}"


def convolution_diagram(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    position: tuple[int, int] = (0, 0),
    title: str | None = None,
) -> Figure:
    """Fig. 4: the kernel over one window of the input, and the output cell it computes.

    Left, the input grid with the window at ``position`` highlighted; middle, the kernel;
    right, the whole output (feature map) of the valid cross-correlation (what
    ``Conv2D`` computes, :func:`valid_cross_correlation`) with the current cell
    highlighted and an arrow from the window to it. Below, that cell's arithmetic
    written out, ``1×0 + 2×1 + ... = 7``. Draw it for several positions to show the
    kernel sliding.

    Args:
        image: a 2-D array of numbers, at most 16×16 (a patch of an image).
        kernel: a 2-D array no larger than ``image`` in either dimension.
        position: ``(row, column)`` of the window's top-left corner, which is also the
            output cell computed: ``0 <= row <= h - kh`` and ``0 <= column <= w - kw``.
        title: the figure title; a description by default.

    Returns:
        The figure, one axis.

    Raises:
        ValueError: ``image`` or ``kernel`` not 2-D and finite, a kernel larger than the
            image, or a ``position`` out of range.

    >>> image = np.arange(16).reshape(4, 4); kernel = np.array([[1, 0], [0, -1]])
    >>> fig = convolution_diagram(image, kernel, position=(1, 2))
    >>> [t.get_text() for t in fig.axes[0].texts if " = " in t.get_text()]
    ['6×1 + 7×0 + 10×0 + 11×(−1) = −5']
    """
    image = _check_grid(image, "image")
    kernel = _check_grid(kernel, "kernel")
    (h, w), (kh, kw) = image.shape, kernel.shape
    if kh > h or kw > w:
        raise ValueError(f"`kernel` {kernel.shape} must not be larger than `image` {image.shape}")
    oh, ow = h - kh + 1, w - kw + 1
    try:
        row, col = (int(p) for p in position)
    except (TypeError, ValueError):
        raise ValueError(f"`position` must be (row, column), got {position!r}") from None
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(
            f"`position` must be a window's top-left corner, row in [0, {oh - 1}] and "
            f"column in [0, {ow - 1}] for a {kh}×{kw} kernel on a {h}×{w} image, "
            f"got {tuple(position)}"
        )
    output = valid_cross_correlation(image, kernel)
    window = image[row : row + kh, col : col + kw]
    result = float(np.sum(window * kernel))

    gap = 1.8
    x_kernel = w + gap
    x_output = x_kernel + kw + gap
    y_kernel, y_output = (h - kh) / 2, (h - oh) / 2
    text = _arithmetic(window, kernel, result)
    lines = text.count("\n") + 1
    arrow_y = -0.7  # the arrow runs above every grid
    width_units = x_output + ow + 1.0
    height_units = h + 3.6 + 0.6 * lines
    inches = 9.0 if width_units > 12 else 8.0
    fig_height = min(8.0, max(3.6, inches * height_units / width_units + 0.6))
    unit_pt = 72 * min(inches / width_units, (fig_height - 0.6) / height_units)
    symbol_size = max(8.0, min(18.0, 0.6 * unit_pt))

    fig, ax = subplots(figsize=(inches, fig_height))
    _grid(ax, image, 0, 0, "white", unit_pt, lit=(row, col, kh, kw))
    _grid(ax, kernel, x_kernel, y_kernel, _tint(PALETTE["sky"], 0.45), unit_pt, weight="bold")
    _grid(ax, output, x_output, y_output, "white", unit_pt, lit=(row, col, 1, 1))
    for x, y, cw, ch in ((col, row, kw, kh), (x_output + col, y_output + row, 1, 1)):
        ax.add_patch(
            Rectangle(
                (x, y), cw, ch, fill=False, edgecolor=PALETTE["vermillion"], linewidth=2.5, zorder=3
            )
        )
    symbol_y = h / 2
    ax.text(w + gap / 2, symbol_y, "⊛", ha="center", va="center", fontsize=symbol_size)
    ax.text(x_kernel + kw + gap / 2, symbol_y, "=", ha="center", va="center", fontsize=symbol_size)
    # The arrow from the window up, over the grids and down into the output cell.
    start, end = (col + kw / 2, row), (x_output + col + 0.5, y_output + row)
    corners = [start, (start[0], arrow_y), (end[0], arrow_y), end]
    ax.add_patch(
        FancyArrowPatch(
            path=Path(corners, [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO]),
            arrowstyle="-|>,head_length=6,head_width=3",
            color=PALETTE["vermillion"],
            linewidth=1.5,
            zorder=2,  # above the cell faces, beneath the numbers
        )
    )
    ax.text(
        (start[0] + end[0]) / 2,
        arrow_y - 0.12,
        "the window's sum of products → one output value",
        ha="center",
        va="bottom",
        fontsize=9,
        color=PALETTE["vermillion"],
    )
    label_y = h + 0.35
    ax.text(w / 2, label_y, f"input {h}×{w}", ha="center", va="top", fontsize=10)
    ax.text(x_kernel + kw / 2, label_y, f"kernel {kh}×{kw}", ha="center", va="top", fontsize=10)
    ax.text(
        x_output + ow / 2,
        label_y,
        f"output (feature map) {oh}×{ow}",
        ha="center",
        va="top",
        fontsize=10,
    )
    ax.text(
        width_units / 2 - 0.5,
        label_y + 1.0,
        text,
        ha="center",
        va="top",
        fontsize=10,
        bbox={
            "boxstyle": "round",
            "facecolor": _tint(PALETTE["orange"], 0.2),
            "edgecolor": PALETTE["orange"],
        },
    )
    ax.set_xlim(-0.5, width_units - 0.5)
    ax.set_ylim(label_y + 1.5 + 0.6 * lines, arrow_y - 1.3)
    ax.set_aspect("equal")
    finish_axes(ax, frame=False)
    return finish(
        fig,
        title
        or f"Convolution: the {kh}×{kw} kernel over the window at row {row}, "
        f"column {col} gives one output value",
    )


# --------------------------------------------------------------------------------------
# Fig. 8: backpropagation through one neuron
# --------------------------------------------------------------------------------------

_ACTIVATIONS = ("sigmoid", "relu")


def backprop_values(
    x: float, w: float, b: float, y: float, *, activation: str = "sigmoid"
) -> dict[str, float]:
    """The forward values and the chain-rule gradients of one neuron and its loss.

    ``wx = w·x``, ``z = wx + b``, ``a = σ(z)`` (or ``relu(z)``), ``L = (a − y)²/2``; the
    gradients ``dL/d(node)`` are computed backwards by the chain rule: ``dL/da = a − y``,
    ``dL/dz = dL/da · σ'(z)`` (``σ' = a(1 − a)``; ReLU's is 1 for ``z > 0``, else 0, as
    TensorFlow takes it), ``dL/db = dL/dwx = dL/dz``, ``dL/dw = dL/dwx · x``,
    ``dL/dx = dL/dwx · w``.

    Returns:
        ``{"x", "w", "b", "y", "wx", "z", "a", "L"}`` (forward), the activation's local
        derivative ``"da/dz"`` and ``{"dL/dL", "dL/da", "dL/dz", "dL/dwx", "dL/db",
        "dL/dw", "dL/dx"}`` (backward), as floats.

    >>> v = backprop_values(1.5, 0.8, -0.5, 1.0)
    >>> round(v["z"], 3), round(v["a"], 3), round(v["dL/dw"], 4)
    (0.7, 0.668, -0.1104)
    """
    check_choice(activation, "activation", _ACTIVATIONS)
    numbers = {}
    for name, value in (("x", x), ("w", w), ("b", b), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"`{name}` must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"`{name}` must be finite, got {value!r}")
        numbers[name] = float(value)
    x, w, b, y = numbers["x"], numbers["w"], numbers["b"], numbers["y"]
    wx = w * x
    z = wx + b
    if activation == "sigmoid":
        a = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        da_dz = a * (1.0 - a)
    else:
        a = max(z, 0.0)
        da_dz = 1.0 if z > 0 else 0.0
    loss = 0.5 * (a - y) ** 2
    dl_da = a - y
    dl_dz = dl_da * da_dz
    return {
        **numbers,
        "wx": wx,
        "z": z,
        "a": a,
        "L": loss,
        "dL/dL": 1.0,
        "dL/da": dl_da,
        "da/dz": da_dz,
        "dL/dz": dl_dz,
        "dL/dwx": dl_dz,
        "dL/db": dl_dz,
        "dL/dw": dl_dz * x,
        "dL/dx": dl_dz * w,
    }


def backprop_diagram(
    x: float = 1.5,
    w: float = 0.8,
    b: float = -0.5,
    y: float = 1.0,
    *,
    activation: str = "sigmoid",
    title: str | None = None,
) -> Figure:
    """Fig. 8: the computation graph of one neuron with its loss, forward and backward.

    ``z = w·x + b``, ``a = σ(z)`` (or ReLU), ``L = (a − y)²/2``, drawn as nodes ``x``,
    ``w``, ``b``, ``y`` (inputs) and ``×``, ``+``, ``σ``, ``L`` (operations). Each edge
    carries its forward value above it (black) and the gradient ``∂L/∂(that value)``
    below it (vermillion), from :func:`backprop_values`: the backward pass starts with
    ``∂L/∂L = 1`` at the right and multiplies local derivatives leftwards. Under the
    graph, the chain rule for ``∂L/∂w`` with its numbers, and the gradient-descent step.

    Args:
        x: the input.
        w: the weight.
        b: the bias.
        y: the target.
        activation: ``"sigmoid"`` or ``"relu"``.
        title: the figure title; a description by default.

    Returns:
        The figure, one axis.

    Raises:
        ValueError: a value that is not a finite number, or an unknown ``activation``.

    >>> fig = backprop_diagram(); any("-0.110" in t.get_text() for t in fig.axes[0].texts)
    True
    """
    v = backprop_values(x, w, b, y, activation=activation)
    sigma = "σ" if activation == "sigmoid" else "ReLU"
    fig, ax = subplots(figsize=(10.0, 5.4))
    leaf = {"x": (0.0, 3.0), "w": (0.0, -0.6), "b": (3.8, -2.2), "y": (11.4, -2.2)}
    ops = {"×": (3.8, 1.2), "+": (7.6, 1.2), sigma: (11.4, 1.2), "L": (15.2, 1.2)}
    out = (18.0, 1.2)
    for name, (px, py) in leaf.items():
        ax.add_patch(
            FancyBboxPatch(
                (px - 0.45, py - 0.4),
                0.9,
                0.8,
                boxstyle="round,pad=0.05,rounding_size=0.2",
                facecolor=_tint(PALETTE["sky"]),
                edgecolor="black",
            )
        )
        ax.text(px, py, f"${name}$", ha="center", va="center", fontsize=14)
    for name, (px, py) in ops.items():
        ax.add_patch(
            Circle((px, py), 0.45, facecolor=_tint(PALETTE["orange"]), edgecolor="black", zorder=2)
        )
        ax.text(
            px, py, name, ha="center", va="center", fontsize=12 if len(name) < 3 else 9, zorder=3
        )
    ax.text(ops["L"][0], ops["L"][1] - 0.8, "½(a − y)²", ha="center", va="top", fontsize=10)

    def edge(start, end, forward, backward, *, r0=0.5, r1=0.6):
        (x0, y0), (x1, y1) = start, end
        length = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        ax.annotate(
            "",
            xy=(x1 - ux * r1, y1 - uy * r1),
            xytext=(x0 + ux * r0, y0 + uy * r0),
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        )
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        nx, ny = -uy, ux  # the normal that points "above" the edge
        for text, sign, color in ((forward, 1, _FORWARD), (backward, -1, _BACKWARD)):
            if text:
                ax.text(
                    mx + sign * 0.3 * nx,
                    my + sign * 0.3 * ny,
                    text,
                    ha="center",
                    va="center",
                    rotation=angle,
                    rotation_mode="anchor",
                    fontsize=9.5,
                    color=color,
                )

    def fwd(name, label=None):
        return f"${label or name} = {v[name]:.3f}$"

    def grad(name, label=None):
        return rf"$\partial L/\partial {label or name} = {v['dL/d' + name]:.3f}$"

    edge(leaf["x"], ops["×"], fwd("x"), grad("x"), r0=0.45)
    edge(leaf["w"], ops["×"], fwd("w"), grad("w"), r0=0.45)
    edge(ops["×"], ops["+"], fwd("wx", "wx"), grad("wx", "(wx)"), r0=0.55)
    edge(leaf["b"], ops["+"], fwd("b"), grad("b"), r0=0.45)
    edge(ops["+"], ops[sigma], fwd("z"), grad("z"), r0=0.55)
    edge(ops[sigma], ops["L"], fwd("a"), grad("a"), r0=0.55)
    edge(leaf["y"], ops["L"], fwd("y"), "", r0=0.45)
    edge(ops["L"], out, fwd("L"), grad("L"), r0=0.55, r1=0.0)

    derivative = "a(1 − a)" if activation == "sigmoid" else "[z > 0]"
    numbers = " × ".join(f"{v[k]:.3f}" for k in ("dL/da", "da/dz", "x"))
    chain = (
        f"chain rule:  ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w = (a − y) · {derivative} · x"
        f" = {numbers} = {v['dL/dw']:.3f}"
    ).replace("-", "\N{MINUS SIGN}")
    step = "gradient descent:  w ← w − η · ∂L/∂w  (and the same for b)"
    ax.text(9.0, -3.4, chain, ha="center", va="top", fontsize=10)
    ax.text(9.0, -4.05, step, ha="center", va="top", fontsize=10)
    ax.text(
        9.0,
        4.3,
        "forward: values, left to right (black, above each edge)",
        ha="center",
        va="bottom",
        fontsize=9,
        color=_FORWARD,
    )
    ax.text(
        9.0,
        3.8,
        "backward: gradients ∂L/∂(value), right to left (below each edge)",
        ha="center",
        va="bottom",
        fontsize=9,
        color=_BACKWARD,
    )
    ax.set_xlim(-0.7, 18.4)
    ax.set_ylim(-4.7, 4.9)
    _bare_axes(ax)
    act = "σ(z)" if activation == "sigmoid" else "ReLU(z)"
    return finish(
        fig, title or f"Backpropagation through one neuron: z = w·x + b, a = {act}, L = (a − y)²/2"
    )


# --------------------------------------------------------------------------------------
# Fig. 13: the residual block
# --------------------------------------------------------------------------------------


def residual_block_diagram(*, title: str | None = None) -> Figure:
    """Fig. 13: the residual block, ``y = ReLU(F(x) + x)``, with its identity shortcut.

    ``x`` goes through weight layer -> ReLU -> weight layer (together ``F(x)``, the
    residual the layers learn) and, unchanged, along the shortcut arc to the ``+``, which
    outputs ``F(x) + x`` before the last ReLU (He et al. 2015, Fig. 2).

    Args:
        title: the figure title; a description by default.

    Returns:
        The figure, one axis.

    >>> fig = residual_block_diagram(); "F(x) + x" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    fig, ax = subplots(figsize=(10.0, 3.8))
    boxes = [
        (2.2, "weight layer\n(3×3 conv)", PALETTE["blue"]),
        (4.6, "ReLU", PALETTE["orange"]),
        (7.0, "weight layer\n(3×3 conv)", PALETTE["blue"]),
        (11.8, "ReLU", PALETTE["orange"]),
    ]
    half_w, half_h = 0.85, 0.5
    for cx, label, color in boxes:
        ax.add_patch(
            FancyBboxPatch(
                (cx - half_w, -half_h),
                2 * half_w,
                2 * half_h,
                boxstyle="round,pad=0.04,rounding_size=0.15",
                facecolor=_tint(color, 0.4),
                edgecolor="black",
            )
        )
        ax.text(cx, 0, label, ha="center", va="center", fontsize=9)
    plus = (9.4, 0.0)
    ax.add_patch(Circle(plus, 0.38, facecolor="white", edgecolor="black", linewidth=1.2))
    ax.text(*plus, "+", ha="center", va="center", fontsize=15)
    ax.text(0.0, 0.0, "$x$", ha="center", va="center", fontsize=15)
    ax.text(14.2, 0.0, "$y$", ha="center", va="center", fontsize=15)
    arrow = {"arrowstyle": "-|>", "color": "black", "lw": 1.2}
    stops = [
        (0.3, 2.2 - half_w),
        (2.2 + half_w, 4.6 - half_w),
        (4.6 + half_w, 7.0 - half_w),
        (7.0 + half_w, plus[0] - 0.38),
        (plus[0] + 0.38, 11.8 - half_w),
        (11.8 + half_w, 13.95),
    ]
    for start, end in stops:
        ax.annotate("", xy=(end, 0), xytext=(start, 0), arrowprops=arrow)
    split = 0.85
    ax.plot(split, 0, marker="o", color="black", markersize=5)
    rise = 1.75
    shortcut = {"color": PALETTE["vermillion"], "lw": 2.0}
    ax.plot(
        [split, split, plus[0]], [0, rise, rise], color=shortcut["color"], linewidth=shortcut["lw"]
    )
    ax.annotate(
        "", xy=(plus[0], 0.4), xytext=(plus[0], rise), arrowprops={"arrowstyle": "-|>", **shortcut}
    )
    ax.text(
        (split + plus[0]) / 2,
        rise + 0.12,
        "identity shortcut: $x$ (no weights)",
        ha="center",
        va="bottom",
        fontsize=10,
        color=shortcut["color"],
    )
    ax.text(
        (7.0 + half_w + plus[0] - 0.38) / 2, 0.12, "F(x)", ha="center", va="bottom", fontsize=10
    )
    ax.text(
        (plus[0] + 0.38 + 11.8 - half_w) / 2,
        0.12,
        "F(x) + x",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    # A brace under the residual branch.
    left, right, low = 2.2 - half_w, 7.0 + half_w, -0.8
    ax.plot(
        [left, left, right, right], [low + 0.15, low, low, low + 0.15], color="black", linewidth=1.0
    )
    ax.text(
        (left + right) / 2,
        low - 0.12,
        "F(x): the residual the two layers learn",
        ha="center",
        va="top",
        fontsize=10,
    )
    ax.text(
        7.2,
        -1.75,
        "y = ReLU(F(x) + x);   ∂(F(x) + x)/∂x = ∂F/∂x + 1: the gradient "
        "always has a path back through the shortcut",
        ha="center",
        va="top",
        fontsize=9.5,
        style="italic",
    )
    ax.set_xlim(-0.6, 14.8)
    ax.set_ylim(-2.5, 2.5)
    _bare_axes(ax)
    return finish(fig, title or "A residual block: the layers learn F(x), the shortcut adds x")
