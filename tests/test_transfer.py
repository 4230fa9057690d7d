"""data.class_subset: the few-label tasks of notebook 15's transfer learning."""

import numpy as np
import pytest

from kerascnn import data


@pytest.fixture
def labelled():
    y = np.repeat(np.arange(10), 30)  # 30 examples of each of 10 classes
    x = np.arange(len(y)).reshape(-1, 1)  # each example names its own index
    return x, y


def test_keeps_only_the_classes_and_relabels_them(labelled):
    x, y = labelled
    xs, ys = data.class_subset(x, y, [5, 6, 7, 8, 9])
    assert len(xs) == 150
    np.testing.assert_array_equal(y[xs[:, 0]], ys + 5)  # class 5 -> 0, ..., 9 -> 4
    assert np.all(np.diff(xs[:, 0]) > 0), "the order of x is kept"


def test_per_class_draws_that_many_of_each(labelled):
    x, y = labelled
    xs, ys = data.class_subset(x, y, [3, 1], per_class=7, seed=0)
    assert np.bincount(ys).tolist() == [7, 7]
    np.testing.assert_array_equal(y[xs[:, 0]], np.where(ys == 0, 3, 1))
    assert len(np.unique(xs)) == 14, "without replacement"


def test_same_seed_same_draw_and_larger_draws_contain_smaller(labelled):
    x, y = labelled
    a, _ = data.class_subset(x, y, [0, 1, 2], per_class=5, seed=1)
    b, _ = data.class_subset(x, y, [0, 1, 2], per_class=5, seed=1)
    c, _ = data.class_subset(x, y, [0, 1, 2], per_class=5, seed=2)
    larger, _ = data.class_subset(x, y, [0, 1, 2], per_class=20, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert set(a[:, 0]) <= set(larger[:, 0])


@pytest.mark.parametrize(
    ("classes", "per_class", "match"),
    [
        ([], None, "distinct"),
        ([1, 1], None, "distinct"),
        ([1], 0, "per_class"),
        ([1], 31, "fewer than per_class"),
    ],
)
def test_bad_arguments_raise(labelled, classes, per_class, match):
    x, y = labelled
    with pytest.raises(ValueError, match=match):
        data.class_subset(x, y, classes, per_class=per_class)


def test_mismatched_lengths_raise(labelled):
    x, y = labelled
    with pytest.raises(ValueError, match="same length"):
        data.class_subset(x[:-1], y, [0])
