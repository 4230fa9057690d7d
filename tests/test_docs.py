"""The project's own documents: the syllabus names real notebooks, README links stay inside."""

import re
from pathlib import Path

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
