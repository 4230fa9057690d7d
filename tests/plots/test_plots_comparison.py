"""kerascnn.plots.comparison: accuracy against trainable parameters or depth."""

from __future__ import annotations

import pytest

from kerascnn import models, plots

ROWS = [
    {"name": "VGG-11", "parameters": 9_200_000, "accuracy": 0.92, "depth": 11, "family": "VGG"},
    {"name": "VGG-16", "parameters": 14_700_000, "accuracy": 0.93, "depth": 16, "family": "VGG"},
    {
        "name": "ResNet-20",
        "parameters": 270_000,
        "accuracy": 0.925,
        "depth": 20,
        "family": "ResNet",
    },
]


def test_plot_model_comparison():
    fig = plots.plot_model_comparison(ROWS)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_title() == "Accuracy vs parameters"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("parameters (log scale)", "accuracy")
    assert sorted(t.get_text() for t in ax.texts) == ["ResNet-20", "VGG-11", "VGG-16"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["VGG", "ResNet"]
    depth = plots.plot_model_comparison(ROWS, x="depth").axes[0]
    assert depth.get_xscale() == "linear" and depth.get_title() == "Accuracy vs depth"


def test_plot_model_comparison_reads_the_rows_of_summarize():
    nets = {
        "softmax": models.mlp(input_shape=(28, 28, 1), num_classes=10, hidden_units=()),
        "MLP": models.mlp(input_shape=(28, 28, 1), num_classes=10, hidden_units=(16,)),
    }
    rows = [
        {**row, "accuracy": accuracy}
        for row, accuracy in zip(models.summarize(nets), (0.84, 0.87), strict=True)
    ]
    (ax,) = plots.plot_model_comparison(rows).axes
    (line,) = ax.lines
    assert list(line.get_xdata()) == [7_850, 784 * 16 + 16 + 16 * 10 + 10]
    assert sorted(t.get_text() for t in ax.texts) == ["MLP", "softmax"]
    assert ax.get_legend() is None  # no family, no legend


@pytest.mark.parametrize(
    "rows, kwargs, message",
    [
        ([], {}, "empty"),
        ([{"name": "a", "accuracy": 0.9}], {}, "lacks parameters"),
        ([{"name": "a", "accuracy": 0.9, "params": 10}], {}, "lacks parameters"),
        (ROWS, {"x": "params"}, "'parameters' or 'depth'"),
        (ROWS, {"x": "width"}, "'parameters' or 'depth'"),
    ],
)
def test_plot_model_comparison_rejects_bad_rows(rows, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_model_comparison(rows, **kwargs)
