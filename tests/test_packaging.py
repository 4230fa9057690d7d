"""Packaging: one version, one licence, requirements.txt in step with pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

import kerascnn

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_requirements_are_the_dependencies_plus_the_dev_extra(pyproject):
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    requirements = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    project = pyproject["project"]
    assert requirements == project["dependencies"] + project["optional-dependencies"]["dev"]


def test_version_is_written_once(pyproject):
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "kerascnn.__version__"
    assert kerascnn.__version__.count(".") == 2


def test_licence_file_is_mit(pyproject):
    assert pyproject["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the kerascnn authors" in text


def test_every_package_folder_is_listed(pyproject):
    # A folder of kerascnn left out of `packages` is missing from a non-editable install.
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "kerascnn").rglob("__init__.py")
    }
    assert folders <= set(pyproject["tool"]["setuptools"]["packages"])
