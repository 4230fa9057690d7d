"""Training: the course's one way to compile and fit a classifier, and the flagship recipe.

:func:`compile_and_fit` is a thin wrapper over ``model.compile`` and ``model.fit``: sparse
cross-entropy, accuracy, the course profile's epochs and batch size
(:mod:`kerascnn.profiles`), and the usual callbacks by keyword.

The flagship recipe (:class:`Recipe`, :func:`flagship_recipe`, :func:`fit_recipe`,
:func:`predict`) trains :func:`kerascnn.models.preact_resnet` for a fixed budget of
epochs: AdamW with a one-cycle learning rate, label smoothing, light augmentation and
flip test-time augmentation. Notebook 14 and ``benchmarks/epoch_budget.py`` both call it,
so the figures in README and the notebook come from one recipe.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from kerascnn import data, models, profiles
from kerascnn._checks import check_choice, check_positive_int
from kerascnn.augment import RandAugment


def compile_and_fit(
    model: keras.Model,
    train,
    validation=None,
    *,
    optimizer: str | keras.optimizers.Optimizer = "adam",
    epochs: int | None = None,
    experiment: str | None = None,
    learning_rate: float | None = None,
    from_logits: bool = False,
    early_stopping: int | None = None,
    checkpoint: str | os.PathLike | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int | str = "summary",
    jit_compile: bool | str = "auto",
    run_eagerly: bool = False,
    **fit_kwargs,
) -> keras.callbacks.History:
    """Compile ``model`` for classification and train it: the course's one way to train.

    A thin wrapper: with a named optimizer, early stopping and validation data it runs
    exactly these lines of Keras::

        model.compile(
            optimizer=keras.optimizers.get({"class_name": optimizer,
                                             "config": {"learning_rate": learning_rate}}),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )
        model.optimizer.build(model.trainable_variables)  # one trace of the step, not two
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=early_stopping,
                                             restore_best_weights=True)
        return model.fit(train, validation_data=validation, epochs=epochs,
                         callbacks=[stop, RunSummary()], verbose=0)

    The loss is sparse categorical cross-entropy (integer labels ``0..C-1``) and the
    metric is accuracy, so the returned ``History.history`` has the keys ``loss`` and
    ``accuracy`` (plus ``val_loss`` and ``val_accuracy`` with validation data).

    Args:
        model: a Keras model whose last layer gives ``C`` class probabilities (softmax),
            or ``C`` logits with ``from_logits=True``.
        train: a ``tf.data.Dataset`` of ``(images, labels)`` batches (see
            :func:`kerascnn.data.make_dataset`) or a tuple ``(x, y)`` of arrays, which
            are batched with the profile's batch size unless ``batch_size`` is given.
        validation: the same for validation, or ``None`` (then
            :func:`kerascnn.diagnosis.diagnose` has nothing to judge by).
        optimizer: a Keras optimizer name (``"adam"``, ``"sgd"``, ...) or instance.
        epochs: how many epochs; when ``None``, taken from the course profile for
            ``experiment`` (``profiles.get_profile().epochs_for(experiment)``).
        experiment: the profile key of this experiment, e.g. ``"cnn"``.
        learning_rate: the learning rate of a named ``optimizer`` (its Keras default
            when ``None``); give an optimizer instance its own learning rate instead.
        from_logits: ``True`` when the model outputs logits instead of probabilities.
        early_stopping: a patience in epochs: stop when the validation loss (the
            training loss without validation) has not improved for that many epochs,
            and restore the best weights (``keras.callbacks.EarlyStopping``).
        checkpoint: a path ending in ``.keras`` (whole model) or ``.weights.h5``:
            save the best model seen so far there (``keras.callbacks.ModelCheckpoint``).
        callbacks: further Keras callbacks.
        verbose: ``"summary"`` (the default) prints one line when training ends
            (:class:`RunSummary`), so a stored notebook stays readable; otherwise Keras's
            own: ``2`` one line per epoch, ``1`` a live progress bar, ``0`` nothing.
        jit_compile: passed to ``model.compile`` (XLA compilation).
        run_eagerly: passed to ``model.compile``: run each step as Python instead of
            tracing it into a TensorFlow graph first. Tracing costs a second or more per
            model and pays back over many steps; for a handful of steps eager is faster.
        **fit_kwargs: passed to ``model.fit`` (``steps_per_epoch``, ``class_weight``, ...).

    Returns:
        The ``keras.callbacks.History`` of the run.

    >>> import numpy as np
    >>> inputs = keras.Input((2,))
    >>> model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    >>> x, y = np.zeros((8, 2), "float32"), np.arange(8) % 2
    >>> history = compile_and_fit(model, (x, y), (x, y), epochs=2, verbose=0)
    >>> sorted(history.history), len(history.history["loss"])
    (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 2)
    """
    if epochs is None:
        if experiment is None:
            raise ValueError(
                "give `epochs`, or `experiment` (a profile key such as 'cnn') to take "
                "the epochs from the course profile"
            )
        epochs = profiles.get_profile().epochs_for(experiment)
    epochs = check_positive_int(epochs, "epochs")
    if learning_rate is not None:
        if not isinstance(optimizer, str):
            raise ValueError(
                "`learning_rate` only applies to an optimizer given by name; "
                "set it on the optimizer instance instead"
            )
        optimizer = {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
    model.compile(
        optimizer=keras.optimizers.get(optimizer),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=jit_compile,
        run_eagerly=run_eagerly,
    )
    _build_optimizer(model)
    monitor = "loss" if validation is None else "val_loss"
    callbacks = list(callbacks or [])
    if early_stopping is not None:
        patience = check_positive_int(early_stopping, "early_stopping")
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor, patience=patience, restore_best_weights=True
            )
        )
    if checkpoint is not None:
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                os.fspath(checkpoint), monitor=monitor, save_best_only=True
            )
        )
    if verbose == "summary":
        callbacks.append(RunSummary())
        verbose = 0
    if isinstance(train, tuple):
        if len(train) != 2:
            raise ValueError(f"`train` must be a dataset or a tuple (x, y), got {len(train)} items")
        x, y = train
        fit_kwargs.setdefault("batch_size", profiles.get_profile().batch_size)
    else:
        x, y = train, None
        fit_kwargs.setdefault("shuffle", False)  # a dataset shuffles itself; Keras warns
    return model.fit(
        x,
        y,
        validation_data=validation,
        epochs=epochs,
        callbacks=callbacks,
        verbose=verbose,
        **fit_kwargs,
    )


def _build_optimizer(model: keras.Model) -> None:
    """Create the optimizer's state (moments, averages) for ``model``'s weights now.

    Keras builds the optimizer on TensorFlow inside the first traced training step, and
    a traced function that creates variables is traced twice; built beforehand, the step
    is traced once, which spares seconds per model on a CPU and changes no number. Keras
    has no public switch for this, and a model without weights yet (a ``Sequential``
    without ``Input``) is left to Keras, which builds both on the first batch.
    """
    if model.built and not model.optimizer.built:
        with model.distribute_strategy.scope():  # mirrored weights get mirrored moments
            model.optimizer.build(model.trainable_variables)


class RunSummary(keras.callbacks.Callback):
    """Print one line when training ends: epochs, time, the last and the best epoch.

    A stored notebook that trains twenty models with ``verbose=2`` carries hundreds of
    ``Epoch n/N`` lines; ``model.fit(..., verbose=0, callbacks=[RunSummary()])`` prints
    one line per run instead, and the learning curves go in a figure.

    Args:
        name: a label printed first, e.g. ``"CNN"``.
        monitor: the metric whose best epoch is reported (``val_loss`` when the run
            has validation data, else ``loss``; a metric ending in ``accuracy`` is best
            at its maximum, anything else at its minimum).

    >>> import numpy as np
    >>> inputs = keras.Input((2,))
    >>> model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    >>> model.compile("sgd", "sparse_categorical_crossentropy")
    >>> x, y = np.zeros((8, 2), "float32"), np.arange(8) % 2
    >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[RunSummary("toy")])
    toy: 2 epochs in ... s; last epoch loss 0.6931; best loss 0.6931 at epoch ...
    """

    def __init__(self, name: str | None = None, monitor: str | None = None) -> None:
        super().__init__()
        self.name = name
        self.monitor = monitor

    def on_train_begin(self, logs=None) -> None:
        self._start = time.perf_counter()
        self._logs: list[dict] = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._logs.append(dict(logs or {}))

    def on_train_end(self, logs=None) -> None:
        if not self._logs:
            return
        last = self._logs[-1]
        monitor = self.monitor or ("val_loss" if "val_loss" in last else "loss")
        values = [epoch_logs.get(monitor, np.nan) for epoch_logs in self._logs]
        pick = np.nanargmax if monitor.endswith("accuracy") else np.nanargmin
        best = int(pick(values))
        shown = "  ".join(
            f"{key} {float(value):.4f}"
            for key, value in last.items()
            if key.endswith(("loss", "accuracy"))
        )
        prefix = f"{self.name}: " if self.name else ""
        seconds = time.perf_counter() - self._start
        print(
            f"{prefix}{len(self._logs)} epoch{'s' if len(self._logs) != 1 else ''} in "
            f"{seconds:.0f} s; last epoch {shown}; "
            f"best {monitor} {values[best]:.4f} at epoch {best + 1}"
        )


@dataclasses.dataclass(frozen=True)
class Repeats:
    """What :func:`repeat` returns: each metric's value for every seed.

    Attributes:
        seeds: the seeds, in the order they ran.
        values: metric name -> array of one value per seed.
    """

    seeds: tuple[int, ...]
    values: dict[str, np.ndarray]

    def mean(self, key: str) -> float:
        """The mean of ``key`` over the seeds."""
        return float(np.mean(self._get(key)))

    def std(self, key: str) -> float:
        """The sample standard deviation of ``key`` over the seeds (0 for one seed)."""
        values = self._get(key)
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    def summary(self, key: str, digits: int = 3) -> str:
        """``"mean ± std (n seeds)"``, or the single value for one seed.

        >>> Repeats((0, 1), {"acc": np.array([0.9, 0.92])}).summary("acc")
        '0.910 ± 0.014 (2 seeds)'
        """
        values = self._get(key)
        if len(values) == 1:
            return f"{values[0]:.{digits}f} (1 seed)"
        return f"{self.mean(key):.{digits}f} ± {self.std(key):.{digits}f} ({len(values)} seeds)"

    def _get(self, key: str) -> np.ndarray:
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"no metric {key!r}; the runs returned {sorted(self.values)}") from None


def repeat(
    fn: Callable[[int], dict[str, float] | float],
    seeds: Sequence[int] | None = None,
) -> Repeats:
    """Run ``fn(seed)`` once per seed, each after :func:`kerascnn.profiles.set_seed`.

    The one way the course repeats an experiment to see its spread: a difference smaller
    than the spread over seeds is noise. ``fn`` builds its model and its dataset from
    the seed it is given, so that two arms compared with the same seed start from the
    same weights and see the same batches.

    Args:
        fn: returns a dict of numbers (``{"val_accuracy": 0.91, ...}``) or one number
            (stored as ``"value"``); the same keys for every seed.
        seeds: the seeds; ``None`` takes the profile's (three in ``full``, one in ``quick``).

    Returns:
        A :class:`Repeats` with one value per seed for each key.

    >>> runs = repeat(lambda seed: {"x": float(seed)}, seeds=[1, 2, 3])
    >>> runs.values["x"].tolist(), runs.summary("x", 1)
    ([1.0, 2.0, 3.0], '2.0 ± 1.0 (3 seeds)')
    """
    seeds = tuple(profiles.get_profile().seeds if seeds is None else seeds)
    if not seeds:
        raise ValueError("`seeds` is empty: give at least one seed")
    collected: dict[str, list[float]] = {}
    for i, seed in enumerate(seeds):
        profiles.set_seed(int(seed))
        result = fn(int(seed))
        if not isinstance(result, dict):
            result = {"value": result}
        if i and set(result) != set(collected):
            raise ValueError(
                f"seed {seed} returned keys {sorted(result)}, the first seed {sorted(collected)}"
            )
        for key, value in result.items():
            collected.setdefault(key, []).append(float(value))
    return Repeats(seeds, {key: np.array(values) for key, values in collected.items()})


# --------------------------------------------------------------------------------------
# The flagship recipe
# --------------------------------------------------------------------------------------

AUGMENTATIONS = ("none", "flip", "flip_shift", "flip_shift_erase", "randaugment")
# Random erasing after fast.ai's Fashion-MNIST notebook, which paints 0 to 4 squares
# (2 on average) of int(0.2 x side) = 5 px with noise, at places drawn once per batch:
# here two cutouts per image of RandAugment's "cutout" op at magnitude 10, whose side is
# 0.2 of the image's rounded (6 px on 28 px), filled with grey, placed per image.
ERASE_PATCHES = 2
ERASE_MAGNITUDE = 10.0


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How the flagship trains for a fixed budget of ``epochs``; every field a choice.

    Attributes:
        epochs: the budget: passes over the training set, and the length of the schedule.
        blocks: residual blocks per stage of the flagship that :func:`fit_recipe` builds
            (:func:`~kerascnn.models.preact_resnet`'s ``blocks``; a model passed to
            :func:`fit_recipe` is trained as it is).
        batch_size: images per step.
        learning_rate: the peak of the one-cycle schedule: a linear warm-up from
            ``learning_rate / 25`` over the first ``warmup_fraction`` of the steps, then a
            cosine decay to ``learning_rate / 1000`` at the last step.
        warmup_fraction: the share of steps spent warming up, in ``[0, 1)``.
        weight_decay: AdamW's decoupled weight decay.
        label_smoothing: the target puts ``1 - label_smoothing + label_smoothing / C`` on
            the true class and ``label_smoothing / C`` on each other class
            (``keras.losses.CategoricalCrossentropy(label_smoothing=...)``).
        ema_momentum: when set, the optimizer keeps an exponential moving average of the
            weights (Keras's ``use_ema``) and the model ends with the averaged weights;
            ``None`` keeps the last weights.
        augment: one of :data:`AUGMENTATIONS`: nothing, random horizontal flips, flips and
            random shifts of up to 2 pixels, those and random erasing (``ERASE_PATCHES``
            grey squares of 0.2 of the side, anywhere, on each image), or flips and
            :class:`~kerascnn.augment.RandAugment`.
        randaugment_ops: RandAugment's ``N`` (with ``augment="randaugment"``).
        randaugment_magnitude: RandAugment's ``M``, 0-30.
        tta: average the predictions of each image and its mirror image at test time.

    >>> Recipe(epochs=5).replace(label_smoothing=0.0).label_smoothing
    0.0
    """

    epochs: int
    blocks: tuple[int, ...] = (1, 1, 1)
    batch_size: int = 256
    learning_rate: float = 4e-3
    warmup_fraction: float = 0.25
    weight_decay: float = 0.05
    label_smoothing: float = 0.1
    ema_momentum: float | None = None
    augment: str = "flip"
    randaugment_ops: int = 2
    randaugment_magnitude: float = 5.0
    tta: bool = True

    def __post_init__(self) -> None:
        check_positive_int(self.epochs, "epochs")
        if not (isinstance(self.blocks, tuple) and self.blocks):
            raise ValueError(f"`blocks` must be a non-empty tuple of ints, got {self.blocks!r}")
        for count in self.blocks:
            check_positive_int(count, "blocks")
        check_positive_int(self.batch_size, "batch_size")
        if not (isinstance(self.learning_rate, (int, float)) and self.learning_rate > 0):
            raise ValueError(f"`learning_rate` must be a number > 0, got {self.learning_rate!r}")
        if not 0.0 <= self.warmup_fraction < 1.0:
            raise ValueError(f"`warmup_fraction` must lie in [0, 1), got {self.warmup_fraction}")
        if not (isinstance(self.weight_decay, (int, float)) and self.weight_decay >= 0):
            raise ValueError(f"`weight_decay` must be a number >= 0, got {self.weight_decay!r}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"`label_smoothing` must lie in [0, 1), got {self.label_smoothing}")
        if self.ema_momentum is not None and not 0.0 < self.ema_momentum < 1.0:
            raise ValueError(
                f"`ema_momentum` must lie in (0, 1) or be None, got {self.ema_momentum}"
            )
        check_choice(self.augment, "augment", AUGMENTATIONS)

    def replace(self, **changes) -> Recipe:
        """A copy with some fields changed, e.g. for an ablation: ``r.replace(tta=False)``."""
        return dataclasses.replace(self, **changes)

    def optimizer(self, steps: int) -> keras.optimizers.Optimizer:
        """AdamW on the one-cycle schedule for ``steps`` training steps.

        >>> opt = Recipe(epochs=1).optimizer(100)
        >>> round(float(opt.learning_rate), 6)  # step 0: the start of the warm-up
        0.00016
        """
        steps = check_positive_int(steps, "steps")
        warmup = int(self.warmup_fraction * steps)
        schedule = keras.optimizers.schedules.CosineDecay(
            self.learning_rate / 25,
            steps - warmup,
            alpha=1e-3,
            warmup_target=self.learning_rate,
            warmup_steps=warmup,
        )
        return keras.optimizers.AdamW(
            schedule,
            weight_decay=self.weight_decay,
            use_ema=self.ema_momentum is not None,
            ema_momentum=self.ema_momentum or 0.99,
        )

    def augmentation(self, seed: int | None = None) -> keras.layers.Layer | None:
        """The training-time augmentation as a Keras layer on ``[0, 255]`` images, or None.

        >>> Recipe(epochs=1, augment="flip_shift").augmentation(seed=0).name
        'flip_shift'
        """
        if self.augment == "none":
            return None
        stack = [keras.layers.RandomFlip("horizontal", seed=seed)]
        if self.augment in ("flip_shift", "flip_shift_erase"):
            stack.append(
                keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", seed=seed)
            )
        if self.augment == "flip_shift_erase":
            # keras.layers.RandomErasing (random sizes and shapes) arrived in Keras 3.9
            # and the floor is 3.5: the package's own cutout op paints fixed squares.
            stack.append(
                RandAugment(
                    num_ops=ERASE_PATCHES, magnitude=ERASE_MAGNITUDE, ops=["cutout"], seed=seed
                )
            )
        elif self.augment == "randaugment":
            stack.append(
                RandAugment(
                    num_ops=self.randaugment_ops, magnitude=self.randaugment_magnitude, seed=seed
                )
            )
        return keras.Sequential(stack, name=self.augment)


# The shortest budget measured to gain from random shifts on top of flips (20 epochs).
SHIFT_FROM_EPOCHS = 20
# The longest budget measured to gain from batch 128 over 256 (5 epochs).
SMALL_BATCH_UP_TO_EPOCHS = 5
# The longest budget measured to gain from a fifth of the weight decay (5 epochs).
LIGHT_DECAY_UP_TO_EPOCHS = 5


def flagship_recipe(epochs: int) -> Recipe:
    """The flagship recipe for a budget of ``epochs``: the one place its choices live.

    Its base is the :class:`Recipe` defaults, set after the fast one-cycle recipes for
    small ResNets (fast.ai's Fashion-MNIST notebooks, airbench on CIFAR-10): AdamW peaking
    at 4e-3 with a quarter of the steps warming up, weight decay 0.05, label smoothing
    0.1, flips, batch 256, flip TTA. ``benchmarks/epoch_budget.py --ablation E`` measures
    each ingredient on the validation split, paired over seeds; a budget whose ablation
    shows a better choice gets it here, so that notebook 14 and the benchmarks follow:

    - from ``SHIFT_FROM_EPOCHS`` epochs on, flips *and* random shifts of up to 2 pixels:
      with flips alone the network nearly memorises its training set by 20 epochs, and
      the shifts won on validation at 20 epochs on every seed tried (README's ablation
      table). At 5 epochs they lost on every seed tried, so shorter budgets keep flips
      alone.
    - up to ``SMALL_BATCH_UP_TO_EPOCHS`` epochs, batch 128 instead of 256 (same learning
      rate), so twice the optimizer steps in the same epochs; it won on validation at 5
      epochs on every seed tried (README's ablation table), for about a quarter more time
      per image on 2 CPU cores. Longer budgets keep 256: at 20 epochs batch 128 was within
      noise on validation (README's ablation table), and notebook 14's 10 is unmeasured.
    - up to ``LIGHT_DECAY_UP_TO_EPOCHS`` epochs, weight decay 0.01 instead of 0.05: it won
      on validation with flip TTA at 5 epochs on every seed tried (README's ablation
      table); longer budgets are unmeasured and keep 0.05.

    >>> flagship_recipe(5).augment, flagship_recipe(20).augment
    ('flip', 'flip_shift')
    >>> flagship_recipe(5).batch_size, flagship_recipe(10).batch_size
    (128, 256)
    >>> flagship_recipe(5).weight_decay, flagship_recipe(10).weight_decay
    (0.01, 0.05)
    """
    epochs = check_positive_int(epochs, "epochs")
    recipe = Recipe(epochs=epochs)
    if epochs >= SHIFT_FROM_EPOCHS:
        recipe = recipe.replace(augment="flip_shift")
    if epochs <= SMALL_BATCH_UP_TO_EPOCHS:
        recipe = recipe.replace(batch_size=128)
    if epochs <= LIGHT_DECAY_UP_TO_EPOCHS:
        recipe = recipe.replace(weight_decay=recipe.weight_decay / 5)
    return recipe


def _one_hot(num_classes: int):
    """A ``Dataset.map`` function: integer labels -> one-hot rows (for label smoothing)."""

    def one_hot(images, labels):
        return images, tf.one_hot(labels, num_classes)

    return one_hot


def fit_recipe(
    recipe: Recipe,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    model: keras.Model | None = None,
    seed: int = 0,
    verbose: int | str = "summary",
) -> tuple[keras.Model, keras.callbacks.History]:
    """Train ``model`` (default: a new :func:`~kerascnn.models.preact_resnet`) by ``recipe``.

    The model built by default has ``recipe.blocks`` residual blocks per stage.

    ``train`` and ``validation`` are ``(x, y)`` with uint8 images ``(n, h, w)`` or
    ``(n, h, w, c)`` in ``[0, 255]`` and integer labels, as
    :func:`kerascnn.data.load_fashion_mnist` returns them. ``seed`` fixes the data order,
    the augmentation draws and the initial weights of the model built here (a ``model``
    you pass keeps the weights it has: seed before building it). This is the plain Keras program::

        model.compile(optimizer=keras.optimizers.AdamW(one_cycle, weight_decay=...),
                      loss=keras.losses.CategoricalCrossentropy(label_smoothing=...),
                      metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
        model.optimizer.build(model.trainable_variables)  # one trace of the step, not two
        model.fit(train_dataset, validation_data=val_dataset, epochs=recipe.epochs)

    with one-hot labels (label smoothing needs them). Returns the trained model (with
    the averaged weights when ``recipe.ema_momentum`` is set) and its ``History``
    (``loss``, ``accuracy`` and, with validation, ``val_loss``, ``val_accuracy``).
    ``verbose`` is as in :func:`compile_and_fit`: ``"summary"`` prints one line at the end.

    >>> x = np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8)
    >>> y = np.arange(64) % 10
    >>> model, history = fit_recipe(Recipe(epochs=1, batch_size=32), (x, y), verbose=0,
    ...                             model=models.preact_resnet(channels=(4, 8), blocks=(1,)))
    >>> len(history.history["loss"])
    1
    """
    (x_train, y_train) = train
    classes = int(np.max(y_train)) + 1 if model is None else int(model.output_shape[-1])
    keras.utils.set_random_seed(seed)
    if model is None:
        shape = data.to_float_images(x_train[:1]).shape[1:]
        model = models.preact_resnet(shape, max(classes, 2), blocks=recipe.blocks)
    train_ds = data.make_dataset(
        x_train,
        y_train,
        recipe.batch_size,
        shuffle=True,
        seed=seed,
        augment=recipe.augmentation(seed),
    ).map(_one_hot(classes))
    val_ds = None
    if validation is not None:
        val_ds = data.make_dataset(*validation, 1024).map(_one_hot(classes))
    model.compile(
        optimizer=recipe.optimizer(recipe.epochs * len(train_ds)),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    _build_optimizer(model)
    callbacks = [RunSummary("flagship")] if verbose == "summary" else []
    history = model.fit(  # the dataset shuffles itself: shuffle=False spares a Keras warning
        train_ds,
        validation_data=val_ds,
        epochs=recipe.epochs,
        shuffle=False,
        verbose=0 if verbose == "summary" else verbose,
        callbacks=callbacks,
    )
    return model, history


def predict(
    model: keras.Model,
    x: np.ndarray,
    *,
    tta: bool = True,
    shifts: bool = False,
    batch_size: int = 1024,
) -> np.ndarray:
    """Class probabilities ``(n, C)`` for uint8 images ``x``; with ``tta``, the mean of
    the predictions for each image and its mirror image (flip test-time augmentation).

    With ``shifts`` as well, airbench's test-time augmentation (its ``tta_level=2``, on
    CIFAR-10): half the weight on those views of the image as it is, a quarter on each of
    two copies moved by one pixel, up-left and down-right, the uncovered border black (as
    the training shifts fill it); six forward passes instead of two. It suits a model
    trained on shifted images (``augment="flip_shift"``); README's ablation table has what
    it gains on the flagship.

    >>> model = models.preact_resnet(channels=(4, 8), blocks=(1,))
    >>> predict(model, np.zeros((3, 28, 28), np.uint8)).shape
    (3, 10)
    >>> predict(model, np.zeros((3, 28, 28), np.uint8), shifts=True).shape
    (3, 10)
    """
    if shifts and not tta:
        raise ValueError("`shifts=True` averages flip TTA views: it needs `tta=True`")
    images = data.to_float_images(x)  # (n, h, w, c) in [0, 1], as the model was trained

    def views(batch: np.ndarray) -> np.ndarray:
        probabilities = model.predict(batch, batch_size=batch_size, verbose=0)
        if tta:
            mirrored = batch[:, :, ::-1]  # each image flipped left to right
            probabilities = (
                probabilities + model.predict(mirrored, batch_size=batch_size, verbose=0)
            ) / 2
        return probabilities

    probabilities = views(images)
    if shifts:
        height, width = images.shape[1:3]
        padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))  # a black 1-px frame
        up_left = padded[:, 2:, 2:]  # the content one pixel up and left
        down_right = padded[:, :height, :width]
        probabilities = probabilities / 2 + (views(up_left) + views(down_right)) / 4
    return probabilities


def compare_paired(
    a: Sequence[float],
    b: Sequence[float],
    *,
    names: tuple[str, str] = ("A", "B"),
    metric: str = "validation accuracy",
    higher_is_better: bool = True,
    digits: int = 3,
) -> str:
    """One sentence: arm ``b`` against arm ``a``, paired seed by seed, and whether it is noise.

    ``a`` and ``b`` hold one value per seed (e.g. ``Repeats.values[...]`` of
    :func:`repeat`), paired: seed ``i`` of both arms started from the same weights and saw
    the same batches. The differences ``b - a`` have a mean ``d`` and a standard error
    ``s / sqrt(n)``; the sentence calls ``b`` better or worse only when ``|d|`` exceeds two
    standard errors *and* every seed's difference has the same sign, and says "within
    noise" otherwise. With one seed it reports the direction only.

    >>> text = compare_paired([0.90, 0.91, 0.90], [0.92, 0.93, 0.925], names=("plain", "dropout"))
    >>> first, spread, verdict = text.split(": ")
    >>> spread
    '+0.022 ± 0.002 (mean ± standard error, 3 seeds)'
    >>> verdict
    'dropout better on every seed, beyond the noise'
    >>> compare_paired([0.40], [0.38], names=("plain", "dropout"), higher_is_better=False)[-47:]
    'on this seed; one seed gives the direction only'
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(
            f"`a` and `b` need one value per seed each, the same number; got {a.size} and {b.size}"
        )
    first, second = names
    diff = b - a
    mean = float(diff.mean())
    better = (mean > 0) == higher_is_better
    verdict = f"{second} {'better' if better else 'worse'}"
    head = f"{second} - {first}, {metric}: {mean:+.{digits}f}"
    if diff.size == 1:
        if mean == 0:
            return f"{head} (1 seed): no difference on this seed"
        return f"{head} (1 seed): {verdict} on this seed; one seed gives the direction only"
    error = float(diff.std(ddof=1) / np.sqrt(diff.size))
    head = f"{head} ± {error:.{digits}f} (mean ± standard error, {diff.size} seeds)"
    same_sign = bool(np.all(diff > 0) or np.all(diff < 0))
    if abs(mean) > 2 * error and same_sign:
        return f"{head}: {verdict} on every seed, beyond the noise"
    return f"{head}: within noise"
