"""Execute every notebook and print the wall time of each and the total.

    python benchmarks/course_time.py --profile quick     # what CI runs
    python benchmarks/course_time.py --profile full      # what `make course` runs
    python benchmarks/course_time.py --profile quick --record   # and keep the times

Notebooks are executed into a temporary folder (the committed ones are left as they
are) with the same kernel and environment as `make course`. Targets on 2 CPU cores:
`quick` under 4 minutes in total and 30 s per notebook on the development machine,
`full` under 2 hours. With ``--record`` the times go to
``results/course_time_<profile>.json``, from which ``scripts/render_results.py`` renders
each notebook's "Time to run" line (the ``full`` times there come from ``make course``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kerascnn import environment, results

ROOT = Path(__file__).resolve().parents[1]


def run_notebook(path: Path, profile: str, out_dir: Path) -> float:
    env = dict(
        os.environ,
        KERASCNN_PROFILE=profile,
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONHASHSEED="0",
        PYTEST_CURRENT_TEST="1",
    )
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=-1",
            "--output-dir",
            str(out_dir),
            str(path),
        ],
        check=True,
        env=env,
        cwd=path.parent,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument(
        "--record", action="store_true", help="write results/course_time_<profile>.json"
    )
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks to run (default: all of notebooks/)"
    )
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    machine = environment.cpu_description()
    print(f"course run time, profile {args.profile}, {date.today()}, {machine}")
    times = {}
    with tempfile.TemporaryDirectory() as out_dir:
        for path in notebooks:
            times[path.stem] = round(run_notebook(path.resolve(), args.profile, Path(out_dir)), 1)
            print(f"{path.stem:<32} {times[path.stem]:8.1f} s", flush=True)
    total = sum(times.values())
    print(f"{'total':<32} {total:8.1f} s  ({total / 60:.1f} min)")
    if args.record:
        print(f"recorded in {results.record_course_time(args.profile, times)}")


if __name__ == "__main__":
    main()
