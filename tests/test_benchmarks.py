"""The benchmark scripts run end to end on a little real data (figures are not checked:
speed and accuracy are measured by running the scripts, not asserted in tests)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from kerascnn import data

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"benchmarks_{name}"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_splits(fashion_subset):
    (x, y), (x_test, y_test) = fashion_subset
    (x_tr, y_tr), (x_val, y_val) = data.train_val_split(x[:600], y[:600], 0.2, seed=0)
    return (x_tr, y_tr), (x_val, y_val), (x_test[:200], y_test[:200])


@pytest.mark.parametrize("row", ["mlp", "cnn", "vgg", "vgg_flagship_recipe", "flagship"])
def test_accuracy_rows_train_and_report(row, small_splits):
    accuracy = _load("accuracy")
    if row in accuracy.FLAGSHIP_RECIPE_ROWS:
        result = accuracy.run_flagship_recipe(
            row, accuracy.FLAGSHIP_RECIPE_ROWS[row], small_splits, quick=True
        )
    else:
        result = accuracy.run_row(row, accuracy.RECIPES[row], small_splits, quick=True)
    assert result["epochs"] == 1
    assert 0.0 <= result["test_accuracy"] <= 1.0
    assert result["params"] > 0 and result["images_per_s"] > 0
    assert result["target"] > 0.88


def test_reference_recipe_is_the_keras_example():
    reference = _load("time_to_accuracy").reference_model()
    # keras.io "Simple MNIST convnet" prints 34,826 parameters for 28x28x1 and 10 classes.
    assert reference.count_params() == 34_826


def test_stop_at_target_stops_and_records():
    module = _load("time_to_accuracy")
    stop = module.StopAt(0.5)
    model = module.keras.Sequential([module.keras.Input((1,)), module.keras.layers.Dense(1)])
    stop.set_model(model)
    model.stop_training = False  # as fit() sets it
    stop.on_train_begin()
    stop.on_epoch_end(0, {"val_accuracy": 0.4})
    assert stop.seconds is None and not model.stop_training
    stop.on_epoch_end(1, {"val_accuracy": 0.6})
    assert stop.epoch == 2 and stop.seconds >= 0 and model.stop_training
    assert np.isfinite(stop.seconds)


def test_epoch_budget_ablation_changes_one_ingredient_per_line():
    module = _load("epoch_budget")
    assert set(module.AUGMENTATION_NAMES) == set(module.training.AUGMENTATIONS)
    for budget in (5, 20):
        base = module.training.flagship_recipe(budget)
        variants = module.ablation_variants(base)
        assert variants["flagship recipe"] == base
        # every other augmentation has its line, whichever one the recipe uses
        augments = {r.augment for r in variants.values()}
        assert augments == set(module.training.AUGMENTATIONS)
        # so does every batch size the ablation tries, whichever one the recipe uses
        assert set(module.BATCH_SIZES) <= {r.batch_size for r in variants.values()}
        for name, recipe in variants.items():
            changed = {
                f for f in base.__dataclass_fields__ if getattr(recipe, f) != getattr(base, f)
            }
            assert len(changed) <= 2, (name, changed)  # batch size moves with its learning rate
            assert (name == "flagship recipe") == (not changed)


def test_epoch_budget_ablation_pairs_seeds_and_repeats_itself(small_splits, tmp_path):
    module = _load("epoch_budget")
    train, val, _ = small_splits
    recipe = module.training.Recipe(epochs=1, batch_size=64)
    variants = {"flagship recipe": recipe, "the same recipe again": recipe}
    results = module.run_ablation(variants, (train, val), seeds=[0, 1], save_dir=str(tmp_path))
    assert list(results) == list(variants)
    for accuracies in results.values():
        assert set(accuracies) == {"val", "val_tta", "val_tta_shifts"}
        assert all(len(v) == 2 and all(0.0 <= a <= 1.0 for a in v) for v in accuracies.values())
    # one seed gives the same numbers on the same machine, so a variant's paired twin ties
    assert results["flagship recipe"] == results["the same recipe again"]
    val_tta = {name: r["val_tta"] for name, r in results.items()}
    (verdict,) = module.paired_verdicts(val_tta)
    assert verdict.startswith("the same recipe again - recipe") and "2 seeds" in verdict
    # every run's model is saved, and gives back its validation accuracy when loaded
    assert len(list(tmp_path.glob("ablation1_*.keras"))) == 4
    saved = module.keras.models.load_model(tmp_path / "ablation1_flagship-recipe_seed1.keras")
    x_val, y_val = val
    reloaded = module._accuracy(saved, x_val, y_val, tta=True, shifts=True)
    assert reloaded == results["flagship recipe"]["val_tta_shifts"][1]


def test_epoch_budget_runs_a_budget_and_reports(small_splits):
    module = _load("epoch_budget")
    train, val, test = small_splits
    result = module.run_budget(1, (train, val), test, peak_gflops=100.0)
    assert 0.0 <= result["test"] <= 1.0 and 0.0 <= result["val_tta"] <= 1.0
    assert result["images_per_s"] > 0 and result["gflops"] > 0
    assert result["peak_share"] == pytest.approx(result["gflops"] / 100.0)
    assert result["pipeline_share"] > 0


def test_peak_flops_measures_float32_and_bfloat16():
    module = _load("peak_flops")
    for dtype in ("float32", "bfloat16"):
        assert module.matmul_gflops(64, dtype=dtype) > 0
        assert module.conv_gflops(batch=4, side=7, channels=8, dtype=dtype) > 0


def test_epoch_budget_trains_under_mixed_bfloat16(small_splits):
    module = _load("epoch_budget")
    train, val, _ = small_splits
    keras = module.keras
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # what --precision sets
    try:
        result = module.train(module.training.Recipe(epochs=1, batch_size=64), (train, val))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model = result["model"]
    assert model.get_layer("stem_conv").compute_dtype == "bfloat16"
    assert model.get_layer("stem_conv").kernel.dtype == "float32"  # weights stay float32
    assert model.get_layer("predictions").compute_dtype == "float32"  # a stable softmax
    assert 0.0 <= result["val_tta"] <= 1.0
