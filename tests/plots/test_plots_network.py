"""kerascnn.plots.network: activations, filters, filter responses, feature maps, gradients."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerascnn import data, plots


def test_plot_activations_draws_autodiff_derivatives(labelled_lines):
    fig = plots.plot_activations()
    assert [ax.get_title() for ax in fig.axes] == [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "gelu",
        "silu",
    ]
    assert all(ax.get_xlabel() == "$x$" for ax in fig.axes)
    sigmoid = labelled_lines(fig.axes[0])
    x, s = sigmoid["$f(x)$"].T
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-x)), atol=1e-6)
    np.testing.assert_allclose(sigmoid["$f'(x)$"][:, 1], s * (1 - s), atol=1e-6)
    x, relu_grad = labelled_lines(fig.axes[2])["$f'(x)$"].T
    np.testing.assert_array_equal(relu_grad[x < 0], 0.0)
    np.testing.assert_array_equal(relu_grad[x > 0], 1.0)
    only_f = plots.plot_activations(["tanh"], derivatives=False)
    assert list(labelled_lines(only_f.axes[0])) == ["$f(x)$"]
    assert len(plots.plot_activations(["relu", "tanh", "gelu", "silu"], ncols=3).axes) == 4


@pytest.mark.parametrize("names", [[], ["softmax"], ["no_such_activation"]])
def test_plot_activations_rejects_bad_names(names):
    with pytest.raises(ValueError, match="names"):
        plots.plot_activations(names)


def test_plot_filters_of_a_trained_layer(trained):
    layer = trained["model"].get_layer("conv1")
    fig = plots.plot_filters(layer)
    assert len(fig.axes) == 4 + 1  # four kernels and the colour bar
    assert fig.axes[-1].get_ylabel() == "weight"
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), kernel[:, :, 0, 2])
    assert "conv1" in fig.get_suptitle() and "input channel 0" in fig.get_suptitle()
    second = plots.plot_filters(trained["model"].get_layer("conv2"), input_channel=3, max_filters=5)
    assert len(second.axes) == 5 + 1 and "input channel 3" in second.get_suptitle()


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


def test_plot_filter_responses():
    photo = data.load_photo("chelsea").mean(axis=-1) / 255.0
    edges = photo[:, 1:] - photo[:, :-1]
    fig = plots.plot_filter_responses(
        {"photo": photo[:, 1:], "edges": edges, "same": edges},
        signed=["edges"],
        ncols=2,
        title="Edges",
    )
    assert [ax.get_title() for ax in fig.axes] == ["photo", "edges (signed, 0 = grey)", "same"]
    assert fig.axes[1].images[0].get_clim() == (-np.abs(edges).max(), np.abs(edges).max())
    assert fig.axes[2].images[0].get_clim() == (0.0, 1.0)
    assert fig.get_suptitle() == "Edges"
    everything = plots.plot_filter_responses({"edges": edges}, signed=True)
    assert everything.get_suptitle() == "1 images (signed, 0 = grey)"
    with pytest.raises(ValueError, match="not in `responses`"):
        plots.plot_filter_responses({"photo": photo}, signed=["edges"])
    with pytest.raises(ValueError, match="empty"):
        plots.plot_filter_responses({})


def test_plot_feature_maps(trained):
    model, image = trained["model"], data.to_float_images(trained["x"][:1])[0]
    fig = plots.plot_feature_maps(model, image)
    assert len(fig.axes) == 4 + 4 + 8 + 8  # conv1, pool1, conv2, pool2 (max 8 maps each)
    row_labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert row_labels == ["conv1\n26x26x4", "pool1\n13x13x4", "conv2\n11x11x8", "pool2\n5x5x8"]
    conv1 = keras.Model(model.input, model.get_layer("conv1").output)(image[None])
    np.testing.assert_allclose(
        fig.axes[1].images[0].get_array(), keras.ops.convert_to_numpy(conv1)[0, :, :, 1], rtol=1e-5
    )
    fig = plots.plot_feature_maps(model, image[..., 0], ["conv2"], max_maps=3)
    assert len(fig.axes) == 3 and fig.get_suptitle()


def test_plot_feature_maps_rejects_bad_input(trained):
    model, images = trained["model"], data.to_float_images(trained["x"][:2])
    with pytest.raises(ValueError, match="one image"):
        plots.plot_feature_maps(model, images)
    with pytest.raises(ValueError, match="not feature maps"):
        plots.plot_feature_maps(model, images[0], ["classes"])
    with pytest.raises(ValueError, match="rank"):
        plots.plot_feature_maps(model, np.zeros(28))


def test_plot_gradient_norms():
    fig = plots.plot_gradient_norms(
        {"relu": [0.5, 0.4], "sigmoid": [1e-4, 0.3]}, ["fc1", "predictions"]
    )
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["relu", "sigmoid"]
    with pytest.raises(ValueError, match="one norm per layer"):
        plots.plot_gradient_norms({"relu": [0.5]}, ["fc1", "predictions"])
    with pytest.raises(ValueError, match="finite norms > 0"):
        plots.plot_gradient_norms({"relu": [0.5, 0.0]}, ["fc1", "predictions"])
