"""Tests for kerascnn.diagnosis: the verdict read from learning curves."""

from __future__ import annotations

import numpy as np
import pytest

from kerascnn.diagnosis import VERDICTS, diagnose, history_dict

# Validation loss falls to 0.44 at epoch 8, then rises for good; training loss keeps falling.
OVERFIT = {
    "loss": [1.0, 0.8, 0.65, 0.55, 0.47, 0.4, 0.34, 0.29, 0.25, 0.21, 0.18, 0.15, 0.12, 0.1, 0.08],
    "val_loss": [1.0, 0.8, 0.65, 0.55, 0.5, 0.47, 0.45, 0.44, 0.45, 0.47, 0.5, 0.53, 0.57,
                 0.6, 0.65],
}


def test_diagnose_clean_overfit():
    result = diagnose(OVERFIT)
    assert result.verdict == "overfitting"
    assert result.best_epoch == 8  # 1-based, as Keras prints it
    assert result.overfit_epoch == 11  # first of the epochs above 0.44 * 1.1 for good
    assert result.best_val_loss == pytest.approx(0.44)
    assert "dropout" in result.advice
    assert result.epochs == 15


def test_diagnose_noisy_but_fine():
    epochs = np.arange(1, 21)
    rng = np.random.default_rng(0)
    val_loss = 0.3 + 0.7 * np.exp(-epochs / 3) + rng.uniform(-0.01, 0.01, 20)
    val_loss[11] += 0.2  # one bad epoch is not overfitting
    loss = 0.25 + 0.8 * np.exp(-epochs / 3)
    result = diagnose({"loss": loss, "val_loss": val_loss})
    assert result.verdict == "good fit"
    assert result.overfit_epoch is None
    assert result.best_epoch == int(np.argmin(val_loss)) + 1


def test_diagnose_short_rise_is_not_overfitting():
    history = {key: list(values) for key, values in OVERFIT.items()}
    history["val_loss"][8:] = [0.5, 0.52, 0.46, 0.45, 0.46, 0.45, 0.45]  # 2 epochs above
    assert diagnose(history).verdict == "good fit"
    result = diagnose(history, patience=2)
    assert (result.verdict, result.overfit_epoch) == ("overfitting", 9)


def test_diagnose_rise_with_rising_training_loss_is_not_overfitting():
    history = dict(OVERFIT, loss=OVERFIT["val_loss"])
    assert diagnose(history).verdict != "overfitting"


def test_diagnose_underfitting():
    still_learning = {"loss": np.linspace(2.0, 1.1, 10), "val_loss": np.linspace(2.05, 1.15, 10)}
    result = diagnose(still_learning)
    assert result.verdict == "underfitting"
    assert result.best_epoch == 10
    assert "longer" in result.advice
    stuck = {"loss": [2.31, 2.30, 2.30, 2.29, 2.30, 2.29, 2.29, 2.29],
             "val_loss": [2.30, 2.30, 2.30, 2.30, 2.30, 2.30, 2.30, 2.30]}
    assert diagnose(stuck).verdict == "underfitting"


def test_diagnose_too_short():
    result = diagnose({"loss": [1.0, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.9],
                       "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.45, 0.65, 0.7]})
    assert result.verdict == "not enough epochs to tell"
    assert result.best_epoch == 2
    assert result.accuracy_gap == pytest.approx(0.1)
    assert diagnose({"loss": [1.0, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.9]},
                    patience=1).verdict != "not enough epochs to tell"


def test_diagnose_nan_is_diverged():
    result = diagnose({"loss": [2.0, 1.5, np.nan, np.nan, np.nan, np.nan],
                       "val_loss": [2.1, 1.6, np.nan, np.nan, np.nan, np.nan]})
    assert result.verdict == "diverged"
    assert result.best_epoch == 2
    assert "learning rate" in result.advice
    all_nan = diagnose({"loss": [np.nan], "val_loss": [np.inf]})
    assert all_nan.verdict == "diverged" and all_nan.best_epoch is None
    assert "diverged" in str(all_nan)


def test_diagnose_best_first_epoch_is_one():
    result = diagnose({"loss": [1.0, 0.8, 0.6, 0.4, 0.3, 0.2], "val_loss": [0.5, 0.6, 0.7,
                                                                            0.8, 0.9, 1.0]})
    assert (result.verdict, result.best_epoch, result.overfit_epoch) == ("overfitting", 1, 2)


@pytest.mark.parametrize("history, message", [
    ({}, "empty"),
    ({"loss": []}, "empty"),
    ({"val_loss": [1.0]}, "'loss'"),
    ({"loss": [1.0, 0.5, 0.4, 0.3, 0.2, 0.1]}, "validation"),
    ({"loss": [1.0, 0.5], "val_loss": [1.0]}, "one value per epoch"),
    ([1.0, 0.5], "History"),
])
def test_diagnose_bad_input(history, message):
    with pytest.raises(ValueError, match=message):
        diagnose(history)


def test_diagnose_checks_its_parameters():
    with pytest.raises(ValueError, match="patience"):
        diagnose(OVERFIT, patience=0)
    with pytest.raises(ValueError, match="margin"):
        diagnose(OVERFIT, margin=-0.1)


def test_diagnosis_prints_readably():
    text = str(diagnose(dict(OVERFIT, accuracy=np.linspace(0.5, 0.99, 15),
                             val_accuracy=np.linspace(0.5, 0.85, 15))))
    assert text.splitlines()[0] == "Diagnosis: overfitting (15 epochs, counted from 1)"
    assert "best epoch:        8" in text
    assert "overfitting from:  epoch 11" in text
    assert "gap +0.140" in text
    assert "advice:" in text
    assert set(VERDICTS) == {"underfitting", "good fit", "overfitting",
                             "not enough epochs to tell", "diverged"}


def test_history_dict_returns_arrays():
    arrays = history_dict({"loss": [1, 2], "accuracy": (0.5, 0.6)})
    assert arrays["loss"].dtype == float and arrays["accuracy"].tolist() == [0.5, 0.6]
