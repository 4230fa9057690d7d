"""What every figure module shares: one way to make a figure, one grid, one way to
finish an axis and a figure, and the readers of the images and labels a figure is handed.

Figures are made with pyplot (``plt.subplots``), never with ``matplotlib.figure.Figure()``:
Jupyter's inline backend then shows each figure once, as PNG, when the cell ends with
``;`` or assigns it. Nothing here calls ``plt.show``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kerascnn._checks import check_images, check_rank, check_value_range

# --------------------------------------------------------------------------------------
# Making and finishing figures
# --------------------------------------------------------------------------------------


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs
) -> tuple[Figure, Axes | np.ndarray]:
    """The one way plots makes a figure: ``plt.subplots`` (see the module docstring).

    >>> fig, ax = subplots(figsize=(3, 2)); type(ax).__name__
    'Axes'
    """
    return plt.subplots(nrows, ncols, figsize=figsize, **kwargs)


def grid(
    n: int,
    ncols: int,
    *,
    cell: tuple[float, float],
    margin: tuple[float, float] = (0.0, 0.0),
    **kwargs,
) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` panels in rows of at most ``ncols``; the unused cells removed.

    Each panel takes ``cell`` = (width, height) inches; ``margin`` adds to the whole
    figure (for a suptitle, a colour bar). Returns the figure and its ``n`` axes in
    reading order.

    >>> fig, axes = grid(5, 3, cell=(1.0, 1.0)); len(axes), len(fig.axes)
    (5, 5)
    """
    if n < 1:
        raise ValueError(f"a grid needs at least one panel, got {n}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = subplots(
        nrows,
        ncols,
        squeeze=False,
        figsize=(cell[0] * ncols + margin[0], cell[1] * nrows + margin[1]),
        **kwargs,
    )
    for ax in axes.flat[n:]:
        fig.delaxes(ax)
    return fig, list(axes.flat[:n])


def finish_axes(
    ax: Axes,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    grid: bool | str = False,
    integer_x: bool = False,
    legend: bool | dict = False,
    ticks: bool = True,
    frame: bool = True,
    title_kw: dict | None = None,
) -> Axes:
    """Title, axis labels, a light grid, integer x ticks (epochs), a legend, bare images.

    ``grid``: ``True`` for the major ticks, ``"both"`` for minor ones too (log scales).
    ``legend``: ``True`` or the keyword arguments of ``ax.legend`` (no legend when no
    artist has a label). ``ticks=False`` removes the tick marks (an image that keeps its
    axis labels); ``frame=False`` removes the whole axis (``ax.axis("off")``).
    ``title_kw`` styles the title (``fontsize``, ``color``). Returns ``ax``.

    >>> fig, ax = subplots(figsize=(3, 2))
    >>> _ = ax.plot([1, 2, 3], [0.5, 0.4, 0.3], label="loss")
    >>> finish_axes(ax, title="Loss", xlabel="epoch", integer_x=True, legend=True).get_title()
    'Loss'
    """
    if title is not None:
        ax.set_title(title, **(title_kw or {}))
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if grid:
        ax.grid(alpha=0.3, which="both" if grid == "both" else "major")
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    legend_kw = legend if isinstance(legend, dict) else {}
    if legend and ("handles" in legend_kw or ax.get_legend_handles_labels()[0]):
        ax.legend(**legend_kw)
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])
    if not frame:
        ax.axis("off")
    return ax


def finish(fig: Figure, title: str | None = None, *, tight: bool = True) -> Figure:
    """Give ``fig`` its title (if any) and (with ``tight``) lay it out; return it.

    ``tight=False`` for figures laid out otherwise (a colour bar over several axes,
    ``layout="constrained"``).

    >>> finish(subplots(figsize=(3, 2))[0], "A title").get_suptitle()
    'A title'
    """
    if title is not None:
        fig.suptitle(title)
    if tight:
        fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Reading what a figure is handed
# --------------------------------------------------------------------------------------


def display_images(images, name: str) -> np.ndarray:
    """Check an image batch and return it as float ``(n, h, w)`` or ``(n, h, w, 3)`` in
    ``[0, 1]``. uint8 and floats above 1 are read as ``[0, 255]``, other floats as ``[0, 1]``.

    >>> display_images(np.full((2, 4, 4, 1), 255, np.uint8), "images").shape
    (2, 4, 4)
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


def class_indices(values, name: str, n: int, num_classes: int | None) -> np.ndarray:
    """Integer labels of length ``n``; 2-D scores/probabilities are reduced by argmax.

    >>> class_indices([[0.2, 0.8], [0.9, 0.1]], "predictions", 2, 2)
    array([1, 0])
    """
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
        raise ValueError(
            f"`{name}` must hold class indices in [0, {num_classes}), "
            f"got values in [{values.min()}, {values.max()}]"
        )
    return values


def class_name(index: int, class_names: Sequence[str] | None) -> str:
    """The name of class ``index``, or the index itself when there are no names.

    >>> class_name(1, ["cat", "dog"]), class_name(1, None)
    ('dog', '1')
    """
    return str(index) if class_names is None else str(class_names[index])
