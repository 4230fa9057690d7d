"""training.compare_paired: the sentence that says whether a paired difference is noise."""

import pytest

from kerascnn import training


def test_clear_gain_on_every_seed():
    text = training.compare_paired([0.80, 0.82, 0.81], [0.85, 0.86, 0.86], names=("a", "b"))
    assert text.endswith("b better on every seed, beyond the noise")
    assert "+0.047" in text


def test_lower_is_better_for_a_loss():
    text = training.compare_paired(
        [0.40, 0.42, 0.41], [0.35, 0.36, 0.36], names=("a", "b"), higher_is_better=False
    )
    assert "b better" in text


def test_mixed_signs_are_noise():
    text = training.compare_paired([0.80, 0.82, 0.81], [0.81, 0.81, 0.83], names=("a", "b"))
    assert text.endswith("within noise")


def test_one_seed_gives_the_direction_only():
    text = training.compare_paired([0.8], [0.7], names=("a", "b"))
    assert "b worse on this seed" in text and "direction only" in text


def test_unpaired_lengths_raise():
    with pytest.raises(ValueError, match="one value per seed"):
        training.compare_paired([0.8, 0.9], [0.7])
