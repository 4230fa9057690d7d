"""kerascnn.plots.curves: learning curves (and the diagnoses they are handed), losses,
metric curves, decision boundaries."""

from __future__ import annotations

import numpy as np
import pytest
from histories import OVERFIT
from matplotlib.patches import Polygon, Rectangle

from kerascnn import diagnosis, plots
from kerascnn.toy import fit_toy_mlp, make_toy_data, toy_true_labels

NO_VALIDATION = {"loss": [1.0, 0.5, 0.4], "accuracy": [0.5, 0.7, 0.8]}


def legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def marks(ax) -> tuple[list[float], list]:
    """The x of the vertical (best-epoch) lines and the shaded (overfitting) bands."""
    lines = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"]
    bands = [p for p in ax.patches if isinstance(p, (Polygon, Rectangle))]
    return lines, bands


# --- plot_history ---------------------------------------------------------------------


def test_plot_history_of_a_real_run(trained, labelled_lines):
    fig = plots.plot_history(trained["history"])
    ax_acc, ax_loss = fig.axes
    assert (ax_acc.get_title(), ax_loss.get_title()) == ("Accuracy", "Loss")
    assert (ax_acc.get_xlabel(), ax_acc.get_ylabel()) == ("epoch", "accuracy")
    assert (ax_loss.get_xlabel(), ax_loss.get_ylabel()) == ("epoch", "loss")
    loss = labelled_lines(ax_loss)
    np.testing.assert_allclose(loss["training"], np.c_[[1, 2], trained["history"].history["loss"]])
    assert "validation" in loss
    assert fig.get_suptitle() == "Learning curves"
    fig = plots.plot_history(trained["history"], diagnoses=diagnosis.diagnose(trained["history"]))
    assert fig.get_suptitle() == "Learning curves: not enough epochs to tell"


def test_plot_history_draws_no_marks_without_a_diagnosis():
    fig = plots.plot_history(OVERFIT)
    for ax in fig.axes:
        assert marks(ax) == ([], [])
    assert legend(fig.axes[1]) == ["training", "validation"]
    assert fig.get_suptitle() == "Learning curves"


def test_plot_history_draws_the_marks_it_is_handed():
    handed = diagnosis.diagnose(OVERFIT)
    assert (handed.best_epoch, handed.overfit_epoch) == (8, 11)
    fig = plots.plot_history(OVERFIT, diagnoses=handed)
    assert legend(fig.axes[1]) == [
        "training",
        "validation",
        "best epoch (8)",
        "overfitting from epoch 11",
    ]
    for ax in fig.axes:
        lines, bands = marks(ax)
        assert lines == [8] and len(bands) == 1
    assert fig.get_suptitle() == "Learning curves: overfitting"
    # the figure draws the diagnosis it is given, whatever it says
    other = diagnosis.Diagnosis(
        verdict="good fit",
        advice="",
        epochs=15,
        best_epoch=3,
        overfit_epoch=None,
        train_accuracy=None,
        val_accuracy=None,
        accuracy_gap=None,
        best_val_loss=0.5,
    )
    fig = plots.plot_history(OVERFIT, diagnoses=[other], title="Given")
    assert legend(fig.axes[1])[2:] == ["best epoch (3)"]
    assert marks(fig.axes[0]) == ([3], []) and fig.get_suptitle() == "Given"


def test_plot_history_runs_no_analysis(monkeypatch):
    def no_analysis(*args, **kwargs):
        raise AssertionError("plot_history must not call diagnose")

    monkeypatch.setattr(diagnosis, "diagnose", no_analysis)
    assert plots.plot_history(OVERFIT).get_suptitle() == "Learning curves"


def test_plot_history_overlays_runs():
    fig = plots.plot_history(OVERFIT, NO_VALIDATION, labels=["SGD", "Adam"], title="SGD vs Adam")
    assert legend(fig.axes[0]) == ["SGD training", "SGD validation", "Adam training"]
    assert fig.get_suptitle() == "SGD vs Adam"
    fig = plots.plot_history(
        OVERFIT,
        NO_VALIDATION,
        labels=["SGD", "Adam"],
        diagnoses=[diagnosis.diagnose(OVERFIT), None],
    )
    marked = [text for text in legend(fig.axes[1]) if "epoch" in text]
    assert marked == ["SGD best epoch (8)", "SGD overfitting from epoch 11"]
    assert fig.get_suptitle() == "Learning curves"  # no single verdict for several runs


@pytest.mark.parametrize(
    "histories, kwargs, message",
    [
        ((), {}, "at least one"),
        (({},), {}, "empty"),
        ((OVERFIT, OVERFIT), {"labels": ["only one"]}, "labels"),
        (({"loss": [1.0, 0.5], "val_loss": [1.0]},), {}, "one value per epoch"),
    ],
)
def test_plot_history_rejects_bad_input(histories, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_history(*histories, **kwargs)


def test_plot_history_rejects_diagnoses_that_do_not_match():
    handed = diagnosis.diagnose(OVERFIT)
    with pytest.raises(ValueError, match=r"one Diagnosis \(or None\) per history \(2\), got 1"):
        plots.plot_history(OVERFIT, OVERFIT, diagnoses=handed)
    with pytest.raises(ValueError, match="per history"):
        plots.plot_history(OVERFIT, diagnoses=[handed, handed])
    with pytest.raises(ValueError, match="per history"):
        plots.plot_history(OVERFIT, diagnoses=[])
    with pytest.raises(ValueError, match="must be a Diagnosis"):
        plots.plot_history(OVERFIT, diagnoses="overfitting")
    with pytest.raises(ValueError, match=r"`diagnoses`\[0\] must be a Diagnosis"):
        plots.plot_history(OVERFIT, diagnoses=[handed.verdict])
    short = {key: values[:8] for key, values in OVERFIT.items()}
    with pytest.raises(ValueError, match="made from 8 epochs but history 1 has 15"):
        plots.plot_history(OVERFIT, OVERFIT, diagnoses=[handed, diagnosis.diagnose(short)])


# --- losses and metrics ---------------------------------------------------------------


def test_plot_loss_steps_and_metric_curves(labelled_lines):
    fig = plots.plot_loss_steps({"SGD": [2.3, 1.5, 1.1], "Adam": [2.3, 0.9]}, log_y=True)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss (log scale)"
    np.testing.assert_array_equal(labelled_lines(ax)["Adam"], [[1, 2.3], [2, 0.9]])
    fig = plots.plot_metric_curves([0, 2, 4], {"pooled": [0.9, 0.85, 0.8]}, xlabel="shift")
    (ax,) = fig.axes
    assert ax.get_title() == "accuracy against shift"
    assert all(float(t).is_integer() for t in ax.get_xticks())
    with pytest.raises(ValueError, match="one value per x"):
        plots.plot_metric_curves([0, 1], {"pooled": [0.9]}, xlabel="shift")
    with pytest.raises(ValueError, match="empty"):
        plots.plot_loss_steps({})


def test_plot_cross_entropy():
    fig = plots.plot_cross_entropy([0.9, 0.2])
    (ax,) = fig.axes
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], -np.log([0.9, 0.2]))
    with pytest.raises(ValueError, match="> 0"):
        plots.plot_cross_entropy([0.0])


# --- the 2-D toy problem --------------------------------------------------------------


def test_plot_decision_boundary():
    x, y = make_toy_data(100, seed=0)
    model, _ = fit_toy_mlp(x, y, hidden_units=(16,), epochs=2)
    fig = plots.plot_decision_boundary(
        model,
        x,
        y,
        true_boundary=toy_true_labels,
        class_names=["upper moon", "lower moon"],
        resolution=50,
    )
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    assert ax.get_title() == "Decision boundary of toy_mlp"
    assert legend(ax) == ["model's boundary", "true boundary", "upper moon", "lower moon"]


def test_plot_decision_boundary_rejects_bad_points():
    x, y = make_toy_data(20)
    model, _ = fit_toy_mlp(x, y, hidden_units=(2,), epochs=1)
    with pytest.raises(ValueError, match="x"):
        plots.plot_decision_boundary(model, np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match="one entry per example"):
        plots.plot_decision_boundary(model, x, y[:10])
