"""kerascnn.diagrams: the article's Figs. 1, 3, 4, 8, 10 and 13 drawn by code."""

from __future__ import annotations

import itertools
import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.collections import LineCollection
from matplotlib.text import Text

from kerascnn import diagrams


def drawn_texts(fig) -> list[Text]:
    """The texts ``fig`` draws: its own, and each axis' texts, titles and, where the axis
    is shown, labels and tick labels."""
    found = list(fig.texts)  # the suptitle among them
    for ax in fig.axes:
        found += [*ax.texts, ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                found += [axis.label, *axis.get_ticklabels()]
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def texts(fig) -> list[str]:
    """The strings of every text drawn in ``fig``."""
    return [t.get_text() for t in drawn_texts(fig)]


def _minus(text: str) -> str:
    return text.replace("\N{MINUS SIGN}", "-")


def _text_corners(text: Text, renderer) -> np.ndarray:
    """The four corners of ``text``'s drawn box in pixels: the box itself, turned with the
    text (a rotated text must be centred on its anchor, as the diagrams' edge labels are)."""
    angle = text.get_rotation() % 360
    if angle % 90 == 0:  # the drawn box is the window extent
        box = text.get_window_extent(renderer)
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    assert text.get_ha() == "center" and text.get_va() == "center", text.get_text()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(angle)
    centre = text.get_transform().transform(text.get_position())
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [box.width / 2, box.height / 2]
    turn = np.radians(angle)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return centre + half @ rotation.T


def _overlap(a: np.ndarray, b: np.ndarray, margin: float = 1.0) -> bool:
    """Whether two convex quadrilaterals overlap by more than ``margin`` pixels along
    every axis that could separate them (the separating-axis theorem)."""
    for corners in (a, b):
        for i in range(4):
            edge = corners[(i + 1) % 4] - corners[i]
            axis = np.array([-edge[1], edge[0]]) / np.hypot(*edge)
            pa, pb = a @ axis, b @ axis
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= margin:
                return False
    return True


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of visible texts whose drawn boxes overlap (by more than a pixel)."""
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), _text_corners(t, renderer)) for t in drawn_texts(fig)]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if _overlap(box_a, box_b)
    ]


def test_overlap_check_sees_overlapping_and_crossing_rotated_texts():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.axis("off")
    ax.text(0.5, 0.5, "some long text", ha="center", va="center")
    ax.text(0.5, 0.5, "another text", ha="center", va="center", rotation=90)
    ax.text(0.2, 0.2, "parallel", ha="center", va="center", rotation=30)
    ax.text(0.2, 0.12, "parallel", ha="center", va="center", rotation=30)  # boxes apart
    fig.canvas.draw()
    assert overlapping_texts(fig) == [("some long text", "another text")]


DEFAULT_DIAGRAMS = {
    "network": lambda: diagrams.network_diagram([3, 4, 2]),
    "network_784": lambda: diagrams.network_diagram(
        [784, 16, 10],
        weights=[np.full((784, 16), -0.5), np.ones((16, 10))],
        activations=[np.linspace(0, 1, 784), np.linspace(-2, 2, 16), np.linspace(0, 1, 10)],
    ),
    "pipeline": lambda: diagrams.cnn_pipeline_diagram(
        [
            ("input", (28, 28, 1)),
            ("conv1", (26, 26, 32)),
            ("pool1", (13, 13, 32)),
            ("conv2", (11, 11, 64)),
            ("pool2", (5, 5, 64)),
            ("flatten", (1600,)),
            ("dense", (10,)),
        ]
    ),
    "convolution": lambda: diagrams.convolution_diagram(
        np.arange(36).reshape(6, 6) % 4, [[1, 0, -1], [1, 0, -1], [1, 0, -1]], position=(1, 2)
    ),
    "convolution_floats": lambda: diagrams.convolution_diagram(
        np.random.default_rng(0).random((8, 8)),
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        position=(2, 3),
    ),
    "convolution_4x4": lambda: diagrams.convolution_diagram(
        np.arange(49).reshape(7, 7) % 5, np.arange(16).reshape(4, 4) % 3 - 1, position=(3, 0)
    ),
    "pipeline_18_stages": lambda: diagrams.cnn_pipeline_diagram(
        [("input", (32, 32, 3))]
        + [
            (
                f"block{b}_{kind}{i}",
                (32 >> (b - (kind == "conv")), 32 >> (b - (kind == "conv")), 64),
            )
            for b in range(1, 6)
            for kind, i in (("conv", 1), ("conv", 2), ("pool", ""))
        ][:14]
        + [("flatten", (512,)), ("fc1", (64,)), ("predictions", (10,))]
    ),
    "backprop": diagrams.backprop_diagram,
    "backprop_relu": lambda: diagrams.backprop_diagram(activation="relu"),
    "dropout": diagrams.dropout_diagram,
    "residual": diagrams.residual_block_diagram,
}


@pytest.mark.parametrize("name", DEFAULT_DIAGRAMS)
def test_diagrams_draw_titled_without_overlap_or_missing_glyphs(name):
    fig = DEFAULT_DIAGRAMS[name]()
    assert fig._suptitle is not None and fig._suptitle.get_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font"
        fig.canvas.draw()
    assert overlapping_texts(fig) == []
    width, _ = fig.get_size_inches()
    assert 6 <= width <= 12


def test_titles_can_be_replaced():
    for fig in (
        diagrams.network_diagram([2, 2], title="Mine"),
        diagrams.cnn_pipeline_diagram([("input", (8, 8, 1)), ("dense", 2)], title="Mine"),
        diagrams.convolution_diagram(np.eye(3), np.eye(2), title="Mine"),
        diagrams.backprop_diagram(title="Mine"),
        diagrams.dropout_diagram(title="Mine"),
        diagrams.residual_block_diagram(title="Mine"),
    ):
        assert fig.get_suptitle() == "Mine"


# --------------------------------------------------------------------------------------
# Fig. 1: network_diagram
# --------------------------------------------------------------------------------------


def test_network_diagram_draws_every_node_and_weight_of_a_small_network():
    fig = diagrams.network_diagram([3, 4, 2])
    (ax,) = fig.axes
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 3 * 4 + 4 * 2
    assert sum(1 for line in ax.lines if line.get_marker() == "o") == 9
    found = texts(fig)
    for label in ("input\n3 nodes", "hidden 1\n4 nodes", "output\n2 nodes"):
        assert label in found
    assert "$W_{1}$\n3×4" in found and "$W_{2}$\n4×2" in found


def test_network_diagram_elides_a_large_layer_and_names_its_size():
    fig = diagrams.network_diagram([784, 128, 10])
    found = texts(fig)
    assert found.count("⋮") == 2  # 784 and 128; 10 nodes are drawn whole
    assert "input\n784 nodes" in found and "hidden 1\n128 nodes" in found
    (lines,) = fig.axes[0].collections
    assert len(lines.get_segments()) == 7 * 7 + 7 * 10


def test_network_diagram_draws_a_keras_models_weights_by_sign_and_size():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)]
    )
    weights = model.get_weights()  # W1, b1, W2, b2: the biases are skipped
    fig = diagrams.network_diagram([3, 4, 2], weights=weights)
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel().startswith("weight")
    (lines,) = fig.axes[0].collections
    flat = np.concatenate([weights[0].ravel(), weights[2].ravel()])  # drawn in (i, j) order
    widths = lines.get_linewidths()
    assert np.argmax(widths) == np.argmax(np.abs(flat))
    colors = lines.get_colors()
    blue_minus_red = colors[:, 2] - colors[:, 0]
    big = np.abs(flat) > 0.1 * np.abs(flat).max()
    np.testing.assert_array_equal(np.sign(blue_minus_red[big]), np.sign(flat[big]))


def test_network_diagram_writes_node_values():
    fig = diagrams.network_diagram([2, 3, 1], activations=[[0.5, -1.25], [0, 1, 2], [0.731]])
    found = texts(fig)
    for value in ("0.50", "−1.25", "0.00", "2.00", "0.73"):
        assert value in found


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layer_sizes": [3]}, "layer_sizes"),
        ({"layer_sizes": [3, 0]}, r"layer_sizes\[1\]"),
        ({"layer_sizes": [3, 2.5]}, r"layer_sizes\[1\]"),
        ({"layer_sizes": "32"}, "layer_sizes"),
        ({"layer_sizes": [3, 2], "weights": [np.ones((2, 3))]}, r"weights\[0\]"),
        ({"layer_sizes": [3, 2, 1], "weights": [np.ones((3, 2))]}, "weights"),
        ({"layer_sizes": [3, 2], "weights": [np.full((3, 2), np.nan)]}, r"weights\[0\]"),
        ({"layer_sizes": [3, 2], "activations": [[1, 2, 3]]}, "activations"),
        ({"layer_sizes": [3, 2], "activations": [[1, 2, 3], [1]]}, r"activations\[1\]"),
    ],
)
def test_network_diagram_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagrams.network_diagram(**kwargs)


# --------------------------------------------------------------------------------------
# Fig. 3: cnn_pipeline_diagram
# --------------------------------------------------------------------------------------


def _tiny_cnn() -> keras.Model:
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(8, 3, activation="relu", name="conv1")(inputs)
    h = keras.layers.MaxPooling2D(name="pool1")(h)
    h = keras.layers.Conv2D(16, 3, activation="relu", name="conv2")(h)
    h = keras.layers.MaxPooling2D(name="pool2")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dropout(0.5, name="dropout")(h)
    outputs = keras.layers.Dense(10, activation="softmax", name="classes")(h)
    return keras.Model(inputs, outputs, name="tiny_cnn")


def test_cnn_pipeline_diagram_labels_each_layer_with_its_output_shape():
    model = _tiny_cnn()
    fig = diagrams.cnn_pipeline_diagram(model)
    found = texts(fig)
    assert "28×28×1" in found
    for layer in model.layers[1:]:
        if layer.name == "dropout":  # no kernel, same shape: left out
            assert not any(t.startswith("dropout") for t in found)
            continue
        shape = "×".join(str(s) for s in layer.output.shape[1:])
        assert shape in found
        kind = type(layer).__name__
        assert (layer.name if layer.name == kind.lower() else f"{layer.name}\n{kind}") in found
    assert "13×13×8" in found and "400" in found and "10" in found
    assert any("feature extraction" in t for t in found)
    assert any("fully connected" in t for t in found)
    assert "tiny_cnn" in fig.get_suptitle()


def test_cnn_pipeline_diagram_reads_a_sequential_model_and_keeps_kernel_layers():
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            keras.layers.Conv2D(4, 3, padding="same", name="same_conv"),  # same shape, kernel
            keras.layers.BatchNormalization(name="bn"),  # same shape, no kernel
            keras.layers.GlobalAveragePooling2D(name="gap"),
            keras.layers.Dense(5, name="out"),
        ]
    )
    found = texts(diagrams.cnn_pipeline_diagram(model))
    assert "same_conv\nConv2D" in found and "16×16×4" in found
    assert not any(t.startswith("bn") for t in found)
    assert "gap\nGlobalAveragePooling2D" in found and "5" in found


def test_cnn_pipeline_diagram_accepts_name_shape_tuples():
    fig = diagrams.cnn_pipeline_diagram(
        [("input", (32, 32, 3)), ("conv", [30, 30, 16]), ("fc", 10)]
    )
    found = texts(fig)
    assert {"input", "conv", "fc", "32×32×3", "30×30×16", "10"} <= set(found)


@pytest.mark.parametrize(
    "bad",
    [
        "conv",
        42,
        [],
        [("input", (28, 28, 1), "extra")],
        [("input", (28, 0, 1))],
        [("input", (1, 2, 3, 4))],
        [("input", (28.5,))],
    ],
)
def test_cnn_pipeline_diagram_rejects_bad_stages(bad):
    with pytest.raises(ValueError, match="model_or_shapes"):
        diagrams.cnn_pipeline_diagram(bad)


def test_cnn_pipeline_diagram_rejects_an_unbuilt_model():
    model = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="model_or_shapes"):
        diagrams.cnn_pipeline_diagram(model)


# --------------------------------------------------------------------------------------
# Fig. 4: convolution_diagram
# --------------------------------------------------------------------------------------


def test_valid_cross_correlation_equals_keras_conv2d():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 2))
    conv = tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], 1, "VALID")
    np.testing.assert_allclose(
        diagrams.valid_cross_correlation(image, kernel), conv.numpy()[0, :, :, 0], atol=1e-10
    )


@pytest.mark.parametrize("position", [(0, 0), (1, 2), (3, 3)])
def test_convolution_diagram_writes_the_arithmetic_of_the_highlighted_cell(position):
    image = np.array(
        [
            [1, 2, 0, 3, 1, 0],
            [0, 1, 3, 1, 2, 2],
            [2, 0, 1, 0, 1, 3],
            [1, 3, 2, 2, 0, 1],
            [0, 1, 0, 3, 2, 1],
            [2, 2, 1, 0, 1, 0],
        ]
    )
    kernel = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    row, col = position
    expected = np.sum(image[row : row + 3, col : col + 3] * kernel)
    fig = diagrams.convolution_diagram(image, kernel, position=position)
    (arithmetic,) = [_minus(t) for t in texts(fig) if " = " in t and "×" in t]
    left, right = arithmetic.split(" = ")
    assert int(right) == expected
    assert eval(left.replace("×", "*")) == expected  # the terms written out add up
    first = f"{image[row, col]}×{kernel[0, 0]}"
    assert left.startswith(first)
    found = [_minus(t) for t in texts(fig)]
    output = diagrams.valid_cross_correlation(image, kernel)
    assert output[row, col] == expected
    for value in np.unique(output):
        assert str(int(value)) in found
    assert {"input 6×6", "kernel 3×3", "output (feature map) 4×4"} <= set(found)


def test_convolution_diagram_writes_a_large_kernel_one_row_per_line():
    rng = np.random.default_rng(1)
    image, kernel = rng.integers(0, 9, (7, 7)), rng.integers(-2, 3, (4, 4))
    fig = diagrams.convolution_diagram(image, kernel, position=(2, 1))
    (arithmetic,) = [t for t in texts(fig) if "\n= " in t]
    assert arithmetic.count("\n") == 4
    expected = np.sum(image[2:6, 1:5] * kernel)
    assert int(_minus(arithmetic.split("\n= ")[1])) == expected


def test_convolution_diagram_rounds_floats():
    fig = diagrams.convolution_diagram([[0.5, 0.25], [1.0, 0.125]], [[0.1]], position=(1, 1))
    assert "0.125×0.1 = 0.0125" in texts(fig)


@pytest.mark.parametrize(
    ("image", "kernel", "position", "match"),
    [
        (np.ones(5), np.ones((2, 2)), (0, 0), "image"),
        (np.ones((5, 5)), np.ones((2, 2, 1)), (0, 0), "kernel"),
        (np.ones((3, 5)), np.ones((4, 2)), (0, 0), "kernel"),
        (np.ones((5, 5)), np.ones((3, 3)), (3, 0), "position"),
        (np.ones((5, 5)), np.ones((3, 3)), (0, -1), "position"),
        (np.ones((5, 5)), np.ones((3, 3)), "a", "position"),
        (np.full((5, 5), np.nan), np.ones((3, 3)), (0, 0), "image"),
        (np.ones((17, 17)), np.ones((3, 3)), (0, 0), "image"),
        ([["a", "b"], ["c", "d"]], np.ones((1, 1)), (0, 0), "image"),
        (np.ones((5, 5)), np.ones((0, 3)), (0, 0), "kernel"),
    ],
)
def test_convolution_diagram_rejects_bad_arguments(image, kernel, position, match):
    with pytest.raises(ValueError, match=match):
        diagrams.convolution_diagram(image, kernel, position=position)


# --------------------------------------------------------------------------------------
# Fig. 8: backprop_values and backprop_diagram
# --------------------------------------------------------------------------------------


def _tape_values(x, w, b, y, activation):
    variables = [tf.Variable(v, dtype=tf.float64) for v in (x, w, b)]
    with tf.GradientTape() as tape:
        z = variables[1] * variables[0] + variables[2]
        a = tf.sigmoid(z) if activation == "sigmoid" else tf.nn.relu(z)
        loss = 0.5 * (a - y) ** 2
    grads = tape.gradient(loss, variables)
    return {
        "z": z.numpy(),
        "a": a.numpy(),
        "L": loss.numpy(),
        **{f"dL/d{n}": g.numpy() for n, g in zip("xwb", grads, strict=True)},
    }


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize(
    "point", [(1.5, 0.8, -0.5, 1.0), (-2.0, 0.3, 0.1, 0.0), (0.7, -1.2, 3.0, 2.5), (1, 1, -1, 0)]
)
def test_backprop_values_equal_gradient_tape(point, activation):
    values = diagrams.backprop_values(*point, activation=activation)
    for key, expected in _tape_values(*point, activation).items():
        assert values[key] == pytest.approx(expected, abs=1e-6), key
    assert values["dL/dwx"] == values["dL/dz"] == values["dL/db"]
    assert values["dL/dz"] == pytest.approx(values["dL/da"] * values["da/dz"])


def test_backprop_values_sigmoid_is_stable_for_large_inputs():
    values = diagrams.backprop_values(100.0, -10.0, 0.0, 0.0)
    assert values["a"] == pytest.approx(0.0, abs=1e-12) and np.isfinite(values["dL/dw"])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_backprop_diagram_annotates_forward_values_and_gradients(activation):
    point = {"x": 2.0, "w": -0.4, "b": 1.5, "y": 0.0}
    values = diagrams.backprop_values(**point, activation=activation)
    found = texts(diagrams.backprop_diagram(**point, activation=activation))
    for name in ("x", "w", "b", "z", "a", "L"):
        assert any(f"{name} = {values[name]:.3f}$" in t for t in found), name
    for name in ("x", "w", "b", "z", "a"):
        assert any(rf"\partial {name} = {values['dL/d' + name]:.3f}$" in t for t in found), name
    assert any(rf"\partial (wx) = {values['dL/dwx']:.3f}$" in t for t in found)
    (chain,) = [t for t in found if t.startswith("chain rule")]
    assert _minus(chain).endswith(f"= {values['dL/dw']:.3f}")
    assert ("σ" if activation == "sigmoid" else "ReLU") in found


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activation": "tanh"}, "activation"),
        ({"x": "1"}, "`x`"),
        ({"w": float("nan")}, "`w`"),
        ({"y": True}, "`y`"),
    ],
)
def test_backprop_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagrams.backprop_diagram(**kwargs)


# --------------------------------------------------------------------------------------
# Fig. 10: dropout_masks and dropout_diagram
# --------------------------------------------------------------------------------------


def test_dropout_masks_are_reproducible_hidden_only_and_about_rate():
    sizes = (4, 6, 6, 3)
    first = diagrams.dropout_masks(sizes, rate=0.5, seed=3)
    again = diagrams.dropout_masks(sizes, rate=0.5, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert [m.shape for m in first] == [(4,), (6,), (6,), (3,)]
    assert not first[0].any() and not first[-1].any()
    for rate in (0.2, 0.5, 0.8):
        dropped = np.mean(
            [
                np.concatenate(diagrams.dropout_masks((2, 10, 10, 2), rate=rate, seed=s)[1:-1])
                for s in range(300)
            ]
        )
        assert dropped == pytest.approx(rate, abs=0.03)
    seeds = {tuple(np.concatenate(diagrams.dropout_masks(sizes, seed=s))) for s in range(20)}
    assert len(seeds) > 10
    assert not np.concatenate(diagrams.dropout_masks(sizes, rate=0.0)).any()


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_dropout_diagram_removes_the_dropped_nodes_and_their_weights(seed):
    sizes = (4, 6, 6, 3)
    masks = diagrams.dropout_masks(sizes, rate=0.5, seed=seed)
    fig = diagrams.dropout_diagram(sizes, rate=0.5, seed=seed)
    full, thinned = fig.axes
    kept = [int((~m).sum()) for m in masks]
    assert full.get_title() == "Standard network: all 12 hidden nodes"
    assert thinned.get_title() == (
        f"After dropout (rate 0.5): {sum(kept[1:-1])} of 12 hidden nodes kept"
    )
    (full_lines,) = full.collections
    (thin_lines,) = thinned.collections
    assert len(full_lines.get_segments()) == 4 * 6 + 6 * 6 + 6 * 3
    expected = sum(a * b for a, b in itertools.pairwise(kept))
    assert len(thin_lines.get_segments()) == expected
    crosses = [line for line in thinned.lines if line.get_marker() == "x"]
    assert len(crosses) == sum(int(m.sum()) for m in masks)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": 1.0}, "rate"),
        ({"rate": -0.1}, "rate"),
        ({"rate": "half"}, "rate"),
        ({"seed": -1}, "seed"),
        ({"layer_sizes": (4, 3)}, "layer_sizes"),
        ({"layer_sizes": (4, 11, 3)}, "layer_sizes"),
        ({"layer_sizes": (4, 0, 3)}, r"layer_sizes\[1\]"),
    ],
)
def test_dropout_diagram_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagrams.dropout_diagram(**kwargs)


# --------------------------------------------------------------------------------------
# Fig. 13: residual_block_diagram
# --------------------------------------------------------------------------------------


def test_residual_block_diagram_labels_the_branch_the_shortcut_and_the_sum():
    fig = diagrams.residual_block_diagram()
    found = texts(fig)
    assert found.count("weight layer\n(3×3 conv)") == 2 and found.count("ReLU") == 2
    assert {"F(x)", "F(x) + x", "+", "$x$", "$y$"} <= set(found)
    assert any(t.startswith("identity shortcut") for t in found)
    assert any(t.startswith("F(x): the residual") for t in found)
    assert len(fig.axes) == 1
