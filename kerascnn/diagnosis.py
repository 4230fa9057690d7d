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
            lines.append(f"  best epoch:        {self.best_epoch} "
                         f"(lowest validation loss {self.best_val_loss:.4f})")
        if self.overfit_epoch is not None:
            lines.append(f"  overfitting from:  epoch {self.overfit_epoch}")
        if self.accuracy_gap is not None:
            lines.append(f"  final accuracy:    train {self.train_accuracy:.3f}, validation "
                         f"{self.val_accuracy:.3f} (gap {self.accuracy_gap:+.3f})")
        lines.append(f"  advice: {self.advice}")
        return "\n".join(lines)


def _sustained_rise(val_loss: np.ndarray, loss: np.ndarray, best: int, patience: int,
                    margin: float) -> int | None:
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
    4. ``underfitting``: the best validation loss still improved by more than
       ``margin`` (relative) during the last ``patience`` epochs (train longer), or the
       training loss fell by less than ``margin`` from the first epoch to the last (the
       model hardly learns: more capacity or a better learning rate).
    5. ``good fit`` otherwise.

    A history without validation data raises ``ValueError``.

    >>> d = diagnose({"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02],
    ...               "val_loss": [1.0, 0.7, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]})
    >>> d.verdict, d.best_epoch, d.overfit_epoch
    ('overfitting', 3, 4)
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
            verdict=verdict, advice=advice, epochs=n,
            best_epoch=None if best is None else best + 1,
            overfit_epoch=None if overfit is None else overfit + 1,
            train_accuracy=train_acc, val_accuracy=val_acc, accuracy_gap=gap,
            best_val_loss=None if best is None else float(val_loss[best]),
        )

    if not (finite.all() and np.isfinite(loss).all()):
        return result("diverged", "The loss became NaN or infinite: lower the learning rate, "
                      "check that the inputs are scaled to [0, 1] and that `from_logits` "
                      "matches the model's last layer.")
    if n < patience + 2:
        return result("not enough epochs to tell", f"Train for at least {patience + 2} epochs "
                      "(better 10 or more) to tell underfitting from overfitting.")
    overfit = _sustained_rise(val_loss, loss, best, patience, margin)
    if overfit is not None:
        return result("overfitting", "The model starts memorising the training set: add "
                      "dropout or data augmentation, get more data, or stop early (keep the "
                      f"weights of epoch {best + 1}).", overfit)
    earlier_best = val_loss[: n - patience].min()
    still_improving = earlier_best - val_loss[best] > margin * earlier_best
    hardly_learns = loss[0] - loss[-1] < margin * loss[0]
    if still_improving or hardly_learns:
        return result("underfitting", "The model has not learned all it can: train longer, "
                      "or give it more capacity (more filters or layers) or a better learning "
                      "rate.")
    return result("good fit", "Validation loss levelled off without rising: this model fits "
                  f"well; keep the weights of epoch {best + 1} (early stopping does it for you).")
