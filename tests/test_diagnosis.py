"""Tests for kerascnn.diagnosis: the verdict read from learning curves."""

from __future__ import annotations

import numpy as np
import pytest
from histories import OVERFIT

from kerascnn.diagnosis import VERDICTS, diagnose, history_dict


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
    stuck = {
        "loss": [2.31, 2.30, 2.30, 2.29, 2.30, 2.29, 2.29, 2.29],
        "val_loss": [2.30, 2.30, 2.30, 2.30, 2.30, 2.30, 2.30, 2.30],
    }
    assert diagnose(stuck).verdict == "underfitting"
    assert "hardly learns" in diagnose(stuck).advice


# --- crafted curves, one or more per verdict -------------------------------------------

EPOCHS = np.arange(1, 31)
NOISE = np.random.default_rng(0).normal(0.0, 1.0, 30)  # one fixed draw of unit noise

# The case that used to read as "good fit": 30 epochs, the training loss falling linearly
# from 2.20 to 1.91, the validation loss falling at every epoch to the last, validation
# accuracy about 0.25. The model is still learning: train longer.
SLOW_DECLINE = {
    "loss": np.linspace(2.20, 1.91, 30),
    "val_loss": np.linspace(2.21, 2.03, 30),
    "accuracy": np.linspace(0.15, 0.26, 30),
    "val_accuracy": np.linspace(0.17, 0.25, 30),
}
# The same with noise of half the per-epoch fall (best epoch still the last).
NOISY_SLOW_DECLINE = dict(
    SLOW_DECLINE,
    val_loss=np.linspace(2.21, 2.03, 30)
    + 0.003 * np.clip(NOISE, -1.5, 1.5) * np.r_[np.ones(29), 0.0],
)
# Fast decline, then a plateau with noise: learned what it can in the first ten epochs.
FAST_THEN_PLATEAU = {
    "loss": 0.25 + 0.8 * np.exp(-EPOCHS / 2),
    "val_loss": 0.3 + 0.7 * np.exp(-EPOCHS / 2) + 0.005 * NOISE,
}
# The same plateau, noisier, with its lowest point at the last epoch by chance.
_plateau = 0.35 + 0.6 * np.exp(-EPOCHS / 1.5) + 0.02 * NOISE
_plateau[-1] = _plateau.min() - 0.005
NOISY_PLATEAU_MIN_LAST = {"loss": 0.3 + 0.7 * np.exp(-EPOCHS / 4), "val_loss": _plateau}
# Late overfitting: best at epoch 20, then a steady rise while the training loss falls.
LATE_OVERFIT = {
    "loss": 1.2 * np.exp(-EPOCHS / 8),
    "val_loss": np.r_[
        0.4 + 0.8 * np.exp(-EPOCHS[:20] / 5), 0.4 + 0.8 * np.exp(-4) + 0.03 * np.arange(1, 11)
    ],
}
# Early overfitting: best at epoch 2 of a large model on little data.
EARLY_OVERFIT = {
    "loss": 1.0 * np.exp(-EPOCHS[:12] / 2),
    "val_loss": np.r_[0.9, 0.6, 0.65, 0.72, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
}
# A model that hardly learns: the training loss stays near ln(10).
HARDLY_LEARNS = {
    "loss": 2.30 - 0.002 * np.arange(15) + 0.002 * NOISE[:15],
    "val_loss": 2.30 + 0.003 * NOISE[15:],
}
DIVERGED = {
    "loss": [2.0, 1.5, 30.0, np.nan, np.nan, np.nan],
    "val_loss": [2.1, 1.6, 40.0, np.nan, np.nan, np.nan],
}
TOO_SHORT = {"loss": [2.0, 1.2, 0.9, 0.8], "val_loss": [2.0, 1.3, 1.0, 0.95]}

CRAFTED = {
    "slow steady decline": (SLOW_DECLINE, "underfitting", 30),
    "noisy slow decline": (NOISY_SLOW_DECLINE, "underfitting", 30),
    "fast decline then plateau": (FAST_THEN_PLATEAU, "good fit", None),
    "noisy plateau, minimum at the last epoch": (NOISY_PLATEAU_MIN_LAST, "good fit", 30),
    "late overfit": (LATE_OVERFIT, "overfitting", 20),
    "early overfit": (EARLY_OVERFIT, "overfitting", 2),
    "hardly learns": (HARDLY_LEARNS, "underfitting", None),
    "NaN": (DIVERGED, "diverged", 2),
    "too short": (TOO_SHORT, "not enough epochs to tell", 4),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_diagnose_crafted_curves(name):
    history, verdict, best_epoch = CRAFTED[name]
    result = diagnose(history)
    assert result.verdict == verdict, result
    if best_epoch is not None:
        assert result.best_epoch == best_epoch
    assert result.verdict in VERDICTS


def test_still_improving_says_train_longer():
    result = diagnose(SLOW_DECLINE)
    assert result.advice.startswith(
        "Still improving: train longer (the best epoch is the "
        "last one; from epoch 20 to 29 the validation loss fell by"
    )
    assert result.overfit_epoch is None
    assert "the best epoch is the last one" in diagnose(NOISY_SLOW_DECLINE).advice
    # Best epoch one before the last: still improving, and the advice names the epoch.
    dipped = dict(SLOW_DECLINE, val_loss=np.r_[SLOW_DECLINE["val_loss"][:29], 2.04])
    result = diagnose(dipped)
    assert (result.verdict, result.best_epoch) == ("underfitting", 29)
    assert "the best epoch is 29 of 30" in result.advice
    text = str(diagnose(SLOW_DECLINE))
    assert text.splitlines()[0] == "Diagnosis: underfitting (30 epochs, counted from 1)"
    assert "best epoch:        30 (lowest validation loss 2.0300)" in text
    assert "validation 0.250" in text
    assert "advice: Still improving: train longer" in text


def test_a_fall_within_noise_is_a_plateau():
    # The last epoch is the best, but the epochs before it scatter without a trend.
    flat = {
        "loss": np.linspace(1.0, 0.4, 20),
        "val_loss": np.r_[np.linspace(1.0, 0.5, 8), 0.5 + 0.02 * NOISE[:11], 0.45],
    }
    assert diagnose(flat).verdict == "good fit"
    # A steady but tiny fall after a large one has levelled off: a good fit too.
    levelled = {"loss": 0.2 + np.exp(-EPOCHS / 3), "val_loss": 0.3 + np.exp(-EPOCHS / 3)}
    assert diagnose(levelled).best_epoch == 30
    assert diagnose(levelled).verdict == "good fit"


@pytest.mark.parametrize("seed", range(40))
def test_noisy_plateaus_whose_minimum_is_last_are_good_fits(seed):
    rng = np.random.default_rng(seed)
    val_loss = 0.35 + 0.6 * np.exp(-EPOCHS / 1.5) + rng.normal(0.0, 0.02, 30)
    val_loss[-1] = val_loss.min() - 0.005
    verdict = diagnose({"loss": 0.3 + 0.7 * np.exp(-EPOCHS / 4), "val_loss": val_loss}).verdict
    assert verdict == "good fit"


def test_diagnose_too_short():
    result = diagnose(
        {
            "loss": [1.0, 0.7, 0.5],
            "val_loss": [1.1, 0.8, 0.9],
            "accuracy": [0.5, 0.7, 0.8],
            "val_accuracy": [0.45, 0.65, 0.7],
        }
    )
    assert result.verdict == "not enough epochs to tell"
    assert result.best_epoch == 2
    assert result.accuracy_gap == pytest.approx(0.1)
    assert (
        diagnose({"loss": [1.0, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.9]}, patience=1).verdict
        != "not enough epochs to tell"
    )


def test_diagnose_nan_is_diverged():
    result = diagnose(
        {
            "loss": [2.0, 1.5, np.nan, np.nan, np.nan, np.nan],
            "val_loss": [2.1, 1.6, np.nan, np.nan, np.nan, np.nan],
        }
    )
    assert result.verdict == "diverged"
    assert result.best_epoch == 2
    assert "learning rate" in result.advice
    all_nan = diagnose({"loss": [np.nan], "val_loss": [np.inf]})
    assert all_nan.verdict == "diverged" and all_nan.best_epoch is None
    assert "diverged" in str(all_nan)


def test_diagnose_best_first_epoch_is_one():
    result = diagnose(
        {"loss": [1.0, 0.8, 0.6, 0.4, 0.3, 0.2], "val_loss": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]}
    )
    assert (result.verdict, result.best_epoch, result.overfit_epoch) == ("overfitting", 1, 2)


@pytest.mark.parametrize(
    "history, message",
    [
        ({}, "empty"),
        ({"loss": []}, "empty"),
        ({"val_loss": [1.0]}, "'loss'"),
        ({"loss": [1.0, 0.5, 0.4, 0.3, 0.2, 0.1]}, "validation"),
        ({"loss": [1.0, 0.5], "val_loss": [1.0]}, "one value per epoch"),
        ([1.0, 0.5], "History"),
    ],
)
def test_diagnose_bad_input(history, message):
    with pytest.raises(ValueError, match=message):
        diagnose(history)


def test_diagnose_checks_its_parameters():
    with pytest.raises(ValueError, match="patience"):
        diagnose(OVERFIT, patience=0)
    with pytest.raises(ValueError, match="margin"):
        diagnose(OVERFIT, margin=-0.1)


def test_diagnosis_prints_readably():
    text = str(
        diagnose(
            dict(
                OVERFIT,
                accuracy=np.linspace(0.5, 0.99, 15),
                val_accuracy=np.linspace(0.5, 0.85, 15),
            )
        )
    )
    assert text.splitlines()[0] == "Diagnosis: overfitting (15 epochs, counted from 1)"
    assert "best epoch:        8" in text
    assert "overfitting from:  epoch 11" in text
    assert "gap +0.140" in text
    assert "advice:" in text
    assert set(VERDICTS) == {
        "underfitting",
        "good fit",
        "overfitting",
        "not enough epochs to tell",
        "diverged",
    }


def test_history_dict_returns_arrays():
    arrays = history_dict({"loss": [1, 2], "accuracy": (0.5, 0.6)})
    assert arrays["loss"].dtype == float and arrays["accuracy"].tolist() == [0.5, 0.6]
