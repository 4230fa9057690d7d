"""Render README's course table from the notebooks' recorded results (``results/full``).

``make course`` runs every notebook in the ``full`` profile; each ends with
``kerascnn.results.record(...)``, which writes ``results/full/<notebook>.json``. This
script turns those files into the table between the ``results:start`` and
``results:end`` markers of README.md, so README's numbers are the runs' numbers.

    python scripts/render_results.py          # rewrite README.md
    python scripts/render_results.py --check  # exit 1 when README.md is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kerascnn import results

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"


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


def rendered_readme(readme: str) -> str:
    """README's text with the table between the markers replaced by a fresh rendering."""
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the markers {START} and {END}")
    notebooks = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    table = render_table(results.load("full"), notebooks)
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main() -> int:
    """Rewrite README.md, or with ``--check`` say whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args()
    path = ROOT / "README.md"
    old = path.read_text()
    new = rendered_readme(old)
    if args.check:
        if new != old:
            print("README.md's course table is stale: run python scripts/render_results.py")
            return 1
        return 0
    path.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
