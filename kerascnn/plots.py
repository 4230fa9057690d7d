"""Every figure the course draws.

Each function returns a ``matplotlib.figure.Figure`` made with ``plt.subplots``: a
notebook shows it, a script can ``fig.savefig(...)`` it. Every figure has a title,
labelled axes and, where classes appear, class names. Nothing here calls ``plt.show``.

In Jupyter, assign the result (``fig = plot_history(history)``) or end the cell with
``;`` to see the figure once rather than twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from kerascnn._checks import check_images, check_positive_int, check_rank, check_value_range
from kerascnn.training import diagnose, history_dict

# Activations that act on a whole vector (not element by element) cannot be drawn as f(x).
_VECTOR_ACTIVATIONS = ("softmax", "log_softmax", "glu", "sparsemax")


# --------------------------------------------------------------------------------------
# Images and predictions
# --------------------------------------------------------------------------------------


def _display_images(images, name: str) -> np.ndarray:
    """Check an image batch and return it as float ``(n, h, w)`` or ``(n, h, w, 3)`` in
    ``[0, 1]``. uint8 and floats above 1 are read as ``[0, 255]``, other floats as ``[0, 1]``.
    """
    images = np.asarray(images)
    check_rank(images, name, (3, 4))
    if images.ndim == 4:
        check_images(images, name, channels=(1, 3), value_range=None)
    check_value_range(images, name, (0.0, 255.0))
    if len(images) == 0:
        raise ValueError(f"`{name}` holds no images")
    in_255 = images.dtype == np.uint8 or images.max() > 1.0
    images = images.astype(np.float32) / (255.0 if in_255 else 1.0)
    return images[..., 0] if images.shape[-1] == 1 and images.ndim == 4 else images


def _class_indices(values, name: str, n: int, num_classes: int | None) -> np.ndarray:
    """Integer labels of length ``n``; 2-D scores/probabilities are reduced by argmax."""
    values = np.asarray(values)
    if values.ndim == 2:
        values = values.argmax(axis=1)
    check_rank(values, name, (1,))
    if len(values) != n:
        raise ValueError(f"`{name}` must have one entry per example ({n}), got {len(values)}")
    if not np.issubdtype(values.dtype, np.integer):
        if not np.all(values == np.round(values)):
            raise ValueError(f"`{name}` must hold integer class indices")
        values = values.astype(np.int64)
    top = num_classes if num_classes is not None else np.inf
    if values.size and (values.min() < 0 or values.max() >= top):
        raise ValueError(f"`{name}` must hold class indices in [0, {num_classes}), "
                         f"got values in [{values.min()}, {values.max()}]")
    return values


def _name(index: int, class_names: Sequence[str] | None) -> str:
    return str(index) if class_names is None else str(class_names[index])


def _image_grid(images: np.ndarray, titles: Sequence[str], colors: Sequence[str], ncols: int,
                suptitle: str) -> Figure:
    """Images in a grid, one titled axis per image (unused cells removed)."""
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, 1.9 * nrows + 0.5),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            fig.delaxes(ax)
            continue
        ax.imshow(images[i], cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_title(titles[i], color=colors[i], fontsize=8)
        ax.axis("off")
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_images(
    images,
    labels=None,
    predictions=None,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    *,
    max_images: int = 32,
    title: str | None = None,
) -> Figure:
    """Show images in a grid, titled by class; a wrong prediction gets a red title.

    Args:
        images: ``(n, h, w)``, ``(n, h, w, 1)`` or ``(n, h, w, 3)``; uint8 in ``[0, 255]``
            or float in ``[0, 1]`` (floats above 1 are read as ``[0, 255]``).
        labels: the true classes ``(n,)``, or ``None``.
        predictions: predicted classes ``(n,)`` or the model's probabilities
            ``(n, classes)`` (their argmax is taken), or ``None``.
        class_names: names for the class indices (e.g. ``data.CLASS_NAMES``).
        ncols: images per row.
        max_images: show at most this many (the first ones).
        title: the figure title; a sensible one by default.

    Returns:
        The figure, one axis per image shown.

    >>> fig = show_images(np.zeros((3, 28, 28), np.uint8), labels=[0, 1, 2],
    ...                   predictions=[0, 1, 1], class_names=["a", "b", "c"])
    >>> len(fig.axes), fig.axes[2].get_title()
    (3, 'true: c\\npred: b')
    """
    ncols = check_positive_int(ncols, "ncols")
    max_images = check_positive_int(max_images, "max_images")
    images = _display_images(images, "images")
    n = len(images)
    num_classes = None if class_names is None else len(class_names)
    if labels is not None:
        labels = _class_indices(labels, "labels", n, num_classes)[:max_images]
    if predictions is not None:
        predictions = _class_indices(predictions, "predictions", n, num_classes)[:max_images]
    images = images[:max_images]
    titles, colors = [], []
    for i in range(len(images)):
        if predictions is None:
            titles.append("" if labels is None else _name(labels[i], class_names))
            colors.append("black")
        elif labels is None:
            titles.append(f"pred: {_name(predictions[i], class_names)}")
            colors.append("black")
        elif labels[i] == predictions[i]:
            titles.append(_name(labels[i], class_names))
            colors.append("black")
        else:
            titles.append(f"true: {_name(labels[i], class_names)}\n"
                          f"pred: {_name(predictions[i], class_names)}")
            colors.append("red")
    if title is None:
        if predictions is not None and labels is not None:
            wrong = int(np.sum(labels != predictions))
            title = f"Predictions: {wrong} of {len(images)} wrong (in red)"
        else:
            title = f"{len(images)} images" + (" with their labels" if labels is not None else "")
    return _image_grid(images, titles, colors, ncols, title)


def plot_confident_mistakes(
    images,
    y_true,
    probabilities,
    class_names: Sequence[str],
    n: int = 12,
    *,
    ncols: int = 6,
    title: str | None = None,
) -> Figure:
    """The ``n`` wrong predictions the model was most sure of, most confident first.

    ``probabilities`` is the model's output ``(N, classes)`` for ``images`` (same
    formats as :func:`show_images`); each title gives the true class, the predicted
    class and the probability the model gave it.

    >>> probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> fig = plot_confident_mistakes(np.zeros((3, 8, 8)), [1, 1, 1], probs, ["a", "b"])
    >>> [ax.get_title() for ax in fig.axes]
    ['true: b\\npred: a (90%)', 'true: b\\npred: a (60%)']
    """
    n = check_positive_int(n, "n")
    ncols = check_positive_int(ncols, "ncols")
    images = _display_images(images, "images")
    probabilities = np.asarray(probabilities, dtype=float)
    check_rank(probabilities, "probabilities", (2,))
    if len(probabilities) != len(images):
        raise ValueError(f"`probabilities` must have one row per image ({len(images)}), "
                         f"got {len(probabilities)}")
    if probabilities.shape[1] != len(class_names):
        raise ValueError(f"`probabilities` must have one column per class "
                         f"({len(class_names)}), got shape {probabilities.shape}")
    y_true = _class_indices(y_true, "y_true", len(images), len(class_names))
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.text(0.5, 0.5, f"No mistakes on these {len(images)} images", ha="center")
        ax.axis("off")
        ax.set_title(title or "Most confident mistakes")
        return fig
    picked = wrong[np.argsort(-confidence[wrong], kind="stable")][:n]
    titles = [f"true: {class_names[y_true[i]]}\npred: {class_names[predicted[i]]} "
              f"({confidence[i]:.0%})" for i in picked]
    title = title or (f"The {len(picked)} most confident mistakes "
                      f"({len(wrong)} wrong of {len(images)})")
    return _image_grid(images[picked], titles, ["red"] * len(picked), ncols, title)


def plot_confusion_matrix(
    y_true,
    y_pred,
    class_names: Sequence[str],
    *,
    title: str | None = None,
) -> Figure:
    """Confusion matrix (counts) beside the accuracy of each class.

    ``y_pred`` holds predicted classes ``(n,)`` or probabilities ``(n, classes)``. Rows
    are true classes, columns predicted ones; the right panel shows, for each class, the
    fraction of its examples classified correctly (its recall).

    >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"])
    >>> [ax.get_title() for ax in fig.axes]
    ['Confusion matrix (accuracy 75.0%)', 'Per-class accuracy']
    """
    num_classes = len(class_names)
    y_true = np.asarray(y_true)
    y_true = _class_indices(y_true, "y_true", len(y_true), num_classes)
    y_pred = _class_indices(y_pred, "y_pred", len(y_true), num_classes)
    if len(y_true) == 0:
        raise ValueError("`y_true` is empty")
    counts = np.bincount(y_true * num_classes + y_pred,
                         minlength=num_classes**2).reshape(num_classes, num_classes)
    per_class = np.diag(counts) / np.maximum(counts.sum(axis=1), 1)
    accuracy = np.trace(counts) / counts.sum()

    fig, (ax_cm, ax_acc) = plt.subplots(
        1, 2, figsize=(6 + 0.55 * num_classes, 0.5 * num_classes + 2.5),
        gridspec_kw={"width_ratios": [3, 1.3]})
    ax_cm.imshow(counts, cmap="Blues")
    for (row, col), count in np.ndenumerate(counts):
        color = "white" if count > counts.max() / 2 else "black"
        ax_cm.text(col, row, str(count), ha="center", va="center", color=color, fontsize=8)
    ticks = np.arange(num_classes)
    ax_cm.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax_cm.set_yticks(ticks, class_names)
    ax_cm.set_xlabel("predicted class")
    ax_cm.set_ylabel("true class")
    ax_cm.set_title(f"Confusion matrix (accuracy {accuracy:.1%})")

    ax_acc.barh(ticks, per_class, color="C0")
    ax_acc.axvline(accuracy, color="C3", linestyle="--", label=f"overall {accuracy:.1%}")
    for row, value in enumerate(per_class):
        ax_acc.text(min(value, 1.0) + 0.02, row, f"{value:.0%}", va="center", fontsize=8)
    ax_acc.set_yticks(ticks, class_names)
    ax_acc.set_ylim(num_classes - 0.5, -0.5)
    ax_acc.set_xlim(0, 1.2)
    ax_acc.set_xlabel("accuracy (fraction correct)")
    ax_acc.set_ylabel("true class")
    ax_acc.set_title("Per-class accuracy")
    ax_acc.legend(loc="lower right", fontsize=8)
    fig.suptitle(title or "Which classes does the model confuse?")
    fig.tight_layout()
    return fig


def plot_softmax(logits, class_names: Sequence[str], *, title: str | None = None) -> Figure:
    """The logits of one example and the probabilities softmax turns them into.

    Left: the raw outputs ``y_i``; right: ``u_i = exp(y_i) / sum_j exp(y_j)`` computed
    with ``keras.ops.softmax``, the winning class highlighted.

    >>> fig = plot_softmax([1.0, 2.0, 0.5], ["a", "b", "c"]); len(fig.axes)
    2
    """
    logits = np.asarray(logits, dtype=np.float32)
    check_rank(logits, "logits", (1,))
    if len(logits) != len(class_names):
        raise ValueError(f"`logits` must have one value per class ({len(class_names)}), "
                         f"got {len(logits)}")
    check_value_range(logits, "logits", (-np.inf, np.inf))
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits))
    winner = int(probabilities.argmax())
    colors = ["C1" if i == winner else "C0" for i in range(len(logits))]
    positions = np.arange(len(logits))
    fig, (ax_logit, ax_prob) = plt.subplots(1, 2, figsize=(4 + 0.8 * len(logits), 4))
    ax_logit.bar(positions, logits, color=colors)
    ax_logit.axhline(0.0, color="grey", linewidth=0.8)
    ax_logit.set_title("Logits $y_i$ (model outputs)")
    ax_logit.set_ylabel("logit")
    ax_prob.bar(positions, probabilities, color=colors)
    for i, p in enumerate(probabilities):
        ax_prob.text(i, p + 0.02, f"{p:.0%}", ha="center", fontsize=8)
    ax_prob.set_ylim(0, 1.1)
    ax_prob.set_title(r"Softmax $u_i = e^{y_i} / \Sigma_j e^{y_j}$")
    ax_prob.set_ylabel("probability")
    for ax in (ax_logit, ax_prob):
        ax.set_xticks(positions, class_names, rotation=45 if len(logits) > 4 else 0,
                      ha="right" if len(logits) > 4 else "center")
        ax.set_xlabel("class")
    fig.suptitle(title or f"Softmax: the model predicts {class_names[winner]!s} "
                 f"({probabilities[winner]:.0%})")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Activations and learning curves
# --------------------------------------------------------------------------------------


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
    ncols = min(check_positive_int(ncols, "ncols"), len(names))
    low, high = x_range
    if not low < high:
        raise ValueError(f"`x_range` must be (low, high) with low < high, got {x_range}")
    functions = []
    for name in names:
        if name in _VECTOR_ACTIVATIONS:
            raise ValueError(f"`names`: {name!r} acts on a whole vector, not element-wise; "
                             "see plot_softmax for softmax")
        try:
            functions.append(keras.activations.get(name))
        except ValueError:
            raise ValueError(f"`names`: {name!r} is not a keras.activations function") from None
    x = tf.linspace(float(low), float(high), 401)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.9 * nrows), squeeze=False)
    for ax, name, function in zip(axes.flat, names, functions, strict=False):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = function(x)
        ax.plot(x.numpy(), y.numpy(), label="$f(x)$", color="C0")
        if derivatives:
            ax.plot(x.numpy(), tape.gradient(y, x).numpy(), label="$f'(x)$", color="C1",
                    linestyle="--")
        ax.axhline(0.0, color="grey", linewidth=0.6)
        ax.axvline(0.0, color="grey", linewidth=0.6)
        ax.set_title(name)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$f(x)$" + (" and $f'(x)$" if derivatives else ""))
        ax.legend(fontsize=8)
    for ax in axes.flat[len(names):]:
        fig.delaxes(ax)
    fig.suptitle("Activation functions" + (" and their derivatives" if derivatives else ""))
    fig.tight_layout()
    return fig


def plot_history(
    *histories,
    labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Learning curves: accuracy (left) and loss (right), training vs validation, per epoch.

    Each history (a ``keras.callbacks.History`` or its dict) gets one colour: solid for
    training, dashed for validation. When it has validation data, a dotted vertical line
    marks its best epoch (lowest validation loss) and a shaded band the epochs from where
    :func:`kerascnn.training.diagnose` finds overfitting. Pass several histories to
    compare runs (SGD vs Adam, with vs without dropout); ``labels`` names them.
    Epochs are counted from 1, as Keras prints them.

    >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7],
    ...                     "accuracy": [0.6, 0.8], "val_accuracy": [0.5, 0.7]})
    >>> [ax.get_title() for ax in fig.axes]
    ['Accuracy', 'Loss']
    """
    if not histories:
        raise ValueError("give at least one history to plot")
    if labels is None:
        labels = [""] if len(histories) == 1 else [f"run {i + 1}" for i in range(len(histories))]
    if isinstance(labels, str) or len(labels) != len(histories):
        raise ValueError(f"`labels` must name each of the {len(histories)} histories, "
                         f"got {labels!r}")
    curves = [history_dict(history) for history in histories]
    height = 4.0 if len(histories) == 1 else 4.5 + 0.35 * len(histories)
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(11, height))
    verdicts = []
    for i, (metrics, label) in enumerate(zip(curves, labels, strict=True)):
        color, prefix = f"C{i}", f"{label} " if label else ""
        epochs = np.arange(1, len(metrics["loss"]) + 1)
        for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
            if key in metrics:
                ax.plot(epochs, metrics[key], color=color, marker=".",
                        label=f"{prefix}training")
            if f"val_{key}" in metrics:
                ax.plot(epochs, metrics[f"val_{key}"], color=color, marker=".",
                        linestyle="--", label=f"{prefix}validation")
        if "val_loss" not in metrics:
            continue
        diagnosis = diagnose(metrics)
        verdicts.append(diagnosis.verdict)
        for ax in (ax_acc, ax_loss):  # the marks are named once, in the loss legend
            if diagnosis.best_epoch is not None:
                ax.axvline(diagnosis.best_epoch, color=color, linestyle=":",
                           label=f"{prefix}best epoch ({diagnosis.best_epoch})"
                           if ax is ax_loss else None)
            if diagnosis.overfit_epoch is not None:
                ax.axvspan(diagnosis.overfit_epoch, epochs[-1], color=color, alpha=0.12,
                           label=f"{prefix}overfitting from epoch {diagnosis.overfit_epoch}"
                           if ax is ax_loss else None)
    for ax, name in ((ax_acc, "Accuracy"), (ax_loss, "Loss")):
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name.lower())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        if len(histories) == 1:
            ax.legend(fontsize=8)
        else:  # several runs: the legend goes under the axes, clear of the curves
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    if title is None:
        title = "Learning curves"
        if len(histories) == 1 and verdicts:
            title += f": {verdicts[0]}"
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# The 2-D toy problem
# --------------------------------------------------------------------------------------


def plot_decision_boundary(
    model: keras.Model,
    x,
    y,
    *,
    true_boundary: Callable[[np.ndarray], np.ndarray] | None = None,
    class_names: Sequence[str] | None = None,
    resolution: int = 200,
    title: str | None = None,
) -> Figure:
    """The regions a 2-D classifier assigns to each class, with the data points.

    ``model`` maps points ``(n, 2)`` to class probabilities ``(n, classes)`` (or one
    sigmoid output). ``true_boundary``, e.g. :func:`kerascnn.training.toy_true_labels`,
    maps points to their true labels; its boundary is drawn dashed, so an overfit
    model's boundary can be seen hugging single points instead.

    >>> from kerascnn.training import fit_toy_mlp, make_toy_data, toy_true_labels
    >>> x, y = make_toy_data(40)
    >>> model, _ = fit_toy_mlp(x, y, hidden_units=(4,), epochs=1)
    >>> fig = plot_decision_boundary(model, x, y, true_boundary=toy_true_labels)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('$x_1$', '$x_2$')
    """
    x = np.asarray(x, dtype=np.float32)
    check_rank(x, "x", (2,))
    if x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"`x` must hold 2-D points, shape (n, 2), got {x.shape}")
    y = _class_indices(y, "y", len(x), None if class_names is None else len(class_names))
    resolution = check_positive_int(resolution, "resolution")
    pad = 0.5
    xx, yy = np.meshgrid(np.linspace(x[:, 0].min() - pad, x[:, 0].max() + pad, resolution),
                         np.linspace(x[:, 1].min() - pad, x[:, 1].max() + pad, resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    outputs = np.asarray(model.predict(grid, batch_size=8192, verbose=0))
    if outputs.ndim != 2:
        raise ValueError(f"`model` must output (n, classes), got shape {outputs.shape}")
    if outputs.shape[1] == 1:
        predicted, num_classes = (outputs[:, 0] > 0.5).astype(int), 2
    else:
        predicted, num_classes = outputs.argmax(axis=1), outputs.shape[1]
    num_classes = max(num_classes, int(y.max()) + 1)
    levels = np.arange(num_classes + 1) - 0.5
    colors = ListedColormap([f"C{i}" for i in range(num_classes)])

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xx, yy, predicted.reshape(xx.shape), levels=levels, cmap=colors, alpha=0.25)
    ax.contour(xx, yy, predicted.reshape(xx.shape), levels=levels[1:-1], colors="k",
               linewidths=1.2)
    handles = [Line2D([], [], color="k", linewidth=1.2, label="model's boundary")]
    if true_boundary is not None:
        truth = np.asarray(true_boundary(grid)).reshape(xx.shape)
        ax.contour(xx, yy, truth, levels=levels[1:-1], colors="k", linestyles="--",
                   linewidths=1.2)
        handles.append(Line2D([], [], color="k", linestyle="--", linewidth=1.2,
                              label="true boundary"))
    for label in range(num_classes):
        members = y == label
        if members.any():
            handles.append(ax.scatter(x[members, 0], x[members, 1], color=f"C{label}",
                                      edgecolors="k", linewidths=0.4, s=22,
                                      label=_name(label, class_names)))
    ax.legend(handles=handles, fontsize=8, loc="best")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or f"Decision boundary of {model.name}")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Inside a CNN: filters and feature maps
# --------------------------------------------------------------------------------------


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
            raise ValueError(f"`layer_or_weights`: layer {layer_or_weights.name!r} has no "
                             "kernel; pass a Conv2D layer of a built (called or trained) model")
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
    ncols = min(ncols, shown)
    nrows = -(-shown // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols + 1.2, 1.2 * nrows + 0.8),
                             squeeze=False)
    limit = float(np.abs(weights).max()) or 1.0
    for i, ax in enumerate(axes.flat):
        if i >= shown:
            fig.delaxes(ax)
            continue
        if rgb:
            kernel = weights[..., i]
            span = np.ptp(kernel) or 1.0
            image = ax.imshow((kernel - kernel.min()) / span)
        else:
            image = ax.imshow(weights[:, :, input_channel, i], cmap="gray", vmin=-limit,
                              vmax=limit)
        ax.set_title(f"filter {i}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    if not rgb:
        fig.colorbar(image, ax=fig.axes, label="weight", shrink=0.8)
    channel_note = "RGB" if rgb else f"input channel {input_channel}"
    fig.suptitle(title or f"Filters of {source}: {shown} of {filters} kernels "
                 f"{height}x{width} ({channel_note})")
    return fig


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
            raise ValueError(f"`model` {model.name!r} has no Conv2D or pooling layer; "
                             "name the layers in `layer_names`")
    elif isinstance(layer_names, str):
        layer_names = [layer_names]
    outputs = [model.get_layer(name).output for name in layer_names]
    for name, output in zip(layer_names, outputs, strict=True):
        if len(output.shape) != 4:
            raise ValueError(f"`layer_names`: layer {name!r} outputs shape {output.shape}, "
                             "not feature maps (batch, height, width, channels)")
    maps = keras.Model(model.input, outputs)(image, training=False)
    if len(outputs) == 1:  # Keras returns a lone output unwrapped
        maps = [maps]
    maps = [keras.ops.convert_to_numpy(m)[0] for m in maps]
    ncols = min(max_maps, max(m.shape[-1] for m in maps))
    fig, axes = plt.subplots(len(maps), ncols, figsize=(1.3 * ncols + 1.2, 1.4 * len(maps) + 0.6),
                             squeeze=False)
    for row, (name, fmap) in zip(axes, zip(layer_names, maps, strict=True), strict=True):
        height, width, channels = fmap.shape
        for j, ax in enumerate(row):
            if j >= channels:
                fig.delaxes(ax)
                continue
            ax.imshow(fmap[..., j], cmap="viridis")
            ax.set_title(f"channel {j}", fontsize=7)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(f"{name}\n{height}x{width}x{channels}", fontsize=8)
    fig.suptitle(title or "Feature maps of one image, layer by layer")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Comparing architectures
# --------------------------------------------------------------------------------------


def plot_model_comparison(
    rows: Sequence[dict],
    *,
    x: str = "params",
    title: str | None = None,
) -> Figure:
    """Accuracy against parameter count (log scale) or depth, one point per model.

    Each row is a dict with ``name``, ``accuracy`` and ``params`` (or ``depth`` when
    ``x="depth"``); rows with the same optional ``family`` (e.g. ``"VGG"``,
    ``"ResNet"``) share a colour and are joined by a line.

    >>> fig = plot_model_comparison([
    ...     {"name": "VGG-11", "params": 9_000_000, "accuracy": 0.91, "family": "VGG"},
    ...     {"name": "ResNet-20", "params": 270_000, "accuracy": 0.92, "family": "ResNet"}])
    >>> fig.axes[0].get_xscale()
    'log'
    """
    if x not in ("params", "depth"):
        raise ValueError(f"`x` must be 'params' or 'depth', got {x!r}")
    if len(rows) == 0:
        raise ValueError("`rows` is empty: give one dict per model")
    for i, row in enumerate(rows):
        missing = [key for key in ("name", "accuracy", x) if key not in row]
        if missing:
            raise ValueError(f"`rows`[{i}] lacks {', '.join(missing)}; got keys {sorted(row)}")
    families = list(dict.fromkeys(row.get("family", "") for row in rows))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, family in enumerate(families):
        members = sorted((row for row in rows if row.get("family", "") == family),
                         key=lambda row: row[x])
        xs = [row[x] for row in members]
        ys = [row["accuracy"] for row in members]
        ax.plot(xs, ys, color=f"C{i}", marker="o", linestyle="-" if len(xs) > 1 else "none",
                label=family or None)
        for row in members:
            ax.annotate(row["name"], (row[x], row["accuracy"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=8)
    if x == "params":
        ax.set_xscale("log")
        ax.set_xlabel("parameters (log scale)")
    else:
        ax.set_xlabel("depth (weight layers)")
    ax.set_ylabel("accuracy")
    ax.grid(alpha=0.3)
    if any(families):
        ax.legend()
    ax.set_title(title or f"Accuracy vs {'parameters' if x == 'params' else 'depth'}")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Gradients and losses
# --------------------------------------------------------------------------------------


def plot_gradient_norms(
    norms_by_model: dict[str, Sequence[float]],
    layer_names: Sequence[str],
    *,
    title: str | None = None,
) -> Figure:
    """Gradient size per layer (log scale), one line per model, first layer on the left.

    ``norms_by_model`` maps a model's label to its norms ``||dL/dW||``, one per entry of
    ``layer_names`` (e.g. ``list(training.gradient_norms(model, x, y).values())``). A line
    that falls towards the left shows a vanishing gradient.

    >>> fig = plot_gradient_norms({"relu": [0.5, 0.4], "sigmoid": [1e-4, 0.3]},
    ...                           ["fc1", "predictions"])
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_xlabel()
    ('log', 'layer (input side on the left)')
    """
    if not norms_by_model:
        raise ValueError("`norms_by_model` is empty: give one list of norms per model")
    positions = np.arange(len(layer_names))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.8 * len(layer_names) + 2), 4))
    for i, (label, norms) in enumerate(norms_by_model.items()):
        norms = np.asarray(norms, dtype=float)
        if norms.shape != (len(layer_names),):
            raise ValueError(f"`norms_by_model`[{label!r}] must hold one norm per layer "
                             f"({len(layer_names)}), got shape {norms.shape}")
        if not (np.isfinite(norms).all() and (norms > 0).all()):
            raise ValueError(f"`norms_by_model`[{label!r}] must hold finite norms > 0 for a "
                             f"log scale, got {norms.tolist()}")
        ax.plot(positions, norms, color=f"C{i}", marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xticks(positions, layer_names, rotation=45 if len(layer_names) > 6 else 0,
                  ha="right" if len(layer_names) > 6 else "center")
    ax.set_xlabel("layer (input side on the left)")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial W\|$ (log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    ax.set_title(title or "Gradient size per layer")
    fig.tight_layout()
    return fig


def plot_cross_entropy(p_correct=None, *, title: str | None = None) -> Figure:
    """The cross-entropy of one example, ``L = -log p``, against ``p``, the probability
    the model gives the correct class; optionally with real examples as points.

    ``p_correct`` (values in ``(0, 1]``) places examples on the curve, e.g. the
    probability a trained model gives the true class of each test image.

    >>> fig = plot_cross_entropy([0.9, 0.2]); fig.axes[0].get_xlabel()
    'probability of the correct class $p$'
    """
    p = np.linspace(0.005, 1.0, 400)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(p, -np.log(p), color="C0", label=r"$L = -\log p$")
    if p_correct is not None:
        points = np.asarray(p_correct, dtype=float).reshape(-1)
        check_value_range(points, "p_correct", (0.0, 1.0))
        if (points <= 0).any():
            raise ValueError("`p_correct` must be > 0 (the loss of p = 0 is infinite)")
        ax.scatter(points, -np.log(points), color="C1", s=18, alpha=0.6, zorder=3,
                   label=f"{len(points)} examples")
    ax.set_xlabel("probability of the correct class $p$")
    ax.set_ylabel("cross-entropy loss $L$")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or "Cross-entropy: sure and right costs nothing, sure and wrong a lot")
    fig.tight_layout()
    return fig


def plot_loss_steps(
    losses_by_run: dict[str, Sequence[float]],
    *,
    xlabel: str = "step",
    log_y: bool = False,
    title: str | None = None,
) -> Figure:
    """Loss after each training step (or batch), one line per run.

    Unlike :func:`plot_history`, which draws one point per epoch, this draws every
    step, e.g. the per-batch losses of a hand-written training loop.

    >>> fig = plot_loss_steps({"SGD": [2.3, 1.5, 1.1]}); fig.axes[0].get_xlabel()
    'step'
    """
    if not losses_by_run:
        raise ValueError("`losses_by_run` is empty: give one sequence of losses per run")
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, losses) in enumerate(losses_by_run.items()):
        losses = np.asarray(losses, dtype=float)
        check_rank(losses, f"losses_by_run[{label!r}]", (1,))
        ax.plot(np.arange(1, len(losses) + 1), losses, color=f"C{i}", label=label)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss" + (" (log scale)" if log_y else ""))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or f"Loss per {xlabel}")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Filters on a photo, and a metric against a setting (added for notebooks 04 and 05)
# --------------------------------------------------------------------------------------


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
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    height, width = next(iter(images.values())).shape
    panel = 3.2 if n <= 6 else 2.0
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(panel * ncols, panel * nrows * height / width + 0.8))
    for ax, (name, image) in zip(axes.flat, images.items(), strict=False):
        if name in signed_names:
            limit = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit)
            ax.set_title(name if signed is True else f"{name} (signed, 0 = grey)", fontsize=9)
        else:
            ax.imshow(np.clip(image, 0.0, 1.0), cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_title(name, fontsize=9)
        ax.axis("off")
    for ax in axes.flat[n:]:
        fig.delaxes(ax)
    title = title or f"{n} images"
    fig.suptitle(f"{title} (signed, 0 = grey)" if signed is True else title)
    fig.tight_layout()
    return fig


def plot_metric_curves(
    x,
    curves: dict[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str = "accuracy",
    title: str | None = None,
) -> Figure:
    """One line per run of a metric against a setting, e.g. test accuracy against shift.

    ``x`` holds the settings (``(m,)``), ``curves`` maps a run's name to its ``m``
    values. Integer settings get integer ticks.

    >>> fig = plot_metric_curves([0, 1, 2], {"pooled": [0.9, 0.85, 0.8]}, xlabel="shift")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('shift', 'accuracy')
    """
    x = np.asarray(x)
    check_rank(x, "x", (1,))
    if not curves:
        raise ValueError("`curves` is empty: give one sequence of values per run")
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != x.shape:
            raise ValueError(f"`curves`[{label!r}] must have one value per x ({len(x)}), "
                             f"got shape {values.shape}")
        ax.plot(x, values, color=f"C{i}", marker="o", label=label)
    if np.issubdtype(x.dtype, np.integer):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or f"{ylabel} against {xlabel}")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# The data set at a glance (notebook 00)
# --------------------------------------------------------------------------------------


def plot_class_examples(
    images, labels, class_names: Sequence[str], per_class: int = 8
) -> Figure:
    """A grid with one row per class: the first ``per_class`` images of each class.

    >>> x = np.zeros((20, 28, 28), np.uint8); y = np.repeat(np.arange(2), 10)
    >>> fig = plot_class_examples(x, y, ["a", "b"], per_class=3)
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (6, 'a')
    """
    images = _display_images(images, "images")
    labels = _class_indices(labels, "labels", len(images), len(class_names))
    per_class = check_positive_int(per_class, "per_class")
    fig, axes = plt.subplots(len(class_names), per_class, squeeze=False,
                             figsize=(per_class * 0.9, len(class_names) * 0.95))
    for c, name in enumerate(class_names):
        members = np.flatnonzero(labels == c)[:per_class]
        for j, ax in enumerate(axes[c]):
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(members):
                ax.imshow(images[members[j]], cmap="gray", vmin=0.0, vmax=1.0)
            if j == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center")
    fig.suptitle(f"{per_class} examples of each class (one row per class)")
    fig.tight_layout()
    return fig


def plot_class_balance(splits: dict, class_names: Sequence[str]) -> Figure:
    """Bar chart of how many images each class has, one group of bars per split.

    >>> fig = plot_class_balance({"train": [0, 0, 1], "test": [1]}, ["a", "b"])
    >>> fig.axes[0].get_ylabel()
    'images'
    """
    if not splits:
        raise ValueError("`splits` must name at least one split, e.g. {'train': y_train}")
    fig, ax = plt.subplots(figsize=(9, 3.5))
    width = 0.8 / max(len(splits), 1)
    positions = np.arange(len(class_names))
    for i, (split, labels) in enumerate(splits.items()):
        labels = _class_indices(labels, f"splits[{split!r}]", len(labels), len(class_names))
        counts = np.bincount(labels, minlength=len(class_names))
        ax.bar(positions + i * width, counts, width, label=f"{split} ({counts.sum():,})")
    ax.set_xticks(positions + width * (len(splits) - 1) / 2, class_names, rotation=30,
                  ha="right")
    ax.set_xlabel("class")
    ax.set_ylabel("images")
    ax.set_title("Class balance: images per class")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def plot_pixel_histogram(images, bins: int = 64) -> Figure:
    """Histogram of pixel values (log scale), with the mean and standard deviation.

    >>> fig = plot_pixel_histogram(np.arange(256, dtype=np.uint8).reshape(1, 16, 16))
    >>> fig.axes[0].get_xlabel()
    'pixel value'
    """
    values = np.asarray(images, np.float32).ravel()
    if values.size == 0:
        raise ValueError("`images` is empty")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(values, bins=bins, color="tab:blue")
    ax.set_yscale("log")
    ax.axvline(values.mean(), color="tab:red", label=f"mean {values.mean():.1f}")
    ax.set_xlabel("pixel value")
    ax.set_ylabel("number of pixels (log scale)")
    ax.set_title(f"Pixel values of {values.size:,} pixels (std {values.std():.1f})")
    ax.legend()
    fig.tight_layout()
    return fig
