"""Shared by every test, doctests of the package included: headless matplotlib, and each
figure closed after its test so that no run keeps dozens of figures open.

When nbval executes the notebooks (``make notebooks``) with ``KERASCNN_RECORD_TIMES=1``,
each notebook's wall time (from its first cell to its last) is written to
``results/course_time_<profile>.json``, the file ``benchmarks/course_time.py --record``
writes, from which ``scripts/render_results.py`` renders the notebooks' "Time to run".
Those are each notebook's time alone on the machine, so they are recorded only from a run
without pytest-xdist workers (``make notebooks NOTEBOOK_WORKERS=0``)."""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

_NOTEBOOK_SPANS: dict[str, list[float]] = {}  # notebook -> [first start, last stop]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        span = _NOTEBOOK_SPANS.setdefault(Path(path).stem, [report.start, report.stop])
        span[:] = [min(span[0], report.start), max(span[1], report.stop)]


def pytest_sessionfinish(session, exitstatus):
    if not (os.environ.get("KERASCNN_RECORD_TIMES") and _NOTEBOOK_SPANS):
        return
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller records
        return
    if getattr(session.config.option, "numprocesses", None):
        print("\nnotebook times not recorded: they ran side by side (NOTEBOOK_WORKERS=0)")
        return
    from kerascnn import profiles, results

    seconds = {name: stop - start for name, (start, stop) in _NOTEBOOK_SPANS.items()}
    results.record_course_time(profiles.get_profile().name, seconds)
