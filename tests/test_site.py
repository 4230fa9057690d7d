"""The course website in a real browser (``make site-test``, the last stage of ``make test``).

The site in ``site/`` (``make site``; rebuilt into a temporary folder when older than its
sources; ``KERASCNN_SITE_DIR`` names another built site) is served on 127.0.0.1 and opened
in headless Chromium (the Debian package ``chromium``) driven by Playwright. Starting from
the home page, the test clicks *next* through every page and checks each one: no console
error, no request that leaves the machine, every image decoded, every formula typeset by
MathJax with no TeX error and no raw delimiter left in the text, and on a notebook's page
its figures, its formulas and a working link to its ``.ipynb``. Then it searches for
"convolution". Screenshots of two pages go to ``build/site-test/``.

Marked ``site``: ``make unit`` deselects it (``-m "not site"``), so it runs once.
"""

from __future__ import annotations

import doctest
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
OUTPUT = ROOT / "build" / "site-test"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCES = ["README.md", "mkdocs.yml", "docs", "notebooks", "kerascnn"]
SCREENSHOTS = {"index.html": "home.png", "notebooks/04_convolution_and_filters.html": "04.png"}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_MS = 60_000
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
# Delimiters MathJax leaves only when it did not typeset the formula.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\$[^$\n]*[\\^_{][^$\n]*\$")

# Run in the page: the state of its images and formulas.
PAGE_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = await Promise.all([...document.images].map(async (img) => {
    try { await img.decode(); } catch (e) {}
    return {src: img.src.slice(0, 80), width: img.naturalWidth, ok: img.complete};
  }));
  const raw = [];
  for (const el of document.querySelectorAll(".jp-RenderedMarkdown, .arithmatex")) {
    const copy = el.cloneNode(true);
    copy.querySelectorAll("code, pre, mjx-container, script").forEach((n) => n.remove());
    raw.push(copy.textContent);
  }
  return {
    title: document.title,
    images,
    math: document.querySelectorAll("mjx-container").length,
    mathErrors: [...document.querySelectorAll("mjx-merror")].map((e) => e.textContent),
    text: raw.join("\\n"),
    next: document.querySelector("a.md-footer__link--next")?.getAttribute("href") ?? null,
    download: document.querySelector(".kerascnn-download a")?.href ?? null,
  };
}"""


def _notebook_facts(path: Path) -> dict[str, bool]:
    """Whether a notebook's committed outputs hold an image, and its Markdown holds math."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    images = any(
        key.startswith("image/")
        for cell in cells
        for output in cell.get("outputs", [])
        for key in output.get("data", {})
    )
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    markdown = re.sub(r"`[^`\n]*`", "", markdown)  # math in code spans is not math
    return {"images": images, "math": bool(MATH.search(markdown))}


def _newest_source() -> float:
    paths = [ROOT / name for name in SOURCES]
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return max(p.stat().st_mtime for p in files if p.is_file())


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$KERASCNN_SITE_DIR`` if set; ``site/`` when it is newer than every source; else a
    fresh build in a temporary folder."""
    if given := os.environ.get("KERASCNN_SITE_DIR"):
        return Path(given)
    index = SITE / "index.html"
    if index.is_file() and index.stat().st_mtime >= _newest_source():
        return SITE
    if importlib.util.find_spec("mkdocs") is None:
        pytest.fail(
            "mkdocs is not installed: run `make site-test` (it installs requirements-site.txt)",
            pytrace=False,
        )
    out = tmp_path_factory.mktemp("site")
    print(f"site/ is missing or older than its sources: building into {out}")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, f"mkdocs build failed:\n{build.stdout}\n{build.stderr}"
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 at a free port, for the duration of the module."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def chromium_path() -> str:
    """The Chromium binary: ``$KERASCNN_CHROMIUM``, else the first one on ``PATH``."""
    if found := os.environ.get("KERASCNN_CHROMIUM"):
        if not Path(found).is_file():
            pytest.fail(f"KERASCNN_CHROMIUM={found} is not a file", pytrace=False)
        return found
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    pytest.fail(
        "Chromium not found: apt-get install chromium (or set KERASCNN_CHROMIUM to a "
        "Chrome/Chromium binary)",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (the system's binary; Playwright downloads no browser here)."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "playwright is not installed: run `make site-test` (it installs requirements-site.txt)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page that records console errors and refuses every request off 127.0.0.1.

    ``page.problems`` lists what went wrong, one string per problem.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(base_url) or url.startswith("data:"):
            request_route.continue_()
        else:
            problems.append(f"request off the machine: {url}")
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.problems = problems
    yield page
    context.close()


def test_site_helpers_doctests() -> None:
    """The examples in docs/hooks.py and docs/griffe_docstrings.py (not under `make unit`)."""
    for name in ("hooks", "griffe_docstrings"):
        spec = importlib.util.spec_from_file_location(f"site_{name}", ROOT / "docs" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, name


def test_every_page_in_the_browser(page: Any, base_url: str, site_dir: Path) -> None:
    """Click *next* from the home page to the last page and check every page on the way."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    facts = {f"notebooks/{p.stem}.html": _notebook_facts(p) for p in NOTEBOOKS}
    failures: list[str] = []
    visited: list[str] = []

    page.goto(base_url + "index.html")
    while True:
        path = page.url.removeprefix(base_url).split("#", 1)[0]
        visited.append(path)
        state = page.evaluate(PAGE_STATE)
        where = f"{path} ({state['title']})"
        failures += [f"{where}: {p}" for p in page.problems]
        page.problems.clear()
        bad = [img["src"] for img in state["images"] if not (img["ok"] and img["width"] > 0)]
        failures += [f"{where}: image not decoded: {src}" for src in bad]
        failures += [f"{where}: MathJax error: {e}" for e in state["mathErrors"]]
        if raw := RAW_MATH.findall(state["text"]):
            failures.append(f"{where}: math left as text: {raw[:5]}")
        if expected := facts.get(path):
            download = state["download"] and page.request.get(state["download"])
            if not (download and download.ok and b'"cells"' in download.body()):
                failures.append(f"{where}: no working link to download the notebook")
            if expected["images"] and not state["images"]:
                failures.append(f"{where}: the notebook has image outputs, the page none")
            if expected["math"] and not state["math"]:
                failures.append(f"{where}: the notebook has math, the page no MathJax output")
        if path in SCREENSHOTS:
            page.screenshot(path=OUTPUT / SCREENSHOTS[path])
        if state["next"] is None:
            break
        title, url = state["title"], page.url
        page.click("a.md-footer__link--next")
        page.wait_for_url(lambda new, old=url: new != old)
        page.wait_for_load_state("load")
        assert page.url != url and page.title() != title, f"next from {path} went nowhere"

    print(f"\n{len(visited)} pages checked; screenshots in {OUTPUT}")
    notebook_pages = [f"notebooks/{p.stem}.html" for p in NOTEBOOKS]
    assert [p for p in visited if p.startswith("notebooks/")] == notebook_pages
    assert any(p.startswith("api/") for p in visited) and "docs/syllabus.html" in visited
    assert len(visited) == len(list(site_dir.rglob("*.html"))) - 1  # every page but 404.html
    assert not failures, "\n".join(failures)
    assert all((OUTPUT / name).stat().st_size > 0 for name in SCREENSHOTS.values())


def test_search_finds_convolution(page: Any, base_url: str) -> None:
    """The search box (Material's client-side index) finds the course's pages on a word."""
    page.goto(base_url + "index.html")
    page.click("input.md-search__input")
    page.fill("input.md-search__input", "convolution")
    results = page.locator(".md-search-result__item")
    results.first.wait_for()
    titles = results.all_inner_texts()
    assert titles and any("onvolution" in text for text in titles), titles
    assert not page.problems, page.problems
