"""Comparing models: accuracy against size or depth, and the spread of an arm over seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from kerascnn.plots._figure import finish, finish_axes, subplots

_X_LABELS = {"parameters": "parameters (log scale)", "depth": "depth (weight layers)"}


def plot_model_comparison(
    rows: Sequence[dict],
    *,
    x: str = "parameters",
    title: str | None = None,
) -> Figure:
    """Accuracy against trainable parameters (log scale) or depth, one point per model.

    Each row is a dict with ``name``, ``accuracy`` and ``parameters`` (or ``depth`` when
    ``x="depth"``): the keys of a :func:`kerascnn.models.summarize` row, to which a run
    adds ``accuracy``. Rows with the same optional ``family`` (e.g. ``"VGG"``,
    ``"ResNet"``) share a colour and are joined by a line.

    >>> fig = plot_model_comparison([
    ...     {"name": "VGG-11", "parameters": 9_000_000, "accuracy": 0.91, "family": "VGG"},
    ...     {"name": "ResNet-20", "parameters": 270_000, "accuracy": 0.92, "family": "ResNet"}])
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_title()
    ('log', 'Accuracy vs parameters')
    """
    if x not in _X_LABELS:
        raise ValueError(f"`x` must be 'parameters' or 'depth', got {x!r}")
    if len(rows) == 0:
        raise ValueError("`rows` is empty: give one dict per model")
    for i, row in enumerate(rows):
        missing = [key for key in ("name", "accuracy", x) if key not in row]
        if missing:
            raise ValueError(f"`rows`[{i}] lacks {', '.join(missing)}; got keys {sorted(row)}")
    families = list(dict.fromkeys(row.get("family", "") for row in rows))
    fig, ax = subplots(figsize=(7, 4.5))
    for i, family in enumerate(families):
        members = sorted(
            (row for row in rows if row.get("family", "") == family), key=lambda row: row[x]
        )
        xs = [row[x] for row in members]
        ys = [row["accuracy"] for row in members]
        ax.plot(
            xs,
            ys,
            color=f"C{i}",
            marker="o",
            linestyle="-" if len(xs) > 1 else "none",
            label=family or None,
        )
        for row in members:
            ax.annotate(
                row["name"],
                (row[x], row["accuracy"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=8,
            )
    if x == "parameters":
        ax.set_xscale("log")
    finish_axes(
        ax,
        title=title or f"Accuracy vs {x}",
        xlabel=_X_LABELS[x],
        ylabel="accuracy",
        grid=True,
        legend=any(families),
    )
    return finish(fig)


def plot_seed_spread(
    arms: Mapping[str, Sequence[float]],
    *,
    ylabel: str = "validation accuracy",
    title: str | None = None,
) -> Figure:
    """Each arm of a comparison: one dot per seed, and the mean with ± 1 standard deviation.

    ``arms`` maps an arm's name to its values over seeds, e.g. ``{"no dropout":
    runs.values["val_accuracy"], ...}`` from :func:`kerascnn.training.repeat`. Two arms
    whose bars overlap differ by less than what the seed alone moves.

    >>> fig = plot_seed_spread({"plain": [0.90, 0.91, 0.905], "dropout": [0.92, 0.915, 0.925]})
    >>> fig.axes[0].get_ylabel(), [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ('validation accuracy', ['plain', 'dropout'])
    """
    if len(arms) == 0:
        raise ValueError("`arms` is empty: give one sequence of values per arm")
    values = {name: np.asarray(v, dtype=float).ravel() for name, v in arms.items()}
    for name, v in values.items():
        if v.size == 0 or not np.all(np.isfinite(v)):
            raise ValueError(f"arm {name!r} needs one or more finite values, got {v.tolist()}")
    fig, ax = subplots(figsize=(max(4.0, 1.6 * len(values) + 1.5), 4))
    for i, v in enumerate(values.values()):
        jitter = np.linspace(-0.08, 0.08, v.size) if v.size > 1 else np.zeros(1)
        ax.plot(i + jitter, v, "o", color=f"C{i}", alpha=0.5, label=None)
        spread = v.std(ddof=1) if v.size > 1 else 0.0
        ax.errorbar(i + 0.25, v.mean(), yerr=spread, fmt="s", color=f"C{i}", capsize=5)
    ax.set_xticks(range(len(values)), list(values))
    ax.set_xlim(-0.5, len(values) - 0.3)
    seeds = {v.size for v in values.values()}
    shown = f"{seeds.pop()} seeds" if len(seeds) == 1 else "seeds"
    finish_axes(
        ax,
        title=title or f"{ylabel.capitalize()} over {shown}: dots, mean ± std",
        ylabel=ylabel,
        grid=True,
    )
    return finish(fig)
