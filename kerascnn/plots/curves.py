"""How a model learns and fits: learning curves, losses, a metric against a setting, and
the decision boundary of a 2-D classifier.

These figures draw what they are handed: :func:`plot_history` marks the best epoch and
the overfitting band only from the :class:`~kerascnn.diagnosis.Diagnosis` it is given
(``diagnoses=diagnosis.diagnose(history)``); it runs no analysis itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kerascnn._checks import check_positive_int, check_rank, check_value_range
from kerascnn.diagnosis import Diagnosis, history_dict
from kerascnn.plots._figure import class_indices, class_name, finish, finish_axes, subplots


def _diagnoses_per_history(diagnoses, curves: list[dict]) -> list[Diagnosis | None]:
    """``diagnoses`` as one entry (a ``Diagnosis`` or ``None``) per history, checked."""
    n = len(curves)
    if diagnoses is None:
        return [None] * n
    if isinstance(diagnoses, Diagnosis):
        diagnoses = [diagnoses]
    elif isinstance(diagnoses, (str, bytes)) or not isinstance(diagnoses, Sequence):
        raise ValueError(
            "`diagnoses` must be a Diagnosis, a sequence of them (one per "
            f"history) or None, got {type(diagnoses).__name__}"
        )
    diagnoses = list(diagnoses)
    if len(diagnoses) != n:
        raise ValueError(
            f"`diagnoses` must hold one Diagnosis (or None) per history ({n}), got {len(diagnoses)}"
        )
    for i, (diagnosis, metrics) in enumerate(zip(diagnoses, curves, strict=True)):
        if diagnosis is None:
            continue
        if not isinstance(diagnosis, Diagnosis):
            raise ValueError(
                f"`diagnoses`[{i}] must be a Diagnosis (from "
                f"kerascnn.diagnosis.diagnose) or None, got {diagnosis!r}"
            )
        if diagnosis.epochs != len(metrics["loss"]):
            raise ValueError(
                f"`diagnoses`[{i}] was made from {diagnosis.epochs} epochs but "
                f"history {i} has {len(metrics['loss'])}: pass "
                "diagnose(history) of the same history, in the same order"
            )
    return diagnoses


def plot_history(
    *histories,
    labels: Sequence[str] | None = None,
    diagnoses: Diagnosis | Sequence[Diagnosis | None] | None = None,
    title: str | None = None,
) -> Figure:
    """Learning curves: accuracy (left) and loss (right), training vs validation, per epoch.

    Each history (a ``keras.callbacks.History`` or its dict) gets one colour: solid for
    training, dashed for validation. Pass several histories to compare runs (SGD vs
    Adam, with vs without dropout); ``labels`` names them. Epochs are counted from 1, as
    Keras prints them.

    ``diagnoses`` adds what :func:`kerascnn.diagnosis.diagnose` read from the curves: a
    ``Diagnosis`` (one history) or a sequence with one ``Diagnosis`` or ``None`` per
    history. For each one given, a dotted vertical line marks its best epoch (lowest
    validation loss) and a shaded band the epochs from its overfitting onset; with one
    history and no ``title``, its verdict goes in the title. Without ``diagnoses`` the
    figure shows the curves only.

    >>> from kerascnn.diagnosis import diagnose
    >>> history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7],
    ...            "accuracy": [0.6, 0.8], "val_accuracy": [0.5, 0.7]}
    >>> fig = plot_history(history)
    >>> [ax.get_title() for ax in fig.axes], fig.get_suptitle()
    (['Accuracy', 'Loss'], 'Learning curves')
    >>> plot_history(history, diagnoses=diagnose(history)).get_suptitle()
    'Learning curves: not enough epochs to tell'
    """
    if not histories:
        raise ValueError("give at least one history to plot")
    if labels is None:
        labels = [""] if len(histories) == 1 else [f"run {i + 1}" for i in range(len(histories))]
    if isinstance(labels, str) or len(labels) != len(histories):
        raise ValueError(
            f"`labels` must name each of the {len(histories)} histories, got {labels!r}"
        )
    curves = [history_dict(history) for history in histories]
    diagnoses = _diagnoses_per_history(diagnoses, curves)
    height = 4.0 if len(histories) == 1 else 4.5 + 0.35 * len(histories)
    fig, (ax_acc, ax_loss) = subplots(1, 2, figsize=(11, height))
    for i, (metrics, label, diagnosis) in enumerate(zip(curves, labels, diagnoses, strict=True)):
        color, prefix = f"C{i}", f"{label} " if label else ""
        epochs = np.arange(1, len(metrics["loss"]) + 1)
        for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
            if key in metrics:
                ax.plot(epochs, metrics[key], color=color, marker=".", label=f"{prefix}training")
            if f"val_{key}" in metrics:
                ax.plot(
                    epochs,
                    metrics[f"val_{key}"],
                    color=color,
                    marker=".",
                    linestyle="--",
                    label=f"{prefix}validation",
                )
        if diagnosis is None:
            continue
        for ax in (ax_acc, ax_loss):  # the marks are named once, in the loss legend
            if diagnosis.best_epoch is not None:
                ax.axvline(
                    diagnosis.best_epoch,
                    color=color,
                    linestyle=":",
                    label=f"{prefix}best epoch ({diagnosis.best_epoch})" if ax is ax_loss else None,
                )
            if diagnosis.overfit_epoch is not None:
                ax.axvspan(
                    diagnosis.overfit_epoch,
                    epochs[-1],
                    color=color,
                    alpha=0.12,
                    label=f"{prefix}overfitting from epoch {diagnosis.overfit_epoch}"
                    if ax is ax_loss
                    else None,
                )
    # one run: the legend inside; several: under the axes, clear of the curves
    legend = (
        {"fontsize": 8}
        if len(histories) == 1
        else {"fontsize": 8, "loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "ncol": 2}
    )
    for ax, name in ((ax_acc, "Accuracy"), (ax_loss, "Loss")):
        finish_axes(
            ax,
            title=name,
            xlabel="epoch",
            ylabel=name.lower(),
            grid=True,
            integer_x=True,
            legend=legend,
        )
    if title is None:
        title = "Learning curves"
        if len(histories) == 1 and diagnoses[0] is not None:
            title += f": {diagnoses[0].verdict}"
    return finish(fig, title)


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
    fig, ax = subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != x.shape:
            raise ValueError(
                f"`curves`[{label!r}] must have one value per x ({len(x)}), "
                f"got shape {values.shape}"
            )
        ax.plot(x, values, color=f"C{i}", marker="o", label=label)
    finish_axes(
        ax,
        title=title or f"{ylabel} against {xlabel}",
        xlabel=xlabel,
        ylabel=ylabel,
        grid=True,
        integer_x=np.issubdtype(x.dtype, np.integer),
        legend=True,
    )
    return finish(fig)


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
    fig, ax = subplots(figsize=(7, 4))
    for i, (label, losses) in enumerate(losses_by_run.items()):
        losses = np.asarray(losses, dtype=float)
        check_rank(losses, f"losses_by_run[{label!r}]", (1,))
        ax.plot(np.arange(1, len(losses) + 1), losses, color=f"C{i}", label=label)
    if log_y:
        ax.set_yscale("log")
    finish_axes(
        ax,
        title=title or f"Loss per {xlabel}",
        xlabel=xlabel,
        ylabel="loss" + (" (log scale)" if log_y else ""),
        grid=True,
        legend=True,
    )
    return finish(fig)


def plot_cross_entropy(p_correct=None, *, title: str | None = None) -> Figure:
    """The cross-entropy of one example, ``L = -log p``, against ``p``, the probability
    the model gives the correct class; optionally with real examples as points.

    ``p_correct`` (values in ``(0, 1]``) places examples on the curve, e.g. the
    probability a trained model gives the true class of each test image.

    >>> fig = plot_cross_entropy([0.9, 0.2]); fig.axes[0].get_xlabel()
    'probability of the correct class $p$'
    """
    p = np.linspace(0.005, 1.0, 400)
    fig, ax = subplots(figsize=(6.5, 4))
    ax.plot(p, -np.log(p), color="C0", label=r"$L = -\log p$")
    if p_correct is not None:
        points = np.asarray(p_correct, dtype=float).reshape(-1)
        check_value_range(points, "p_correct", (0.0, 1.0))
        if (points <= 0).any():
            raise ValueError("`p_correct` must be > 0 (the loss of p = 0 is infinite)")
        ax.scatter(
            points,
            -np.log(points),
            color="C1",
            s=18,
            alpha=0.6,
            zorder=3,
            label=f"{len(points)} examples",
        )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, None)
    finish_axes(
        ax,
        title=title or "Cross-entropy: sure and right costs nothing, sure and wrong a lot",
        xlabel="probability of the correct class $p$",
        ylabel="cross-entropy loss $L$",
        grid=True,
        legend=True,
    )
    return finish(fig)


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
    sigmoid output). ``true_boundary``, e.g. :func:`kerascnn.toy.toy_true_labels`,
    maps points to their true labels; its boundary is drawn dashed, so an overfit
    model's boundary can be seen hugging single points instead.

    >>> from kerascnn.toy import fit_toy_mlp, make_toy_data, toy_true_labels
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
    y = class_indices(y, "y", len(x), None if class_names is None else len(class_names))
    resolution = check_positive_int(resolution, "resolution")
    pad = 0.5
    xx, yy = np.meshgrid(
        np.linspace(x[:, 0].min() - pad, x[:, 0].max() + pad, resolution),
        np.linspace(x[:, 1].min() - pad, x[:, 1].max() + pad, resolution),
    )
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

    fig, ax = subplots(figsize=(6, 5))
    ax.contourf(xx, yy, predicted.reshape(xx.shape), levels=levels, cmap=colors, alpha=0.25)
    ax.contour(xx, yy, predicted.reshape(xx.shape), levels=levels[1:-1], colors="k", linewidths=1.2)
    handles = [Line2D([], [], color="k", linewidth=1.2, label="model's boundary")]
    if true_boundary is not None:
        truth = np.asarray(true_boundary(grid)).reshape(xx.shape)
        ax.contour(xx, yy, truth, levels=levels[1:-1], colors="k", linestyles="--", linewidths=1.2)
        handles.append(
            Line2D([], [], color="k", linestyle="--", linewidth=1.2, label="true boundary")
        )
    for label in range(num_classes):
        members = y == label
        if members.any():
            handles.append(
                ax.scatter(
                    x[members, 0],
                    x[members, 1],
                    color=f"C{label}",
                    edgecolors="k",
                    linewidths=0.4,
                    s=22,
                    label=class_name(label, class_names),
                )
            )
    finish_axes(
        ax,
        title=title or f"Decision boundary of {model.name}",
        xlabel="$x_1$",
        ylabel="$x_2$",
        legend={"handles": handles, "fontsize": 8, "loc": "best"},
    )
    return finish(fig)
