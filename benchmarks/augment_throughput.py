"""Images per second of RandAugment layers in a tf.data pipeline (CPU or whatever TF uses).

Data: 32x32x3 crops (CIFAR-sized) of the four real photos shipped in ``data/photos``,
each photo shrunk to 64 px on its short side first so a crop shows a recognisable part
of it; 1,280 crops, batches of 128, values in [0, 255].

Layers, each as ``dataset.map(lambda x: layer(x, training=True))``:

- ``kerascnn.augment.RandAugment(num_ops=2, magnitude=9)``: ops drawn per image;
- ``keras.layers.RandAugment(num_ops=2, factor=0.9)`` (Keras >= 3.8): ops drawn once
  per batch;
- ``keras_cv.layers.RandAugment`` when keras_cv is installed (skipped otherwise).

Usage: ``python benchmarks/augment_throughput.py [--quick | --batches N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from kerascnn.augment import RandAugment
from kerascnn.data import PHOTO_NAMES, load_photo

BATCH = 128
SIZE = 32


def photo_crops(count: int = 1280, seed: int = 0) -> np.ndarray:
    """``count`` random 32x32 crops (uint8) of the shipped photos, shrunk to 64 px."""
    rng = np.random.default_rng(seed)
    photos = []
    for name in PHOTO_NAMES:
        image = Image.fromarray(load_photo(name))
        scale = 64 / min(image.size)
        size = (round(image.width * scale), round(image.height * scale))
        photos.append(np.asarray(image.resize(size, Image.Resampling.LANCZOS)))
    crops = np.empty((count, SIZE, SIZE, 3), np.uint8)
    for i in range(count):
        photo = photos[i % len(photos)]
        top = rng.integers(0, photo.shape[0] - SIZE + 1)
        left = rng.integers(0, photo.shape[1] - SIZE + 1)
        crops[i] = photo[top : top + SIZE, left : left + SIZE]
    return crops


def throughput(layer, crops: np.ndarray, batches: int, warmup: int = 3) -> float:
    """Images per second through ``layer`` in a batched, prefetched tf.data pipeline."""
    dataset = (
        tf.data.Dataset.from_tensor_slices(crops.astype(np.float32))
        .repeat()
        .batch(BATCH, drop_remainder=True)
        .map(lambda x: layer(x, training=True), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    iterator = iter(dataset)
    for _ in range(warmup):  # tracing and the first batches
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * BATCH / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 batches per layer")
    parser.add_argument("--batches", type=int, default=100, help="batches timed per layer")
    args = parser.parse_args()
    batches = 10 if args.quick else args.batches
    crops = photo_crops()
    print(
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}; {batches} batches of "
        f"{BATCH} photo crops {SIZE}x{SIZE}x3, num_ops=2, magnitude 9 of 10"
    )

    rates = {
        "kerascnn RandAugment (per image)": throughput(
            RandAugment(num_ops=2, magnitude=9, seed=0), crops, batches
        )
    }
    if hasattr(keras.layers, "RandAugment"):
        layer = keras.layers.RandAugment(value_range=(0, 255), num_ops=2, factor=0.9, seed=0)
        rates["keras.layers.RandAugment (per batch)"] = throughput(layer, crops, batches)
    else:
        print("keras.layers.RandAugment: not in this Keras version, skipped")
    if importlib.util.find_spec("keras_cv") is not None:
        import keras_cv

        layer = keras_cv.layers.RandAugment(
            value_range=(0, 255), augmentations_per_image=2, magnitude=0.9, seed=0
        )
        rates["keras_cv.layers.RandAugment"] = throughput(layer, crops, batches)
    else:
        print("keras_cv.layers.RandAugment: keras_cv is not installed, skipped")

    ours = rates["kerascnn RandAugment (per image)"]
    for name, rate in rates.items():
        print(f"{name:40s} {rate:10.0f} images/s   kerascnn / this = {ours / rate:.2f}")


if __name__ == "__main__":
    main()
