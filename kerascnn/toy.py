"""A 2-D toy problem (two moons or two circles), to see overfitting as a decision boundary.

Images have hundreds of dimensions; points in the plane can be drawn with the boundary a
network learns (:func:`kerascnn.plots.plot_decision_boundary`). :func:`make_toy_data`
draws noisy points with a few flipped labels, :func:`toy_true_labels` gives the boundary
a perfect classifier would learn, and :func:`fit_toy_mlp` trains an over-large
:func:`kerascnn.models.mlp` on them with :func:`kerascnn.training.compile_and_fit`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from kerascnn import models
from kerascnn._checks import check_choice, check_positive_int, check_rank
from kerascnn.profiles import DEFAULT_SEED
from kerascnn.training import compile_and_fit

TOY_KINDS = ("moons", "circles")


def _toy_curves(kind: str, points_per_curve: int) -> tuple[np.ndarray, np.ndarray]:
    """The two noiseless curves of a toy data set (class 0, class 1), each ``(m, 2)``."""
    t = np.linspace(0.0, np.pi if kind == "moons" else 2 * np.pi, points_per_curve)
    if kind == "moons":
        return (
            np.stack([np.cos(t), np.sin(t)], axis=1),
            np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
        )
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return circle, 0.5 * circle


def make_toy_data(
    n: int = 200,
    noise: float = 0.3,
    seed: int = 0,
    *,
    kind: str = "moons",
    label_noise: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving moons (or two circles) in 2-D, computed with NumPy.

    Half of the points lie on each noiseless curve, moved by Gaussian noise of standard
    deviation ``noise``; then a fraction ``label_noise`` of the labels is flipped, so
    that an over-large network can bend its boundary around these few wrong points.

    Returns ``x`` float32 ``(n, 2)`` and ``y`` int ``(n,)`` with labels 0 and 1.

    >>> x, y = make_toy_data(100, seed=1)
    >>> x.shape, x.dtype, sorted(set(y.tolist()))
    ((100, 2), dtype('float32'), [0, 1])
    """
    n = check_positive_int(n, "n")
    check_choice(kind, "kind", TOY_KINDS)
    if n < 2:
        raise ValueError(f"`n` must be >= 2 (one point per class at least), got {n}")
    if not noise >= 0:
        raise ValueError(f"`noise` must be >= 0, got {noise}")
    if not 0 <= label_noise <= 0.5:
        raise ValueError(f"`label_noise` must lie in [0, 0.5], got {label_noise}")
    rng = np.random.default_rng(seed)
    sizes = (n - n // 2, n // 2)
    x, y = [], []
    for label, (curve, size) in enumerate(zip(_toy_curves(kind, 1000), sizes, strict=True)):
        x.append(curve[rng.integers(0, len(curve), size)])
        y.append(np.full(size, label))
    x = np.concatenate(x) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate(y)
    flip = rng.choice(n, int(round(label_noise * n)), replace=False)
    y[flip] = 1 - y[flip]
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order].astype(np.int64)


def toy_true_labels(points, *, kind: str = "moons") -> np.ndarray:
    """The label of the nearer noiseless curve: the true boundary of the toy data.

    Pass it to :func:`kerascnn.plots.plot_decision_boundary` as ``true_boundary`` to
    draw the boundary a perfect classifier would learn.

    >>> toy_true_labels(np.array([[0.0, 1.0], [1.0, -0.5]]))
    array([0, 1])
    """
    points = np.asarray(points, dtype=float)
    check_rank(points, "points", (2,))
    if points.shape[1] != 2:
        raise ValueError(f"`points` must have shape (n, 2), got {points.shape}")
    check_choice(kind, "kind", TOY_KINDS)
    distances = [
        np.min(np.linalg.norm(points[:, None, :] - curve[None], axis=-1), axis=1)
        for curve in _toy_curves(kind, 200)
    ]
    return (distances[1] < distances[0]).astype(np.int64)


def fit_toy_mlp(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden_units: Sequence[int] = (256, 256, 256),
    epochs: int | None = None,
    learning_rate: float = 0.01,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = DEFAULT_SEED,
    verbose: int = 0,
) -> tuple[keras.Model, keras.callbacks.History]:
    """Train a (by default over-large) ReLU MLP on 2-D toy data; return model and history.

    With three layers of 256 units for 200 points the network has far more parameters
    than points, so after enough epochs it hugs every point, label noise included: the
    decision-boundary picture of overfitting. The network is
    ``models.mlp((2,), 2, hidden_units=hidden_units)`` (ReLU, softmax output, Keras's
    default initialisation), named ``"toy_mlp"``. Training is full-batch Adam through
    :func:`compile_and_fit`, seeded with ``seed`` (this reseeds Keras's global random
    generators). ``epochs`` defaults to the course profile's ``"toy"`` experiment
    (``profiles.get_profile().epochs_for("toy")``); each full-batch epoch costs Keras's
    per-epoch overhead of a few tens of milliseconds, not compute.

    >>> x, y = make_toy_data(40)
    >>> model, history = fit_toy_mlp(x, y, hidden_units=(8,), epochs=2)
    >>> model.name, model.output_shape, len(history.history["loss"])
    ('toy_mlp', (None, 2), 2)
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    check_rank(x, "x", (2,))
    if x.shape[1] != 2:
        raise ValueError(f"`x` must have shape (n, 2), got {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    keras.utils.set_random_seed(seed)
    model = models.mlp((2,), 2, hidden_units=hidden_units, activation="relu")
    model.name = "toy_mlp"  # the layers are models.mlp's: fc1, fc2, ..., predictions
    history = compile_and_fit(
        model,
        (x, y),
        validation,
        epochs=epochs,
        experiment="toy",  # the profile's epochs when `epochs` is None
        learning_rate=learning_rate,
        batch_size=len(x),
        verbose=verbose,
    )
    return model, history
