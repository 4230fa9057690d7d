"""Crafted training histories shared by the diagnosis and learning-curve tests."""

import numpy as np

# Validation loss falls to 0.44 at epoch 8, then rises for good; training loss keeps falling.
OVERFIT = {
    "loss": [1.0, 0.8, 0.65, 0.55, 0.47, 0.4, 0.34, 0.29, 0.25, 0.21, 0.18, 0.15, 0.12, 0.1, 0.08],
    "val_loss": [
        1.0,
        0.8,
        0.65,
        0.55,
        0.5,
        0.47,
        0.45,
        0.44,
        0.45,
        0.47,
        0.5,
        0.53,
        0.57,
        0.6,
        0.65,
    ],
    "accuracy": np.linspace(0.6, 0.99, 15),
    "val_accuracy": np.linspace(0.6, 0.85, 15),
}
