"""MkDocs hooks that turn the repository into the course's website (``make site``).

The site mirrors the repository: README.md is the home page (``index.md``), a page of
``docs/`` keeps its path (``docs/syllabus.md``), a notebook keeps its path
(``notebooks/04_convolution_and_filters.ipynb``), so the relative links the README and the
syllabus already hold work unchanged. Nothing is copied into the repository and no
notebook is executed: the pages are rendered from the committed outputs.

What the hooks add to ``mkdocs.yml``:

* the navigation, built from ``extra.course_parts`` (a part's title and the range of
  notebook numbers it holds) and the notebooks found; a notebook in no part stops the
  build, so a new notebook cannot silently miss the navigation;
* one API page per public module of ``kerascnn`` (``extra.api_modules`` gives the order;
  a module found in the package but not listed is added after them);
* MathJax, copied from the ``django-static-mathjax`` wheel into ``assets/mathjax``, so
  math renders with no network;
* offline pages: the notebook template's CDN scripts (MathJax 2, require.js) are removed,
  remote images (the Colab badge) become text, and a page that still loads anything from
  the network stops the build.
"""

from __future__ import annotations

import logging
import pkgutil
import posixpath
import re
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = "notebooks"
NOTEBOOK_NAME = re.compile(r"^(\d\d)_\w+\.ipynb$")
PACKAGE = "kerascnn"
# What the site takes from MathJax's es5 build: the TeX+MathML -> CommonHTML component,
# the pieces it loads on demand (TeX extensions, fonts, menu, accessibility) and the licence.
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre")
log = logging.getLogger("mkdocs.hooks.kerascnn")

# A markdown link or image: [text](target) / ![alt](target); the target has no spaces.
MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]+)\)")
# A notebook named in backticks (README's course map, the syllabus), not already a link.
NOTEBOOK_MENTION = re.compile(r"(?<!\[)`(\d\d_[a-z0-9_]+)`(?!\])")
# Resources a browser fetches by itself (links it only follows, <a href>, are fine).
REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=(?:\"\"|''|[\"']?(?:https?:)?//[^>]*)>\s*</script>", re.I
)
# An inline script that imports a module from the network (nbconvert's Mermaid loader).
REMOTE_IMPORT_SCRIPT = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?\bimport\s*\(?\s*[\"'](?:https?:)?//.*?</script>",
    re.I | re.S,
)
MATHJAX2_CONFIG = re.compile(r"<script type=\"text/x-mathjax-config\">.*?</script>", re.I | re.S)
REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>", re.I)
ALT = re.compile(r"\balt=[\"']([^\"']*)[\"']", re.I)
REMOTE_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed|track|input)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//"
    r"|\bimport\s*\(?\s*[\"'](?:https?:)?//",
    re.I,
)


def notebooks() -> list[str]:
    """The course's notebooks, ``notebooks/NN_name.ipynb``, in course order."""
    return sorted(
        f"{NOTEBOOK_DIR}/{path.name}"
        for path in (ROOT / NOTEBOOK_DIR).glob("*.ipynb")
        if NOTEBOOK_NAME.match(path.name)
    )


def parse_range(text: str) -> range:
    """``"04-06"`` -> ``range(4, 7)``; ``"15"`` -> ``range(15, 16)``.

    >>> list(parse_range("04-06"))
    [4, 5, 6]
    """
    first, _, last = str(text).partition("-")
    try:
        return range(int(first), int(last or first) + 1)
    except ValueError:
        raise PluginError(
            f"extra.course_parts: expected a range of notebook numbers like '04-06', got {text!r}"
        ) from None


def course_parts(parts: dict[str, Any], found: list[str]) -> list[dict[str, list[str]]]:
    """The navigation's parts: each title with the notebooks whose number is in its range.

    Raises ``PluginError`` when a notebook falls in no part or a part holds none.
    """
    if not isinstance(parts, dict) or not parts:
        raise PluginError("mkdocs.yml: extra.course_parts must map a part's title to '00-03'")
    nav, placed = [], set()
    for title, numbers in parts.items():
        numbers = parse_range(numbers)
        members = [nb for nb in found if int(Path(nb).name[:2]) in numbers]
        if not members:
            raise PluginError(f"extra.course_parts: part {title!r} ({numbers}) holds no notebook")
        nav.append({title: members})
        placed.update(members)
    if missing := [nb for nb in found if nb not in placed]:
        raise PluginError(
            f"extra.course_parts in mkdocs.yml: no part holds {', '.join(missing)}; "
            "widen a part's range or add a part"
        )
    return nav


def api_modules(listed: list[str]) -> list[str]:
    """Public modules of ``kerascnn``: those listed first, in order, then any other found."""
    found = [m.name for m in pkgutil.iter_modules([str(ROOT / PACKAGE)]) if m.name[0] != "_"]
    if unknown := [name for name in listed if name not in found]:
        raise PluginError(f"extra.api_modules: no module kerascnn.{', '.join(unknown)}")
    return list(listed) + sorted(set(found) - set(listed))


def docs_pages(docs_dir: Path) -> list[str]:
    """The markdown pages of ``docs/`` as site paths (``docs/syllabus.md``), syllabus first."""
    pages = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    pages.sort(key=lambda page: page != "syllabus.md")
    return [f"docs/{page}" for page in pages]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Build the navigation: home, the docs pages, the course in parts, the API reference."""
    extra = config.extra
    nav: list[Any] = [{"Home": "index.md"}]
    nav += docs_pages(Path(config.docs_dir))
    nav += course_parts(extra.get("course_parts", {}), notebooks())
    modules = api_modules(extra.get("api_modules", []))
    nav.append({"API reference": [{f"{PACKAGE}.{m}": f"api/{m}.md"} for m in modules]})
    config.nav = nav
    extra["kerascnn_api_modules"] = modules
    return config


def mathjax_dir() -> Path:
    """MathJax 3's es5 build as the ``django-static-mathjax`` wheel ships it."""
    try:
        base = resources.files("mathjax") / "static" / "mathjax" / "es5"
    except ModuleNotFoundError:
        base = None
    if base is None or not (Path(str(base)) / "tex-mml-chtml.js").is_file():
        raise PluginError(
            "MathJax is missing: `make site` installs it, or "
            "`pip install -r requirements-site.txt` (package django-static-mathjax)"
        )
    return Path(str(base))


def _linked_repo_files(markdown: str, page_path: str) -> list[str]:
    """Repository files (not pages) an image in ``markdown`` shows, as repository paths."""
    out = []
    for bang, _, target in MD_LINK.findall(markdown):
        path = _resolve(page_path, target)
        if bang and path and (ROOT / path).is_file():
            out.append(path)
    return out


def _resolve(page_path: str, target: str) -> str | None:
    """A relative link of a page as a repository path, or None for URLs and anchors."""
    if re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", target, re.I):
        return None
    path = target.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path))
    return None if path.startswith("..") else path


@event_priority(100)  # before mkdocs-jupyter, which turns the .ipynb files into pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """The site's files: README as index.md, docs/, the notebooks, API pages, MathJax."""
    docs_dir = Path(config.docs_dir)
    kept = Files([])
    for file in files:
        in_docs = file.abs_src_path and Path(file.abs_src_path).is_relative_to(docs_dir)
        if in_docs and file.src_uri.endswith(".md"):  # docs/x.md keeps its repository path
            file = File(
                f"docs/{file.src_uri}", str(ROOT), config.site_dir, config.use_directory_urls
            )
        kept.append(file)

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    kept.append(File.generated(config, "index.md", content=readme))
    images = set(_linked_repo_files(readme, "index.md"))
    for page in docs_pages(docs_dir):
        images.update(_linked_repo_files((ROOT / page).read_text(encoding="utf-8"), page))
    for path in sorted(images):
        kept.append(File(path, str(ROOT), config.site_dir, config.use_directory_urls))

    for notebook in notebooks():
        kept.append(File(notebook, str(ROOT), config.site_dir, config.use_directory_urls))

    for module in config.extra["kerascnn_api_modules"]:
        content = (
            f"# `{PACKAGE}.{module}`\n\n"
            f"The docstrings of `{PACKAGE}/{module}`, rendered by mkdocstrings. Their examples "
            "are run as doctests by `make test`.\n\n"
            f"::: {PACKAGE}.{module}\n"
        )
        kept.append(File.generated(config, f"api/{module}.md", content=content))

    source = mathjax_dir()
    for part in MATHJAX_PARTS:
        paths = [source / part] if (source / part).is_file() else (source / part).rglob("*")
        for path in paths:
            if path.is_file():
                uri = f"assets/mathjax/{path.relative_to(source).as_posix()}"
                kept.append(File.generated(config, uri, abs_src_path=str(path)))
    licence = source.parent / "LICENSE"
    if licence.is_file():
        kept.append(File.generated(config, "assets/mathjax/LICENSE", abs_src_path=str(licence)))
    return kept


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Link the notebooks named in backticks; unlink repository files the site lacks."""
    here = page.file.src_uri

    def mention(match: re.Match[str]) -> str:
        target = f"{NOTEBOOK_DIR}/{match.group(1)}.ipynb"
        if files.get_file_from_path(target) is None:
            return match.group(0)
        return f"[{match.group(0)}]({posixpath.relpath(target, posixpath.dirname(here) or '.')})"

    def link(match: re.Match[str]) -> str:
        bang, text, target = match.groups()
        path = _resolve(here, target)
        if bang or path is None or files.get_file_from_path(path) is not None:
            return match.group(0)
        if (ROOT / path).exists():  # a file of the repository that is not on the site
            log.info("%s: link to %s (not on the site) kept as text", here, path)
            return text
        return match.group(0)

    if page.file.src_uri.endswith(".md"):
        markdown = MD_LINK.sub(link, markdown)
        markdown = NOTEBOOK_MENTION.sub(mention, markdown)
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Put a link to download the notebook's ``.ipynb`` under its title (``include_source``)."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    name = Path(page.file.src_uri).name
    link = (
        f'<p class="kerascnn-download"><a href="{name}" download>Download the notebook '
        f"(<code>{name}</code>)</a> to run it in Jupyter or Colab.</p>\n"
    )
    return html.replace("</h1>", "</h1>\n" + link, 1) if "</h1>" in html else link + html


def offline_html(html: str) -> str:
    """The page with the notebook template's CDN scripts removed, remote images as text.

    Removed: scripts with a remote (or empty) ``src``, the MathJax 2 configuration and
    inline scripts that import a module from the network (nbconvert's Mermaid loader,
    which the course's notebooks do not need).

    >>> offline_html('<p><img alt="Open In Colab" src="https://x.org/b.svg"/></p>')
    '<p><span class="kerascnn-badge">Open In Colab</span></p>'
    >>> offline_html('<script src="https://cdn.example/mathjax.js"> </script>ok')
    'ok'
    >>> offline_html('<script type="module">await import("https://cdn.example/m.mjs")</script>ok')
    'ok'
    """
    html = REMOTE_SCRIPT.sub("", html)
    html = MATHJAX2_CONFIG.sub("", html)
    html = REMOTE_IMPORT_SCRIPT.sub("", html)

    def badge(match: re.Match[str]) -> str:
        alt = ALT.search(match.group(0))
        return f'<span class="kerascnn-badge">{alt.group(1) if alt else "image"}</span>'

    return REMOTE_IMG.sub(badge, html)


def remote_resources(text: str) -> list[str]:
    """Snippets of ``text`` (HTML or CSS) that make a browser fetch from the network.

    >>> remote_resources('<a href="https://x.org">a link is fine</a>')
    []
    >>> remote_resources('<link rel="stylesheet" href="https://fonts.x/css">')
    ['<link rel="stylesheet" href="https://fonts.x/css">']
    """
    return [text[m.start() : text.find(">", m.start()) + 1] for m in REMOTE_RESOURCE.finditer(text)]


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Make the page offline; stop the build if it still loads anything remote."""
    output = offline_html(output)
    if remote := remote_resources(output):
        raise PluginError(
            f"{page.file.src_uri}: the page would load from the network, which the offline "
            f"site must not: {remote[:3]}"
        )
    return output


def on_post_build(config: MkDocsConfig) -> None:
    """Check every stylesheet of the built site for remote fonts or imports."""
    site = Path(config.site_dir)
    for css in site.rglob("*.css"):
        if remote := remote_resources(css.read_text(encoding="utf-8", errors="replace")):
            raise PluginError(f"{css.relative_to(site)} loads from the network: {remote[:3]}")
    pages = len(list(site.rglob("*.html")))
    log.info("site: %d HTML pages in %s, no remote resources", pages, site)
