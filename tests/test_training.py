"""Tests for the training helpers: compile_and_fit, diagnose and the 2-D toy problem."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerascnn import data, training
from kerascnn.training import (
    VERDICTS,
    compile_and_fit,
    diagnose,
    fit_toy_mlp,
    history_dict,
    make_toy_data,
    toy_true_labels,
)


@pytest.fixture(scope="module")
def fashion():
    """512 training and 128 validation images of the real shipped subset, as datasets."""
    (x, y), _ = data.load_fashion_mnist_subset()
    (x_train, y_train), (x_val, y_val) = data.train_val_split(x[:640], y[:640],
                                                              val_fraction=0.2, seed=0)
    return {
        "train": data.make_dataset(x_train, y_train, batch_size=128, shuffle=True, seed=0),
        "val": data.make_dataset(x_val, y_val, batch_size=128),
        "arrays": (data.to_float_images(x_train), y_train),
    }


def tiny_model(activation: str | None = "softmax") -> keras.Model:
    inputs = keras.Input((28, 28, 1))
    hidden = keras.layers.Dense(16, activation="relu")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, keras.layers.Dense(10, activation=activation)(hidden))


@pytest.fixture
def quick_profile(monkeypatch):
    monkeypatch.setenv(training.PROFILE_ENV, "quick")


# --- compile_and_fit ------------------------------------------------------------------


def test_compile_and_fit_trains_and_prints_one_line_per_epoch(fashion, capsys):
    history = compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=2)
    assert isinstance(history, keras.callbacks.History)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]  # it learns
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert out.count("val_accuracy") == 2  # verbose=2: one summary line per epoch
    # diagnose reads the History object and its dict alike
    assert diagnose(history) == diagnose(history.history)
    assert diagnose(history).verdict == "not enough epochs to tell"


def test_epochs_come_from_the_profile(fashion, quick_profile):
    history = compile_and_fit(tiny_model(), fashion["train"], fashion["val"],
                              experiment="feature_maps", verbose=0)
    assert len(history.history["loss"]) == training.get_profile().epochs_for("feature_maps")


def test_epochs_or_experiment_is_required(fashion):
    with pytest.raises(ValueError, match="epochs.*experiment"):
        compile_and_fit(tiny_model(), fashion["train"], fashion["val"])
    with pytest.raises(ValueError, match="unknown experiment"):
        compile_and_fit(tiny_model(), fashion["train"], fashion["val"], experiment="nope")
    with pytest.raises(ValueError, match="epochs"):
        compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=0)


def test_arrays_are_batched_with_the_profile_batch_size(fashion, quick_profile):
    x, y = fashion["arrays"]
    history = compile_and_fit(tiny_model(), (x, y), None, epochs=1, verbose=0)
    assert history.params["steps"] == int(np.ceil(len(x) / training.get_profile().batch_size))
    assert sorted(history.history) == ["accuracy", "loss"]
    with pytest.raises(ValueError, match="validation"):
        diagnose(history)
    with pytest.raises(ValueError, match="tuple"):
        compile_and_fit(tiny_model(), (x, y, y), None, epochs=1)


def test_learning_rate_and_logits(fashion):
    model = tiny_model(activation=None)
    history = compile_and_fit(model, fashion["train"], fashion["val"], optimizer="sgd",
                              learning_rate=0.05, from_logits=True, epochs=1, verbose=0)
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.loss.get_config()["from_logits"] is True
    assert np.isfinite(history.history["loss"]).all()
    with pytest.raises(ValueError, match="learning_rate"):
        compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=1,
                        optimizer=keras.optimizers.Adam(), learning_rate=0.1)


def test_early_stopping_stops(fashion):
    # With a learning rate of 0 the validation loss never improves: stop after patience.
    history = compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=20,
                              optimizer="sgd", learning_rate=0.0, early_stopping=1, verbose=0)
    assert len(history.history["loss"]) <= 3


def test_checkpoint_and_extra_callbacks(fashion, tmp_path):
    path = tmp_path / "best.keras"
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=2, verbose=0,
                    checkpoint=path, callbacks=[callback])
    assert path.is_file()
    assert keras.models.load_model(path).output_shape == (None, 10)
    assert seen == [0, 1]


# --- diagnose -------------------------------------------------------------------------

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


# --- the 2-D toy problem --------------------------------------------------------------


def test_make_toy_data():
    x, y = make_toy_data(200, seed=3)
    assert x.shape == (200, 2) and x.dtype == np.float32 and y.shape == (200,)
    assert set(np.unique(y)) == {0, 1}
    x2, y2 = make_toy_data(200, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, make_toy_data(200, seed=4)[0])


@pytest.mark.parametrize("kind", ["moons", "circles"])
def test_toy_label_noise_is_the_only_disagreement_with_the_truth(kind):
    # Without position noise each point lies on its curve, so only flipped labels differ.
    x, y = make_toy_data(200, noise=0.0, kind=kind, label_noise=0.05)
    assert int(np.sum(y != toy_true_labels(x, kind=kind))) == 10
    x, y = make_toy_data(200, noise=0.0, kind=kind, label_noise=0.0)
    np.testing.assert_array_equal(y, toy_true_labels(x, kind=kind))


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 1}, {"kind": "spirals"}, {"noise": -1.0},
                                    {"label_noise": 0.7}])
def test_make_toy_data_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_toy_data(**kwargs)


def test_toy_true_labels_checks_shape():
    with pytest.raises(ValueError, match="points"):
        toy_true_labels(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="points"):
        toy_true_labels(np.zeros(4))


def test_fit_toy_mlp_overfits_the_label_noise():
    x, y = make_toy_data(200, seed=0)
    x_val, y_val = make_toy_data(200, seed=1)
    model, history = fit_toy_mlp(x, y, epochs=120, validation=(x_val, y_val), seed=0)
    assert model.output_shape == (None, 2)
    assert len(history.history["val_loss"]) == 120
    # The true boundary misclassifies the noisy points; the big MLP bends around them.
    true_accuracy = np.mean(toy_true_labels(x) == y)
    assert history.history["accuracy"][-1] > true_accuracy


def test_fit_toy_mlp_checks_its_input():
    with pytest.raises(ValueError, match="x"):
        fit_toy_mlp(np.zeros((10, 3)), np.zeros(10), epochs=1)
    with pytest.raises(ValueError, match="same length"):
        fit_toy_mlp(np.zeros((10, 2)), np.zeros(9), epochs=1)
    with pytest.raises(ValueError, match="hidden_units"):
        fit_toy_mlp(np.zeros((10, 2)), np.zeros(10), hidden_units=(0,), epochs=1)
