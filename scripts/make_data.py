"""Build the small real data shipped in ``data/``.

Run from the repository root::

    python scripts/make_data.py            # both parts
    python scripts/make_data.py --subset   # the Fashion-MNIST subset only
    python scripts/make_data.py --photos   # the photos only (needs scikit-image)

The subset is drawn from the real Fashion-MNIST files (Keras cache or the system copy,
found by ``kerascnn.data``): 1,000 training and 200 test images per class, chosen with
a fixed seed, so the file is the same on every machine. The photos are public-domain /
CC0 images that scikit-image ships, scaled down to at most 256 pixels a side.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from kerascnn import data

ROOT = Path(__file__).resolve().parents[1]
SUBSET_SEED = 20250828  # the date of the source article
TRAIN_PER_CLASS = 1000
TEST_PER_CLASS = 200
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
MAX_SIDE = 256


def stratified_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picked = [
        rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
        for c in range(len(data.CLASS_NAMES))
    ]
    return np.sort(np.concatenate(picked))


def make_subset() -> None:
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(
        allow_download=False, allow_subset=False
    )
    rng = np.random.default_rng(SUBSET_SEED)
    train = stratified_indices(y_train, TRAIN_PER_CLASS, rng)
    test = stratified_indices(y_test, TEST_PER_CLASS, rng)
    out = ROOT / "data" / data.SUBSET_FILE
    np.savez_compressed(
        out,
        x_train=x_train[train],
        y_train=y_train[train],
        x_test=x_test[test],
        y_test=y_test[test],
        train_index=train.astype(np.int32),
        test_index=test.astype(np.int32),
    )
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): "
        f"{len(train)} train + {len(test)} test images"
    )


def make_photos() -> None:
    import skimage.data  # only needed to rebuild the photos

    for name in PHOTOS:
        image = Image.fromarray(getattr(skimage.data, name)())
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = ROOT / "data" / "photos" / f"{name}.png"
        image.save(out, optimize=True)
        print(f"wrote {out} {image.size[0]}x{image.size[1]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", action="store_true", help="build the Fashion-MNIST subset")
    parser.add_argument("--photos", action="store_true", help="build the photos")
    args = parser.parse_args()
    both = not (args.subset or args.photos)
    if args.subset or both:
        make_subset()
    if args.photos or both:
        make_photos()
