"""Comparing architectures: accuracy against size or depth, one point per model."""

from __future__ import annotations

from collections.abc import Sequence

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
