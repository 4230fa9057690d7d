"""The project's own documents: the syllabus names real notebooks, README links stay inside."""

import json
import re
from pathlib import Path

import pytest
from script_loader import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_syllabus_covers_the_eighteen_points_with_real_notebooks():
    text = (ROOT / "docs" / "syllabus.md").read_text()
    rows = re.findall(r"^\| (\d+) \| .+? \| `(\d\d_\w+)` \|$", text, flags=re.MULTILINE)
    assert [int(point) for point, _ in rows] == list(range(1, 19))
    for _, notebook in rows:
        assert (ROOT / "notebooks" / f"{notebook}.ipynb").is_file(), notebook


def test_readme_links_point_inside_the_project():
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)\)", text)
    assert targets, "README links to the syllabus at least"
    for target in targets:
        assert not target.startswith(("http:", "https:")) or "colab" in target, target
        if not target.startswith(("http:", "https:")):
            assert (ROOT / target).exists(), f"README links to a missing {target}"
    assert "shared/seed" not in text, "README must not send readers outside the project"


def test_every_notebook_names_one_repository_and_its_own_file():
    module = load_script("set_repository")
    named = set()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        found = module.repositories(path)
        assert len(found["badge"]) == 1 and found["install"] == found["badge"], path.name
        assert found["badge_file"] == {path.name}, path.name
        named |= found["badge"]
    assert len(named) == 1, f"the notebooks name several repositories: {sorted(named)}"


def test_set_repository_rewrites_badge_and_install_only(tmp_path):
    module = load_script("set_repository")
    source = ROOT / "notebooks" / "14_resnet.ipynb"
    copy = tmp_path / source.name
    copy.write_text(source.read_text())
    assert module.set_repository(copy, "someone/fork")
    assert module.repositories(copy) == {
        "badge": {"someone/fork"},
        "install": {"someone/fork"},
        "badge_file": {source.name},
    }
    before, after = json.loads(source.read_text()), json.loads(copy.read_text())
    changed = [
        i for i, (a, b) in enumerate(zip(before["cells"], after["cells"], strict=True)) if a != b
    ]
    assert len(changed) == 2  # the title cell's badge and the install cell
    assert all(
        a["outputs"] == b["outputs"]
        for a, b in zip(before["cells"], after["cells"], strict=True)
        if "outputs" in a
    )
    assert not module.set_repository(copy, "someone/fork")  # already there: unchanged


def _exercises_and_solutions(notebook: Path) -> tuple[list[int], set[int]]:
    cells = json.loads(notebook.read_text())["cells"]
    exercises: list[int] = []
    solutions: set[int] = set()
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "## Exercises" in text:
            section = text.split("## Exercises", 1)[1].split("\n#", 1)[0]
            exercises += [int(n) for n in re.findall(r"^(\d+)\. ", section, flags=re.MULTILINE)]
        solutions.update(int(n) for n in re.findall(r"Solution to exercise (\d+)", text))
    return exercises, solutions


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem[:2])
def test_every_exercise_has_a_solution_that_starts_hidden(notebook):
    exercises, solutions = _exercises_and_solutions(notebook)
    missing = [n for n in exercises if n not in solutions]
    assert not missing, f"{notebook.name}: exercises without a solution: {missing}"
    for cell in json.loads(notebook.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and "Solution to exercise" in text:
            assert text.startswith("# @title Solution to exercise"), text[:60]
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
            assert "solution" in cell["metadata"].get("tags", [])
        elif cell["cell_type"] == "markdown" and "Solution to exercise" in text:
            assert "<details>" in text, "a written solution is a collapsed <details> block"


def test_strip_startup_logs_removes_only_tensorflows_startup_lines(tmp_path):
    module = load_script("strip_startup_logs")
    startup = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1795986906.002864   25989 cudart_stub.cc:31] Could not find cuda drivers "
        "on your machine, GPU will not be used.\n",
    ]
    cell = {
        "cell_type": "code",
        "outputs": [
            {"output_type": "stream", "name": "stderr", "text": startup},
            {"output_type": "stream", "name": "stderr", "text": [*startup, "UserWarning: x\n"]},
            {"output_type": "stream", "name": "stdout", "text": ["Python 3.11\n"]},
        ],
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [cell]}))
    module.main([str(path)])
    outputs = json.loads(path.read_text())["cells"][0]["outputs"]
    assert [output["text"] for output in outputs] == [["UserWarning: x\n"], ["Python 3.11\n"]]
