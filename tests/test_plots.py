"""Tests for the figures: real data, a tiny CNN trained for a few steps, headless (Agg)."""

from __future__ import annotations

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from kerascnn import data, plots
from kerascnn.training import compile_and_fit, fit_toy_mlp, make_toy_data, toy_true_labels

matplotlib.use("Agg")

NAMES = list(data.CLASS_NAMES)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def trained():
    """A tiny CNN trained for one short epoch on the real subset, and its predictions."""
    (x, y), (x_test, y_test) = data.load_fashion_mnist_subset()
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    h = keras.layers.MaxPooling2D(name="pool1")(h)
    h = keras.layers.Conv2D(8, 3, activation="relu", name="conv2")(h)
    h = keras.layers.MaxPooling2D(name="pool2")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    outputs = keras.layers.Dense(10, activation="softmax", name="classes")(h)
    model = keras.Model(inputs, outputs, name="tiny_cnn")
    history = compile_and_fit(model, data.make_dataset(x[:1024], y[:1024], shuffle=True, seed=0),
                              data.make_dataset(x[-256:], y[-256:]), epochs=2, verbose=0)
    x_test, y_test = x_test[:300], y_test[:300]
    probabilities = model.predict(data.to_float_images(x_test), verbose=0)
    return {"model": model, "history": history, "x": x_test, "y": y_test,
            "probabilities": probabilities}


def suptitle(fig: Figure) -> str:
    return fig._suptitle.get_text() if fig._suptitle is not None else ""


# --- show_images ----------------------------------------------------------------------


def test_show_images_marks_wrong_predictions(trained):
    x, y = trained["x"][:12], trained["y"][:12]
    predictions = y.copy()
    predictions[[1, 4]] = (y[[1, 4]] + 1) % 10
    fig = plots.show_images(x, y, predictions, NAMES, ncols=6)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 12
    red = [i for i, ax in enumerate(fig.axes) if ax.title.get_color() == "red"]
    assert red == [1, 4]
    assert fig.axes[1].get_title() == (f"true: {NAMES[y[1]]}\n"
                                       f"pred: {NAMES[predictions[1]]}")
    assert fig.axes[0].get_title() == NAMES[y[0]]
    assert "2 of 12 wrong" in suptitle(fig)


def test_show_images_accepts_probabilities_and_every_layout(trained):
    x, probabilities = trained["x"][:5], trained["probabilities"][:5]
    fig = plots.show_images(data.to_float_images(x), predictions=probabilities,
                            class_names=NAMES)
    assert [ax.get_title() for ax in fig.axes] == [
        f"pred: {NAMES[i]}" for i in probabilities.argmax(axis=1)]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), x[0] / 255.0, atol=1e-6)
    photo = data.load_photo("chelsea")[:64, :64]
    fig = plots.show_images(np.stack([photo, photo[::-1]]), labels=[0, 1],
                            class_names=["cat", "upside-down cat"])
    assert [ax.get_title() for ax in fig.axes] == ["cat", "upside-down cat"]
    assert fig.axes[0].images[0].get_array().shape == (64, 64, 3)
    assert len(plots.show_images(x, max_images=3).axes) == 3


@pytest.mark.parametrize("images, message", [
    (np.zeros((28, 28)), "rank 3 or 4"),
    (np.zeros((2, 1, 28, 28, 1)), "rank 3 or 4"),
    (np.zeros((2, 28, 28, 2)), "channels"),
    (-np.ones((2, 28, 28)), "value_range"),
    (np.zeros((0, 28, 28)), "no images"),
])
def test_show_images_rejects_bad_images(images, message):
    with pytest.raises(ValueError, match=message):
        plots.show_images(images)


def test_show_images_rejects_bad_labels(trained):
    x = trained["x"][:4]
    with pytest.raises(ValueError, match="one entry per example"):
        plots.show_images(x, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="class indices"):
        plots.show_images(x, labels=[0, 1, 2, 3], class_names=["a", "b"])


# --- confident mistakes, confusion matrix, softmax ------------------------------------


def test_plot_confident_mistakes(trained):
    probabilities, y = trained["probabilities"], trained["y"]
    fig = plots.plot_confident_mistakes(trained["x"], y, probabilities, NAMES, n=6)
    wrong = np.sum(probabilities.argmax(axis=1) != y)
    assert len(fig.axes) == min(6, wrong)
    shown = [int(ax.get_title().rsplit("(", 1)[1].rstrip("%)")) for ax in fig.axes]
    assert shown == sorted(shown, reverse=True)
    assert all(ax.title.get_color() == "red" for ax in fig.axes)
    assert all(ax.get_title().startswith("true: ") for ax in fig.axes)
    assert f"{wrong} wrong of 300" in suptitle(fig)


def test_plot_confident_mistakes_without_mistakes():
    fig = plots.plot_confident_mistakes(np.zeros((2, 8, 8)), [0, 1], np.eye(2), ["a", "b"])
    assert len(fig.axes) == 1 and "No mistakes" in fig.axes[0].texts[0].get_text()


def test_plot_confident_mistakes_rejects_bad_shapes(trained):
    x, y, probabilities = trained["x"][:10], trained["y"][:10], trained["probabilities"]
    with pytest.raises(ValueError, match="one row per image"):
        plots.plot_confident_mistakes(x, y, probabilities[:9], NAMES)
    with pytest.raises(ValueError, match="one column per class"):
        plots.plot_confident_mistakes(x, y, probabilities[:10, :5], NAMES)


def test_plot_confusion_matrix(trained):
    y, probabilities = trained["y"], trained["probabilities"]
    fig = plots.plot_confusion_matrix(y, probabilities, NAMES)
    ax_cm, ax_acc = fig.axes
    assert [t.get_text() for t in ax_cm.get_xticklabels()] == NAMES
    assert [t.get_text() for t in ax_acc.get_yticklabels()] == NAMES
    assert (ax_cm.get_xlabel(), ax_cm.get_ylabel()) == ("predicted class", "true class")
    counts = ax_cm.images[0].get_array()
    assert counts.sum() == len(y)
    predicted = probabilities.argmax(axis=1)
    assert np.trace(counts) == np.sum(predicted == y)
    expected = [np.mean(predicted[y == c] == c) for c in range(10)]
    np.testing.assert_allclose([bar.get_width() for bar in ax_acc.patches], expected)
    assert f"{np.mean(predicted == y):.1%}" in ax_cm.get_title()


def test_plot_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="one entry per example"):
        plots.plot_confusion_matrix([0, 1, 2], [0, 1], ["a", "b", "c"])
    with pytest.raises(ValueError, match="class indices"):
        plots.plot_confusion_matrix([0, 1, 3], [0, 1, 2], ["a", "b", "c"])


def test_plot_softmax(trained):
    logits = np.log(trained["probabilities"][0]) + 3.0  # softmax ignores the shift
    fig = plots.plot_softmax(logits, NAMES)
    ax_logit, ax_prob = fig.axes
    heights = np.array([bar.get_height() for bar in ax_prob.patches])
    np.testing.assert_allclose(heights, trained["probabilities"][0], rtol=1e-4, atol=1e-6)
    assert [t.get_text() for t in ax_prob.get_xticklabels()] == NAMES
    assert ax_prob.get_ylabel() == "probability" and ax_logit.get_ylabel() == "logit"
    assert NAMES[int(heights.argmax())] in suptitle(fig)


@pytest.mark.parametrize("logits", [[1.0, 2.0], [[1.0, 2.0, 3.0]], [1.0, np.nan, 0.0]])
def test_plot_softmax_rejects_bad_logits(logits):
    with pytest.raises(ValueError, match="logits"):
        plots.plot_softmax(logits, ["a", "b", "c"])


# --- activations and learning curves --------------------------------------------------


def curves(ax) -> dict[str, np.ndarray]:
    return {line.get_label(): line.get_xydata() for line in ax.lines
            if not line.get_label().startswith("_")}


def test_plot_activations_draws_autodiff_derivatives():
    fig = plots.plot_activations()
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "tanh", "relu", "leaky_relu",
                                                   "gelu", "silu"]
    assert all(ax.get_xlabel() == "$x$" for ax in fig.axes)
    sigmoid = curves(fig.axes[0])
    x, s = sigmoid["$f(x)$"].T
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-x)), atol=1e-6)
    np.testing.assert_allclose(sigmoid["$f'(x)$"][:, 1], s * (1 - s), atol=1e-6)
    x, relu_grad = curves(fig.axes[2])["$f'(x)$"].T
    np.testing.assert_array_equal(relu_grad[x < 0], 0.0)
    np.testing.assert_array_equal(relu_grad[x > 0], 1.0)
    assert list(curves(plots.plot_activations(["tanh"], derivatives=False).axes[0])) == [
        "$f(x)$"]


@pytest.mark.parametrize("names", [[], ["softmax"], ["no_such_activation"]])
def test_plot_activations_rejects_bad_names(names):
    with pytest.raises(ValueError, match="names"):
        plots.plot_activations(names)


OVERFIT = {
    "loss": [1.0, 0.8, 0.65, 0.55, 0.47, 0.4, 0.34, 0.29, 0.25, 0.21, 0.18, 0.15, 0.12, 0.1, 0.08],
    "val_loss": [1.0, 0.8, 0.65, 0.55, 0.5, 0.47, 0.45, 0.44, 0.45, 0.47, 0.5, 0.53, 0.57,
                 0.6, 0.65],
    "accuracy": np.linspace(0.6, 0.99, 15),
    "val_accuracy": np.linspace(0.6, 0.85, 15),
}


def test_plot_history_of_a_real_run(trained):
    fig = plots.plot_history(trained["history"])
    ax_acc, ax_loss = fig.axes
    assert (ax_acc.get_title(), ax_loss.get_title()) == ("Accuracy", "Loss")
    assert (ax_acc.get_xlabel(), ax_acc.get_ylabel()) == ("epoch", "accuracy")
    assert (ax_loss.get_xlabel(), ax_loss.get_ylabel()) == ("epoch", "loss")
    loss = curves(ax_loss)
    np.testing.assert_allclose(loss["training"], np.c_[[1, 2], trained["history"].history["loss"]])
    assert "validation" in loss
    assert suptitle(fig) == "Learning curves: not enough epochs to tell"


def test_plot_history_marks_best_epoch_and_overfitting():
    fig = plots.plot_history(OVERFIT)
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend == ["training", "validation", "best epoch (8)", "overfitting from epoch 11"]
    assert suptitle(fig) == "Learning curves: overfitting"


def test_plot_history_overlays_runs():
    no_validation = {"loss": [1.0, 0.5, 0.4], "accuracy": [0.5, 0.7, 0.8]}
    fig = plots.plot_history(OVERFIT, no_validation, labels=["SGD", "Adam"],
                             title="SGD vs Adam")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["SGD training", "SGD validation", "Adam training"]
    assert suptitle(fig) == "SGD vs Adam"


@pytest.mark.parametrize("histories, kwargs, message", [
    ((), {}, "at least one"),
    (({},), {}, "empty"),
    ((OVERFIT, OVERFIT), {"labels": ["only one"]}, "labels"),
    (({"loss": [1.0, 0.5], "val_loss": [1.0]},), {}, "one value per epoch"),
])
def test_plot_history_rejects_bad_input(histories, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_history(*histories, **kwargs)


# --- the 2-D toy problem --------------------------------------------------------------


def test_plot_decision_boundary():
    x, y = make_toy_data(100, seed=0)
    model, _ = fit_toy_mlp(x, y, hidden_units=(16,), epochs=2)
    fig = plots.plot_decision_boundary(model, x, y, true_boundary=toy_true_labels,
                                       class_names=["upper moon", "lower moon"], resolution=50)
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    assert ax.get_title() == "Decision boundary of toy_mlp"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["model's boundary", "true boundary", "upper moon", "lower moon"]


def test_plot_decision_boundary_rejects_bad_points():
    x, y = make_toy_data(20)
    model, _ = fit_toy_mlp(x, y, hidden_units=(2,), epochs=1)
    with pytest.raises(ValueError, match="x"):
        plots.plot_decision_boundary(model, np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match="one entry per example"):
        plots.plot_decision_boundary(model, x, y[:10])


# --- filters and feature maps ---------------------------------------------------------


def test_plot_filters_of_a_trained_layer(trained):
    layer = trained["model"].get_layer("conv1")
    fig = plots.plot_filters(layer)
    assert len(fig.axes) == 4 + 1  # four kernels and the colour bar
    assert fig.axes[-1].get_ylabel() == "weight"
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), kernel[:, :, 0, 2])
    assert "conv1" in suptitle(fig) and "input channel 0" in suptitle(fig)
    second = plots.plot_filters(trained["model"].get_layer("conv2"), input_channel=3,
                                max_filters=5)
    assert len(second.axes) == 5 + 1 and "input channel 3" in suptitle(second)


def test_plot_filters_of_colour_weights():
    weights = np.random.default_rng(0).normal(size=(5, 5, 3, 6))
    fig = plots.plot_filters(weights, ncols=3)
    assert len(fig.axes) == 6
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (5, 5, 3) and image.min() == 0.0 and image.max() == 1.0


def test_plot_filters_rejects_bad_input(trained):
    with pytest.raises(ValueError, match="no kernel"):
        plots.plot_filters(keras.layers.Conv2D(4, 3))
    with pytest.raises(ValueError, match="rank 4"):
        plots.plot_filters(trained["model"].get_layer("classes"))
    with pytest.raises(ValueError, match="input_channel"):
        plots.plot_filters(trained["model"].get_layer("conv1"), input_channel=1)


def test_plot_feature_maps(trained):
    model, image = trained["model"], data.to_float_images(trained["x"][:1])[0]
    fig = plots.plot_feature_maps(model, image)
    assert len(fig.axes) == 4 + 4 + 8 + 8  # conv1, pool1, conv2, pool2 (max 8 maps each)
    row_labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert row_labels == ["conv1\n26x26x4", "pool1\n13x13x4", "conv2\n11x11x8", "pool2\n5x5x8"]
    conv1 = keras.Model(model.input, model.get_layer("conv1").output)(image[None])
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(),
                               keras.ops.convert_to_numpy(conv1)[0, :, :, 1], rtol=1e-5)
    fig = plots.plot_feature_maps(model, image[..., 0], ["conv2"], max_maps=3)
    assert len(fig.axes) == 3 and suptitle(fig)


def test_plot_feature_maps_rejects_bad_input(trained):
    model, images = trained["model"], data.to_float_images(trained["x"][:2])
    with pytest.raises(ValueError, match="one image"):
        plots.plot_feature_maps(model, images)
    with pytest.raises(ValueError, match="not feature maps"):
        plots.plot_feature_maps(model, images[0], ["classes"])
    with pytest.raises(ValueError, match="rank"):
        plots.plot_feature_maps(model, np.zeros(28))


# --- comparing architectures ----------------------------------------------------------

ROWS = [
    {"name": "VGG-11", "params": 9_200_000, "accuracy": 0.92, "depth": 11, "family": "VGG"},
    {"name": "VGG-16", "params": 14_700_000, "accuracy": 0.93, "depth": 16, "family": "VGG"},
    {"name": "ResNet-20", "params": 270_000, "accuracy": 0.925, "depth": 20, "family": "ResNet"},
]


def test_plot_model_comparison():
    fig = plots.plot_model_comparison(ROWS)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("parameters (log scale)", "accuracy")
    assert sorted(t.get_text() for t in ax.texts) == ["ResNet-20", "VGG-11", "VGG-16"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["VGG", "ResNet"]
    depth = plots.plot_model_comparison(ROWS, x="depth").axes[0]
    assert depth.get_xscale() == "linear" and depth.get_title() == "Accuracy vs depth"


@pytest.mark.parametrize("rows, kwargs, message", [
    ([], {}, "empty"),
    ([{"name": "a", "accuracy": 0.9}], {}, "params"),
    (ROWS, {"x": "width"}, "'params' or 'depth'"),
])
def test_plot_model_comparison_rejects_bad_rows(rows, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_model_comparison(rows, **kwargs)
