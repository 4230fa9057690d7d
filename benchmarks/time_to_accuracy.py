"""Seconds to 0.91 accuracy on Fashion-MNIST: the course's CNN recipe vs a reference.

    python benchmarks/time_to_accuracy.py            # full training set
    python benchmarks/time_to_accuracy.py --quick    # the shipped subset, target 0.80

Both recipes train on the same machine in one run, on the training set minus a
stratified 10 % validation split, until the validation accuracy (checked once per epoch)
reaches the target; the clock counts training and the per-epoch checks. The test set
then confirms the stopped model. Target: the course recipe in at most half the
reference's time.

* reference: the Keras example "Simple MNIST convnet" (keras.io/examples/vision/
  mnist_convnet): Conv32-Pool-Conv64-Pool-Flatten-Dropout(0.5)-Dense, Adam, batch 128.
* course: ``models.cnn`` as notebook 06 builds it (two conv blocks 32/64, same
  padding, dense 128), batch 128, Adam from 2e-3 with a cosine decay to 0 over a
  5-epoch budget (big steps first, small ones to settle) and the cached ``tf.data``
  pipeline of ``data.make_dataset``. Two things a learner can reuse were measured on
  this 2-core CPU before they were chosen: XLA (``jit_compile=True``) made training
  2 to 5x *slower* here (Keras's ``"auto"`` leaves it off on CPUs for that reason), and
  batch normalisation doubled the time per epoch without saving epochs at this depth.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras

from kerascnn import data, models, profiles, training


def reference_model() -> keras.Model:
    """The Keras example "Simple MNIST convnet", verbatim but for the input."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="reference",
    )


class StopAt(keras.callbacks.Callback):
    """Stop training once the validation accuracy reaches ``target``; record the time."""

    def __init__(self, target: float):
        super().__init__()
        self.target, self.seconds, self.epoch = target, None, None

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] >= self.target and self.seconds is None:
            self.seconds, self.epoch = time.perf_counter() - self.start, epoch + 1
            self.model.stop_training = True


RECIPES = {
    "reference": dict(build=reference_model, batch_size=128, learning_rate=1e-3, decay_epochs=None),
    "course": dict(
        build=lambda: models.cnn((28, 28, 1), 10),
        batch_size=128,
        learning_rate=2e-3,
        decay_epochs=5,
    ),
}


def _optimizer(recipe: dict, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Adam at a constant rate, or with a cosine decay to 0 over ``decay_epochs``."""
    rate = recipe["learning_rate"]
    if recipe["decay_epochs"]:
        rate = keras.optimizers.schedules.CosineDecay(
            rate, recipe["decay_epochs"] * steps_per_epoch
        )
    return keras.optimizers.Adam(rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the shipped subset, target 0.80")
    parser.add_argument("--max-epochs", type=int, default=30)
    args = parser.parse_args()
    load = data.load_fashion_mnist_subset if args.quick else data.load_fashion_mnist
    (x_train, y_train), (x_test, y_test) = load()
    (x_tr, y_tr), (x_val, y_val) = data.train_val_split(x_train, y_train, 0.1, seed=0)
    target = 0.80 if args.quick else 0.91
    print(
        f"time to {target} validation accuracy, {date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} CPU cores, train {len(x_tr)} images"
    )
    seconds = {}
    for name, recipe in RECIPES.items():
        profiles.set_seed(0)  # op determinism: one seed, the same numbers
        model = recipe["build"]()
        stop = StopAt(target)
        train = data.make_dataset(x_tr, y_tr, recipe["batch_size"], shuffle=True, seed=0)
        training.compile_and_fit(
            model,
            train,
            data.make_dataset(x_val, y_val, 1024),
            epochs=args.max_epochs,
            optimizer=_optimizer(recipe, len(train)),
            callbacks=[stop],
            verbose=0,
        )
        _, test_acc = model.evaluate(data.make_dataset(x_test, y_test, 1024), verbose=0)
        if stop.seconds is None:
            print(
                f"{name:<10} did not reach {target} in {args.max_epochs} epochs "
                f"(test accuracy {test_acc:.4f})"
            )
            continue
        seconds[name] = stop.seconds
        confirmed = "confirmed" if test_acc >= target else f"{target - test_acc:.4f} short"
        print(
            f"{name:<10} {stop.seconds:7.1f} s to {target} (epoch {stop.epoch}), "
            f"test accuracy {test_acc:.4f} ({confirmed} on test)"
        )
    if len(seconds) == 2:
        ratio = seconds["course"] / seconds["reference"]
        print(
            f"ratio course/reference: {ratio:.2f} (target <= 0.50: "
            f"{'met' if ratio <= 0.5 else 'not met'})"
        )


if __name__ == "__main__":
    main()
