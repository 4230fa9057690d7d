"""Augmentation: Pillow-exact RandAugment ops and a per-image RandAugment layer.

``ops`` holds the pure batch functions, ``layers`` the Keras layers and the
magnitude -> parameter table; the figures are in :mod:`kerascnn.plots.augmentation`.
"""

from kerascnn.augment import ops
from kerascnn.augment.layers import (
    ARTICLE_OPS,
    MAX_MAGNITUDE,
    OP_NAMES,
    OP_TABLE,
    PAIRED_OPS,
    PAPER_OPS,
    RandAugment,
    apply_op,
    classic_augmentation,
    magnitude_to_parameter,
)

__all__ = [
    "ARTICLE_OPS",
    "MAX_MAGNITUDE",
    "OP_NAMES",
    "OP_TABLE",
    "PAIRED_OPS",
    "PAPER_OPS",
    "RandAugment",
    "apply_op",
    "classic_augmentation",
    "magnitude_to_parameter",
    "ops",
]
