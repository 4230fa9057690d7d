"""Each notebook's headline results, written where README's course table is rendered from.

A notebook ends with one call::

    results.record("06_building_a_cnn", f"CNN {cnn_acc:.3f} vs MLP {mlp_acc:.3f} test accuracy",
                   cnn_test_accuracy=cnn_acc, mlp_test_accuracy=mlp_acc)

which writes ``results/<profile>/06_building_a_cnn.json`` at the repository root: the
headline sentence (built by the notebook's code from the run's values, so prose and
numbers cannot disagree), the values, the profile, the machine
(:func:`kerascnn.environment.cpu_description`), the date and the seconds since the
notebook imported this module (its run time, near enough). ``scripts/render_results.py``
turns the ``full`` files into README's course table; ``make course`` runs it.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import time
from pathlib import Path

from kerascnn import environment, profiles

RESULTS_ENV = "KERASCNN_RESULTS_DIR"
_STARTED = time.monotonic()
_NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


def results_dir() -> Path:
    """Where results go: ``$KERASCNN_RESULTS_DIR``, else ``results/`` of this checkout.

    In a checkout (``pip install -e .``, what ``make`` does) that is the repository's
    ``results/``; an installed package (Colab) writes ``./kerascnn-results`` instead.

    >>> results_dir().name in ("results", "kerascnn-results") or bool(os.environ.get(RESULTS_ENV))
    True
    """
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV])
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root / "results"
    return Path.cwd() / "kerascnn-results"


def model_entry(model, test_accuracy: float, train_seconds: float) -> dict[str, float]:
    """One trained model for the course leaderboard: its test accuracy, size and cost.

    ``model`` is a Keras model (its parameters are counted) or a parameter count.

    >>> model_entry(1000, 0.9, 12.5)
    {'test_accuracy': 0.9, 'parameters': 1000, 'train_seconds': 12.5}
    """
    parameters = model if isinstance(model, int) else int(model.count_params())
    return {
        "test_accuracy": float(test_accuracy),
        "parameters": parameters,
        "train_seconds": float(train_seconds),
    }


def record(
    notebook: str,
    headline: str,
    *,
    models: dict[str, dict[str, float]] | None = None,
    **values: float | int | str,
) -> Path:
    """Write one notebook's headline and values for this run; returns the file written.

    Args:
        notebook: the notebook's name without ``.ipynb``, e.g. ``"06_building_a_cnn"``.
        headline: one sentence for README's table, built from the values by the
            notebook's code (an f-string), never typed.
        models: the models this notebook trained on the course's training set, for the
            leaderboard of notebook 14: name -> :func:`model_entry`.
        **values: the numbers behind it (finite floats, ints or short strings).

    >>> import tempfile
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {RESULTS_ENV: tempfile.mkdtemp()}):  # a scratch folder
    ...     path = record("06_building_a_cnn", "CNN 0.920 test accuracy", cnn_test_accuracy=0.92)
    >>> json.loads(path.read_text())["values"]
    {'cnn_test_accuracy': 0.92}
    """
    if not _NOTEBOOK_NAME.match(str(notebook)):
        raise ValueError(f"`notebook` must look like '06_building_a_cnn', got {notebook!r}")
    if not isinstance(headline, str) or not headline.strip():
        raise ValueError("`headline` must be a non-empty sentence")
    values = {key: getattr(v, "item", lambda v=v: v)() for key, v in values.items()}  # NumPy
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"value {key}={value!r} must be a number or a string")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"value {key}={value!r} is not finite")
    profile = profiles.get_profile()
    entry = {
        "notebook": notebook,
        "headline": headline.strip(),
        "values": values,
        "models": {name: dict(entry) for name, entry in (models or {}).items()},
        "profile": profile.name,
        "machine": environment.cpu_description(),
        "date": datetime.date.today().isoformat(),
        "seconds": round(time.monotonic() - _STARTED, 1),
    }
    folder = results_dir() / profile.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.json"
    path.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n")
    return path


def load(profile: str = "full") -> dict[str, dict]:
    """Every recorded notebook of ``profile``, by notebook name, in course order.

    >>> isinstance(load("full"), dict)
    True
    """
    folder = results_dir() / profile
    if not folder.is_dir():
        return {}
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def leaderboard(profile: str = "full") -> list[dict]:
    """Every model the recorded notebooks trained, best test accuracy first.

    Each row is a :func:`model_entry` plus ``model`` (its name) and ``notebook``.

    >>> isinstance(leaderboard("full"), list)
    True
    """
    rows = [
        {"model": name, "notebook": notebook, **entry}
        for notebook, recorded in load(profile).items()
        for name, entry in recorded.get("models", {}).items()
    ]
    return sorted(rows, key=lambda row: -row["test_accuracy"])


def record_course_time(profile: str, seconds: dict[str, float]) -> Path:
    """Write each notebook's wall time in ``profile`` to ``results/course_time_<profile>.json``.

    Written by ``benchmarks/course_time.py --record`` and by ``make notebooks`` with
    ``KERASCNN_RECORD_TIMES=1``; read by :func:`load_course_time`.

    >>> import tempfile
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {RESULTS_ENV: tempfile.mkdtemp()}):  # a scratch folder
    ...     _ = record_course_time("quick", {"01_neural_networks_and_mlp": 12.34})
    ...     load_course_time("quick")["01_neural_networks_and_mlp"]["seconds"]
    12.3
    """
    run = {
        "machine": environment.cpu_description(),
        "date": datetime.date.today().isoformat(),
        "notebooks": {name: round(float(s), 1) for name, s in sorted(seconds.items())},
    }
    path = results_dir() / f"course_time_{profile}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run, indent=1) + "\n")
    return path


def load_course_time(profile: str) -> dict[str, dict]:
    """Each notebook's recorded time: name -> ``{"seconds", "machine", "date"}``.

    >>> isinstance(load_course_time("quick"), dict)
    True
    """
    path = results_dir() / f"course_time_{profile}.json"
    if not path.is_file():
        return {}
    run = json.loads(path.read_text())
    return {
        name: {"seconds": seconds, "machine": run["machine"], "date": run["date"]}
        for name, seconds in run["notebooks"].items()
    }
