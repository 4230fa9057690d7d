"""Course profiles, reproducibility and training helpers.

``KERASCNN_PROFILE`` is read here and nowhere else:

* ``full`` (the default, what ``make course`` runs): the whole Fashion-MNIST training
  set and the epochs a real result needs.
* ``quick`` (what ``make test`` and CI run): the real subset shipped in ``data/``
  (10,000 training and 2,000 test images) and a few epochs, so that each notebook runs
  in about a minute on 2 CPU cores.

Notebooks read data sizes and epochs from :func:`get_profile`, never from literals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType

import keras
import numpy as np
import tensorflow as tf

from kerascnn import data
from kerascnn._checks import check_choice, check_positive_int, check_rank

PROFILE_ENV = "KERASCNN_PROFILE"
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Profile:
    """How much data and how many epochs a course run uses.

    Attributes:
        name: ``"full"`` or ``"quick"``.
        dataset: ``"full"`` (all 60,000 training images) or ``"subset"`` (the shipped
            10,000 / 2,000 subset).
        epochs: epochs per experiment, keyed by the experiment's name (see
            :data:`PROFILES`); read them with :meth:`epochs_for`.
        batch_size: the batch size the course trains with.
    """

    name: str
    dataset: str
    epochs: MappingProxyType = field(repr=False)
    batch_size: int = 128

    def epochs_for(self, experiment: str) -> int:
        """Epochs for one experiment, e.g. ``get_profile().epochs_for("cnn")``.

        >>> PROFILES["quick"].epochs_for("mlp")
        3
        """
        try:
            return self.epochs[experiment]
        except KeyError:
            known = ", ".join(sorted(self.epochs))
            raise ValueError(
                f"unknown experiment {experiment!r} in profile {self.name!r}; known: {known}"
            ) from None

    @property
    def quick(self) -> bool:
        """True in the ``quick`` profile."""
        return self.name == "quick"


# Epochs per experiment. The keys name experiments, not notebooks, because a notebook
# may run several (notebook 14 trains plain and residual networks, then the best model).
_FULL_EPOCHS = {
    "mlp": 15, "activations": 10, "cnn": 12, "feature_maps": 5, "pooling": 5,
    "optimizers": 10, "backprop": 3, "overfit": 30, "dropout": 30, "augment": 30,
    "randaugment": 30, "vgg": 12, "resnet_plain": 15, "resnet_best": 25,
}
_QUICK_EPOCHS = {
    "mlp": 3, "activations": 3, "cnn": 3, "feature_maps": 2, "pooling": 2,
    "optimizers": 3, "backprop": 2, "overfit": 25, "dropout": 25, "augment": 4,
    "randaugment": 3, "vgg": 2, "resnet_plain": 3, "resnet_best": 3,
}

PROFILES = MappingProxyType({
    "full": Profile("full", "full", MappingProxyType(_FULL_EPOCHS)),
    "quick": Profile("quick", "subset", MappingProxyType(_QUICK_EPOCHS)),
})


def get_profile(name: str | None = None) -> Profile:
    """Return the course profile named by ``name`` or by ``$KERASCNN_PROFILE``.

    >>> get_profile("quick").dataset
    'subset'
    """
    if name is None:
        name = os.environ.get(PROFILE_ENV, "full").strip().lower() or "full"
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV} must be one of {', '.join(PROFILES)}; got {name!r}"
        )
    return PROFILES[name]


def set_seed(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy, TensorFlow and Keras in one call.

    With ``deterministic=True`` TensorFlow also runs its ops deterministically, so the
    same seed on the same machine gives the same numbers (at some cost in speed).

    >>> set_seed(0); a = float(tf.random.uniform(()))
    >>> set_seed(0); a == float(tf.random.uniform(()))
    True
    """
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def load_course_data(profile: Profile | None = None):
    """Fashion-MNIST as the profile asks: all of it, or the shipped subset.

    Returns ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like Keras.

    >>> (x, y), _ = load_course_data(get_profile("quick"))
    >>> x.shape
    (10000, 28, 28)
    """
    profile = profile or get_profile()
    if profile.dataset == "subset":
        return data.load_fashion_mnist_subset()
    return data.load_fashion_mnist()


# --------------------------------------------------------------------------------------
# Training: the course's one way to compile and fit a classifier
# --------------------------------------------------------------------------------------


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
    verbose: int | str = 2,
    jit_compile: bool | str = "auto",
    **fit_kwargs,
) -> keras.callbacks.History:
    """Compile ``model`` for classification and train it: the course's one way to train.

    The loss is sparse categorical cross-entropy (integer labels ``0..C-1``) and the
    metric is accuracy, so the returned ``History.history`` has the keys ``loss`` and
    ``accuracy`` (plus ``val_loss`` and ``val_accuracy`` with validation data).

    Args:
        model: a Keras model whose last layer gives ``C`` class probabilities (softmax),
            or ``C`` logits with ``from_logits=True``.
        train: a ``tf.data.Dataset`` of ``(images, labels)`` batches (see
            :func:`kerascnn.data.make_dataset`) or a tuple ``(x, y)`` of arrays, which
            are batched with the profile's batch size unless ``batch_size`` is given.
        validation: the same for validation, or ``None`` (then :func:`diagnose` has
            nothing to judge by).
        optimizer: a Keras optimizer name (``"adam"``, ``"sgd"``, ...) or instance.
        epochs: how many epochs; when ``None``, taken from the course profile for
            ``experiment`` (``get_profile().epochs_for(experiment)``).
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
        verbose: Keras's progress output; ``2`` prints one line per epoch, which reads
            well in stored notebooks; ``1`` a live progress bar, ``0`` nothing.
        jit_compile: passed to ``model.compile`` (XLA compilation).
        **fit_kwargs: passed to ``model.fit`` (``steps_per_epoch``, ``class_weight``, ...).

    Returns:
        The ``keras.callbacks.History`` of the run.

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
        epochs = get_profile().epochs_for(experiment)
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
    )
    monitor = "loss" if validation is None else "val_loss"
    callbacks = list(callbacks or [])
    if early_stopping is not None:
        patience = check_positive_int(early_stopping, "early_stopping")
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor=monitor, patience=patience, restore_best_weights=True))
    if checkpoint is not None:
        callbacks.append(keras.callbacks.ModelCheckpoint(
            os.fspath(checkpoint), monitor=monitor, save_best_only=True))
    if isinstance(train, tuple):
        if len(train) != 2:
            raise ValueError(f"`train` must be a dataset or a tuple (x, y), got {len(train)} "
                             "items")
        x, y = train
        fit_kwargs.setdefault("batch_size", get_profile().batch_size)
    else:
        x, y = train, None
        fit_kwargs.setdefault("shuffle", False)  # a dataset shuffles itself; Keras warns
    return model.fit(x, y, validation_data=validation, epochs=epochs, callbacks=callbacks,
                     verbose=verbose, **fit_kwargs)


# --------------------------------------------------------------------------------------
# Diagnosis: underfitting, good fit or overfitting, read from the learning curves
# --------------------------------------------------------------------------------------

VERDICTS = ("underfitting", "good fit", "overfitting", "not enough epochs to tell", "diverged")


def history_dict(history) -> dict[str, np.ndarray]:
    """The per-epoch metrics of a ``History`` (or of its ``.history`` dict) as arrays.

    Checks that there is at least one epoch, that ``loss`` was recorded and that every
    metric has one value per epoch; raises ``ValueError`` otherwise.

    >>> history_dict({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})["val_loss"]
    array([1. , 0.7])
    """
    raw = history.history if isinstance(history, keras.callbacks.History) else history
    if not isinstance(raw, dict):
        raise ValueError(f"`history` must be a keras History or its dict, got {type(raw)}")
    if not raw:
        raise ValueError("`history` is empty: train for at least one epoch first")
    if "loss" not in raw:
        raise ValueError(f"`history` must record 'loss', got keys {sorted(raw)}")
    arrays = {key: np.asarray(values, dtype=float).reshape(-1) for key, values in raw.items()}
    lengths = {key: len(values) for key, values in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"every metric in `history` needs one value per epoch, got {lengths}")
    if lengths["loss"] == 0:
        raise ValueError("`history` is empty: train for at least one epoch first")
    return arrays


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` read from a training history.

    Epochs are counted from 1, as Keras prints them ("Epoch 1/10").

    Attributes:
        verdict: one of :data:`VERDICTS`.
        advice: one sentence on what to try next.
        epochs: how many epochs the history holds.
        best_epoch: the epoch with the lowest validation loss (``None`` if no epoch
            has a finite one).
        overfit_epoch: the first epoch of the sustained rise of the validation loss,
            or ``None`` when there is none.
        train_accuracy: training accuracy at the last epoch (``None`` if not recorded).
        val_accuracy: validation accuracy at the last epoch (``None`` if not recorded).
        accuracy_gap: ``train_accuracy - val_accuracy`` (``None`` if either is missing).
        best_val_loss: the lowest validation loss.
    """

    verdict: str
    advice: str
    epochs: int
    best_epoch: int | None
    overfit_epoch: int | None
    train_accuracy: float | None
    val_accuracy: float | None
    accuracy_gap: float | None
    best_val_loss: float | None

    def __str__(self) -> str:
        lines = [f"Diagnosis: {self.verdict} ({self.epochs} epochs, counted from 1)"]
        if self.best_epoch is not None:
            lines.append(f"  best epoch:        {self.best_epoch} "
                         f"(lowest validation loss {self.best_val_loss:.4f})")
        if self.overfit_epoch is not None:
            lines.append(f"  overfitting from:  epoch {self.overfit_epoch}")
        if self.accuracy_gap is not None:
            lines.append(f"  final accuracy:    train {self.train_accuracy:.3f}, validation "
                         f"{self.val_accuracy:.3f} (gap {self.accuracy_gap:+.3f})")
        lines.append(f"  advice: {self.advice}")
        return "\n".join(lines)


def _sustained_rise(val_loss: np.ndarray, loss: np.ndarray, best: int, patience: int,
                    margin: float) -> int | None:
    """0-based start of the first run of >= ``patience`` epochs after ``best`` whose
    validation loss stays above ``(1 + margin) * val_loss[best]`` while the training
    loss at the end of the run is below its value at ``best``; ``None`` if none."""
    above = val_loss > val_loss[best] * (1.0 + margin)
    start = None
    for epoch in range(best + 1, len(val_loss)):
        if not above[epoch]:
            start = None
            continue
        start = epoch if start is None else start
        if epoch - start + 1 >= patience and loss[epoch] < loss[best]:
            return start
    return None


def diagnose(history, *, patience: int = 3, margin: float = 0.1) -> Diagnosis:
    """Read a training history and say: underfitting, good fit or overfitting.

    ``history`` is a ``keras.callbacks.History`` or its ``.history`` dict with ``loss``
    and ``val_loss`` (accuracy is optional). Epochs are reported counted from 1, as Keras
    prints them. The rule, in order:

    1. ``diverged``: a training or validation loss is NaN or infinite.
    2. ``not enough epochs to tell``: fewer than ``patience + 2`` epochs.
    3. ``overfitting``: after the best epoch (lowest validation loss), the validation
       loss stays above ``(1 + margin)`` times its best value for at least ``patience``
       consecutive epochs, while the training loss is still below its value at the
       best epoch. One bad epoch is noise, not overfitting. ``overfit_epoch`` is the
       first epoch of that stretch.
    4. ``underfitting``: the best validation loss still improved by more than
       ``margin`` (relative) during the last ``patience`` epochs (train longer), or the
       training loss fell by less than ``margin`` from the first epoch to the last (the
       model hardly learns: more capacity or a better learning rate).
    5. ``good fit`` otherwise.

    A history without validation data raises ``ValueError``.

    >>> d = diagnose({"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02],
    ...               "val_loss": [1.0, 0.7, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]})
    >>> d.verdict, d.best_epoch, d.overfit_epoch
    ('overfitting', 3, 4)
    """
    patience = check_positive_int(patience, "patience")
    if not margin >= 0:
        raise ValueError(f"`margin` must be >= 0, got {margin}")
    metrics = history_dict(history)
    if "val_loss" not in metrics:
        raise ValueError(
            "`history` has no validation data ('val_loss'): pass `validation` to "
            "compile_and_fit so the curves can be compared"
        )
    loss, val_loss = metrics["loss"], metrics["val_loss"]
    n = len(loss)
    finite = np.isfinite(val_loss)
    best = int(np.argmin(np.where(finite, val_loss, np.inf))) if finite.any() else None
    train_acc = float(metrics["accuracy"][-1]) if "accuracy" in metrics else None
    val_acc = float(metrics["val_accuracy"][-1]) if "val_accuracy" in metrics else None
    gap = None if train_acc is None or val_acc is None else train_acc - val_acc

    def result(verdict: str, advice: str, overfit: int | None = None) -> Diagnosis:
        return Diagnosis(
            verdict=verdict, advice=advice, epochs=n,
            best_epoch=None if best is None else best + 1,
            overfit_epoch=None if overfit is None else overfit + 1,
            train_accuracy=train_acc, val_accuracy=val_acc, accuracy_gap=gap,
            best_val_loss=None if best is None else float(val_loss[best]),
        )

    if not (finite.all() and np.isfinite(loss).all()):
        return result("diverged", "The loss became NaN or infinite: lower the learning rate, "
                      "check that the inputs are scaled to [0, 1] and that `from_logits` "
                      "matches the model's last layer.")
    if n < patience + 2:
        return result("not enough epochs to tell", f"Train for at least {patience + 2} epochs "
                      "(better 10 or more) to tell underfitting from overfitting.")
    overfit = _sustained_rise(val_loss, loss, best, patience, margin)
    if overfit is not None:
        return result("overfitting", "The model starts memorising the training set: add "
                      "dropout or data augmentation, get more data, or stop early (keep the "
                      f"weights of epoch {best + 1}).", overfit)
    earlier_best = val_loss[: n - patience].min()
    still_improving = earlier_best - val_loss[best] > margin * earlier_best
    hardly_learns = loss[0] - loss[-1] < margin * loss[0]
    if still_improving or hardly_learns:
        return result("underfitting", "The model has not learned all it can: train longer, "
                      "or give it more capacity (more filters or layers) or a better learning "
                      "rate.")
    return result("good fit", "Validation loss levelled off without rising: this model fits "
                  f"well; keep the weights of epoch {best + 1} (early stopping does it for you).")


# --------------------------------------------------------------------------------------
# A 2-D toy problem, to see overfitting as a decision boundary
# --------------------------------------------------------------------------------------

TOY_KINDS = ("moons", "circles")


def _toy_curves(kind: str, points_per_curve: int) -> tuple[np.ndarray, np.ndarray]:
    """The two noiseless curves of a toy data set (class 0, class 1), each ``(m, 2)``."""
    t = np.linspace(0.0, np.pi if kind == "moons" else 2 * np.pi, points_per_curve)
    if kind == "moons":
        return (np.stack([np.cos(t), np.sin(t)], axis=1),
                np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return circle, 0.5 * circle


def make_toy_data(
    n: int = 200,
    noise: float = 0.3,
    seed: int = 0,
    *,
    kind: str = "moons",
    label_noise: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving moons (or two circles) in 2-D, computed with NumPy.

    Half of the points lie on each noiseless curve, moved by Gaussian noise of standard
    deviation ``noise``; then a fraction ``label_noise`` of the labels is flipped, so
    that an over-large network can bend its boundary around these few wrong points.

    Returns ``x`` float32 ``(n, 2)`` and ``y`` int ``(n,)`` with labels 0 and 1.

    >>> x, y = make_toy_data(100, seed=1)
    >>> x.shape, x.dtype, sorted(set(y.tolist()))
    ((100, 2), dtype('float32'), [0, 1])
    """
    n = check_positive_int(n, "n")
    check_choice(kind, "kind", TOY_KINDS)
    if n < 2:
        raise ValueError(f"`n` must be >= 2 (one point per class at least), got {n}")
    if not noise >= 0:
        raise ValueError(f"`noise` must be >= 0, got {noise}")
    if not 0 <= label_noise <= 0.5:
        raise ValueError(f"`label_noise` must lie in [0, 0.5], got {label_noise}")
    rng = np.random.default_rng(seed)
    sizes = (n - n // 2, n // 2)
    x, y = [], []
    for label, (curve, size) in enumerate(zip(_toy_curves(kind, 1000), sizes, strict=True)):
        x.append(curve[rng.integers(0, len(curve), size)])
        y.append(np.full(size, label))
    x = np.concatenate(x) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate(y)
    flip = rng.choice(n, int(round(label_noise * n)), replace=False)
    y[flip] = 1 - y[flip]
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order].astype(np.int64)


def toy_true_labels(points, *, kind: str = "moons") -> np.ndarray:
    """The label of the nearer noiseless curve: the true boundary of the toy data.

    Pass it to :func:`kerascnn.plots.plot_decision_boundary` as ``true_boundary`` to
    draw the boundary a perfect classifier would learn.

    >>> toy_true_labels(np.array([[0.0, 1.0], [1.0, -0.5]]))
    array([0, 1])
    """
    points = np.asarray(points, dtype=float)
    check_rank(points, "points", (2,))
    if points.shape[1] != 2:
        raise ValueError(f"`points` must have shape (n, 2), got {points.shape}")
    check_choice(kind, "kind", TOY_KINDS)
    distances = [np.min(np.linalg.norm(points[:, None, :] - curve[None], axis=-1), axis=1)
                 for curve in _toy_curves(kind, 200)]
    return (distances[1] < distances[0]).astype(np.int64)


def fit_toy_mlp(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden_units: tuple[int, ...] = (256, 256, 256),
    epochs: int = 300,
    learning_rate: float = 0.01,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = DEFAULT_SEED,
    verbose: int = 0,
) -> tuple[keras.Model, keras.callbacks.History]:
    """Train a (by default over-large) ReLU MLP on 2-D toy data; return model and history.

    With three layers of 256 units for 200 points the network has far more parameters
    than points, so after enough epochs it hugs every point, label noise included: the
    decision-boundary picture of overfitting. Training is full-batch Adam through
    :func:`compile_and_fit`, seeded with ``seed`` (this reseeds Keras's global random
    generators). ``epochs`` is small work here: 300 full-batch epochs take seconds.

    >>> x, y = make_toy_data(40)
    >>> model, history = fit_toy_mlp(x, y, hidden_units=(8,), epochs=2)
    >>> model.output_shape, len(history.history["loss"])
    ((None, 2), 2)
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    check_rank(x, "x", (2,))
    if x.shape[1] != 2:
        raise ValueError(f"`x` must have shape (n, 2), got {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((2,), name="point")
    hidden = inputs
    for i, units in enumerate(hidden_units, start=1):
        units = check_positive_int(units, "hidden_units")
        hidden = keras.layers.Dense(units, activation="relu", name=f"dense{i}")(hidden)
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(hidden)
    model = keras.Model(inputs, outputs, name="toy_mlp")
    history = compile_and_fit(model, (x, y), validation, epochs=epochs,
                              learning_rate=learning_rate, batch_size=len(x),
                              verbose=verbose)
    return model, history


# --------------------------------------------------------------------------------------
# Gradients per layer: to see vanishing gradients
# --------------------------------------------------------------------------------------


def gradient_norms(model: keras.Model, x, y, *, from_logits: bool = False) -> dict[str, float]:
    """The size of the loss gradient for each weight layer, first layer first.

    One forward and backward pass (``tf.GradientTape``) on the batch ``x`` (what the
    model takes, e.g. float32 images in ``[0, 1]``) with integer labels ``y``, under
    the sparse cross-entropy of :func:`compile_and_fit`. For every layer with a
    ``kernel`` (``Dense``, ``Conv2D``) it returns the L2 norm of the gradient of that
    kernel, ``||dL/dW||``; biases and batch-normalisation parameters are left out. When
    the norms shrink from the last layer to the first, the gradient is vanishing. The
    model runs in inference mode (``training=False``: no dropout, batch normalisation
    with its moving statistics), so the call changes nothing in the model.

    Returns a dict ``{layer name: norm}`` in the order of ``model.layers``.

    >>> inputs = keras.Input((4,))
    >>> hidden = keras.layers.Dense(3, activation="sigmoid", name="fc1")(inputs)
    >>> model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax",
    ...                                                name="out")(hidden))
    >>> norms = gradient_norms(model, np.ones((8, 4), "float32"), np.arange(8) % 2)
    >>> list(norms), all(value >= 0 for value in norms.values())
    (['fc1', 'out'], True)
    """
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, got {len(x)} and {len(y)}")
    kernels = [(layer.name, layer.kernel) for layer in model.layers
               if getattr(layer, "kernel", None) is not None and layer.trainable]
    if not kernels:
        raise ValueError(f"model {model.name!r} has no trainable layer with a kernel")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    grads = tape.gradient(loss, [kernel for _, kernel in kernels])
    return {name: float(tf.norm(grad)) for (name, _), grad in zip(kernels, grads, strict=True)}


def calibrate_batch_norm(model: keras.Model, x) -> int:
    """Set every ``BatchNormalization`` layer's moving statistics to those of the batch ``x``.

    In training, batch normalisation divides by the statistics of the current batch; in
    inference (``training=False``, what :func:`gradient_norms` uses) it uses its moving
    mean and variance, which are 0 and 1 in a freshly built model. This runs ``x`` once
    in training mode with momentum 0, so that afterwards inference mode normalises
    ``x`` exactly as the first training step would: the way to look at a network "at
    initialisation" as training sees it. Only the moving statistics change, no weight.
    Returns how many layers were calibrated.

    >>> inputs = keras.Input((3,))
    >>> bn = keras.layers.BatchNormalization(name="bn")
    >>> model = keras.Model(inputs, bn(inputs))
    >>> calibrate_batch_norm(model, np.array([[0., 1, 2], [2, 3, 6]], "float32"))
    1
    >>> bn.moving_mean.numpy().tolist(), bn.moving_variance.numpy().tolist()
    ([1.0, 2.0, 4.0], [1.0, 1.0, 4.0])
    """
    def batch_norms(layers):
        for layer in layers:
            if isinstance(layer, keras.Model):
                yield from batch_norms(layer.layers)
            elif isinstance(layer, keras.layers.BatchNormalization):
                yield layer

    found = list(batch_norms(model.layers))
    momenta = [layer.momentum for layer in found]
    try:
        for layer in found:
            layer.momentum = 0.0
        model(x, training=True)
    finally:
        for layer, momentum in zip(found, momenta, strict=True):
            layer.momentum = momentum
    return len(found)
