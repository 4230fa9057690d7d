"""Point every notebook's Colab badge and install cell at one GitHub repository.

    python scripts/set_repository.py OWNER/NAME     # rewrite the notebooks
    python scripts/set_repository.py --check        # print the repository they name

The repository is written in two places per notebook: the "Open in Colab" badge of the
title cell (``colab.research.google.com/github/OWNER/NAME/blob/main/notebooks/<file>``)
and the Colab install cell (``%pip install ... "kerascnn @ git+https://github.com/
OWNER/NAME"``). This script is the one place that changes them; ``tests/test_docs.py``
checks that every notebook names the same repository and links to its own file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BADGE = re.compile(
    r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/main/notebooks/"
    r"([\w.-]+\.ipynb)"
)
INSTALL = re.compile(r"git\+https://github\.com/([\w.-]+/[\w.-]+?)(?=[\"'\s@]|$)")
REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")


def repositories(path: Path) -> dict[str, set[str]]:
    """The repositories a notebook's badges and install commands name, and badge targets."""
    text = "".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    return {
        "badge": {repo for repo, _ in BADGE.findall(text)},
        "install": set(INSTALL.findall(text)),
        "badge_file": {name for _, name in BADGE.findall(text)},
    }


def set_repository(path: Path, repository: str) -> bool:
    """Rewrite one notebook's badge and install cell; True when the file changed."""
    notebook = json.loads(path.read_text())
    changed = False
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        new = BADGE.sub(
            f"colab.research.google.com/github/{repository}/blob/main/notebooks/{path.name}",
            source,
        )
        new = INSTALL.sub(f"git+https://github.com/{repository}", new)
        if new != source:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed:  # the notebooks' own format: one-space indent, UTF-8, a final newline
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", nargs="?", help="OWNER/NAME on GitHub")
    parser.add_argument("--check", action="store_true", help="only print what they name")
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.check or args.repository is None:
        named = set().union(*(r["badge"] | r["install"] for r in map(repositories, paths)))
        print(", ".join(sorted(named)) or "no repository named")
        sys.exit(0 if len(named) == 1 else 1)
    if not REPOSITORY.match(args.repository):
        parser.error(f"repository must be OWNER/NAME, got {args.repository!r}")
    changed = [path.name for path in paths if set_repository(path, args.repository)]
    print(f"{len(changed)} of {len(paths)} notebooks now name {args.repository}")


if __name__ == "__main__":
    main()
