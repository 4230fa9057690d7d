"""Tests for kerascnn.training.compile_and_fit."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerascnn import data, profiles
from kerascnn.diagnosis import diagnose
from kerascnn.training import compile_and_fit


@pytest.fixture(scope="module")
def fashion():
    """512 training and 128 validation images of the real shipped subset, as datasets."""
    (x, y), _ = data.load_fashion_mnist_subset()
    (x_train, y_train), (x_val, y_val) = data.train_val_split(
        x[:640], y[:640], val_fraction=0.2, seed=0
    )
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
    monkeypatch.setenv(profiles.PROFILE_ENV, "quick")


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
    history = compile_and_fit(
        tiny_model(), fashion["train"], fashion["val"], experiment="feature_maps", verbose=0
    )
    assert len(history.history["loss"]) == profiles.get_profile().epochs_for("feature_maps")


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
    assert history.params["steps"] == int(np.ceil(len(x) / profiles.get_profile().batch_size))
    assert sorted(history.history) == ["accuracy", "loss"]
    with pytest.raises(ValueError, match="validation"):
        diagnose(history)
    with pytest.raises(ValueError, match="tuple"):
        compile_and_fit(tiny_model(), (x, y, y), None, epochs=1)


def test_learning_rate_and_logits(fashion):
    model = tiny_model(activation=None)
    history = compile_and_fit(
        model,
        fashion["train"],
        fashion["val"],
        optimizer="sgd",
        learning_rate=0.05,
        from_logits=True,
        epochs=1,
        verbose=0,
    )
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.loss.get_config()["from_logits"] is True
    assert np.isfinite(history.history["loss"]).all()
    with pytest.raises(ValueError, match="learning_rate"):
        compile_and_fit(
            tiny_model(),
            fashion["train"],
            fashion["val"],
            epochs=1,
            optimizer=keras.optimizers.Adam(),
            learning_rate=0.1,
        )


def test_early_stopping_stops(fashion):
    # With a learning rate of 0 the validation loss never improves: stop after patience.
    history = compile_and_fit(
        tiny_model(),
        fashion["train"],
        fashion["val"],
        epochs=20,
        optimizer="sgd",
        learning_rate=0.0,
        early_stopping=1,
        verbose=0,
    )
    assert len(history.history["loss"]) <= 3


def test_checkpoint_and_extra_callbacks(fashion, tmp_path):
    path = tmp_path / "best.keras"
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    compile_and_fit(
        tiny_model(),
        fashion["train"],
        fashion["val"],
        epochs=2,
        verbose=0,
        checkpoint=path,
        callbacks=[callback],
    )
    assert path.is_file()
    assert keras.models.load_model(path).output_shape == (None, 10)
    assert seen == [0, 1]
