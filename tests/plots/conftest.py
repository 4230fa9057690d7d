"""Shared by the figure tests: a tiny CNN trained for a few steps on the real subset
(the repository's conftest.py makes matplotlib headless and closes every figure)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerascnn import data
from kerascnn.training import compile_and_fit


@pytest.fixture(scope="session")
def trained():
    """A tiny CNN trained for two short epochs on the real subset, and its predictions."""
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
    history = compile_and_fit(
        model,
        data.make_dataset(x[:1024], y[:1024], shuffle=True, seed=0),
        data.make_dataset(x[-256:], y[-256:]),
        epochs=2,
        verbose=0,
    )
    x_test, y_test = x_test[:300], y_test[:300]
    probabilities = model.predict(data.to_float_images(x_test), verbose=0)
    return {
        "model": model,
        "history": history,
        "x": x_test,
        "y": y_test,
        "probabilities": probabilities,
    }


@pytest.fixture
def labelled_lines():
    """A function: the lines of an axis that have a legend label, as {label: xy array}."""

    def lines(ax) -> dict[str, np.ndarray]:
        return {
            line.get_label(): line.get_xydata()
            for line in ax.lines
            if not line.get_label().startswith("_")
        }

    return lines
