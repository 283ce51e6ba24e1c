"""A griffe extension for the API reference: caredomain's docstrings are written in reST
(``:class:`~caredomain.errors.Conflict```, ``Example::``), the site in Markdown.

Roles become code spans (the short name when the target starts with ``~``, as Sphinx shows
it), and a paragraph ending in ``::`` ends in ``:`` before its indented code block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`(~?)([^`]+)`")
_LITERAL_BLOCK = re.compile(r"(\S)::$", re.MULTILINE)
_BARE_LITERAL_BLOCK = re.compile(r"^(\s*)::$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def markdown(text: str) -> str:
    text = _ROLE.sub(_role, text)
    text = _BARE_LITERAL_BLOCK.sub(r"\1", text)
    return _LITERAL_BLOCK.sub(r"\1:", text)


def _convert(obj: griffe.Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = markdown(obj.docstring.value)


class SphinxRoles(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        _convert(obj)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        # A package's own module is not passed to on_object.
        _convert(pkg)
