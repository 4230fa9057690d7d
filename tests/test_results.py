"""Tests for kerascnn.results and scripts/render_results.py: recorded headlines, README's table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from script_loader import load_script

from kerascnn import profiles, results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    monkeypatch.setenv(profiles.PROFILE_ENV, "quick")
    return tmp_path


def test_record_writes_the_headline_values_and_machine(results_dir):
    path = results.record(
        "06_building_a_cnn",
        "CNN beats MLP",
        models={"CNN": results.model_entry(1234, np.float32(0.9), 10.0)},
        accuracy=np.float32(0.5),
        epochs=3,
    )
    assert path == results_dir / "quick" / "06_building_a_cnn.json"
    entry = json.loads(path.read_text())
    assert entry["headline"] == "CNN beats MLP"
    assert entry["values"] == {"accuracy": 0.5, "epochs": 3}
    assert entry["models"]["CNN"]["parameters"] == 1234
    assert entry["profile"] == "quick" and "CPU cores" in entry["machine"]
    assert entry["seconds"] >= 0


@pytest.mark.parametrize(
    ("notebook", "headline", "values", "message"),
    [
        ("six", "x", {}, "must look like"),
        ("06_cnn", " ", {}, "non-empty"),
        ("06_cnn", "x", {"a": float("nan")}, "not finite"),
        ("06_cnn", "x", {"a": True}, "number or a string"),
        ("06_cnn", "x", {"a": [1]}, "number or a string"),
    ],
)
def test_record_rejects_bad_input(results_dir, notebook, headline, values, message):
    with pytest.raises(ValueError, match=message):
        results.record(notebook, headline, **values)


def test_leaderboard_ranks_every_recorded_model(results_dir):
    results.record("01_mlp", "a", models={"MLP": results.model_entry(10, 0.88, 1.0)})
    results.record("06_cnn", "b", models={"CNN": results.model_entry(20, 0.92, 2.0)})
    board = results.leaderboard("quick")
    assert [row["model"] for row in board] == ["CNN", "MLP"]
    assert board[0]["notebook"] == "06_cnn"
    assert results.leaderboard("full") == []


def test_render_table_marks_notebooks_not_yet_run():
    entry = {"machine": "CPU X", "date": "2026-11-29", "seconds": 60.0, "headline": "done"}
    table = load_script("render_results").render_table({"01_a": entry}, ["01_a", "02_b"])
    assert "| `01_a` | CPU X | 2026-11-29 | 60 | done |" in table
    assert "| `02_b` | | | | not yet run in the `full` profile |" in table
    assert "1 of 2 notebooks recorded" in table


@pytest.fixture
def committed_results(monkeypatch):
    """Read the results committed in results/, whatever $KERASCNN_RESULTS_DIR says (`make
    matrix` points it at a scratch folder for its notebooks' records)."""
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)


def test_readme_course_table_is_rendered_from_the_recorded_results(committed_results):
    module = load_script("render_results")
    readme = (ROOT / "README.md").read_text()
    assert module.rendered_readme(readme) == readme, (
        "README's course table is stale: run python scripts/render_results.py"
    )


def test_time_line_states_both_profiles_or_says_not_measured():
    module = load_script("render_results")
    full = {"machine": "CPU X", "date": "2026-12-06", "seconds": 600.0}
    quick = {"machine": "CPU X", "date": "2026-12-06", "seconds": 25.0}
    line = module.render_time_line(full, quick)
    assert line.startswith("**Time to run:** `full` profile 10.0 min on CPU X (2026-12-06")
    assert "`quick` profile 25 s on CPU X" in line
    assert "`quick` profile not yet measured" in module.render_time_line(full, None)


def test_rendered_notebook_changes_only_the_time_line():
    module = load_script("render_results")
    path = sorted((ROOT / "notebooks").glob("01_*.ipynb"))[0]
    text = path.read_text()
    new = module.rendered_notebook(text, "**Time to run:** 1 s.")
    assert json.loads(new)["cells"][1:] == json.loads(text)["cells"][1:]
    assert "**Time to run:** 1 s." in "".join(json.loads(new)["cells"][0]["source"])
    assert len(new.splitlines()) == len(text.splitlines())


def test_notebook_time_lines_are_rendered_from_the_measurements(committed_results):
    stale = [
        path.name
        for path, (old, new) in load_script("render_results").rendered_notebooks().items()
        if old != new
    ]
    assert not stale, f"stale Time to run lines in {stale}: run python scripts/render_results.py"
