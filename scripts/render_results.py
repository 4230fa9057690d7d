"""Render README's course table and each notebook's "Time to run" line from measurements.

``make course`` runs every notebook in the ``full`` profile; each ends with
``kerascnn.results.record(...)``, which writes ``results/full/<notebook>.json``.
``KERASCNN_RECORD_TIMES=1 make notebooks`` (or ``python benchmarks/course_time.py
--profile quick --record``) times every notebook in the ``quick`` profile and writes
``results/course_time_quick.json``. This script turns
those files into the table between the ``results:start`` and ``results:end`` markers of
README.md and into the ``**Time to run:**`` line of each notebook's title cell, so the
numbers a reader sees are the runs' numbers, never typed.

    python scripts/render_results.py          # rewrite README.md and the title cells
    python scripts/render_results.py --check  # exit 1 when either is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kerascnn import results

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"
TIME_LINE = "**Time to run:**"


def render_table(recorded: dict[str, dict], notebooks: list[str]) -> str:
    """The Markdown table: one row per notebook, ``not run`` where nothing is recorded."""
    lines = [
        "| notebook | machine | date | wall time (s) | what it reached |",
        "|---|---|---|---:|---|",
    ]
    total = 0.0
    for name in notebooks:
        entry = recorded.get(name)
        if entry is None:
            lines.append(f"| `{name}` | | | | not yet run in the `full` profile |")
            continue
        total += entry["seconds"]
        lines.append(
            f"| `{name}` | {entry['machine']} | {entry['date']} | {entry['seconds']:.0f} "
            f"| {entry['headline']} |"
        )
    done = sum(name in recorded for name in notebooks)
    lines.append(
        f"| **total** | | | **{total:.0f} ({total / 60:.1f} min)** "
        f"| {done} of {len(notebooks)} notebooks recorded |"
    )
    return "\n".join(lines)


def notebook_paths() -> list[Path]:
    """The course's notebooks, in course order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def render_time_line(full: dict | None, quick: dict | None) -> str:
    """A notebook's ``**Time to run:**`` line from its full-profile entry and quick time.

    ``full`` is the notebook's ``results/full`` entry; ``quick`` is ``{"seconds", "machine",
    "date"}`` from ``results/course_time_quick.json``; either may be missing.
    """
    parts = []
    for profile, entry, how in (
        ("full", full, "`make course`"),
        ("quick", quick, "`make notebooks`"),
    ):
        if entry is None:
            parts.append(f"`{profile}` profile not yet measured")
        else:
            parts.append(
                f"`{profile}` profile {_duration(entry['seconds'])} on {entry['machine']} "
                f"({entry['date']}, {how})"
            )
    return f"{TIME_LINE} {'; '.join(parts)}."


def rendered_notebook(text: str, line: str) -> str:
    """The notebook's JSON text with its ``**Time to run:**`` line replaced by ``line``.

    Edits the text (not a re-dumped JSON) so nothing else in the file changes.
    """
    notebook = json.loads(text)
    cell = notebook["cells"][0]
    for source in cell["source"]:
        if source.startswith(TIME_LINE):
            old = json.dumps(source, ensure_ascii=False)
            new = line + ("\n" if source.endswith("\n") else "")
            return text.replace(old, json.dumps(new, ensure_ascii=False), 1)
    raise SystemExit(f"a notebook's title cell has no line starting {TIME_LINE}")


def rendered_notebooks() -> dict[Path, tuple[str, str]]:
    """Every notebook's path -> (its text now, its text with a fresh time line)."""
    full, quick = results.load("full"), results.load_course_time("quick")
    out = {}
    for path in notebook_paths():
        old = path.read_text()
        line = render_time_line(full.get(path.stem), quick.get(path.stem))
        out[path] = (old, rendered_notebook(old, line))
    return out


def rendered_readme(readme: str) -> str:
    """README's text with the table between the markers replaced by a fresh rendering."""
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the markers {START} and {END}")
    notebooks = [path.stem for path in notebook_paths()]
    table = render_table(results.load("full"), notebooks)
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main() -> int:
    """Rewrite README.md and the title cells, or with ``--check`` say what is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale")
    args = parser.parse_args()
    path = ROOT / "README.md"
    old = path.read_text()
    files = {path: (old, rendered_readme(old)), **rendered_notebooks()}
    stale = [p.relative_to(ROOT) for p, (before, after) in files.items() if before != after]
    if args.check:
        for name in stale:
            print(f"{name} is stale: run python scripts/render_results.py")
        return 1 if stale else 0
    for p, (before, after) in files.items():
        if before != after:
            p.write_text(after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
