"""Underfitting, good fit or overfitting: a verdict read from the learning curves.

:func:`diagnose` reads a training history (a ``keras.callbacks.History`` or its
``.history`` dict, as :func:`kerascnn.training.compile_and_fit` returns it) and needs no
model: it compares the training and validation losses epoch by epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from kerascnn._checks import check_positive_int

VERDICTS = ("underfitting", "good fit", "overfitting", "not enough epochs to tell", "diverged")


def history_dict(history) -> dict[str, np.ndarray]:
    """The per-epoch metrics of a ``History`` (or of its ``.history`` dict) as arrays.

    Checks that there is at least one epoch, that ``loss`` was recorded and that every
    metric has one value per epoch; raises ``ValueError`` otherwise.

    >>> history_dict({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})["val_loss"]
    array([1. , 0.7])
    """
    raw = history.history if isinstance(history, keras.callbacks.History) else history
    if not isinstance(raw, dict):
        raise ValueError(f"`history` must be a keras History or its dict, got {type(raw)}")
    if not raw:
        raise ValueError("`history` is empty: train for at least one epoch first")
    if "loss" not in raw:
        raise ValueError(f"`history` must record 'loss', got keys {sorted(raw)}")
    arrays = {key: np.asarray(values, dtype=float).reshape(-1) for key, values in raw.items()}
    lengths = {key: len(values) for key, values in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"every metric in `history` needs one value per epoch, got {lengths}")
    if lengths["loss"] == 0:
        raise ValueError("`history` is empty: train for at least one epoch first")
    return arrays


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` read from a training history.

    Epochs are counted from 1, as Keras prints them ("Epoch 1/10").

    Attributes:
        verdict: one of :data:`VERDICTS`.
        advice: one sentence on what to try next.
        epochs: how many epochs the history holds.
        best_epoch: the epoch with the lowest validation loss (``None`` if no epoch
            has a finite one).
        overfit_epoch: the first epoch of the sustained rise of the validation loss,
            or ``None`` when there is none.
        train_accuracy: training accuracy at the last epoch (``None`` if not recorded).
        val_accuracy: validation accuracy at the last epoch (``None`` if not recorded).
        accuracy_gap: ``train_accuracy - val_accuracy`` (``None`` if either is missing).
        best_val_loss: the lowest validation loss.
    """

    verdict: str
    advice: str
    epochs: int
    best_epoch: int | None
    overfit_epoch: int | None
    train_accuracy: float | None
    val_accuracy: float | None
    accuracy_gap: float | None
    best_val_loss: float | None

    def __str__(self) -> str:
        lines = [f"Diagnosis: {self.verdict} ({self.epochs} epochs, counted from 1)"]
        if self.best_epoch is not None:
            lines.append(
                f"  best epoch:        {self.best_epoch} "
                f"(lowest validation loss {self.best_val_loss:.4f})"
            )
        if self.overfit_epoch is not None:
            lines.append(f"  overfitting from:  epoch {self.overfit_epoch}")
        if self.accuracy_gap is not None:
            lines.append(
                f"  final accuracy:    train {self.train_accuracy:.3f}, validation "
                f"{self.val_accuracy:.3f} (gap {self.accuracy_gap:+.3f})"
            )
        lines.append(f"  advice: {self.advice}")
        return "\n".join(lines)


def _sustained_rise(
    val_loss: np.ndarray, loss: np.ndarray, best: int, patience: int, margin: float
) -> int | None:
    """0-based start of the first run of >= ``patience`` epochs after ``best`` whose
    validation loss stays above ``(1 + margin) * val_loss[best]`` while the training
    loss at the end of the run is below its value at ``best``; ``None`` if none."""
    above = val_loss > val_loss[best] * (1.0 + margin)
    start = None
    for epoch in range(best + 1, len(val_loss)):
        if not above[epoch]:
            start = None
            continue
        start = epoch if start is None else start
        if epoch - start + 1 >= patience and loss[epoch] < loss[best]:
            return start
    return None


# How many standard errors the trend's fall must exceed to count as "still falling".
_SIGNIFICANT = 3.0


def _recent_trend(val_loss: np.ndarray, patience: int) -> tuple[float, float, int, int] | None:
    """The fall of the validation loss along its least-squares line over the epochs just
    before the last one, and the standard error of that fall.

    The window holds the ``max(patience + 1, n // 3)`` epochs before the last (at least
    3). The last epoch is left out: when it is the lowest of a noisy plateau by chance, it
    would tilt its own line downwards. The standard error comes from the scatter of the
    points around the line (the epoch-to-epoch noise, with ``width - 2`` degrees of
    freedom): a line through pure noise falls by less than 3 standard errors in about
    99 % of windows of 10 epochs. Returns ``(fall, standard_error, first, last)``, the
    last two the window's 0-based first and last epochs, or ``None`` when fewer than 3
    epochs come before the last.
    """
    end = len(val_loss) - 1
    width = min(end, max(patience + 1, len(val_loss) // 3, 3))
    if width < 3:
        return None
    epochs = np.arange(width, dtype=float)
    values = val_loss[end - width : end]
    slope, intercept = np.polyfit(epochs, values, 1)
    residuals = values - (slope * epochs + intercept)
    noise = np.sqrt(np.sum(residuals**2) / (width - 2))
    spread = np.sqrt(np.sum((epochs - epochs.mean()) ** 2))
    return float(-slope * (width - 1)), float(noise * (width - 1) / spread), end - width, end - 1


def diagnose(history, *, patience: int = 3, margin: float = 0.1) -> Diagnosis:
    """Read a training history and say: underfitting, good fit or overfitting.

    ``history`` is a ``keras.callbacks.History`` or its ``.history`` dict with ``loss``
    and ``val_loss`` (accuracy is optional). Epochs are reported counted from 1, as Keras
    prints them. The rule, in order:

    1. ``diverged``: a training or validation loss is NaN or infinite.
    2. ``not enough epochs to tell``: fewer than ``patience + 2`` epochs.
    3. ``overfitting``: after the best epoch (lowest validation loss), the validation
       loss stays above ``(1 + margin)`` times its best value for at least ``patience``
       consecutive epochs, while the training loss is still below its value at the
       best epoch. One bad epoch is noise, not overfitting. ``overfit_epoch`` is the
       first epoch of that stretch.
    4. ``underfitting``, still improving (train longer): the validation loss is still
       clearly falling at the end. That is, all three of

       * the best epoch is one of the last three;
       * over the ``max(patience + 1, n // 3)`` epochs before the last (at least 3), a
         least-squares line through the validation loss falls by more than 3 standard
         errors, the uncertainty that the scatter of the points around the line (the
         epoch-to-epoch noise) leaves on its fall. The last epoch is left out of the
         line, so a noisy plateau whose minimum lands on the last epoch by chance is not
         "still improving";
       * that fall is more than ``margin`` of the whole improvement, from the first
         epoch to the best (a curve that has all but levelled off is a good fit).
    5. ``underfitting``, hardly learns (more capacity or a better learning rate): the
       training loss fell by less than ``margin`` (relative) from the first epoch to the
       last.
    6. ``good fit`` otherwise: the validation loss levelled off without rising.

    A history without validation data raises ``ValueError``.

    >>> d = diagnose({"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02],
    ...               "val_loss": [1.0, 0.7, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]})
    >>> d.verdict, d.best_epoch, d.overfit_epoch
    ('overfitting', 3, 4)
    >>> d = diagnose({"loss": np.linspace(2.2, 1.9, 12), "val_loss": np.linspace(2.2, 2.0, 12)})
    >>> d.verdict, d.best_epoch
    ('underfitting', 12)
    >>> d.advice.split(":")[0]
    'Still improving'
    """
    patience = check_positive_int(patience, "patience")
    if not margin >= 0:
        raise ValueError(f"`margin` must be >= 0, got {margin}")
    metrics = history_dict(history)
    if "val_loss" not in metrics:
        raise ValueError(
            "`history` has no validation data ('val_loss'): pass `validation` to "
            "compile_and_fit so the curves can be compared"
        )
    loss, val_loss = metrics["loss"], metrics["val_loss"]
    n = len(loss)
    finite = np.isfinite(val_loss)
    best = int(np.argmin(np.where(finite, val_loss, np.inf))) if finite.any() else None
    train_acc = float(metrics["accuracy"][-1]) if "accuracy" in metrics else None
    val_acc = float(metrics["val_accuracy"][-1]) if "val_accuracy" in metrics else None
    gap = None if train_acc is None or val_acc is None else train_acc - val_acc

    def result(verdict: str, advice: str, overfit: int | None = None) -> Diagnosis:
        return Diagnosis(
            verdict=verdict,
            advice=advice,
            epochs=n,
            best_epoch=None if best is None else best + 1,
            overfit_epoch=None if overfit is None else overfit + 1,
            train_accuracy=train_acc,
            val_accuracy=val_acc,
            accuracy_gap=gap,
            best_val_loss=None if best is None else float(val_loss[best]),
        )

    if not (finite.all() and np.isfinite(loss).all()):
        return result(
            "diverged",
            "The loss became NaN or infinite: lower the learning rate, "
            "check that the inputs are scaled to [0, 1] and that `from_logits` "
            "matches the model's last layer.",
        )
    if n < patience + 2:
        return result(
            "not enough epochs to tell",
            f"Train for at least {patience + 2} epochs "
            "(better 10 or more) to tell underfitting from overfitting.",
        )
    overfit = _sustained_rise(val_loss, loss, best, patience, margin)
    if overfit is not None:
        return result(
            "overfitting",
            "The model starts memorising the training set: add "
            "dropout or data augmentation, get more data, or stop early (keep the "
            f"weights of epoch {best + 1}).",
            overfit,
        )
    trend = _recent_trend(val_loss, patience) if best >= n - 3 else None
    if trend is not None:
        fall, error, first, last = trend
        if fall > _SIGNIFICANT * error and fall > margin * (val_loss[0] - val_loss[best]):
            where = "the last one" if best == n - 1 else f"{best + 1} of {n}"
            size = (
                f"{fall / error:.0f} times its uncertainty"
                if error > 1e-9 * fall
                else "without noise"
            )
            return result(
                "underfitting",
                f"Still improving: train longer (the best epoch is "
                f"{where}; from epoch {first + 1} to {last + 1} the validation loss "
                f"fell by {fall:.3g}, {size}).",
            )
    if loss[0] - loss[-1] < margin * loss[0]:
        return result(
            "underfitting",
            f"The model hardly learns (training loss {loss[0]:.3g} "
            f"at the first epoch, {loss[-1]:.3g} at the last): give it more capacity "
            "(more filters or layers) or a better learning rate.",
        )
    return result(
        "good fit",
        "Validation loss levelled off without rising: this model fits "
        f"well; keep the weights of epoch {best + 1} (early stopping does it for you).",
    )
