"""Images, the data set and a model's predictions on them.

The data set at a glance (examples per class, class balance, pixel values), images with
their labels and predictions, the most confident mistakes, the confusion matrix, and
softmax turning one example's logits into probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from matplotlib.figure import Figure

from kerascnn._checks import check_positive_int, check_rank, check_value_range
from kerascnn.plots._figure import (
    class_indices,
    class_name,
    display_images,
    finish,
    finish_axes,
    grid,
    subplots,
)


def _image_grid(
    images: np.ndarray, titles: Sequence[str], colors: Sequence[str], ncols: int, suptitle: str
) -> Figure:
    """Images in ``[0, 1]`` in a grid, one titled axis per image."""
    fig, axes = grid(len(images), ncols, cell=(1.6, 1.9), margin=(0.0, 0.5))
    for ax, image, title, color in zip(axes, images, titles, colors, strict=True):
        ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0)
        finish_axes(ax, title=title, frame=False, title_kw={"color": color, "fontsize": 8})
    return finish(fig, suptitle)


# --------------------------------------------------------------------------------------
# The data set at a glance
# --------------------------------------------------------------------------------------


def plot_class_examples(images, labels, class_names: Sequence[str], per_class: int = 8) -> Figure:
    """A grid with one row per class: the first ``per_class`` images of each class.

    >>> x = np.zeros((20, 28, 28), np.uint8); y = np.repeat(np.arange(2), 10)
    >>> fig = plot_class_examples(x, y, ["a", "b"], per_class=3)
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (6, 'a')
    """
    images = display_images(images, "images")
    labels = class_indices(labels, "labels", len(images), len(class_names))
    per_class = check_positive_int(per_class, "per_class")
    fig, axes = subplots(
        len(class_names),
        per_class,
        squeeze=False,
        figsize=(per_class * 0.9, len(class_names) * 0.95),
    )
    for c, name in enumerate(class_names):
        members = np.flatnonzero(labels == c)[:per_class]
        for j, ax in enumerate(axes[c]):
            finish_axes(ax, ticks=False)
            if j < len(members):
                ax.imshow(images[members[j]], cmap="gray", vmin=0.0, vmax=1.0)
            if j == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center")
    return finish(fig, f"{per_class} examples of each class (one row per class)")


def plot_class_balance(splits: dict, class_names: Sequence[str]) -> Figure:
    """Bar chart of how many images each class has, one group of bars per split.

    >>> fig = plot_class_balance({"train": [0, 0, 1], "test": [1]}, ["a", "b"])
    >>> fig.axes[0].get_ylabel()
    'images'
    """
    if not splits:
        raise ValueError("`splits` must name at least one split, e.g. {'train': y_train}")
    fig, ax = subplots(figsize=(9, 3.5))
    width = 0.8 / max(len(splits), 1)
    positions = np.arange(len(class_names))
    for i, (split, labels) in enumerate(splits.items()):
        labels = class_indices(labels, f"splits[{split!r}]", len(labels), len(class_names))
        counts = np.bincount(labels, minlength=len(class_names))
        ax.bar(positions + i * width, counts, width, label=f"{split} ({counts.sum():,})")
    ax.set_xticks(positions + width * (len(splits) - 1) / 2, class_names, rotation=30, ha="right")
    finish_axes(
        ax,
        title="Class balance: images per class",
        xlabel="class",
        ylabel="images",
        legend={"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)},
    )
    return finish(fig)


def plot_pixel_histogram(images, bins: int = 64) -> Figure:
    """Histogram of pixel values (log scale), with the mean and standard deviation.

    >>> fig = plot_pixel_histogram(np.arange(256, dtype=np.uint8).reshape(1, 16, 16))
    >>> fig.axes[0].get_xlabel()
    'pixel value'
    """
    values = np.asarray(images, np.float32).ravel()
    if values.size == 0:
        raise ValueError("`images` is empty")
    fig, ax = subplots(figsize=(7, 3.5))
    ax.hist(values, bins=bins, color="tab:blue")
    ax.set_yscale("log")
    ax.axvline(values.mean(), color="tab:red", label=f"mean {values.mean():.1f}")
    finish_axes(
        ax,
        title=f"Pixel values of {values.size:,} pixels (std {values.std():.1f})",
        xlabel="pixel value",
        ylabel="number of pixels (log scale)",
        legend=True,
    )
    return finish(fig)


# --------------------------------------------------------------------------------------
# Images with their labels and a model's predictions
# --------------------------------------------------------------------------------------


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
    images = display_images(images, "images")
    n = len(images)
    num_classes = None if class_names is None else len(class_names)
    if labels is not None:
        labels = class_indices(labels, "labels", n, num_classes)[:max_images]
    if predictions is not None:
        predictions = class_indices(predictions, "predictions", n, num_classes)[:max_images]
    images = images[:max_images]
    titles, colors = [], []
    for i in range(len(images)):
        if predictions is None:
            titles.append("" if labels is None else class_name(labels[i], class_names))
            colors.append("black")
        elif labels is None:
            titles.append(f"pred: {class_name(predictions[i], class_names)}")
            colors.append("black")
        elif labels[i] == predictions[i]:
            titles.append(class_name(labels[i], class_names))
            colors.append("black")
        else:
            titles.append(
                f"true: {class_name(labels[i], class_names)}\n"
                f"pred: {class_name(predictions[i], class_names)}"
            )
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
    images = display_images(images, "images")
    probabilities = np.asarray(probabilities, dtype=float)
    check_rank(probabilities, "probabilities", (2,))
    if len(probabilities) != len(images):
        raise ValueError(
            f"`probabilities` must have one row per image ({len(images)}), got {len(probabilities)}"
        )
    if probabilities.shape[1] != len(class_names):
        raise ValueError(
            f"`probabilities` must have one column per class "
            f"({len(class_names)}), got shape {probabilities.shape}"
        )
    y_true = class_indices(y_true, "y_true", len(images), len(class_names))
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    if len(wrong) == 0:
        fig, ax = subplots(figsize=(4, 2))
        ax.text(0.5, 0.5, f"No mistakes on these {len(images)} images", ha="center")
        finish_axes(ax, title=title or "Most confident mistakes", frame=False)
        return fig
    picked = wrong[np.argsort(-confidence[wrong], kind="stable")][:n]
    titles = [
        f"true: {class_names[y_true[i]]}\npred: {class_names[predicted[i]]} ({confidence[i]:.0%})"
        for i in picked
    ]
    title = title or (
        f"The {len(picked)} most confident mistakes ({len(wrong)} wrong of {len(images)})"
    )
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
    y_true = class_indices(y_true, "y_true", len(y_true), num_classes)
    y_pred = class_indices(y_pred, "y_pred", len(y_true), num_classes)
    if len(y_true) == 0:
        raise ValueError("`y_true` is empty")
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )
    per_class = np.diag(counts) / np.maximum(counts.sum(axis=1), 1)
    accuracy = np.trace(counts) / counts.sum()

    fig, (ax_cm, ax_acc) = subplots(
        1,
        2,
        figsize=(6 + 0.55 * num_classes, 0.5 * num_classes + 2.5),
        gridspec_kw={"width_ratios": [3, 1.3]},
    )
    ax_cm.imshow(counts, cmap="Blues")
    for (row, col), count in np.ndenumerate(counts):
        color = "white" if count > counts.max() / 2 else "black"
        ax_cm.text(col, row, str(count), ha="center", va="center", color=color, fontsize=8)
    ticks = np.arange(num_classes)
    ax_cm.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax_cm.set_yticks(ticks, class_names)
    finish_axes(
        ax_cm,
        title=f"Confusion matrix (accuracy {accuracy:.1%})",
        xlabel="predicted class",
        ylabel="true class",
    )

    ax_acc.barh(ticks, per_class, color="C0")
    ax_acc.axvline(accuracy, color="C3", linestyle="--", label=f"overall {accuracy:.1%}")
    for row, value in enumerate(per_class):
        ax_acc.text(min(value, 1.0) + 0.02, row, f"{value:.0%}", va="center", fontsize=8)
    ax_acc.set_yticks(ticks, class_names)
    ax_acc.set_ylim(num_classes - 0.5, -0.5)
    ax_acc.set_xlim(0, 1.2)
    finish_axes(
        ax_acc,
        title="Per-class accuracy",
        xlabel="accuracy (fraction correct)",
        ylabel="true class",
        legend={"loc": "lower right", "fontsize": 8},
    )
    return finish(fig, title or "Which classes does the model confuse?")


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
        raise ValueError(
            f"`logits` must have one value per class ({len(class_names)}), got {len(logits)}"
        )
    check_value_range(logits, "logits", (-np.inf, np.inf))
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits))
    winner = int(probabilities.argmax())
    colors = ["C1" if i == winner else "C0" for i in range(len(logits))]
    positions = np.arange(len(logits))
    fig, (ax_logit, ax_prob) = subplots(1, 2, figsize=(4 + 0.8 * len(logits), 4))
    ax_logit.bar(positions, logits, color=colors)
    ax_logit.axhline(0.0, color="grey", linewidth=0.8)
    ax_prob.bar(positions, probabilities, color=colors)
    for i, p in enumerate(probabilities):
        ax_prob.text(i, p + 0.02, f"{p:.0%}", ha="center", fontsize=8)
    ax_prob.set_ylim(0, 1.1)
    for ax, panel_title, ylabel in (
        (ax_logit, "Logits $y_i$ (model outputs)", "logit"),
        (ax_prob, r"Softmax $u_i = e^{y_i} / \Sigma_j e^{y_j}$", "probability"),
    ):
        ax.set_xticks(
            positions,
            class_names,
            rotation=45 if len(logits) > 4 else 0,
            ha="right" if len(logits) > 4 else "center",
        )
        finish_axes(ax, title=panel_title, xlabel="class", ylabel=ylabel)
    return finish(
        fig,
        title
        or f"Softmax: the model predicts {class_names[winner]!s} ({probabilities[winner]:.0%})",
    )
