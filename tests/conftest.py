"""Shared fixtures: the real data the tests run on, loaded once per session.

The arrays are read-only, so a test that changes a shared fixture in place fails at once
instead of corrupting the tests that run after it (copy first: ``x.copy()``).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from layer_contract import check_layer_contract

from kerascnn import data


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.setflags(write=False)


@pytest.fixture(scope="session")
def fashion_subset():
    """The real Fashion-MNIST subset shipped in ``data/``, as ``load_fashion_mnist_subset``
    returns it: ``(x_train, y_train), (x_test, y_test)``, uint8, 10,000 + 2,000 images."""
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist_subset()
    _read_only(x_train, y_train, x_test, y_test)
    return (x_train, y_train), (x_test, y_test)


@pytest.fixture(scope="session")
def fashion_images(fashion_subset) -> np.ndarray:
    """The first 64 training images of the subset, float32 ``(64, 28, 28, 1)`` in [0, 255]."""
    (x_train, _), _ = fashion_subset
    images = x_train[:64, :, :, None].astype(np.float32)
    _read_only(images)
    return images


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    """The four real colour photos shipped in ``data/photos`` by name, uint8 ``(h, w, 3)``."""
    loaded = {name: data.load_photo(name) for name in data.PHOTO_NAMES}
    _read_only(*loaded.values())
    return loaded


@pytest.fixture(scope="session")
def photo_crops(photos) -> np.ndarray:
    """Eight real 32x32 colour crops of the cat photo, float32 ``(8, 32, 32, 3)`` in [0, 255]."""
    photo = photos["chelsea"][::4, ::4]  # about 43 x 64
    crops = np.stack(
        [photo[r : r + 32, c : c + 32] for r in (0, 8) for c in (0, 10, 20, 30)]
    ).astype(np.float32)
    _read_only(crops)
    return crops


@pytest.fixture
def layer_contract(tmp_path):
    """``check_layer_contract(layer, images)`` (see ``tests/layer_contract.py``), saving
    its ``.keras`` file under this test's ``tmp_path``."""
    return functools.partial(check_layer_contract, tmp_path=tmp_path)


def _run_in_fresh_python(script: str, timeout: float = 300) -> None:
    """Run ``script`` (dedented) in a new Python process; it must print ``ok`` last."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


@pytest.fixture
def fresh_python():
    """``fresh_python(script)`` runs a script in a process of its own, for what changes a
    whole process for good, such as TensorFlow's op determinism; the script prints ``ok``."""
    return _run_in_fresh_python
