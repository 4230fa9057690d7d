"""Augmentation: each RandAugment op at several magnitudes, RandAugment samples, and
random draws of augmentation layers.

Images here are what :mod:`kerascnn.augment` works on: one image ``(h, w)``,
``(h, w, 1)`` or ``(h, w, 3)`` with values in ``[0, 255]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kerascnn._checks import check_images, check_positive_int
from kerascnn.augment import PAIRED_OPS, RandAugment, apply_op
from kerascnn.plots._figure import finish, finish_axes, grid, subplots


def _as_image(image, name: str = "image") -> np.ndarray:
    """``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` in [0, 255] -> float32 ``(h, w, c)``."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    check_images(image, name, allow_single=True)
    if image.ndim != 3:
        raise ValueError(f"`{name}` must be one image (h, w) or (h, w, c), got {image.shape}")
    return image


def _show(ax: Axes, image: np.ndarray, **finish_kw) -> None:
    """Draw a [0, 255] image, a grey one with the gray colour map on a fixed scale."""
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(np.clip(image, 0, 255).astype(np.uint8))
    finish_axes(ax, ticks=False, **finish_kw)


def plot_ops_grid(
    image,
    magnitudes: Sequence[float] = (0, 5, 10, 20, 30),
    ops: str | Sequence[str] = "article",
    pair_with=None,
) -> Figure:
    """Each op (rows) at several magnitudes (columns) on one image, positive sign.

    ``image``: one image ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` in [0, 255] (a photo
    or a Fashion-MNIST image). ``ops`` as in :class:`kerascnn.augment.RandAugment`;
    ``shear_xy`` and ``translate_xy`` get a row for X and one for Y. Cutout is drawn at
    the centre; sample pairing blends with ``pair_with`` (default: the image turned 180
    degrees).

    >>> fig = plot_ops_grid(np.full((8, 8), 100.0), magnitudes=(0, 10), ops=["invert"])
    >>> fig.axes[0].get_ylabel(), fig.axes[1].get_title()
    ('invert', 'M = 10')
    """
    image = _as_image(image)
    other = _as_image(pair_with, "pair_with") if pair_with is not None else image[::-1, ::-1]
    if other.shape != image.shape:
        raise ValueError(f"`pair_with` must have shape {image.shape}, got {other.shape}")
    kinds = RandAugment(ops=ops).kinds  # "article", "paper" or names, checked
    names = [name for kind in kinds for name in PAIRED_OPS.get(kind, (kind,))]
    fig, axes = subplots(
        len(names),
        len(magnitudes),
        squeeze=False,
        layout="constrained",
        figsize=(1.6 * len(magnitudes) + 0.8, 1.6 * len(names) + 0.6),
    )
    for row, name in enumerate(names):
        for col, magnitude in enumerate(magnitudes):
            out = apply_op(image[None], name, magnitude, others=other[None])
            _show(
                axes[row, col],
                out.numpy()[0],
                title=f"M = {magnitude:g}" if row == 0 else None,
                ylabel=name if col == 0 else None,
            )
    return finish(
        fig, "Augmentation ops (rows) by magnitude (columns); 10 = AutoAugment maximum", tight=False
    )


def plot_randaugment_samples(
    image,
    num_ops: int = 2,
    magnitude: float = 9,
    n: int = 16,
    seed: int | None = 0,
    ops: str | Sequence[str] = "article",
) -> Figure:
    """A grid: the original image, then ``n`` RandAugment samples of it (ops per sample).

    The samples are one batch of ``n`` copies, so each copy draws its own ops; sample
    pairing blends copies of the same image, so it changes nothing here.

    >>> fig = plot_randaugment_samples(np.full((8, 8, 3), 100.0), n=3)
    >>> len(fig.axes), fig.axes[0].get_title()
    (4, 'original')
    """
    image = _as_image(image)
    n = check_positive_int(n, "n")
    layer = RandAugment(num_ops=num_ops, magnitude=magnitude, ops=ops, seed=seed)
    samples = layer(np.repeat(image[None], n, axis=0), training=True).numpy()
    ncols = int(np.ceil(np.sqrt(n + 1)))
    fig, axes = grid(n + 1, ncols, cell=(1.8, 1.8), margin=(0.0, 0.5), layout="constrained")
    for i, ax in enumerate(axes):
        _show(
            ax, image if i == 0 else samples[i - 1], title="original" if i == 0 else f"sample {i}"
        )
    return finish(
        fig, f"RandAugment(num_ops={num_ops}, magnitude={magnitude:g}): {n} samples", tight=False
    )


def plot_augmentation_draws(image, layers, draws: int = 6, *, title: str | None = None) -> Figure:
    """One augmentation per row: the original, then ``draws`` random outputs of it.

    ``image``: one image ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` in [0, 255].
    ``layers``: a dict ``{row name: layer}`` of Keras layers (or any callables taking
    ``(batch, training=True)``) working on [0, 255] images, e.g. the layers of
    :func:`kerascnn.augment.classic_augmentation`. Each layer is called once on a batch
    of ``draws`` copies of the image, so every copy draws its own random parameters.
    Outputs are clipped to [0, 255] for display (added noise may leave the range).

    >>> import keras
    >>> fig = plot_augmentation_draws(np.full((8, 8), 100.0),
    ...                               {"flip": keras.layers.RandomFlip("horizontal")}, draws=2)
    >>> len(fig.axes), fig.axes[0].get_ylabel(), fig.axes[1].get_title()
    (3, 'flip', 'draw 1')
    """
    image = _as_image(image)
    draws = check_positive_int(draws, "draws")
    if not isinstance(layers, dict) or not layers:
        raise ValueError(f"`layers` must be a non-empty dict {{name: layer}}, got {layers!r}")
    batch = np.repeat(image[None], draws, axis=0)
    fig, axes = subplots(
        len(layers),
        draws + 1,
        squeeze=False,
        layout="constrained",
        figsize=(1.6 * (draws + 1) + 0.8, 1.6 * len(layers) + 0.6),
    )
    for row, (name, layer) in enumerate(layers.items()):
        outputs = np.asarray(layer(batch, training=True), dtype=np.float32)
        for col in range(draws + 1):
            _show(
                axes[row, col],
                image if col == 0 else np.clip(outputs[col - 1], 0, 255),
                title=("original" if col == 0 else f"draw {col}") if row == 0 else None,
                ylabel=name if col == 0 else None,
            )
    return finish(
        fig, title or f"Each augmentation alone (rows): {draws} random draws (columns)", tight=False
    )
