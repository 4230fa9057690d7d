"""kerascnn.plots.images: images, the data set and predictions on them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from kerascnn import data, plots

NAMES = list(data.CLASS_NAMES)


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
    assert fig.axes[1].get_title() == (f"true: {NAMES[y[1]]}\npred: {NAMES[predictions[1]]}")
    assert fig.axes[0].get_title() == NAMES[y[0]]
    assert "2 of 12 wrong" in fig.get_suptitle()


def test_show_images_accepts_probabilities_and_every_layout(trained):
    x, probabilities = trained["x"][:5], trained["probabilities"][:5]
    fig = plots.show_images(data.to_float_images(x), predictions=probabilities, class_names=NAMES)
    assert [ax.get_title() for ax in fig.axes] == [
        f"pred: {NAMES[i]}" for i in probabilities.argmax(axis=1)
    ]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), x[0] / 255.0, atol=1e-6)
    photo = data.load_photo("chelsea")[:64, :64]
    fig = plots.show_images(
        np.stack([photo, photo[::-1]]), labels=[0, 1], class_names=["cat", "upside-down cat"]
    )
    assert [ax.get_title() for ax in fig.axes] == ["cat", "upside-down cat"]
    assert fig.axes[0].images[0].get_array().shape == (64, 64, 3)
    assert len(plots.show_images(x, max_images=3).axes) == 3


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((28, 28)), "rank 3 or 4"),
        (np.zeros((2, 1, 28, 28, 1)), "rank 3 or 4"),
        (np.zeros((2, 28, 28, 2)), "channels"),
        (-np.ones((2, 28, 28)), "value_range"),
        (np.zeros((0, 28, 28)), "no images"),
    ],
)
def test_show_images_rejects_bad_images(images, message):
    with pytest.raises(ValueError, match=message):
        plots.show_images(images)


def test_show_images_rejects_bad_labels(trained):
    x = trained["x"][:4]
    with pytest.raises(ValueError, match="one entry per example"):
        plots.show_images(x, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="class indices"):
        plots.show_images(x, labels=[0, 1, 2, 3], class_names=["a", "b"])


# --- the data set at a glance ---------------------------------------------------------


def test_plot_class_examples_one_row_per_class(trained):
    x, y = trained["x"], trained["y"]
    fig = plots.plot_class_examples(x, y, NAMES, per_class=4)
    assert len(fig.axes) == 10 * 4
    assert [fig.axes[4 * c].get_ylabel() for c in range(10)] == NAMES
    first_boot = x[np.flatnonzero(y == 9)[0]]
    np.testing.assert_allclose(fig.axes[36].images[0].get_array(), first_boot / 255.0, atol=1e-6)
    assert all(not ax.get_xticks().size for ax in fig.axes)


def test_plot_class_balance_and_pixel_histogram(trained):
    y = trained["y"]
    fig = plots.plot_class_balance({"test": y}, NAMES)
    (ax,) = fig.axes
    np.testing.assert_array_equal(
        [bar.get_height() for bar in ax.patches], np.bincount(y, minlength=10)
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"test ({len(y)})"]
    with pytest.raises(ValueError, match="at least one split"):
        plots.plot_class_balance({}, NAMES)
    fig = plots.plot_pixel_histogram(trained["x"])
    assert fig.axes[0].get_yscale() == "log" and "std" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="empty"):
        plots.plot_pixel_histogram(np.zeros((0, 28, 28)))


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
    assert f"{wrong} wrong of 300" in fig.get_suptitle()


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
    assert NAMES[int(heights.argmax())] in fig.get_suptitle()


@pytest.mark.parametrize("logits", [[1.0, 2.0], [[1.0, 2.0, 3.0]], [1.0, np.nan, 0.0]])
def test_plot_softmax_rejects_bad_logits(logits):
    with pytest.raises(ValueError, match="logits"):
        plots.plot_softmax(logits, ["a", "b", "c"])
