"""Data-parallel training with tf.distribute (kerascnn.distributed), run for real.

The two-replica checks run in a fresh process (logical devices can only be configured
before TensorFlow sets up its devices, which this test process has long done); the
two-worker run starts two real worker processes on 127.0.0.1. Both are marked ``slow``:
each new process imports TensorFlow (several seconds on a small machine).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from kerascnn import distributed


def test_tf_config_round_trip():
    config = {"TF_CONFIG": json.dumps(distributed.tf_config([6001, 6002, 6003], 2))}
    assert distributed.read_tf_config(config) == (
        ["127.0.0.1:6001", "127.0.0.1:6002", "127.0.0.1:6003"],
        2,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "TF_CONFIG is not set"),
        ("{not json", "TF_CONFIG is not valid"),
        ('{"cluster": {}}', "TF_CONFIG is not valid"),
        ('{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"index": 1}}', "index in"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}', "worker"),
    ],
)
def test_bad_tf_config_is_one_clear_line(value, message):
    with pytest.raises(ValueError, match=message) as error:
        distributed.read_tf_config({"TF_CONFIG": value})
    assert "\n" not in str(error.value)


def test_worker_without_tf_config_exits_with_one_line(tmp_path, capsys):
    assert distributed.main(["--worker", "--out", str(tmp_path)], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: TF_CONFIG is not set") and err.count("\n") == 1


def test_port_in_use_is_named():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        # The launcher refuses before starting any worker ...
        with pytest.raises(RuntimeError, match=f"port {port} on 127.0.0.1 is already in use"):
            distributed.run_workers(2, ports=[port, distributed.free_port()])
        # ... and a worker started by hand on a taken port stops before TensorFlow's server.
        config = json.dumps(distributed.tf_config([distributed.free_port(), port], 1))
        with pytest.raises(RuntimeError, match=f"port {port} "):
            distributed._worker(None, {"TF_CONFIG": config})


def _fake_workers(tmp_path, scripts: list[str]) -> list[subprocess.Popen]:
    processes = []
    for i, script in enumerate(scripts):
        with open(tmp_path / f"worker{i}.log", "w") as log:
            processes.append(
                subprocess.Popen([sys.executable, "-c", script], stdout=log, stderr=log)
            )
    return processes


def test_a_failing_worker_stops_the_others(tmp_path):
    processes = _fake_workers(
        tmp_path,
        ["import time; time.sleep(60)", "print('starting'); raise SystemExit('boom')"],
    )
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match=r"worker 1 failed \(exit code 1\)(.|\n)*boom"):
        distributed._join(processes, tmp_path, timeout=30, start=start)
    assert processes[0].poll() is not None, "the sleeping worker must have been stopped"
    assert time.perf_counter() - start < 15


def test_workers_past_the_timeout_are_stopped(tmp_path):
    processes = _fake_workers(tmp_path, ["import time; time.sleep(60)"] * 2)
    with pytest.raises(TimeoutError, match=r"worker\(s\) \[0, 1\] did not finish within 1 s"):
        distributed._join(processes, tmp_path, timeout=1, start=time.perf_counter())
    assert all(process.poll() is not None for process in processes)


@pytest.mark.slow
def test_two_replicas_compute_what_one_device_computes(fresh_python):
    fresh_python(
        """
        import pytest
        from kerascnn import distributed as d

        assert d.split_cpu(2) == d.split_cpu(2) == ["/device:CPU:0", "/device:CPU:1"]

        x, y = d.training_batches(1, 32)
        check = d.mirrored_gradient_check(d.MODELS["cnn"], x, y)
        assert check.replicas == 2 and check.max_abs_gradient > 1e-3, check
        assert check.relative_difference < 1e-5, check

        x, y = d.training_batches(3, 32)
        run = d.train_mirrored(d.MODELS["mlp"], x, y, global_batch_size=32)
        assert run.mirrored.replicas == 2 and run.reference.replicas == 1
        assert run.replica_difference == 0.0  # the same update applied on each replica
        assert run.reference_difference < 1e-5, run.reference_difference
        assert run.mirrored.losses == pytest.approx(run.reference.losses, rel=1e-5)

        # A second mirrored run in the same process (another model) reuses the strategy.
        x, y = d.training_batches(2, 16)
        again = d.train_mirrored(d.MODELS["cnn"], x, y, global_batch_size=16)
        assert again.replica_difference == 0.0 and again.reference_difference < 1e-5

        with pytest.raises(RuntimeError, match="call split_cpu before any TensorFlow op"):
            d.split_cpu(3)
        print("ok")
        """,
        timeout=240,
    )


def _result(steps: int, speed: float) -> distributed.TrainResult:
    return distributed.TrainResult(1, [[]], [1.0] * steps, speed)


def test_throughput_reads_the_runs_and_refuses_runs_of_different_lengths():
    run = distributed.MirroredRun(mirrored=_result(5, 900.0), reference=_result(5, 1000.0))
    workers = distributed.WorkerRun(
        [1, 2], ["", ""], [[], []], [[1.0] * 5] * 2, [500.0, 450.0], 9.0
    )
    assert distributed.throughput(run, workers) == {
        "1 replica": 1000.0,
        "2 replicas": 900.0,
        "2 workers": 450.0,  # the slower worker sets the pace
    }
    short = distributed.WorkerRun([1, 2], ["", ""], [[], []], [[1.0] * 3] * 2, [500.0] * 2, 9.0)
    with pytest.raises(ValueError, match="different numbers of steps"):
        distributed.throughput(run, short)


@pytest.mark.slow
def test_two_workers_on_localhost_end_with_the_same_weights():
    run = distributed.run_workers(2, steps=3, global_batch_size=32, timeout=240, reference=True)
    for i, progress in enumerate(run.progress):
        assert f"worker {i} of 2 at 127.0.0.1:{run.ports[i]}: 2 replicas in sync" in progress
        assert f"worker {i}: step 3: loss" in progress
    assert run.worker_difference == 0.0
    assert run.reference_difference < 1e-5, run.reference_difference
    assert run.losses[0] == run.losses[1]
    print(f"two workers: {run.seconds:.1f} s, {run.images_per_second} images/s")
