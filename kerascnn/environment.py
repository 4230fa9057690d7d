"""What the course is running on: versions, accelerator, profile and data source."""

from __future__ import annotations

import platform
import sys

import keras
import numpy as np
import tensorflow as tf

from kerascnn import __version__, data, profiles


def describe() -> dict[str, str]:
    """Versions, accelerator, course profile and Fashion-MNIST source, as a dict.

    Print it at the top of a notebook so a reader knows what produced its outputs.

    >>> describe()["profile"] in ("full (data: full)", "quick (data: subset)")
    True
    """
    gpus = tf.config.list_physical_devices("GPU")
    profile = profiles.get_profile()
    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        "kerascnn": __version__,
        "GPU": ", ".join(g.name for g in gpus) if gpus else "none (CPU only)",
        "Colab": "yes" if "google.colab" in sys.modules else "no",
        "profile": f"{profile.name} (data: {profile.dataset})",
        "Fashion-MNIST source": (
            "shipped subset" if profile.dataset == "subset"
            else data.fashion_mnist_source()
        ),
    }


def report() -> None:
    """Print :func:`describe` as aligned lines.

    >>> report()  # doctest: +ELLIPSIS
    Python ...
    """
    info = describe()
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
