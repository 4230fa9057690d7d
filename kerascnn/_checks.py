"""Argument checks shared by every public entry point.

Each check raises ``ValueError`` naming the argument and what was expected, so a learner
sees one clear sentence instead of a deep TensorFlow traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_rank(array, name: str, ranks: Sequence[int]) -> None:
    """Raise ``ValueError`` unless ``array`` has one of ``ranks`` dimensions."""
    rank = len(array.shape)
    if rank not in ranks:
        allowed = " or ".join(str(r) for r in ranks)
        raise ValueError(f"`{name}` must have rank {allowed}, got shape {tuple(array.shape)}")


def check_images(
    images,
    name: str = "images",
    *,
    channels: Sequence[int] = (1, 3),
    value_range: tuple[float, float] | None = (0.0, 255.0),
    allow_single: bool = False,
) -> None:
    """Check an image batch ``(batch, height, width, channels)``.

    With ``allow_single=True`` a single image ``(height, width, channels)`` passes too.
    The value range is checked only for concrete (eager or NumPy) values; a symbolic
    tensor inside a traced graph cannot be inspected and is let through.
    """
    check_rank(images, name, (3, 4) if allow_single else (4,))
    if images.shape[-1] not in channels:
        allowed = " or ".join(str(c) for c in channels)
        raise ValueError(
            f"`{name}` must have {allowed} channels in the last axis, "
            f"got shape {tuple(images.shape)}"
        )
    if value_range is not None:
        check_value_range(images, name, value_range)


def check_value_range(values, name: str, value_range: tuple[float, float]) -> None:
    """Raise ``ValueError`` if concrete ``values`` leave ``value_range`` (symbolic pass)."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, NotImplementedError):
        return  # a symbolic tensor: checked at the next eager call
    if array.dtype == object or array.size == 0:
        return
    low, high = value_range
    lo, hi = float(array.min()), float(array.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"`{name}` contains NaN or infinite values")
    if lo < low or hi > high:
        raise ValueError(
            f"`{name}` must lie in value_range {value_range}, got values in [{lo:g}, {hi:g}]"
            + (" (did you already divide by 255?)" if high > 1 and hi <= 1 else "")
        )


def check_positive_int(value, name: str, *, allow_zero: bool = False) -> int:
    """Return ``value`` as ``int`` or raise if it is not a (non-negative) integer."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"`{name}` must be an integer, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else ">= 1"
        raise ValueError(f"`{name}` must be {bound}, got {value}")
    return int(value)


def check_choice(value, name: str, choices: Sequence) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {allowed}; got {value!r}")


def check_parameter(
    value,
    name: str,
    batch_size: int | None,
    *,
    low: float = -np.inf,
    high: float = np.inf,
    integer: bool = False,
) -> None:
    """Check an op parameter: a number, or one value per image, shape ``(batch_size,)``.

    Concrete values must be finite, lie in ``[low, high]`` and, with ``integer=True``,
    be whole numbers; a symbolic tensor inside a traced graph passes the value checks.
    """
    shape = tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
    if len(shape) > 1 or (
        len(shape) == 1 and None not in (shape[0], batch_size) and shape[0] != batch_size
    ):
        raise ValueError(
            f"`{name}` must be a number or one value per image, shape ({batch_size},); "
            f"got shape {shape}"
        )
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, NotImplementedError):
        return  # a symbolic tensor: checked at the next eager call
    if array.size == 0:
        return
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinite values")
    if array.min() < low or array.max() > high:
        raise ValueError(
            f"`{name}` must lie in [{low:g}, {high:g}], "
            f"got values in [{array.min():g}, {array.max():g}]"
        )
    if integer and not np.all(array == np.round(array)):
        raise ValueError(f"`{name}` must be whole numbers, got {array.ravel()[:8].tolist()}")
