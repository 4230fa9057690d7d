"""A Griffe extension for the site's API reference: the package's docstrings as Markdown.

The docstrings of ``kerascnn`` are written for ``help()`` and doctest: examples are bare
``>>>`` blocks and cross-references are Sphinx roles (``:func:`name```). In Markdown a
``>>>`` line is a triple block quote and a role prints its colons, so before mkdocstrings
renders a docstring this extension fences each doctest block as ``pycon`` and turns each
role into inline code. The docstrings themselves stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|exc|obj|const):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    r"""Wrap every doctest block (``>>>`` lines and their output) in a ``pycon`` fence.

    A block runs from its first ``>>>`` line to the next blank line, as in doctest.

    >>> fence_doctests("Add.\n\n>>> 1 + 1\n2\n\nDone.").split("\n")
    ['Add.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    if "```pycon" in text:  # already fenced (the same docstring reached twice)
        return text
    out: list[str] = []
    fence = ""  # the indentation of the open block, "" when none is open
    inside = False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not inside and stripped.startswith(">>>"):
            fence, inside = line[: len(line) - len(stripped)], True
            out.append(f"{fence}```pycon")
        elif inside and not stripped:
            out.append(f"{fence}```")
            inside = False
        out.append(line)
    if inside:
        out.append(f"{fence}```")
    return "\n".join(out)


def markdown_docstring(text: str) -> str:
    """A docstring of the package as Markdown: fenced doctests, roles as inline code.

    >>> markdown_docstring("Raises :class:`CorruptDatasetError`.")
    'Raises `CorruptDatasetError`.'
    """
    return fence_doctests(ROLE.sub(r"`\1`", text))


class MarkdownDocstrings(griffe.Extension):
    """Rewrite each docstring once Griffe has loaded the package (see the module docstring)."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Convert ``obj``'s docstring in place, if it has one."""
        if not obj.is_alias and obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
