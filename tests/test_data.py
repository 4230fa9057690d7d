"""Tests for kerascnn.data: every loader source, verification, split and pipeline."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from kerascnn import data

SYSTEM = Path("/usr/share/datasets/fashion-mnist")
needs_system_copy = pytest.mark.skipif(
    not SYSTEM.is_dir(), reason="needs `apt-get install dataset-fashion-mnist` (CI installs it)"
)


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    """An empty Keras cache, as on a fresh machine."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home"


@pytest.fixture
def no_system_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "no_system_copy")


@pytest.fixture
def offline(monkeypatch):
    """Make the Keras download fail as it does without a network."""

    def fail(*args, **kwargs):
        raise Exception("URL fetch failure: [Errno -2] Name or service not known")

    monkeypatch.setattr(data.keras.utils, "get_file", fail)


def _copy_system_to(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for spec in data._FILES.values():
        shutil.copy(SYSTEM / spec.name, folder / spec.name)
    return folder


@needs_system_copy
def test_system_copy_is_the_real_dataset(empty_keras_home):
    assert data.fashion_mnist_source() == "system"
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    # A real image, not noise: neighbouring pixels are strongly correlated.
    a, b = x_train[:1000, :, :-1].ravel(), x_train[:1000, :, 1:].ravel()
    assert np.corrcoef(a.astype(float), b.astype(float))[0, 1] > 0.8


@needs_system_copy
def test_keras_cache_wins_over_system_copy(empty_keras_home, monkeypatch):
    cache = _copy_system_to(empty_keras_home / "datasets" / "fashion-mnist")
    monkeypatch.setattr(data, "SYSTEM_DIR", Path("/nonexistent"))
    assert data.keras_cache_dir() == cache
    assert data.fashion_mnist_source() == "keras-cache"
    (x_train, _), _ = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28)


@needs_system_copy
def test_download_fills_the_keras_cache(empty_keras_home, no_system_copy, monkeypatch):
    cache = data.keras_cache_dir()

    def fake_get_file(fname, origin, cache_dir, cache_subdir):
        # Stands in for the network: serves the real files, as the mirror would.
        assert origin == data.DOWNLOAD_URL + fname
        target = Path(cache_dir) / cache_subdir / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SYSTEM / fname, target)
        return str(target)

    monkeypatch.setattr(data.keras.utils, "get_file", fake_get_file)
    assert data.fashion_mnist_source() == "download"
    (x_train, _), (x_test, _) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert data.fashion_mnist_source() == "keras-cache"
    assert sorted(p.name for p in cache.iterdir()) == sorted(s.name for s in data._FILES.values())


def test_offline_falls_back_to_the_subset_with_a_notice(
    empty_keras_home, no_system_copy, offline, capsys
):
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    notice = capsys.readouterr().out
    assert "subset" in notice and "apt-get install dataset-fashion-mnist" in notice
    assert len(notice.strip().splitlines()) == 1
    assert x_train.shape == (10000, 28, 28) and x_test.shape == (2000, 28, 28)


def test_offline_without_subset_raises(empty_keras_home, no_system_copy, offline):
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        data.load_fashion_mnist(allow_subset=False)


@needs_system_copy
def test_truncated_file_raises_clear_error(empty_keras_home, monkeypatch):
    cache = _copy_system_to(empty_keras_home / "datasets" / "fashion-mnist")
    target = cache / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100_000])
    with pytest.raises(data.CorruptDatasetError, match="t10k-images.*gzip"):
        data.load_fashion_mnist()


@needs_system_copy
def test_wrong_content_raises_clear_error(empty_keras_home):
    cache = _copy_system_to(empty_keras_home / "datasets" / "fashion-mnist")
    labels = cache / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: a valid gzip, valid header
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(data.CorruptDatasetError, match="checksum"):
        data.load_fashion_mnist()
    raw[3] = 3  # the magic number of a 3-D array, not a label vector
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(data.CorruptDatasetError, match="IDX header"):
        data.load_fashion_mnist()


def test_subset_is_real_stratified_and_fixed():
    # The loader itself under test: called here, not through the shared fixture.
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist_subset()
    assert x_train.dtype == np.uint8 and x_train.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [1000] * 10
    assert np.bincount(y_test).tolist() == [200] * 10
    assert 60 < x_train.mean() < 90  # Fashion-MNIST's mean grey level is about 72.9
    with np.load(data.asset_path(data.SUBSET_FILE), allow_pickle=False) as f:
        assert len(np.unique(f["train_index"])) == 10000


@needs_system_copy
def test_subset_images_are_the_original_images():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(allow_download=False)
    with np.load(data.asset_path(data.SUBSET_FILE), allow_pickle=False) as f:
        np.testing.assert_array_equal(x_train[f["train_index"]], f["x_train"])
        np.testing.assert_array_equal(y_test[f["test_index"]], f["y_test"])


def test_photos_are_real_colour_images():
    for name in data.PHOTO_NAMES:
        photo = data.load_photo(name)
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
        assert max(photo.shape[:2]) == 256
        assert photo.std() > 30  # not flat
    with pytest.raises(ValueError, match="chelsea"):
        data.load_photo("lena")


def test_split_is_stratified_disjoint_and_reproducible(fashion_subset):
    (x, y), _ = fashion_subset
    ids = np.arange(len(x))
    (a_ids, a_y), (v_ids, v_y) = data.train_val_split(ids, y, val_fraction=0.2, seed=3)
    assert len(v_ids) == 2000 and len(a_ids) == 8000
    assert np.bincount(v_y).tolist() == [200] * 10
    assert not set(a_ids) & set(v_ids)
    assert set(a_ids) | set(v_ids) == set(ids)
    (b_ids, _), (w_ids, _) = data.train_val_split(ids, y, val_fraction=0.2, seed=3)
    np.testing.assert_array_equal(v_ids, w_ids)
    (_, _), (z_ids, _) = data.train_val_split(ids, y, val_fraction=0.2, seed=4)
    assert not np.array_equal(v_ids, z_ids)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"val_fraction": 0.0}, "val_fraction"),
        ({"val_fraction": 1.5}, "val_fraction"),
    ],
)
def test_split_rejects_bad_fraction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_val_split(np.zeros((10, 2)), np.zeros(10, int), **kwargs)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        data.train_val_split(np.zeros((10, 2)), np.zeros(9, int))


def test_pipeline_shapes_dtypes_and_range(fashion_subset):
    (x, y), _ = fashion_subset
    ds = data.make_dataset(x[:300], y[:300], batch_size=128)
    batches = list(ds)
    assert [len(b[0]) for b in batches] == [128, 128, 44]
    images, labels = batches[0]
    assert images.dtype.name == "float32" and tuple(images.shape) == (128, 28, 28, 1)
    assert labels.dtype.name == "int32"
    assert float(images.numpy().min()) >= 0.0 and float(images.numpy().max()) <= 1.0
    np.testing.assert_allclose(images.numpy()[..., 0], x[:128] / 255.0, atol=1e-6)
    np.testing.assert_array_equal(labels.numpy(), y[:128])


def test_pipeline_shuffle_is_seeded(fashion_subset):
    (x, y), _ = fashion_subset

    def first_labels(seed):
        ds = data.make_dataset(x[:500], y[:500], batch_size=500, shuffle=True, seed=seed)
        return next(iter(ds))[1].numpy()

    a, b, c = first_labels(1), first_labels(1), first_labels(2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert sorted(a.tolist()) == sorted(y[:500].tolist())  # a permutation, nothing lost


def test_pipeline_applies_augmentation_in_pixel_range():
    seen = []

    class Recorder(data.keras.layers.Layer):
        def call(self, images, training=None):
            seen.append(training)
            return 255.0 - images  # invert, in [0, 255]

    x = np.zeros((4, 28, 28), np.uint8)
    images, _ = next(iter(data.make_dataset(x, np.zeros(4), augment=Recorder())))
    assert seen and all(seen)
    np.testing.assert_allclose(images.numpy(), 1.0)


def test_pipeline_runs_without_the_autotuner(fashion_subset):
    # Its thread made deleting each iterator wait seconds (kerascnn.data.make_dataset)
    (x, y), _ = fashion_subset
    ds = data.make_dataset(x[:8], y[:8], batch_size=4, shuffle=True, seed=0)
    assert ds.options().autotune.enabled is False
    assert sum(len(labels) for _, labels in ds) == 8


def test_pipeline_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        data.make_dataset(np.zeros((4, 28, 28), np.uint8), np.zeros(3))
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        data.make_dataset(np.full((4, 28, 28), 300.0), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        data.make_dataset(np.zeros((4, 28, 28), np.uint8), np.zeros(4), batch_size=0)
    with pytest.raises(ValueError, match="shape"):
        data.to_float_images(np.zeros((28, 28)))


def test_cifar10_offline_error_is_clear(monkeypatch):
    def fail():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(data.keras.datasets.cifar10, "load_data", fail)
    with pytest.raises(RuntimeError, match="CIFAR-10 is not cached"):
        data.load_cifar10()
