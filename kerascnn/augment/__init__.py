"""Augmentation: Pillow-exact RandAugment ops, a per-image RandAugment layer, pictures.

``ops`` holds the pure batch functions, ``layers`` the Keras layers and the
magnitude -> parameter table, ``viz`` the figures.
"""

from kerascnn.augment import ops
from kerascnn.augment.layers import (
    ARTICLE_OPS,
    MAX_MAGNITUDE,
    OP_NAMES,
    PAIRED_OPS,
    PAPER_OPS,
    SIGNED_OPS,
    RandAugment,
    apply_op,
    classic_augmentation,
    magnitude_to_parameter,
)
from kerascnn.augment.viz import (
    plot_augmentation_draws,
    plot_ops_grid,
    plot_randaugment_samples,
)

__all__ = [
    "ARTICLE_OPS",
    "MAX_MAGNITUDE",
    "OP_NAMES",
    "PAIRED_OPS",
    "PAPER_OPS",
    "SIGNED_OPS",
    "RandAugment",
    "apply_op",
    "classic_augmentation",
    "magnitude_to_parameter",
    "ops",
    "plot_augmentation_draws",
    "plot_ops_grid",
    "plot_randaugment_samples",
]
