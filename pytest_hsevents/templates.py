"""Timeline card templates: parse them to check their references, render them as HubSpot does.

HubSpot renders Markdown + Handlebars. We use pybars3 (the Handlebars implementation for
Python) for both jobs: its parser gives the tree we read references from, and its compiler
renders accepted occurrences. pybars' compiler keeps state on the class, hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from pybars import Compiler, PybarsError

__all__ = ["TemplateInfo", "parse_template", "render_template"]

_COMPILER = Compiler()
_COMPILE_LOCK = threading.Lock()
_SCOPE_CHANGING_BLOCKS = frozenset({"each", "with"})


@dataclass(frozen=True)
class TemplateInfo:
    """What a template refers to at its top-level scope, or why it does not parse."""

    references: tuple[tuple[str, ...], ...] = ()
    error: str | None = None
    error_offset: int = 0


def _paths(node: Any) -> Iterator[tuple[str, ...]]:
    """Top-level-scope paths used by a pybars tree node (skips the inside of #each/#with)."""
    if not isinstance(node, (list, tuple)) or not node:
        return
    kind = node[0]
    if kind == "path":
        segments = tuple(s for s in node[1] if s)
        if segments:
            yield segments
    elif kind == "template":
        for child in node[1:]:
            yield from _paths(child)
    elif kind in ("escapedexpand", "expand"):
        path, arguments = node[1], node[2]
        segments = tuple(s for s in path[1] if s)
        if arguments:  # a helper call: its arguments are the references
            for argument in arguments:
                yield from _paths(argument)
        elif segments:
            yield segments
    elif kind in ("block", "invertedblock"):
        _, name, arguments, body, alternative = node
        for argument in arguments:
            yield from _paths(argument)
        if name not in _SCOPE_CHANGING_BLOCKS:
            yield from _paths(body)
        yield from _paths(alternative)
    elif kind == "kwparam":
        yield from _paths(node[2])
    elif kind == "subexpr":
        for argument in node[2]:
            yield from _paths(argument)


@lru_cache(maxsize=4096)
def parse_template(text: str) -> TemplateInfo:
    """Parse a template once; the result is cached because projects repeat templates."""
    parser = _COMPILER._handlebars(text)
    try:
        tree, _ = parser.apply("template")
    except Exception as error:  # pybars raises its parser's own error types
        return TemplateInfo(error=f"cannot parse: {error}")
    consumed = parser.input.position  # the grammar stops before the first tag it can't read
    if consumed < len(text):
        snippet = text[consumed : consumed + 30].split("\n", 1)[0]
        return TemplateInfo(
            error=f"unclosed or malformed tag at character {consumed + 1}: {snippet!r}",
            error_offset=consumed,
        )
    return TemplateInfo(references=tuple(dict.fromkeys(_paths(tree))))


def _format_date(this: object, value: object = None, *args: object) -> str:
    return "" if value is None else str(value)


_HELPERS: Mapping[str, Callable[..., object]] = {"formatDate": _format_date}


@lru_cache(maxsize=1024)
def _compiled(text: str) -> Callable[..., str]:
    with _COMPILE_LOCK:
        return _COMPILER.compile(text)  # type: ignore[no-any-return]


def render_template(text: str | None, context: Mapping[str, object]) -> str | None:
    """Render as HubSpot's timeline would; None when there is no template or it is broken."""
    if not text:
        return None
    try:
        return str(_compiled(text)(dict(context), helpers=_HELPERS))
    except (PybarsError, Exception):
        return None
