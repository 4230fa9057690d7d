"""What the course is running on: versions, accelerator, profile and data source."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerascnn import __version__, data, profiles

# The vector instruction sets that decide how fast TensorFlow's CPU kernels run, best first.
_VECTOR_SETS = ("avx512f", "avx2", "avx", "sse4_2", "neon", "asimd")


def cpu_description(cpuinfo: str | os.PathLike = "/proc/cpuinfo") -> str:
    """The CPU model, its widest vector instruction set (and AMX, Intel's matrix units,
    where present) and the core count, in one line.

    Machines with the same core count can differ 3-7x in speed (an AVX2-only core runs
    TensorFlow's kernels at a fraction of an AVX-512 one), so every time the course or a
    benchmark reports is printed next to this line. ``cpuinfo`` is Linux's
    ``/proc/cpuinfo``; elsewhere the model comes from :mod:`platform`.

    >>> cpu_description().endswith("CPU cores")
    True
    """
    model, flags = platform.processor() or platform.machine(), set()
    path = Path(cpuinfo)
    if path.is_file():
        for line in path.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model") and model in ("", platform.machine()):
                model = value.strip()
            elif key.strip() in ("flags", "Features") and not flags:
                flags = set(value.split())
    vector = next((name for name in _VECTOR_SETS if name in flags), None)
    widest = vector.upper().replace("AVX512F", "AVX-512").replace("_", ".") if vector else None
    isa = f"{platform.machine()}, {widest}" if widest else platform.machine()
    if vector == "avx2":
        isa += ", no AVX-512"
    if "amx_bf16" in flags:  # Intel's matrix units: bfloat16 matmuls and convolutions
        isa += ", AMX"
    return f"{model} ({isa}), {os.cpu_count()} CPU cores"


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
        "CPU": cpu_description(),
        "GPU": ", ".join(g.name for g in gpus) if gpus else "none (CPU only)",
        "Colab": "yes" if "google.colab" in sys.modules else "no",
        "profile": f"{profile.name} (data: {profile.dataset})",
        "Fashion-MNIST source": (
            "shipped subset" if profile.dataset == "subset" else data.fashion_mnist_source()
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
