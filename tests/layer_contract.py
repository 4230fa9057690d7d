"""The contract every augmentation layer of kerascnn keeps (DESIGN.md, code conventions).

``check_layer_contract(layer, images, tmp_path)`` asserts, for a seeded layer that
augments images:

1. ``get_config`` / ``from_config`` round trip: the rebuilt layer has the same config,
   and two layers rebuilt from one config augment alike (same seed, same draws);
2. inference identity: ``training=False`` returns the input (up to ``atol``), on a
   batch and on a single image (the same instance takes both);
3. training: a batch and a single image keep their shape and come out float32, and the
   batch is changed;
4. ``tf.data``: the layer runs inside ``Dataset.map`` on batches and on single images;
5. in a model: one ``fit`` step in a compiled model, then a ``.keras`` save and
   ``load_model`` give back a layer of the same class and config, and the same
   predictions.

Tests use it through the ``layer_contract`` fixture of ``conftest.py``, which supplies
``tmp_path``.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf


def check_layer_contract(
    layer: keras.layers.Layer,
    images,
    tmp_path: Path,
    *,
    atol: float = 0.0,
    mixed_ranks: bool = True,
) -> None:
    """Assert the augmentation-layer contract for ``layer`` on the batch ``images``.

    ``images`` is a batch ``(batch, height, width, channels)`` in the layer's value
    range with a batch divisible by 4; ``atol`` is the tolerance of the inference
    identity (a layer that rescales and back rounds). With ``mixed_ranks=False`` the
    single images go to a fresh copy of the layer (from its config): a
    ``keras.Sequential`` fixes its input rank at its first call, so one instance takes
    batches or single images, not both.
    """
    images = np.asarray(images, np.float32)
    assert images.ndim == 4 and len(images) % 4 == 0, "a batch of 4, 8, ... images"
    cls = type(layer)

    # 1. Config round trip, and the seed travels with the config.
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    first, second = cls.from_config(config), cls.from_config(config)
    np.testing.assert_array_equal(first(images, training=True), second(images, training=True))

    # 2. Inactive at inference, on a batch and on one image.
    np.testing.assert_allclose(layer(images, training=False), images, atol=atol)
    one_by_one = layer if mixed_ranks else cls.from_config(config)
    np.testing.assert_allclose(one_by_one(images[0], training=False), images[0], atol=atol)

    # 3. Active in training: shapes kept, float32, the batch changed.
    out = np.asarray(layer(images, training=True))
    assert out.shape == images.shape and out.dtype == np.float32
    assert not np.allclose(out, images, atol=max(atol, 1e-3)), "training changes the batch"
    single = one_by_one(images[0], training=True)
    assert tuple(single.shape) == images.shape[1:]

    # 4. Inside tf.data, on batches and on single images.
    dataset = tf.data.Dataset.from_tensor_slices(images)
    batches = dataset.batch(4).map(lambda x: layer(x, training=True))
    assert np.concatenate([batch.numpy() for batch in batches]).shape == images.shape
    singles = dataset.map(lambda x: one_by_one(x, training=True))
    assert np.stack([image.numpy() for image in singles]).shape == images.shape

    # 5. A training step in a compiled model, then a .keras round trip.
    inputs = keras.Input(images.shape[1:])
    pooled = keras.layers.GlobalAveragePooling2D()(layer(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2)(pooled))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(images, np.zeros((len(images), 2)), batch_size=4, epochs=1, verbose=0)
    path = Path(tmp_path) / f"{layer.name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    loaded_layer = loaded.get_layer(layer.name)
    assert type(loaded_layer) is cls, "the class is registered for deserialization"
    # Compared as JSON (a tuple comes back a list); a Sequential's config now holds its
    # build shapes too.
    assert _as_json(loaded_layer.get_config()) == _as_json(layer.get_config())
    np.testing.assert_allclose(
        loaded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-5
    )


def _as_json(config: dict):
    return json.loads(json.dumps(config, default=str))
