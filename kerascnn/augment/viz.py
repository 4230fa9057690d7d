"""Pictures of the augmentation ops: one op per row, magnitudes across; RandAugment samples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from kerascnn._checks import check_images, check_positive_int
from kerascnn.augment.layers import PAIRED_OPS, RandAugment, _resolve_ops, apply_op


def _as_image(image) -> np.ndarray:
    """``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` in [0, 255] -> float32 ``(h, w, c)``."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    check_images(image, "image", allow_single=True)
    if image.ndim != 3:
        raise ValueError(f"`image` must be one image (h, w) or (h, w, c), got {image.shape}")
    return image


def _show(ax, image: np.ndarray) -> None:
    """Draw a [0, 255] image; a grey one with the gray colour map on a fixed scale."""
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(np.clip(image, 0, 255).astype(np.uint8))
    ax.set_xticks([])
    ax.set_yticks([])


def plot_ops_grid(
    image,
    magnitudes: Sequence[float] = (0, 5, 10, 20, 30),
    ops: str | Sequence[str] = "article",
    pair_with=None,
) -> Figure:
    """Each op (rows) at several magnitudes (columns) on one image, positive sign.

    ``image``: one image ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` in [0, 255] (a photo
    or a Fashion-MNIST image). ``ops`` as in :class:`RandAugment`; ``shear_xy`` and
    ``translate_xy`` get a row for X and one for Y. Cutout is drawn at the centre;
    sample pairing blends with ``pair_with`` (default: the image turned 180 degrees).

    >>> fig = plot_ops_grid(np.full((8, 8), 100.0), magnitudes=(0, 10), ops=["invert"])
    >>> fig.axes[0].get_ylabel(), fig.axes[1].get_title()
    ('invert', 'M = 10')
    """
    image = _as_image(image)
    other = _as_image(pair_with) if pair_with is not None else image[::-1, ::-1]
    if other.shape != image.shape:
        raise ValueError(f"`pair_with` must have shape {image.shape}, got {other.shape}")
    names = [name for kind in _resolve_ops(ops) for name in PAIRED_OPS.get(kind, (kind,))]
    fig = Figure(figsize=(1.6 * len(magnitudes) + 0.8, 1.6 * len(names) + 0.6),
                 layout="constrained")
    axes = fig.subplots(len(names), len(magnitudes), squeeze=False)
    for row, name in enumerate(names):
        for col, magnitude in enumerate(magnitudes):
            out = apply_op(image[None], name, magnitude, others=other[None])
            ax = axes[row, col]
            _show(ax, out.numpy()[0])
            if row == 0:
                ax.set_title(f"M = {magnitude:g}")
            if col == 0:
                ax.set_ylabel(name)
    fig.suptitle("Augmentation ops (rows) by magnitude (columns); 10 = AutoAugment maximum")
    return fig


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
    cols = int(np.ceil(np.sqrt(n + 1)))
    rows = int(np.ceil((n + 1) / cols))
    fig = Figure(figsize=(1.8 * cols, 1.8 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        if i > n:
            ax.set_axis_off()
            continue
        _show(ax, image if i == 0 else samples[i - 1])
        ax.set_title("original" if i == 0 else f"sample {i}")
    fig.suptitle(f"RandAugment(num_ops={num_ops}, magnitude={magnitude:g}): {n} samples")
    return fig


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
    fig = Figure(figsize=(1.6 * (draws + 1) + 0.8, 1.6 * len(layers) + 0.6),
                 layout="constrained")
    axes = fig.subplots(len(layers), draws + 1, squeeze=False)
    for row, (name, layer) in enumerate(layers.items()):
        outputs = np.asarray(layer(batch, training=True), dtype=np.float32)
        for col in range(draws + 1):
            ax = axes[row, col]
            _show(ax, image if col == 0 else np.clip(outputs[col - 1], 0, 255))
            if row == 0:
                ax.set_title("original" if col == 0 else f"draw {col}")
            if col == 0:
                ax.set_ylabel(name)
    fig.suptitle(title or f"Each augmentation alone (rows): {draws} random draws (columns)")
    return fig
