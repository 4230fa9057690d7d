"""Data-parallel training with ``tf.distribute``, run for real on one CPU machine.

The same training step runs three ways, so each can be checked against the others:

* **one device** (``tf.distribute.OneDeviceStrategy``): the reference;
* **two replicas in one process**: :func:`split_cpu` cuts the CPU into two logical
  devices, and ``tf.distribute.MirroredStrategy`` keeps a copy of the model on each;
  :func:`mirrored_gradient_check` and :func:`train_mirrored` compare it with one device;
* **two worker processes**: :func:`run_workers` starts ``python -m kerascnn.distributed
  --worker`` twice on 127.0.0.1, each with its own ``TF_CONFIG``, under
  ``tf.distribute.MultiWorkerMirroredStrategy``, joins them with a timeout and stops all
  of them when one fails.

What makes the three compute the same numbers:

* **Data**: every global batch of ``G`` examples is cut, in order, into ``R`` per-replica
  batches of ``G / R`` (``R`` replicas in sync). The input is sharded by hand with
  ``strategy.distribute_datasets_from_function``: each input pipeline (one per worker)
  reads per-replica batches and keeps every ``num_input_pipelines``-th one, so global
  step ``k`` sees batches ``kR, ..., kR + R - 1``, the ``k``-th global batch, whichever
  strategy runs. No auto-sharding is involved (``AutoShardPolicy`` does not apply to a
  dataset built by a function), so the split is the one written here.
* **Loss**: each replica sums its examples' losses and divides by the *global* batch size
  (``tf.nn.compute_average_loss(..., global_batch_size=G)``); the replicas' gradients are
  then added (all-reduce ``SUM``), which gives the gradient of the mean over the global
  batch: the gradient one device computes.
* **Weights**: every run seeds Keras (``keras.utils.set_random_seed(seed)``) right before
  building the model, so all start from the same weights; plain SGD (no momentum) then
  makes the same update everywhere.

A process makes one ``MirroredStrategy`` per device list, :func:`mirrored_strategy`: a
second one over the same CPUs collides with the first in TensorFlow's collective ops.

Every device here is a CPU: the workers are started with no GPU visible
(``CUDA_VISIBLE_DEVICES=-1``), so the localhost demo behaves the same on Colab.

Command line::

    python -m kerascnn.distributed --workers 2 --steps 5   # launch 2 workers, compare
    python -m kerascnn.distributed --worker --out DIR      # one worker (needs TF_CONFIG)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerascnn import data, models
from kerascnn._checks import check_choice, check_positive_int

LOCALHOST = "127.0.0.1"

# Models a worker process can build by name (a worker cannot be handed a Python function).
MODELS: dict[str, Callable[[], keras.Model]] = {
    "mlp": lambda: models.mlp((28, 28, 1), 10, hidden_units=(64,)),
    "cnn": lambda: models.cnn((28, 28, 1), 10, filters=(8, 16), dense_units=32),
}

_SPLIT_HINT = "call split_cpu before any TensorFlow op (restart the kernel)"


def split_cpu(n: int = 2) -> list[str]:
    """Cut the CPU into ``n`` logical devices, so ``MirroredStrategy`` runs ``n`` replicas.

    ``tf.config.set_logical_device_configuration`` only works before TensorFlow sets up
    its devices, which its first op (creating a tensor, building a model) does; so call
    this first thing in a process or notebook. Calling it again with the same ``n`` is
    harmless; calling it too late raises ``RuntimeError``. The logical devices share the
    same cores: two replicas on one CPU run the real distributed code paths
    (per-replica copies, all-reduce) but are not faster than one.

    Returns the logical CPU device names, ``["/device:CPU:0", "/device:CPU:1"]`` for 2.

    Example (in a fresh process; not run here, it would fix this process's devices)::

        split_cpu(2)  # ['/device:CPU:0', '/device:CPU:1']
    """
    n = check_positive_int(n, "n")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError:
        logical = tf.config.list_logical_devices("CPU")
        if len(logical) != n:
            raise RuntimeError(
                f"split_cpu({n}): TensorFlow has already set up its devices "
                f"({len(logical)} logical CPU); {_SPLIT_HINT}"
            ) from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


# One MirroredStrategy per device list and process (see mirrored_strategy).
_MIRRORED: dict[tuple[str, ...], tf.distribute.MirroredStrategy] = {}


def mirrored_strategy(
    devices: Sequence[str] = ("/cpu:0", "/cpu:1"),
) -> tf.distribute.MirroredStrategy:
    """This process's ``tf.distribute.MirroredStrategy`` over ``devices``, made once.

    Use this one object for every mirrored run in a process (``model.fit`` under its
    ``scope()`` too). Each new ``MirroredStrategy`` numbers its collective all-reduce
    operations from the same start, so a second strategy over the same CPUs collides
    with the first ("Shape mismatch in the collective instance ...") as soon as the two
    train different models. Call :func:`split_cpu` before the first call.

    >>> one = mirrored_strategy(["/cpu:0"])
    >>> one.num_replicas_in_sync, one is mirrored_strategy(["/cpu:0"])
    (1, True)
    """
    key = tuple(devices)
    if key not in _MIRRORED:
        _MIRRORED[key] = tf.distribute.MirroredStrategy(list(key))
    return _MIRRORED[key]


def free_port(host: str = LOCALHOST) -> int:
    """A TCP port on ``host`` that is free now: the one the OS gives when binding port 0.

    The socket is closed before returning, so another process could in principle take
    the port before a worker binds it; :func:`run_workers` checks each port again.

    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_port_free(address: str) -> None:
    """Raise ``RuntimeError`` naming the port if ``address`` (``"host:port"``) is taken.

    TensorFlow's gRPC server fails deep inside C++ when its port is taken; binding the
    port ourselves first turns that into one clear sentence.

    >>> check_port_free(f"127.0.0.1:{free_port()}")
    >>> with socket.create_server(("127.0.0.1", 0)) as busy:
    ...     check_port_free(f"127.0.0.1:{busy.getsockname()[1]}")
    Traceback (most recent call last):
    RuntimeError: port ... on 127.0.0.1 is already in use ...
    """
    host, _, port = address.rpartition(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, int(port)))
        except OSError as err:
            raise RuntimeError(
                f"port {port} on {host} is already in use ({err.strerror}); "
                "a worker cannot start its server there: pick other ports"
            ) from None


def tf_config(ports: Sequence[int], index: int, host: str = LOCALHOST) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers on ``host``.

    ``MultiWorkerMirroredStrategy`` reads this JSON from the environment variable
    ``TF_CONFIG``: every worker gets the same cluster (all addresses) and its own index.

    >>> config = tf_config([5001, 5002], 1)
    >>> config["cluster"]
    {'worker': ['127.0.0.1:5001', '127.0.0.1:5002']}
    >>> config["task"]
    {'type': 'worker', 'index': 1}
    """
    if not 0 <= index < len(ports):
        raise ValueError(f"`index` must be in [0, {len(ports)}), got {index}")
    workers = [f"{host}:{int(port)}" for port in ports]
    return {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}


def read_tf_config(environ: Mapping[str, str] | None = None) -> tuple[list[str], int]:
    """The worker addresses and this worker's index from ``TF_CONFIG``.

    Raises ``ValueError`` with one line saying what is missing or wrong, before
    TensorFlow would fail with a long traceback (or quietly train alone).

    >>> read_tf_config({"TF_CONFIG": json.dumps(tf_config([5001, 5002], 0))})
    (['127.0.0.1:5001', '127.0.0.1:5002'], 0)
    >>> read_tf_config({})
    Traceback (most recent call last):
    ValueError: TF_CONFIG is not set: a worker needs ...
    """
    environ = os.environ if environ is None else environ
    example = json.dumps(tf_config([12345, 12346], 0))
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        raise ValueError(f"TF_CONFIG is not set: a worker needs it, e.g. TF_CONFIG='{example}'")
    try:
        config = json.loads(text)
        workers = list(config["cluster"]["worker"])
        task = config["task"]
        index = int(task["index"])
        kind = task.get("type", "worker")
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(
            f"TF_CONFIG is not valid ({type(err).__name__}: {err}); expected e.g. '{example}'"
        ) from None
    if kind != "worker" or not 0 <= index < len(workers):
        raise ValueError(
            f"TF_CONFIG's task must be a worker with an index in [0, {len(workers)}), got {task}"
        )
    return workers, index


def training_batches(steps: int, global_batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``steps * global_batch_size`` images of the shipped Fashion-MNIST subset.

    Float32 ``(n, 28, 28, 1)`` in ``[0, 1]`` and int32 labels, always the same, in order,
    so every process that calls it trains on the same global batches.

    >>> x, y = training_batches(2, 8)
    >>> x.shape, x.dtype.name, y.shape
    ((16, 28, 28, 1), 'float32', (16,))
    """
    n = check_positive_int(steps, "steps") * check_positive_int(
        global_batch_size, "global_batch_size"
    )
    (x, y), _ = data.load_fashion_mnist_subset()
    if n > len(x):
        raise ValueError(f"steps * global_batch_size must be <= {len(x)}, got {n}")
    return data.to_float_images(x[:n]), y[:n].astype(np.int32)


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """What :func:`train_steps` returns.

    ``replica_weights[r]`` are replica ``r``'s final weights (read from each device's own
    copy of every variable); ``weights`` is replica 0's. ``losses`` holds the global
    batch's mean loss per step; ``images_per_second`` counts the steps after the first
    (which traces the graph).
    """

    replicas: int
    replica_weights: list[list[np.ndarray]]
    losses: list[float]
    images_per_second: float

    @property
    def weights(self) -> list[np.ndarray]:
        """Replica 0's final weights, one array per variable (``model.trainable_weights``)."""
        return self.replica_weights[0]


def max_difference(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """The largest absolute difference between two lists of weight arrays.

    >>> max_difference([np.zeros(2), np.ones(3)], [np.zeros(2), np.full(3, 1.5)])
    0.5
    """
    if len(a) != len(b):
        raise ValueError(f"the weight lists differ in length: {len(a)} and {len(b)}")
    return float(
        max(np.max(np.abs(np.asarray(u) - np.asarray(v))) for u, v in zip(a, b, strict=True))
    )


def _distribute(strategy, x: np.ndarray, y: np.ndarray, global_batch_size: int):
    """``x, y`` as the strategy's distributed dataset, split by hand (see module docs)."""
    replicas = strategy.num_replicas_in_sync
    if global_batch_size % replicas:
        raise ValueError(
            f"`global_batch_size` ({global_batch_size}) must divide evenly among "
            f"{replicas} replicas"
        )
    if len(x) % global_batch_size:
        raise ValueError(
            f"len(x) ({len(x)}) must be a whole number of global batches of {global_batch_size}"
        )

    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        per_replica = context.get_per_replica_batch_size(global_batch_size)
        batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(per_replica)
        # Input pipeline i (worker i) keeps per-replica batches i, i + P, ...; its replicas
        # take them in turn, so global step k gets the k-th global batch on any cluster.
        return batches.shard(context.num_input_pipelines, context.input_pipeline_id)

    return strategy.distribute_datasets_from_function(dataset_fn)


def _replica_loss(model: keras.Model, loss_fn, x, y, global_batch_size: int):
    """This replica's share of the global batch's mean loss."""
    per_example = loss_fn(y, model(x, training=True))
    # The replicas' gradients are ADDED by the all-reduce, so each replica divides its
    # examples' summed loss by the GLOBAL batch size: the sum over replicas is then the
    # mean over the global batch, the loss one device would compute.
    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
    if model.losses:  # weight penalties: counted once in total, not once per replica
        loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
    return loss


def _build(strategy, model_fn: Callable[[], keras.Model], seed: int) -> keras.Model:
    with strategy.scope():
        keras.utils.set_random_seed(seed)
        return model_fn()


def _local_weights(strategy, model: keras.Model) -> list[list[np.ndarray]]:
    """Each replica's own copy of every trainable variable, as NumPy arrays."""
    per_variable = [
        strategy.experimental_local_results(variable.value)
        for variable in model.trainable_variables
    ]
    replicas = len(per_variable[0])
    return [[copies[r].numpy() for copies in per_variable] for r in range(replicas)]


def train_steps(
    strategy: tf.distribute.Strategy,
    model_fn: Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    global_batch_size: int = 64,
    learning_rate: float = 0.1,
    from_logits: bool = False,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train ``model_fn()`` with plain SGD on ``x, y`` under ``strategy``, one pass.

    One step per global batch (``len(x) // global_batch_size`` steps, in order), each a
    hand-written ``strategy.run`` of the replica step: loss scaled by the global batch
    size, gradients, then ``optimizer.apply_gradients``, which all-reduces (sums) the
    replicas' gradients before every replica applies the same update. The model is built
    inside ``strategy.scope()`` right after ``keras.utils.set_random_seed(seed)``, so runs
    with the same seed start from the same weights. ``log`` receives one line per step.

    >>> x, y = training_batches(2, 8)
    >>> one = tf.distribute.OneDeviceStrategy("/cpu:0")
    >>> result = train_steps(one, MODELS["mlp"], x, y, global_batch_size=8)
    >>> result.replicas, len(result.losses), len(result.weights)
    (1, 2, 4)
    """
    global_batch_size = check_positive_int(global_batch_size, "global_batch_size")
    batches = _distribute(strategy, x, y, global_batch_size)
    model = _build(strategy, model_fn, seed)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=None)
    with strategy.scope():
        optimizer = keras.optimizers.SGD(learning_rate)
        optimizer.build(model.trainable_variables)

    def replica_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = _replica_loss(model, loss_fn, xb, yb, global_batch_size)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def step(inputs):
        losses = strategy.run(replica_step, args=inputs)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    losses, start = [], 0.0
    for k, inputs in enumerate(batches):
        if k == 1:  # the first step traces the graph: time from the second on
            start = time.perf_counter()
        losses.append(float(step(inputs)))
        if log is not None:
            log(f"step {k + 1}: loss {losses[-1]:.6f}")
    seconds = time.perf_counter() - start
    timed = (len(losses) - 1) * global_batch_size
    return TrainResult(
        replicas=strategy.num_replicas_in_sync,
        replica_weights=_local_weights(strategy, model),
        losses=losses,
        images_per_second=timed / seconds if timed else float("nan"),
    )


@dataclasses.dataclass(frozen=True)
class GradientCheck:
    """What :func:`mirrored_gradient_check` returns: the largest absolute difference
    between the all-reduced gradient and the one-device gradient, and the largest
    absolute gradient entry (its scale)."""

    replicas: int
    max_abs_difference: float
    max_abs_gradient: float

    @property
    def relative_difference(self) -> float:
        """``max_abs_difference / max_abs_gradient``: about 1e-7 is float32 rounding."""
        return self.max_abs_difference / self.max_abs_gradient


def _gradients(strategy, model, loss_fn, inputs, global_batch_size: int):
    """The all-reduced gradient of one global batch under ``strategy``."""

    def replica_gradients(xb, yb):
        with tf.GradientTape() as tape:
            loss = _replica_loss(model, loss_fn, xb, yb, global_batch_size)
        return tape.gradient(loss, model.trainable_variables)

    @tf.function
    def step(inputs):
        per_replica = strategy.run(replica_gradients, args=inputs)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return [g.numpy() for g in step(inputs)]


def mirrored_gradient_check(
    model_fn: Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    devices: Sequence[str] = ("/cpu:0", "/cpu:1"),
    from_logits: bool = False,
    seed: int = 0,
) -> GradientCheck:
    """Check by hand that ``MirroredStrategy``'s all-reduced gradient is one device's.

    ``x, y`` is one global batch. Under ``MirroredStrategy(devices)`` each replica gets
    ``len(x) / len(devices)`` examples, computes the gradient of its share of the loss
    (scaled by the global batch size) and ``strategy.reduce(SUM, ...)`` adds them up. The
    reference is the gradient of the mean loss over all of ``x`` on one device
    (``OneDeviceStrategy(devices[0])``), same model, same initial weights (same ``seed``).
    The two differ only by float rounding (the sums run in another order).

    ``devices`` must exist: call :func:`split_cpu` first, at the start of the process.
    Example (in a fresh process)::

        split_cpu(2)
        x, y = training_batches(1, 64)
        check = mirrored_gradient_check(MODELS["mlp"], x, y)
        check.replicas, check.relative_difference < 1e-5  # (2, True)
    """
    mirrored = mirrored_strategy(devices)
    one = tf.distribute.OneDeviceStrategy(devices[0])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=None)
    grads = []
    for strategy in (mirrored, one):
        model = _build(strategy, model_fn, seed)
        (inputs,) = list(_distribute(strategy, x, y, len(x)))
        grads.append(_gradients(strategy, model, loss_fn, inputs, len(x)))
    return GradientCheck(
        replicas=mirrored.num_replicas_in_sync,
        max_abs_difference=max_difference(*grads),
        max_abs_gradient=float(max(np.max(np.abs(g)) for g in grads[1])),
    )


@dataclasses.dataclass(frozen=True)
class MirroredRun:
    """What :func:`train_mirrored` returns: the mirrored run and its one-device twin."""

    mirrored: TrainResult
    reference: TrainResult

    @property
    def replica_difference(self) -> float:
        """Largest difference between any replica's weights and replica 0's (0.0 expected)."""
        first, *others = self.mirrored.replica_weights
        return max((max_difference(first, w) for w in others), default=0.0)

    @property
    def reference_difference(self) -> float:
        """Largest difference between replica 0's weights and the one-device run's."""
        return max_difference(self.mirrored.weights, self.reference.weights)


def train_mirrored(
    model_fn: Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    global_batch_size: int = 64,
    learning_rate: float = 0.1,
    devices: Sequence[str] = ("/cpu:0", "/cpu:1"),
    from_logits: bool = False,
    seed: int = 0,
) -> MirroredRun:
    """Train under ``MirroredStrategy(devices)`` and on one device, same start, same data.

    Both runs are :func:`train_steps` with the same ``seed`` (same initial weights), the
    same global batches and plain SGD. Afterwards every replica's own copy of the weights
    is read back (``strategy.experimental_local_results``): they must be identical to
    each other (each replica applied the same all-reduced update) and equal, to float
    rounding, to the one-device run. Call :func:`split_cpu` first. Example (in a fresh
    process)::

        split_cpu(2)
        x, y = training_batches(5, 64)
        run = train_mirrored(MODELS["mlp"], x, y, global_batch_size=64)
        run.replica_difference, run.reference_difference < 1e-5  # (0.0, True)
    """
    kwargs = dict(
        global_batch_size=global_batch_size,
        learning_rate=learning_rate,
        from_logits=from_logits,
        seed=seed,
    )
    mirrored = mirrored_strategy(devices)
    one = tf.distribute.OneDeviceStrategy(devices[0])
    return MirroredRun(
        mirrored=train_steps(mirrored, model_fn, x, y, **kwargs),
        reference=train_steps(one, model_fn, x, y, **kwargs),
    )


# ---------------------------------------------------------------- two worker processes


@dataclasses.dataclass(frozen=True)
class WorkerRun:
    """What :func:`run_workers` returns.

    ``logs[i]`` is worker ``i``'s whole output (stdout and stderr); ``weights[i]`` its
    final weights; ``losses[i]`` its per-step global loss; ``images_per_second[i]`` the
    global batches' images per second it saw (steps after the first). ``reference`` is
    the one-process run on the same global batches (``None`` unless asked for).
    """

    ports: list[int]
    logs: list[str]
    weights: list[list[np.ndarray]]
    losses: list[list[float]]
    images_per_second: list[float]
    seconds: float
    reference: TrainResult | None = None

    @property
    def progress(self) -> list[str]:
        """Each worker's own lines (``worker i: ...``), without TensorFlow's log messages."""
        return [
            "\n".join(line for line in log.splitlines() if line.startswith("worker "))
            for log in self.logs
        ]

    @property
    def worker_difference(self) -> float:
        """Largest difference between any worker's weights and worker 0's (0.0 expected)."""
        first, *others = self.weights
        return max((max_difference(first, w) for w in others), default=0.0)

    @property
    def reference_difference(self) -> float:
        """Largest difference between worker 0's weights and the one-process run's."""
        if self.reference is None:
            raise ValueError("no reference run: call run_workers(..., reference=True)")
        return max_difference(self.weights[0], self.reference.weights)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


def _stop(processes: Sequence[subprocess.Popen]) -> None:
    """Terminate every worker still running, then kill any that ignores it."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_workers(
    n: int = 2,
    *,
    steps: int = 5,
    global_batch_size: int = 64,
    learning_rate: float = 0.1,
    model: str = "mlp",
    seed: int = 0,
    timeout: float = 120.0,
    ports: Sequence[int] | None = None,
    reference: bool = False,
    fail_worker: int | None = None,
) -> WorkerRun:
    """Train with ``MultiWorkerMirroredStrategy`` in ``n`` worker processes on 127.0.0.1.

    Picks ``n`` free ports now (or uses ``ports``), checks each is free, and starts ``n``
    processes ``python -m kerascnn.distributed --worker``, worker ``i`` with
    ``TF_CONFIG`` = :func:`tf_config` ``(ports, i)``. Each trains ``MODELS[model]`` for
    ``steps`` global batches of :func:`training_batches` (its own per-replica batches of
    each, see the module docs), then writes its weights and losses to a temporary folder,
    which is read back and removed. The launcher waits for all of them; when one fails
    it stops the others and raises ``RuntimeError`` naming the worker with the end of
    its log; after ``timeout`` seconds it stops all and raises ``TimeoutError``.
    ``reference=True`` also trains the same model on one device in this process.
    ``fail_worker=i`` makes worker ``i`` fail after it joined the cluster, to show the
    shutdown.

    Each worker imports TensorFlow, which takes several seconds. Example::

        run = run_workers(2, steps=5, reference=True)
        print(run.logs[0])
        run.worker_difference, run.reference_difference < 1e-5  # (0.0, True)
    """
    n = check_positive_int(n, "n")
    check_choice(model, "model", sorted(MODELS))
    training_batches(steps, global_batch_size)  # checks the sizes before starting anything
    ports = [free_port() for _ in range(n)] if ports is None else [int(p) for p in ports]
    if len(ports) != n:
        raise ValueError(f"`ports` must hold {n} ports, got {len(ports)}")
    for port in ports:
        check_port_free(f"{LOCALHOST}:{port}")
    command = [sys.executable, "-m", "kerascnn.distributed", "--worker"]
    command += ["--steps", str(steps), "--global-batch-size", str(global_batch_size)]
    command += ["--learning-rate", repr(learning_rate), "--model", model, "--seed", str(seed)]
    command += ["--timeout", str(int(timeout))]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kerascnn-workers-") as folder:
        out = Path(folder)
        processes: list[subprocess.Popen] = []
        try:
            for i in range(n):
                env = dict(os.environ, TF_CONFIG=json.dumps(tf_config(ports, i)))
                env["CUDA_VISIBLE_DEVICES"] = "-1"  # every worker on the CPU (see module docs)
                env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
                extra = ["--fail"] if fail_worker == i else []
                with open(out / f"worker{i}.log", "w") as log:
                    processes.append(
                        subprocess.Popen(
                            [*command, "--out", folder, *extra],
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL,
                            env=env,
                        )
                    )
            _join(processes, out, timeout, start)
        finally:
            _stop(processes)  # also on KeyboardInterrupt: no worker outlives the launcher
        logs = [(out / f"worker{i}.log").read_text() for i in range(n)]
        weights, losses, speeds = [], [], []
        for i in range(n):
            with np.load(out / f"worker{i}.npz") as saved:
                weights.append([saved[f"arr_{k}"] for k in range(len(saved.files))])
            summary = json.loads((out / f"worker{i}.json").read_text())
            losses.append(summary["losses"])
            speeds.append(summary["images_per_second"])
    seconds = time.perf_counter() - start
    reference_run = None
    if reference:
        x, y = training_batches(steps, global_batch_size)
        reference_run = train_steps(
            tf.distribute.OneDeviceStrategy("/cpu:0"),
            MODELS[model],
            x,
            y,
            global_batch_size=global_batch_size,
            learning_rate=learning_rate,
            seed=seed,
        )
    return WorkerRun(ports, logs, weights, losses, speeds, seconds, reference_run)


def _join(processes: Sequence[subprocess.Popen], out: Path, timeout: float, start: float):
    """Wait for every worker; raise at the first failure or at the timeout."""
    while True:
        codes = [process.poll() for process in processes]
        for i, code in enumerate(codes):
            if code not in (None, 0):
                _stop(processes)
                log = (out / f"worker{i}.log").read_text()
                raise RuntimeError(
                    f"worker {i} failed (exit code {code}); the other workers were stopped. "
                    f"The end of its log:\n{_tail(log)}"
                )
        if all(code == 0 for code in codes):
            return
        if time.perf_counter() - start > timeout:
            _stop(processes)
            running = [i for i, code in enumerate(codes) if code is None]
            tails = "\n".join(
                f"  worker {i}:\n{_tail((out / f'worker{i}.log').read_text(), 5)}" for i in running
            )
            raise TimeoutError(
                f"worker(s) {running} did not finish within {timeout:g} s and were stopped. "
                f"The end of their logs:\n{tails}"
            )
        time.sleep(0.1)


def throughput(mirrored: MirroredRun, workers: WorkerRun) -> dict[str, float]:
    """Training images per second of runs already made: 1 replica, 2 replicas, 2 workers.

    ``mirrored`` comes from :func:`train_mirrored` (its one-device and two-replica runs),
    ``workers`` from :func:`run_workers`; train both on the same model and global batches,
    so that the three set-ups differ only in how the work is spread. Each speed counts the
    steps after the first (which traces the graph); the workers' is the slower worker's.
    On one CPU the replicas and the workers share the same cores, so expect no speed-up,
    only the cost of the all-reduce (and, for workers, of gRPC between processes): a
    measurement of the overhead, not of scaling. Runs of different lengths raise
    ``ValueError``.

    >>> def result(speed):
    ...     return TrainResult(replicas=1, replica_weights=[[]], losses=[1.0, 0.9],
    ...                        images_per_second=speed)
    >>> run = MirroredRun(mirrored=result(900.0), reference=result(1000.0))
    >>> workers = WorkerRun(ports=[1, 2], logs=["", ""], weights=[[], []],
    ...                     losses=[[1.0, 0.9], [1.0, 0.9]], images_per_second=[500.0, 450.0],
    ...                     seconds=9.0)
    >>> throughput(run, workers)
    {'1 replica': 1000.0, '2 replicas': 900.0, '2 workers': 450.0}
    """
    steps = {
        "1 replica": len(mirrored.reference.losses),
        "2 replicas": len(mirrored.mirrored.losses),
        **{f"worker {i}": len(losses) for i, losses in enumerate(workers.losses)},
    }
    if len(set(steps.values())) != 1:
        raise ValueError(
            f"the runs trained different numbers of steps ({steps}): train them on the same "
            "global batches to compare their speeds"
        )
    return {
        "1 replica": mirrored.reference.images_per_second,
        "2 replicas": mirrored.mirrored.images_per_second,
        "2 workers": min(workers.images_per_second),
    }


def _worker(args: argparse.Namespace, environ: Mapping[str, str]) -> None:
    """One worker: what ``python -m kerascnn.distributed --worker`` runs."""
    # Check the configuration and the port before TensorFlow starts its server, which
    # would fail (or wait for peers) with far less clear messages.
    workers, index = read_tf_config(environ)
    check_port_free(workers[index])
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=args.timeout)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    print(
        f"worker {index} of {len(workers)} at {workers[index]}: "
        f"{strategy.num_replicas_in_sync} replicas in sync",
        flush=True,
    )
    if args.fail:
        raise RuntimeError(f"worker {index} fails on purpose (fail_worker={index})")
    x, y = training_batches(args.steps, args.global_batch_size)
    result = train_steps(
        strategy,
        MODELS[args.model],
        x,
        y,
        global_batch_size=args.global_batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        log=lambda line: print(f"worker {index}: {line}", flush=True),
    )
    out = Path(args.out)
    np.savez(out / f"worker{index}.npz", *result.weights)
    summary = {"losses": result.losses, "images_per_second": result.images_per_second}
    (out / f"worker{index}.json").write_text(json.dumps(summary))
    print(f"worker {index}: done, {result.images_per_second:.0f} images/s", flush=True)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The command line: launch workers (default) or be one (``--worker``).

    Returns the exit status; a configuration error prints one line and returns 2.

    >>> main(["--worker", "--out", "."], environ={})  # prints "error: TF_CONFIG is not set..."
    2
    """
    parser = argparse.ArgumentParser(
        prog="python -m kerascnn.distributed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--worker", action="store_true", help="be one worker (reads TF_CONFIG)")
    parser.add_argument("--workers", type=int, default=2, help="workers to launch")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--global-batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=120, help="seconds")
    parser.add_argument("--out", help="folder for a worker's weights (with --worker)")
    parser.add_argument("--fail", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.worker:
            if not args.out:
                raise ValueError("--worker needs --out FOLDER for its weights")
            _worker(args, os.environ if environ is None else environ)
            return 0
        run = run_workers(
            args.workers,
            steps=args.steps,
            global_batch_size=args.global_batch_size,
            learning_rate=args.learning_rate,
            model=args.model,
            seed=args.seed,
            timeout=args.timeout,
            reference=True,
        )
    except (ValueError, RuntimeError, TimeoutError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for log in run.logs:
        print(log.rstrip())
    print(
        f"{args.workers} workers in {run.seconds:.1f} s; largest weight difference between "
        f"workers {run.worker_difference:.3g}, worker 0 vs one process "
        f"{run.reference_difference:.3g}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
