"""kerascnn.plots._figure: the helpers every figure module shares."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.ticker import MaxNLocator

from kerascnn import plots
from kerascnn.plots import _figure


def test_subplots_makes_pyplot_figures():
    fig, axes = _figure.subplots(2, 3, figsize=(6, 4), squeeze=False)
    assert fig.number in plt.get_fignums()
    assert axes.shape == (2, 3) and tuple(fig.get_size_inches()) == (6, 4)


def test_grid_keeps_n_panels_in_reading_order():
    fig, axes = _figure.grid(5, 3, cell=(2.0, 1.5), margin=(1.0, 0.5))
    assert len(axes) == len(fig.axes) == 5
    assert tuple(fig.get_size_inches()) == (3 * 2.0 + 1.0, 2 * 1.5 + 0.5)
    positions = [ax.get_subplotspec().get_geometry()[2] for ax in axes]
    assert positions == [0, 1, 2, 3, 4]
    fig, axes = _figure.grid(2, 8, cell=(1.0, 1.0))  # fewer panels than columns
    assert tuple(fig.get_size_inches()) == (2.0, 1.0)
    with pytest.raises(ValueError, match="at least one panel"):
        _figure.grid(0, 3, cell=(1.0, 1.0))


def test_finish_axes():
    fig, ax = _figure.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [0.5, 0.4, 0.3], label="loss")
    assert (
        _figure.finish_axes(
            ax,
            title="Loss",
            xlabel="epoch",
            ylabel="loss",
            grid=True,
            integer_x=True,
            legend={"fontsize": 8},
            title_kw={"color": "red"},
        )
        is ax
    )
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Loss", "epoch", "loss")
    assert ax.title.get_color() == "red"
    assert all(line.get_visible() for line in ax.get_xgridlines())
    assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss"]
    fig, (bare, hidden) = _figure.subplots(1, 2, figsize=(4, 2))
    _figure.finish_axes(bare, ylabel="row name", ticks=False)
    _figure.finish_axes(hidden, frame=False)
    assert not bare.get_xticks().size and bare.axison and bare.get_ylabel() == "row name"
    assert not hidden.axison and bare.get_legend() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _figure.finish_axes(bare, legend=True)  # nothing labelled: no legend, no warning
    assert bare.get_legend() is None


def test_finish():
    fig, ax = _figure.subplots(figsize=(4, 3))
    assert _figure.finish(fig, "Title") is fig and fig.get_suptitle() == "Title"
    assert _figure.finish(_figure.subplots(figsize=(4, 3))[0]).get_suptitle() == ""


def test_class_helpers():
    np.testing.assert_array_equal(_figure.class_indices([1.0, 0.0], "y", 2, 2), [1, 0])
    with pytest.raises(ValueError, match="integer class indices"):
        _figure.class_indices([0.5, 1.0], "y", 2, 2)
    assert _figure.class_name(0, None) == "0" and _figure.class_name(0, ["cat"]) == "cat"
    images = _figure.display_images(np.full((2, 4, 4), 0.5), "images")
    assert images.dtype == np.float32 and images.max() == 0.5


def test_every_public_figure_is_exported():
    modules = ("images", "curves", "network", "comparison", "augmentation")
    public = {
        name
        for module in modules
        for name in vars(getattr(plots, module))
        if name.startswith(("plot_", "show_"))
        and getattr(getattr(plots, module), name).__module__.endswith(module)
    }
    assert public == set(plots.__all__) and len(public) == 22
    for name in plots.__all__:
        assert getattr(plots, name).__doc__.count(">>> ") >= 1, f"{name} needs an example"
