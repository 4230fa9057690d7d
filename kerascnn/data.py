"""Datasets for the course: Fashion-MNIST (always), CIFAR-10 (when online), photos.

Fashion-MNIST is found in this order, first found wins:

1. the Keras cache, ``$KERAS_HOME/datasets/fashion-mnist`` (``~/.keras`` when
   ``KERAS_HOME`` is unset): the files ``keras.datasets.fashion_mnist`` downloads;
2. the system copy ``/usr/share/datasets/fashion-mnist`` (Debian/Ubuntu package
   ``dataset-fashion-mnist``);
3. a download through Keras into its cache (Colab, any machine online);
4. the real subset shipped in ``data/`` (10,000 training and 2,000 test images), with a
   printed notice.

Every gz file is checked: the gzip CRC, the IDX header and a SHA-256 of the decoded
bytes, so a truncated or corrupt file raises :class:`CorruptDatasetError` instead of
training on garbage.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerascnn._checks import check_choice, check_positive_int

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_SUBDIR = os.path.join("datasets", "fashion-mnist")
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SUBSET_FILE = "fashion_mnist_subset.npz"
PHOTO_NAMES = ("chelsea", "coffee", "astronaut", "rocket")

_HOW_TO_GET = (
    "for the full set run `apt-get install dataset-fashion-mnist` (Debian/Ubuntu) or "
    "call load_fashion_mnist() once on a machine that is online (Keras caches it)"
)


@dataclass(frozen=True)
class _IdxFile:
    name: str
    shape: tuple[int, ...]
    sha256: str  # of the decompressed bytes, header included


# The four files of Fashion-MNIST as Zalando publishes them (and Keras mirrors them).
_FILES = {
    "x_train": _IdxFile(
        "train-images-idx3-ubyte.gz",
        (60000, 28, 28),
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "y_train": _IdxFile(
        "train-labels-idx1-ubyte.gz",
        (60000,),
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "x_test": _IdxFile(
        "t10k-images-idx3-ubyte.gz",
        (10000, 28, 28),
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "y_test": _IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        (10000,),
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}


class CorruptDatasetError(ValueError):
    """A dataset file exists but is truncated, corrupt or not the expected data."""


def keras_cache_dir() -> Path:
    """Where Keras caches Fashion-MNIST: ``$KERAS_HOME`` (or ``~/.keras``)/datasets/...

    >>> keras_cache_dir().parts[-2:]
    ('datasets', 'fashion-mnist')
    """
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return Path(os.path.expanduser(home)) / KERAS_SUBDIR


def asset_path(name: str) -> Path:
    """Path of a file shipped in ``data/`` (works in a clone and in an installed wheel).

    >>> asset_path("fashion_mnist_subset.npz").name
    'fashion_mnist_subset.npz'
    """
    clone = Path(__file__).resolve().parents[1] / "data" / name
    if clone.exists():
        return clone
    return Path(str(resources.files("kerascnn.assets").joinpath(name)))


def _read_idx(path: Path, spec: _IdxFile) -> np.ndarray:
    """Decode one IDX gz file, checking gzip CRC, header, length and checksum."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptDatasetError(
            f"{path} is not a complete gzip file ({err}); delete it and load again"
        ) from err
    header = 8 + 4 * (len(spec.shape) - 1)
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(len(spec.shape)))
    if magic != 0x0800 + len(spec.shape) or dims != spec.shape:
        raise CorruptDatasetError(
            f"{path} does not have the IDX header of {spec.name} "
            f"(expected uint8 array of shape {spec.shape}); delete it and load again"
        )
    if len(raw) != header + int(np.prod(spec.shape)):
        raise CorruptDatasetError(
            f"{path} is truncated: {len(raw) - header} of {int(np.prod(spec.shape))} bytes"
        )
    if hashlib.sha256(raw).hexdigest() != spec.sha256:
        raise CorruptDatasetError(f"{path} has the wrong checksum; delete it and load again")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(spec.shape)


def _complete(folder: Path) -> bool:
    return all((folder / spec.name).is_file() for spec in _FILES.values())


def _read_folder(folder: Path):
    arrays = {key: _read_idx(folder / spec.name, spec) for key, spec in _FILES.items()}
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _download(folder: Path) -> bool:
    """Fetch the four files into the Keras cache; False when offline."""
    try:
        for spec in _FILES.values():
            keras.utils.get_file(
                spec.name,
                origin=DOWNLOAD_URL + spec.name,
                cache_dir=str(folder.parents[1]),
                cache_subdir=KERAS_SUBDIR,
            )
    except Exception:  # Keras raises a bare Exception for URL failures
        return False
    return _complete(folder)


def fashion_mnist_source(*, allow_download: bool = True) -> str:
    """Say which source :func:`load_fashion_mnist` would use: cache, system or subset.

    Returns ``"keras-cache"``, ``"system"``, ``"download"`` or ``"subset"``.

    >>> fashion_mnist_source(allow_download=False) in ("keras-cache", "system", "subset")
    True
    """
    if _complete(keras_cache_dir()):
        return "keras-cache"
    if _complete(SYSTEM_DIR):
        return "system"
    return "download" if allow_download else "subset"


def load_fashion_mnist(*, allow_download: bool = True, allow_subset: bool = True):
    """Load the real Fashion-MNIST, as ``keras.datasets.fashion_mnist.load_data()``.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    ``(60000, 28, 28)`` and ``(10000, 28, 28)``, labels 0-9 (see :data:`CLASS_NAMES`).
    When no full copy can be found or downloaded, returns the shipped subset
    (10,000 / 2,000 images) and prints a one-line notice, unless ``allow_subset=False``,
    which raises ``FileNotFoundError`` instead.

    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist(allow_download=False)
    >>> x_train.dtype, x_train.shape[1:], int(y_train.max())
    (dtype('uint8'), (28, 28), 9)
    """
    source = fashion_mnist_source(allow_download=allow_download)
    if source == "keras-cache":
        return _read_folder(keras_cache_dir())
    if source == "system":
        return _read_folder(SYSTEM_DIR)
    if source == "download" and _download(keras_cache_dir()):
        return _read_folder(keras_cache_dir())
    if not allow_subset:
        raise FileNotFoundError(
            f"Fashion-MNIST not found in {keras_cache_dir()} or "
            f"{SYSTEM_DIR} and could not be downloaded: {_HOW_TO_GET}"
        )
    print(
        f"Notice: using the Fashion-MNIST subset shipped with kerascnn "
        f"(10,000 train / 2,000 test images); {_HOW_TO_GET}."
    )
    return load_fashion_mnist_subset()


def load_fashion_mnist_subset():
    """Load the fixed, stratified real subset shipped in ``data/``.

    1,000 training and 200 test images per class, drawn with a fixed seed from the real
    files by ``scripts/make_data.py``. Same return format as :func:`load_fashion_mnist`.

    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist_subset()
    >>> x_train.shape, x_test.shape, np.bincount(y_test).tolist() == [200] * 10
    ((10000, 28, 28), (2000, 28, 28), True)
    """
    path = asset_path(SUBSET_FILE)
    if not path.exists():
        raise FileNotFoundError(f"the shipped subset {path} is missing; reinstall kerascnn")
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_cifar10():
    """Load CIFAR-10 through Keras (cached or downloaded); a clear error offline.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 ``(50000, 32, 32, 3)`` and
    ``(10000, 32, 32, 3)``, labels flattened to shape ``(n,)``. The course never
    requires it: it is offered for learners on Colab or a GPU.

    Example (needs the network or a cached copy)::

        (x_train, y_train), _ = load_cifar10()
    """
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    except Exception as err:  # Keras raises a bare Exception offline
        raise RuntimeError(
            "CIFAR-10 is not cached and could not be downloaded "
            f"({err.__class__.__name__}). Run once on a machine that is online (Colab is), "
            "or use Fashion-MNIST, which the course ships."
        ) from err
    return (x_train, y_train.reshape(-1)), (x_test, y_test.reshape(-1))


def load_photo(name: str) -> np.ndarray:
    """A small real colour photo shipped in ``data/photos`` as uint8 ``(h, w, 3)``.

    Names: ``"chelsea"`` (a cat), ``"coffee"``, ``"astronaut"``, ``"rocket"``; their
    licences are in ``data/README.md``.

    >>> load_photo("chelsea").shape[-1]
    3
    """
    from PIL import Image

    check_choice(name, "name", PHOTO_NAMES)
    with Image.open(asset_path(f"photos/{name}.png")) as image:
        return np.asarray(image.convert("RGB"))


def train_val_split(x: np.ndarray, y: np.ndarray, val_fraction: float = 0.1, seed: int = 0):
    """Split into training and validation sets, stratified by class and seeded.

    Each class gives the same fraction of its examples to validation, so the class
    balance is the same on both sides. Returns ``(x_train, y_train), (x_val, y_val)``.

    >>> x, y = np.arange(100).reshape(100, 1), np.repeat(np.arange(10), 10)
    >>> (xt, yt), (xv, yv) = train_val_split(x, y, val_fraction=0.2, seed=0)
    >>> len(xt), len(xv), np.bincount(yv).tolist() == [2] * 10
    (80, 20, True)
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    if y.ndim != 1:
        raise ValueError(f"`y` must be a vector of integer labels, got shape {y.shape}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"`val_fraction` must be between 0 and 1, got {val_fraction}")
    rng = np.random.default_rng(seed)
    val = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        val.append(members[: int(round(len(members) * val_fraction))])
    val_idx = np.sort(np.concatenate(val))
    mask = np.ones(len(y), bool)
    mask[val_idx] = False
    return (x[mask], y[mask]), (x[val_idx], y[val_idx])


def to_float_images(x, *, scale: bool = True) -> np.ndarray:
    """uint8 images ``(n, h, w)`` or ``(n, h, w, c)`` -> float32 ``(n, h, w, c)``.

    With ``scale=True`` (the default) values are divided by 255 into ``[0, 1]``, the
    range the course's models take; with ``scale=False`` they stay in ``[0, 255]``,
    the range of :mod:`kerascnn.augment`.

    >>> to_float_images(np.full((2, 28, 28), 255, np.uint8)).shape
    (2, 28, 28, 1)
    """
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"`x` must be images (n, h, w) or (n, h, w, c), got shape {x.shape}")
    x = x.astype(np.float32)
    return x / 255.0 if scale else x


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    *,
    shuffle: bool = False,
    seed: int | None = None,
    augment: keras.layers.Layer | None = None,
    cache: bool = True,
) -> tf.data.Dataset:
    """The course's ``tf.data`` pipeline: (shuffle) -> batch -> (augment) -> scale -> prefetch.

    ``x`` holds uint8 images ``(n, h, w)`` or ``(n, h, w, c)`` in ``[0, 255]``; the
    dataset yields float32 batches ``(b, h, w, c)`` scaled to ``[0, 1]`` and int32
    labels. ``augment`` is a Keras layer working on ``[0, 255]`` images (see
    :mod:`kerascnn.augment`), called with ``training=True`` on each batch, so each
    epoch sees new random variants. ``shuffle=True`` reshuffles every epoch in an order
    fixed by ``seed``.

    >>> ds = make_dataset(np.zeros((10, 28, 28), np.uint8), np.arange(10), batch_size=4)
    >>> [tuple(b.shape) for b, _ in ds]
    [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    images = to_float_images(x, scale=False)
    labels = np.asarray(y).astype(np.int32)
    if len(images) != len(labels):
        raise ValueError(
            f"`x` and `y` must have the same length, got {len(images)} and {len(labels)}"
        )
    if images.min(initial=0) < 0 or images.max(initial=0) > 255:
        raise ValueError("`x` must hold pixel values in [0, 255] (uint8 images)")
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    # Named functions, not lambdas: AutoGraph reads a function's source, and cannot find
    # a lambda's when a formatter has split its line (it then warns in every notebook).

    def augment_batch(images, labels):
        return augment(images, training=True), labels

    def scale_batch(images, labels):
        return images / 255.0, labels

    if augment is not None:
        ds = ds.map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.map(scale_batch, num_parallel_calls=tf.data.AUTOTUNE)
    # tf.data's autotuner runs a background thread that sleeps between its optimisation
    # rounds, longer and longer as the iterator lives, and deleting the iterator (every
    # `fit` and `evaluate` ends with one) waits that sleep out: 0-2.5 s after each 5-s
    # `fit` (TensorFlow 2.21, measured). Without the autotuner, AUTOTUNE means one
    # parallel call per CPU core and a prefetch buffer that grows when the model waits;
    # the course's numbers are the same (op determinism) and its flagship trains as fast.
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(tf.data.AUTOTUNE).with_options(options)


def class_subset(
    x: np.ndarray,
    y: np.ndarray,
    classes,
    *,
    per_class: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """The examples of some classes, relabelled ``0..k-1``; optionally ``per_class`` each.

    For transfer learning: train a backbone on classes 0-4, then make a new task of
    classes 5-9 with a few labels per class. The examples of ``classes[i]`` get label
    ``i``. With ``per_class``, that many examples of each class are drawn without
    replacement, in an order fixed by ``seed`` (the same seed draws the same examples,
    and a larger ``per_class`` with the same seed keeps the smaller draw's examples);
    without it every example of those classes is kept. The result keeps the order of
    ``x``.

    >>> x, y = np.arange(40).reshape(40, 1), np.arange(40) % 10
    >>> xs, ys = class_subset(x, y, [5, 6, 7], per_class=2, seed=0)
    >>> xs.shape, np.bincount(ys).tolist(), set(y[xs[:, 0]].tolist()) == {5, 6, 7}
    ((6, 1), [2, 2, 2], True)
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    if y.ndim != 1:
        raise ValueError(f"`y` must be a vector of integer labels, got shape {y.shape}")
    classes = [int(c) for c in classes]
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"`classes` must list distinct labels, got {classes}")
    if per_class is not None:
        per_class = check_positive_int(per_class, "per_class")
    rng = np.random.default_rng(seed)
    keep, labels = [], []
    for new_label, label in enumerate(classes):
        members = np.flatnonzero(y == label)
        if per_class is not None:
            if len(members) < per_class:
                raise ValueError(
                    f"class {label} has {len(members)} examples, fewer than per_class={per_class}"
                )
            members = rng.permutation(members)[:per_class]
        keep.append(members)
        labels.append(np.full(len(members), new_label))
    keep, labels = np.concatenate(keep), np.concatenate(labels)
    order = np.argsort(keep, kind="stable")
    return x[keep[order]], labels[order].astype(y.dtype if y.dtype.kind in "iu" else np.int64)
