"""The flagship recipe at fixed budgets of epochs, against fast.ai's Fashion-MNIST results.

    python benchmarks/epoch_budget.py                    # budgets of 5, 20 and 50 epochs
    python benchmarks/epoch_budget.py --budgets 5        # one budget
    python benchmarks/epoch_budget.py --ablation 5       # one ingredient changed per line
    python benchmarks/epoch_budget.py --quick            # the shipped subset, to test it

Epochs of the 60,000-image training set are the hardware-independent unit of the
anchors: the fast.ai course (2022, part 2, notebook ``14_augment``) trains small
pre-activation ResNets with one-cycle AdamW to 0.934 in 5 epochs, 0.945 in 20 (crop,
flip and flip TTA) and 0.949 in 50 (random erasing). Each budget here is its own run of
:func:`kerascnn.training.fit_recipe` with :func:`kerascnn.training.flagship_recipe`
(its own schedule, ending at its last epoch), on the training set minus a stratified
10 % validation split; the 10,000 test images are evaluated once per budget, at the end.

Printed per budget: validation and test accuracy (both with flip TTA), the target,
training wall time, training images/s, the achieved GFLOP/s (``mflops`` per image from
``models.summarize`` x 3 for the backward pass x images/s) as a share of this
machine's measured conv peak (``benchmarks/peak_flops.py``, in the models' compute
dtype: float32, or bfloat16 under ``--precision mixed_bfloat16``), and the share of an
epoch that the input pipeline (shuffle, augmentation, scaling) takes when run alone.

``--ablation E`` trains the budget-``E`` recipe and one variant per ingredient and prints
each one's *validation* accuracy (choices are made on validation, never on test) and
time: without TTA, with flip TTA, and with flip TTA over 1-pixel shifts too
(:func:`kerascnn.training.predict`'s ``shifts``). ``--seeds 0 1 2`` repeats every line
per seed (the seed fixes the initial weights, the data order and the augmentation draws,
so seed ``i`` of two variants is a paired run) and ends with each variant against the
recipe, seed by seed (:func:`kerascnn.training.compare_paired`), and with each TTA against
the one before it on the recipe's own models.

    python benchmarks/epoch_budget.py --ablation 5 --seeds 0 1 2   # every line, three seeds

``--save-models DIR`` writes each trained model to ``DIR``
(``ablation20_flagship-recipe_seed0.keras``, ``budget20.keras``), to study it further
without training it again.

``--precision mixed_bfloat16`` builds every model under Keras's ``mixed_bfloat16`` dtype
policy (bfloat16 arithmetic, float32 weights; the classifier stays float32), for the
ablation's mixed-precision line: run the same command with and without it.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np

from kerascnn import data, models, profiles, training
from kerascnn.environment import cpu_description

# Budget -> (target, fast.ai's figure at that budget).
TARGETS = {5: (0.936, 0.934), 20: (0.947, 0.945), 50: (0.952, 0.949)}


AUGMENTATION_NAMES = {
    "none": "no augmentation",
    "flip": "flips only",
    "flip_shift": "flips + 2-px shifts",
    "flip_shift_erase": "flips + 2-px shifts + erasing",
    "randaugment": "flips + RandAugment N=2 M=5",
}

# The batch sizes the ablation tries at the recipe's learning rate.
BATCH_SIZES = (64, 128, 256)


def ablation_variants(recipe: training.Recipe) -> dict[str, training.Recipe]:
    """One line per ingredient: the recipe with that one choice changed."""
    augmentations = {  # every augmentation but the recipe's own
        name: recipe.replace(augment=augment)
        for augment, name in AUGMENTATION_NAMES.items()
        if augment != recipe.augment
    }
    batches = {  # each of BATCH_SIZES at the recipe's learning rate, but the recipe's own
        f"batch {size}": recipe.replace(batch_size=size)
        for size in BATCH_SIZES
        if size != recipe.batch_size
    }
    return {
        "flagship recipe": recipe,
        "one more block in the last stage": recipe.replace(
            blocks=(*recipe.blocks[:-1], recipe.blocks[-1] + 1)
        ),
        "no label smoothing": recipe.replace(label_smoothing=0.0),
        "EMA of weights (0.99)": recipe.replace(ema_momentum=0.99),
        **augmentations,
        **batches,
        "batch 512, learning rate x2": recipe.replace(
            batch_size=512, learning_rate=2 * recipe.learning_rate
        ),
        "learning rate / 2": recipe.replace(learning_rate=recipe.learning_rate / 2),
        "learning rate x 2": recipe.replace(learning_rate=2 * recipe.learning_rate),
        # a fifth and five times the recipe's decay (0.05 / 5 = 0.01, PyTorch's AdamW default)
        "weight decay / 5": recipe.replace(weight_decay=recipe.weight_decay / 5),
        "weight decay x 5": recipe.replace(weight_decay=recipe.weight_decay * 5),
    }


def _accuracy(model, x, y, tta: bool, shifts: bool = False) -> float:
    probabilities = training.predict(model, x, tta=tta, shifts=shifts)
    return float(np.mean(np.argmax(probabilities, axis=1) == y))


def pipeline_seconds(recipe: training.Recipe, x, y, seed: int = 0) -> float:
    """Seconds to draw one epoch of training batches alone (no model)."""
    dataset = data.make_dataset(
        x, y, recipe.batch_size, shuffle=True, seed=seed, augment=recipe.augmentation(seed)
    )
    for _ in dataset.take(2):  # build the cache and trace the augmentation first
        pass
    start = time.perf_counter()
    for _ in dataset:
        pass
    return time.perf_counter() - start


def train(recipe: training.Recipe, splits, seed: int = 0) -> dict:
    """Train one recipe; return the model, seconds, images/s and validation accuracies."""
    (x_tr, y_tr), (x_val, y_val) = splits
    profiles.set_seed(seed)  # op determinism: the same seed gives the same numbers
    start = time.perf_counter()
    model, _ = training.fit_recipe(recipe, (x_tr, y_tr), seed=seed, verbose=0)
    seconds = time.perf_counter() - start
    return {
        "model": model,
        "seconds": seconds,
        "images_per_s": recipe.epochs * len(x_tr) / seconds,
        "val": _accuracy(model, x_val, y_val, tta=False),
        "val_tta": _accuracy(model, x_val, y_val, tta=True),
        "val_tta_shifts": _accuracy(model, x_val, y_val, tta=True, shifts=True),
    }


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")


def run_ablation(
    variants: dict[str, training.Recipe], splits, seeds: list[int], save_dir: str | None = None
) -> dict[str, dict[str, list[float]]]:
    """Train each variant once per seed, print a line per run; return, per variant, its
    validation accuracies (``val``, ``val_tta``, ``val_tta_shifts``), one value per seed in
    the order of ``seeds``."""
    results: dict[str, dict[str, list[float]]] = {}
    for name, recipe in variants.items():
        for seed in seeds:
            r = train(recipe, splits, seed=seed)
            for key in ("val", "val_tta", "val_tta_shifts"):
                results.setdefault(name, {}).setdefault(key, []).append(r[key])
            if save_dir:
                stem = f"ablation{recipe.epochs}_{_slug(name)}_seed{seed}.keras"
                r["model"].save(os.path.join(save_dir, stem))
            print(
                f"{name:<30} {seed:4d} {r['val']:7.4f} {r['val_tta']:8.4f} "
                f"{r['val_tta_shifts']:8.4f} {r['seconds']:7.0f} {r['images_per_s']:6.0f}",
                flush=True,
            )
    return results


def paired_verdicts(val_tta: dict[str, list[float]]) -> list[str]:
    """Each variant against ``"flagship recipe"``, paired seed by seed: one sentence each."""
    base = val_tta["flagship recipe"]
    return [
        training.compare_paired(
            base, values, names=("recipe", name), metric="validation accuracy with TTA", digits=4
        )
        for name, values in val_tta.items()
        if name != "flagship recipe"
    ]


def run_budget(epochs: int, splits, test, peak_gflops: float | None) -> dict:
    recipe = training.flagship_recipe(epochs)
    result = train(recipe, splits)
    x_test, y_test = test
    result["test"] = _accuracy(result["model"], x_test, y_test, tta=recipe.tta)
    mflops = models.summarize(result["model"])[0]["mflops"]
    result["gflops"] = mflops * 3 * result["images_per_s"] / 1e3
    result["peak_share"] = result["gflops"] / peak_gflops if peak_gflops else None
    x_tr, y_tr = splits[0]
    epoch_seconds = result["seconds"] / epochs
    result["pipeline_share"] = pipeline_seconds(recipe, x_tr, y_tr) / epoch_seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", nargs="+", type=int, default=sorted(TARGETS))
    parser.add_argument(
        "--ablation",
        type=int,
        metavar="EPOCHS",
        help="compare one-ingredient variants at this budget instead",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        metavar="NAME",
        help="with --ablation: only these variants (names as printed, e.g. 'batch 128')",
    )
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[0],
        metavar="SEED",
        help="with --ablation: train every variant once per seed (paired runs)",
    )
    parser.add_argument(
        "--precision",
        choices=("float32", "mixed_bfloat16"),
        default="float32",
        help="the Keras dtype policy every model is built under",
    )
    parser.add_argument(
        "--save-models",
        metavar="DIR",
        help="write every trained model to DIR (ablation<E>_<variant>_seed<S>.keras, "
        "budget<E>.keras)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the shipped subset and 1-epoch budgets, to test the script",
    )
    args = parser.parse_args()
    if args.save_models:
        os.makedirs(args.save_models, exist_ok=True)
    keras.mixed_precision.set_global_policy(args.precision)
    loader = data.load_fashion_mnist_subset if args.quick else data.load_fashion_mnist
    (x_train, y_train), test = loader()
    splits = data.train_val_split(x_train, y_train, val_fraction=0.1, seed=0)
    print(
        f"Flagship recipe at fixed epoch budgets, {'quick (subset)' if args.quick else 'full'}"
        f", {date.today()}, {cpu_description()}, {args.precision}, "
        f"train {len(splits[0][0])} / validation {len(splits[1][0])} / test {len(test[0])}",
        flush=True,
    )

    if args.ablation:
        epochs = 1 if args.quick else args.ablation
        print(f"\nAblation at {epochs} epochs: validation accuracy (choices use validation)")
        print(
            f"{'variant':<30} {'seed':>4} {'val':>7} {'val+TTA':>8} {'+shifts':>8} "
            f"{'wall s':>7} {'img/s':>6}"
        )
        variants = ablation_variants(training.flagship_recipe(epochs))
        unknown = set(args.variants or ()) - set(variants)
        if unknown:
            parser.error(f"unknown variants {sorted(unknown)}; known: {list(variants)}")
        chosen = {
            name: r for name, r in variants.items() if not args.variants or name in args.variants
        }
        results = run_ablation(chosen, splits, args.seeds, args.save_models)
        if len(args.seeds) > 1 and "flagship recipe" in results:
            if len(results) > 1:
                val_tta = {name: r["val_tta"] for name, r in results.items()}
                print(f"\nAgainst the recipe, paired by seed {args.seeds} (validation with TTA):")
                print("\n".join(paired_verdicts(val_tta)))
            own = results["flagship recipe"]
            print("\nTest-time augmentation on the recipe's own models (validation):")
            for before, after, names in (
                ("val", "val_tta", ("no TTA", "flip TTA")),
                ("val_tta", "val_tta_shifts", ("flip TTA", "flip TTA + 1-px shifts")),
            ):
                print(training.compare_paired(own[before], own[after], names=names, digits=4))
        return

    from peak_flops import conv_gflops  # benchmarks/ is on sys.path when run as a script

    # the peak of the arithmetic the models compute in (bfloat16 under mixed_bfloat16)
    compute_dtype = keras.mixed_precision.global_policy().compute_dtype
    peak = conv_gflops(dtype=compute_dtype)
    print(f"measured conv peak (3x3, 256x14x14x64, {compute_dtype}): {peak:.1f} GFLOP/s\n")
    print(
        f"{'epochs':>6} {'val':>7} {'test':>7} {'target':>7} {'fast.ai':>7} {'wall s':>7} "
        f"{'img/s':>6} {'GFLOP/s':>8} {'of peak':>7} {'input pipeline':>15}"
    )
    for epochs in args.budgets:
        budget = 1 if args.quick else epochs
        r = run_budget(budget, splits, test, peak)
        if args.save_models:
            r["model"].save(os.path.join(args.save_models, f"budget{budget}.keras"))
        target, fastai = TARGETS.get(epochs, (float("nan"), float("nan")))
        short = target - r["test"]
        verdict = "" if args.quick or short <= 0 else f"  SHORT by {short:.3f}"
        print(
            f"{budget:6d} {r['val_tta']:7.4f} {r['test']:7.4f} {target:7.3f} {fastai:7.3f} "
            f"{r['seconds']:7.0f} {r['images_per_s']:6.0f} {r['gflops']:8.1f} "
            f"{r['peak_share']:7.1%} {r['pipeline_share']:14.1%} {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
