"""This machine's measured arithmetic peak: float32 matmul and 3x3 convolution, in GFLOP/s.

    python benchmarks/peak_flops.py

It also prints the same kernels in bfloat16, the arithmetic of Keras's ``mixed_bfloat16``
policy (``epoch_budget.py --precision mixed_bfloat16``): on CPUs with AMX (Intel's
matrix units) they run several times faster than float32, elsewhere often slower.

The flagship's training throughput (``benchmarks/epoch_budget.py``) is compared with
these figures: training one image costs about 3x its forward multiply-accumulates x 2
FLOPs (forward, gradient of the input, gradient of the weights), so

    achieved GFLOP/s = 2 x MACs per image x 3 x training images/s / 1e9

and the ratio achieved / peak says how close to the machine's limit the recipe runs.
Each kernel is timed after a warm-up, best of several repeats, on every core TensorFlow
uses (``tf.config.threading`` defaults).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf

from kerascnn.environment import cpu_description


def _best_seconds(fn, repeats: int = 5) -> float:
    fn()  # warm-up: graph tracing, oneDNN kernel selection
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_gflops(n: int = 2048, dtype: str = "float32") -> float:
    """GFLOP/s of one ``n x n`` by ``n x n`` matrix product (2 n^3 FLOPs) in ``dtype``."""
    a = tf.cast(tf.random.normal((n, n)), dtype)
    b = tf.cast(tf.random.normal((n, n)), dtype)
    product = tf.function(lambda: tf.linalg.matmul(a, b))
    seconds = _best_seconds(lambda: product().numpy())
    return 2 * n**3 / seconds / 1e9


def conv_gflops(
    batch: int = 256, side: int = 14, channels: int = 64, dtype: str = "float32"
) -> float:
    """GFLOP/s of a 3x3 same-padded convolution, ``channels`` in and out, on a
    ``(batch, side, side, channels)`` map (the flagship's most common layer shape), in
    ``dtype``."""
    x = tf.cast(tf.random.normal((batch, side, side, channels)), dtype)
    kernel = tf.cast(tf.random.normal((3, 3, channels, channels)), dtype)
    conv = tf.function(lambda: tf.nn.conv2d(x, kernel, 1, "SAME"))
    seconds = _best_seconds(lambda: conv().numpy())
    return 2 * batch * side * side * 9 * channels * channels / seconds / 1e9


def main() -> None:
    print(f"Peak arithmetic, {cpu_description()}")
    for dtype in ("float32", "bfloat16"):
        print(f"{dtype}:")
        print(f"  matmul 2048x2048:                     {matmul_gflops(dtype=dtype):7.1f} GFLOP/s")
        print(f"  conv 3x3, 256x14x14x64 -> 64 channels: {conv_gflops(dtype=dtype):7.1f} GFLOP/s")
        print(
            f"  conv 3x3, 256x7x7x128 -> 128 channels: "
            f"{conv_gflops(side=7, channels=128, dtype=dtype):7.1f} GFLOP/s"
        )


if __name__ == "__main__":
    main()
