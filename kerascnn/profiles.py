"""Course profiles, seeding and the course's data: what every notebook sets up first.

``KERASCNN_PROFILE`` is read here and nowhere else:

* ``full`` (the default, what ``make course`` runs): the whole Fashion-MNIST training
  set and the epochs a real result needs.
* ``quick`` (what ``make test`` and CI run): the real subset shipped in ``data/``
  (10,000 training and 2,000 test images) and one or two epochs (a few more where a
  notebook needs a model to overfit), so that CI checks that every cell runs; its
  numbers show a direction at most. Each notebook's title cell states its measured time.

Notebooks read data sizes and epochs from :func:`get_profile`, never from literals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType

import keras
import tensorflow as tf
from keras.src.backend.common import global_state

from kerascnn import data

PROFILE_ENV = "KERASCNN_PROFILE"
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Profile:
    """How much data and how many epochs a course run uses.

    Attributes:
        name: ``"full"`` or ``"quick"``.
        dataset: ``"full"`` (all 60,000 training images) or ``"subset"`` (the shipped
            10,000 / 2,000 subset).
        epochs: epochs per experiment, keyed by the experiment's name (see
            :data:`PROFILES`); read them with :meth:`epochs_for`.
        batch_size: the batch size the course trains with.
        seeds: the seeds a comparison is repeated over (:func:`kerascnn.training.repeat`):
            three in ``full``, so a small difference can be told from noise; one in
            ``quick``, which only checks that the code runs.
    """

    name: str
    dataset: str
    epochs: MappingProxyType = field(repr=False)
    batch_size: int = 128
    seeds: tuple[int, ...] = (0, 1, 2)

    def epochs_for(self, experiment: str) -> int:
        """Epochs for one experiment, e.g. ``get_profile().epochs_for("cnn")``.

        >>> PROFILES["quick"].epochs_for("mlp")
        2
        """
        try:
            return self.epochs[experiment]
        except KeyError:
            known = ", ".join(sorted(self.epochs))
            raise ValueError(
                f"unknown experiment {experiment!r} in profile {self.name!r}; known: {known}"
            ) from None


# Epochs per experiment. The keys name experiments, not notebooks, because a notebook
# may run several (notebook 14 trains plain and residual networks, then the best model).
_FULL_EPOCHS = {
    "mlp": 15,
    "activations": 10,
    "cnn": 12,  # notebook 15 sizes its transfer runs from it (20 steps per epoch)
    "cnn_vs_mlp": 8,  # notebook 06: 3 models x 3 seeds; the CNN's best epoch is near 8
    "feature_maps": 5,
    "pooling": 5,
    "optimizers": 10,
    "backprop": 3,
    "overfit": 30,
    "dropout": 30,
    "augment": 30,
    "randaugment": 30,
    "vgg": 5,
    "resnet_plain": 15,
    "resnet_best": 10,
    "toy": 300,
}
_QUICK_EPOCHS = {
    "mlp": 2,
    "activations": 2,
    "cnn": 1,
    "cnn_vs_mlp": 1,
    "feature_maps": 1,
    "pooling": 1,
    "optimizers": 1,
    "backprop": 1,
    "overfit": 6,
    "dropout": 2,
    "augment": 2,
    "randaugment": 2,
    "vgg": 1,
    "resnet_plain": 1,
    "resnet_best": 1,
    "toy": 20,
}

PROFILES = MappingProxyType(
    {
        "full": Profile("full", "full", MappingProxyType(_FULL_EPOCHS)),
        "quick": Profile("quick", "subset", MappingProxyType(_QUICK_EPOCHS), seeds=(0,)),
    }
)


def get_profile(name: str | None = None) -> Profile:
    """Return the course profile named by ``name`` or by ``$KERASCNN_PROFILE``.

    >>> get_profile("quick").dataset
    'subset'
    """
    if name is None:
        name = os.environ.get(PROFILE_ENV, "full").strip().lower() or "full"
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_ENV} must be one of {', '.join(PROFILES)}; got {name!r}")
    return PROFILES[name]


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy, TensorFlow and Keras in one call.

    With ``deterministic=True`` (what notebooks use) TensorFlow also runs its ops
    deterministically from then on, for the whole process, so the same seed on the
    same machine gives the same numbers (at some cost in speed). The seed alone already
    repeats the random draws:

    >>> set_seed(0, deterministic=False); a = float(tf.random.uniform(()))
    >>> set_seed(0, deterministic=False); a == float(tf.random.uniform(()))
    True
    """
    keras.utils.set_random_seed(seed)
    # Keras 3.5 (the floor) keeps its global SeedGenerator (what unseeded keras.random calls
    # draw from) across set_random_seed; drop it, as newer Keras does, so it is made
    # again from this seed. Keras has no public call for this.
    global_state.set_global_attribute("global_seed_generator", None)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def load_course_data(profile: Profile | None = None):
    """Fashion-MNIST as the profile asks: all of it, or the shipped subset.

    Returns ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like Keras.

    >>> (x, y), _ = load_course_data(get_profile("quick"))
    >>> x.shape
    (10000, 28, 28)
    """
    profile = profile or get_profile()
    if profile.dataset == "subset":
        return data.load_fashion_mnist_subset()
    return data.load_fashion_mnist()
