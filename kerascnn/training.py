"""Training: the course's one way to compile and fit a classifier.

:func:`compile_and_fit` is a thin wrapper over ``model.compile`` and ``model.fit``: sparse
cross-entropy, accuracy, the course profile's epochs and batch size
(:mod:`kerascnn.profiles`), and the usual callbacks by keyword.
"""

from __future__ import annotations

import os

import keras

from kerascnn import profiles
from kerascnn._checks import check_positive_int


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
        verbose: Keras's progress output; ``2`` prints one line per epoch, which reads
            well in stored notebooks; ``1`` a live progress bar, ``0`` nothing.
        jit_compile: passed to ``model.compile`` (XLA compilation).
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
        fit_kwargs.setdefault("batch_size", profiles.get_profile().batch_size)
    else:
        x, y = train, None
        fit_kwargs.setdefault("shuffle", False)  # a dataset shuffles itself; Keras warns
    return model.fit(x, y, validation_data=validation, epochs=epochs, callbacks=callbacks,
                     verbose=verbose, **fit_kwargs)
