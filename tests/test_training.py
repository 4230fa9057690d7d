"""Tests for kerascnn.training: compile_and_fit and the flagship recipe."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerascnn import data, models, profiles, training
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


def test_compile_and_fit_trains_and_verbose_2_prints_one_line_per_epoch(fashion, capsys):
    history = compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=2, verbose=2)
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


def count_traces(model: keras.Model) -> list[int]:
    """Make ``model`` count how often TensorFlow traces its training step."""
    traces, step = [], model.train_step
    model.train_step = lambda batch: traces.append(1) or step(batch)
    return traces


def test_compile_and_fit_traces_the_training_step_once(fashion):
    # The optimizer is built before fit; built inside the first trace, its variables
    # make TensorFlow trace the step a second time (seconds per model on a CPU).
    model = tiny_model()
    traces = count_traces(model)
    compile_and_fit(model, fashion["train"], fashion["val"], epochs=2, verbose=0)
    assert len(traces) == 1


def test_compile_and_fit_run_eagerly_calls_the_step_for_every_batch(fashion):
    model = tiny_model()
    traces = count_traces(model)
    compile_and_fit(model, fashion["train"], epochs=2, run_eagerly=True, verbose=0)
    assert model.run_eagerly and len(traces) == 2 * 4  # 512 images in batches of 128


def test_compile_and_fit_trains_a_model_built_on_its_first_batch(fashion):
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    history = compile_and_fit(model, fashion["train"], epochs=2, verbose=0)
    assert model.optimizer.built and history.history["loss"][1] < history.history["loss"][0]


def test_compile_and_fit_builds_a_mirrored_models_optimizer_under_its_strategy(fresh_python):
    # The optimizer built early is built as Keras builds it: under the model's strategy.
    # Inside the scope its moments are mirrored like the weights; outside it, Keras's own
    # error stands instead of a run with moments on one device.
    fresh_python("""
        import keras, pytest
        import tensorflow as tf
        from kerascnn import data, distributed, training
        distributed.split_cpu(2)
        strategy = distributed.mirrored_strategy()
        (x, y), _ = data.load_fashion_mnist_subset()
        train = (data.to_float_images(x[:256]), y[:256])
        def mlp():
            return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                     keras.layers.Dense(10, activation="softmax")])
        with strategy.scope():
            model = mlp()
            training.compile_and_fit(model, train, epochs=1, batch_size=64, verbose=0)
        moments = model.optimizer.variables[2:]  # after the step count and learning rate
        assert moments and all(
            isinstance(v.value, tf.distribute.DistributedValues) for v in moments
        )
        with strategy.scope():
            model = mlp()
        with pytest.raises(RuntimeError, match="Mixing different tf.distribute.Strategy"):
            training.compile_and_fit(model, train, epochs=1, batch_size=64, verbose=0)
        print("ok")
    """)


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


# ------------------------------------------------------------------ the flagship recipe


def small_flagship() -> keras.Model:
    return models.preact_resnet(channels=(4, 8), blocks=(1,))


@pytest.fixture(scope="module")
def subset_arrays(fashion_subset):
    (x, y), _ = fashion_subset
    return (x[:256], y[:256]), (x[256:320], y[256:320])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "`epochs` must be >= 1"),
        ({"blocks": [1, 1]}, "`blocks` must be a non-empty tuple of ints"),
        ({"blocks": ()}, "`blocks` must be a non-empty tuple of ints"),
        ({"blocks": (1, 0)}, "`blocks` must be >= 1"),
        ({"learning_rate": 0.0}, "`learning_rate` must be a number > 0"),
        ({"warmup_fraction": 1.0}, r"`warmup_fraction` must lie in \[0, 1\)"),
        ({"weight_decay": -1.0}, "`weight_decay` must be a number >= 0"),
        ({"label_smoothing": 1.0}, r"`label_smoothing` must lie in \[0, 1\)"),
        ({"ema_momentum": 1.0}, r"`ema_momentum` must lie in \(0, 1\)"),
        ({"augment": "mixup"}, "`augment` must be one of"),
    ],
)
def test_recipe_rejects_bad_fields(changes, message):
    with pytest.raises(ValueError, match=message):
        training.Recipe(**({"epochs": 5} | changes))


def test_recipe_schedule_is_one_cycle():
    recipe = training.Recipe(epochs=1, learning_rate=1e-2, warmup_fraction=0.25)
    lr = recipe.optimizer(100)._learning_rate
    rates = [float(lr(step)) for step in (0, 25, 100)]
    assert rates[0] == pytest.approx(1e-2 / 25)  # warm-up starts low
    assert rates[1] == pytest.approx(1e-2)  # the peak at the end of the warm-up
    assert rates[2] == pytest.approx(1e-5)  # decayed to a thousandth at the last step


@pytest.mark.parametrize("augment", training.AUGMENTATIONS)
def test_recipe_augmentation_keeps_images(augment):
    layer = training.Recipe(epochs=1, augment=augment).augmentation(seed=0)
    if augment == "none":
        assert layer is None
        return
    images = np.random.default_rng(0).uniform(0, 255, (4, 28, 28, 1)).astype("float32")
    out = np.asarray(layer(images, training=True))
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 255


def test_recipe_erasing_paints_grey_squares_of_a_fifth_of_the_side():
    layer = training.Recipe(epochs=1, augment="flip_shift_erase").augmentation(seed=0)
    images = np.full((64, 28, 28, 1), 200.0, "float32")
    out = np.asarray(layer(images, training=True))[..., 0]
    grey = (out == 128).sum(axis=(1, 2))
    side = round(0.2 * 28)  # 6 px: 0.2 of the side, rounded
    # ERASE_PATCHES squares each, clipped at the border and possibly overlapping
    assert grey.max() <= training.ERASE_PATCHES * side**2
    assert (grey == training.ERASE_PATCHES * side**2).any() and (grey > 0).all()


def test_fit_recipe_records_validation(subset_arrays):
    train, val = subset_arrays
    recipe = training.Recipe(epochs=2, batch_size=64)
    _, history = training.fit_recipe(recipe, train, val, model=small_flagship(), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history.history["loss"]) == 2


def test_fit_recipe_same_seed_same_weights(fresh_python):
    # Op determinism is switched on for a whole process and cannot be switched off, so
    # the check runs in a process of its own, as profiles.set_seed() runs a notebook.
    fresh_python("""
        import numpy as np
        from kerascnn import data, models, profiles, training
        (x, y), _ = data.load_fashion_mnist_subset()
        recipe = training.Recipe(epochs=2, batch_size=64, augment="flip_shift")
        def run():
            profiles.set_seed(0)  # the initial weights of the model built here
            model = models.preact_resnet(channels=(4, 8), blocks=(1,))
            return training.fit_recipe(recipe, (x[:256], y[:256]), model=model, seed=3,
                                       verbose=0)[0].get_weights()
        first, second = run(), run()
        assert all(np.array_equal(a, b) for a, b in zip(first, second))
        print("ok")
    """)


def test_fit_recipe_traces_the_training_step_once(subset_arrays):
    train, _ = subset_arrays
    model = small_flagship()
    traces = count_traces(model)
    training.fit_recipe(training.Recipe(epochs=2, batch_size=128), train, model=model, verbose=0)
    assert len(traces) == 1


def test_fit_recipe_builds_the_flagship_by_default(subset_arrays):
    train, _ = subset_arrays
    model, _ = training.fit_recipe(training.Recipe(epochs=1, batch_size=128), train, verbose=0)
    assert model.name == "preact_resnet" and model.output_shape == (None, 10)


def test_fit_recipe_builds_the_recipes_blocks(subset_arrays):
    train, _ = subset_arrays
    recipe = training.Recipe(epochs=1, batch_size=128, blocks=(1, 1, 2))
    model, _ = training.fit_recipe(recipe, train, verbose=0)
    names = [layer.name for layer in model.layers]
    assert "stage3_block2_add" in names and "stage2_block2_add" not in names


def test_fit_recipe_with_ema_ends_with_the_averaged_weights(subset_arrays):
    train, _ = subset_arrays
    recipe = training.Recipe(epochs=1, batch_size=64, ema_momentum=0.9)
    model, _ = training.fit_recipe(recipe, train, model=small_flagship(), verbose=0)
    ema = model.optimizer._model_variables_moving_average
    for variable, average in zip(model.trainable_variables, ema, strict=True):
        np.testing.assert_allclose(variable.numpy(), average.numpy(), rtol=1e-6)


def test_predict_tta_is_the_mean_over_the_mirror_image():
    model = small_flagship()
    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    plain = training.predict(model, x, tta=False)
    mirrored = training.predict(model, x[:, :, ::-1], tta=False)
    np.testing.assert_allclose(training.predict(model, x), (plain + mirrored) / 2, atol=1e-6)
    np.testing.assert_allclose(plain.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_shifts_weights_the_centred_views_half_and_each_1px_shift_a_quarter():
    model = small_flagship()
    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    up_left = np.zeros_like(x)
    up_left[:, :-1, :-1] = x[:, 1:, 1:]  # pixel (i, j) moves to (i - 1, j - 1), black fill
    down_right = np.zeros_like(x)
    down_right[:, 1:, 1:] = x[:, :-1, :-1]
    expected = (
        training.predict(model, x) / 2
        + (training.predict(model, up_left) + training.predict(model, down_right)) / 4
    )
    np.testing.assert_allclose(training.predict(model, x, shifts=True), expected, atol=1e-6)


def test_shift_tta_without_flip_tta_is_refused():
    with pytest.raises(ValueError, match="needs `tta=True`"):
        training.predict(small_flagship(), np.zeros((1, 28, 28), np.uint8), tta=False, shifts=True)


# --- repeat and RunSummary --------------------------------------------------------------


def test_repeat_seeds_each_run_so_a_seed_repeats_its_numbers():
    def draw(seed):
        return {"draw": float(keras.random.uniform(())), "seed": seed}

    first, second = training.repeat(draw, seeds=[3, 4]), training.repeat(draw, seeds=[3, 4])
    np.testing.assert_array_equal(first.values["draw"], second.values["draw"])
    assert first.values["draw"][0] != first.values["draw"][1]
    assert first.values["seed"].tolist() == [3.0, 4.0]
    assert first.std("seed") == pytest.approx(np.std([3, 4], ddof=1))


def test_repeat_takes_the_profiles_seeds(quick_profile):
    runs = training.repeat(lambda seed: 0.5)
    assert runs.seeds == profiles.get_profile().seeds == (0,)
    assert runs.summary("value") == "0.500 (1 seed)"


def test_repeat_rejects_no_seeds_and_changing_keys():
    with pytest.raises(ValueError, match="empty"):
        training.repeat(lambda seed: 1.0, seeds=[])
    with pytest.raises(ValueError, match="returned keys"):
        training.repeat(lambda seed: {f"k{seed}": 1.0}, seeds=[0, 1])
    with pytest.raises(KeyError, match="no metric 'missing'"):
        training.repeat(lambda seed: 1.0, seeds=[0]).mean("missing")


def test_run_summary_prints_one_line_with_the_best_epoch(capsys):
    summary = training.RunSummary("run")
    summary.on_train_begin()
    for epoch, val_loss in enumerate([0.9, 0.5, 0.7]):
        summary.on_epoch_end(epoch, {"loss": 1.0 - epoch / 10, "val_loss": val_loss})
    summary.on_train_end()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("run: 3 epochs in ")
    assert lines[0].endswith("best val_loss 0.5000 at epoch 2")


def test_compile_and_fit_prints_no_epoch_lines_by_default(fashion, capsys):
    compile_and_fit(tiny_model(), fashion["train"], fashion["val"], epochs=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" not in out
    assert len(out.strip().splitlines()) == 1 and "2 epochs in" in out
