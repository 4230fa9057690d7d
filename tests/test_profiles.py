"""Tests for kerascnn.profiles: the profile switch, seeding and the course data."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerascnn import profiles


def test_profile_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV, " Quick ")
    assert profiles.get_profile() is profiles.PROFILES["quick"]
    monkeypatch.setenv(profiles.PROFILE_ENV, "")
    assert profiles.get_profile().name == "full"
    monkeypatch.delenv(profiles.PROFILE_ENV)
    assert profiles.get_profile().name == "full"
    assert profiles.get_profile("quick").dataset == "subset"  # a name wins over the env


def test_unknown_profile_names_the_variable(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV, "fast")
    with pytest.raises(ValueError, match="KERASCNN_PROFILE must be one of full, quick"):
        profiles.get_profile()


def test_both_profiles_know_the_same_experiments():
    full, quick = profiles.PROFILES["full"], profiles.PROFILES["quick"]
    assert set(full.epochs) == set(quick.epochs)
    for experiment in full.epochs:
        assert 1 <= quick.epochs_for(experiment) <= full.epochs_for(experiment)
    with pytest.raises(ValueError, match="unknown experiment 'nope'.*known: activations"):
        quick.epochs_for("nope")


def test_set_seed_repeats_every_generator(monkeypatch):
    switched_on = []
    monkeypatch.setattr(
        tf.config.experimental, "enable_op_determinism", lambda: switched_on.append(True)
    )

    def draws():
        legacy_numpy = np.random.rand()  # noqa: NPY002 (the global state set_seed seeds)
        return float(tf.random.uniform(())), legacy_numpy, float(keras.random.uniform(()))

    profiles.set_seed(3, deterministic=False)
    first = draws()
    profiles.set_seed(3, deterministic=False)
    assert draws() == first
    profiles.set_seed(4, deterministic=False)
    assert draws() != first
    assert switched_on == []
    profiles.set_seed(3)  # deterministic by default
    assert switched_on == [True]


def test_quick_course_data_is_the_shipped_subset():
    (x_train, y_train), (x_test, y_test) = profiles.load_course_data(profiles.get_profile("quick"))
    assert x_train.shape == (10_000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (2_000, 28, 28) and y_test.shape == (2_000,)
    assert set(np.unique(y_train)) == set(range(10))
