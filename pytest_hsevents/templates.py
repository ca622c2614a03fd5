"""Timeline card templates: parse them to check their references, render them as HubSpot does.

HubSpot renders Markdown + Handlebars. We use pybars3 (the Handlebars implementation for
Python) for both jobs: its parser gives the tree we read references from, and its compiler
renders accepted occurrences. pybars' compiler keeps state on the class, hence the lock.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
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


def _pybars_read(text: str) -> tuple[Any, int]:
    """pybars' tree for `text` and how far its grammar got (it stops before a tag it can't read)."""
    parser = _COMPILER._handlebars(text)
    tree, _ = parser.apply("template")
    return tree, parser.input.position


def _pybars_info(text: str) -> TemplateInfo:
    """What pybars makes of `text` as written: the authority every shortcut must agree with."""
    try:
        tree, consumed = _pybars_read(text)
    except Exception as error:  # pybars raises its parser's own error types
        return TemplateInfo(error=f"cannot parse: {error}")
    if consumed < len(text):
        return _malformed_at(text, consumed)
    return TemplateInfo(references=tuple(dict.fromkeys(_paths(tree))))


def _malformed_at(text: str, offset: int) -> TemplateInfo:
    snippet = text[offset : offset + 30].split("\n", 1)[0]
    return TemplateInfo(
        error=f"unclosed or malformed tag at character {offset + 1}: {snippet!r}",
        error_offset=offset,
    )


# A tag holding one of these may run on past its first '}}' (inside a "string" or [segment]).
_TAG_MAY_OVERRUN = frozenset("\"'[]")
# A literal run holding one of these is kept as written: it may join or escape a tag.
_RUN_KEPT = frozenset("{}\\~")


def _shrunk(text: str) -> tuple[str, list[int], list[int]] | None:
    """`text` with each literal run between tags cut to one character, and where pieces moved.

    pybars' PEG interpreter pays per character, literal text included, yet literal text can
    neither make a template invalid nor add a reference. Tags are only located (from '{{' to
    the next '}}'); pybars still parses every one. Returns the shrunk text and the start of each
    piece in it and in `text`, or None when nothing shrinks or a tag may run on past its '}}'
    (then only pybars reading the whole text can say where tags end).
    """
    pieces: list[str] = []
    shrunk_starts: list[int] = []
    starts: list[int] = []
    length = position = 0
    shrank = False
    while position < len(text):
        opening = text.find("{{", position)
        if opening < 0:
            opening = len(text)
        run = text[position:opening]
        if run:
            shrunk_starts.append(length)
            starts.append(position)
            if len(run) > 1 and _RUN_KEPT.isdisjoint(run):
                run, shrank = "x", True
            pieces.append(run)
            length += len(run)
        if opening == len(text):
            break
        closing = text.find("}}", opening + 2)
        position = len(text) if closing < 0 else closing + 2
        tag = text[opening:position]
        if not _TAG_MAY_OVERRUN.isdisjoint(tag):
            return None
        shrunk_starts.append(length)
        starts.append(opening)
        pieces.append(tag)
        length += len(tag)
    return ("".join(pieces), shrunk_starts, starts) if shrank else None


def _parse_shrunk(text: str) -> TemplateInfo:
    """pybars' verdict on `text`, read from its shrunk form when it has one."""
    shrunk = _shrunk(text)
    if shrunk is None:
        return _pybars_info(text)
    short, shrunk_starts, starts = shrunk
    try:
        tree, consumed = _pybars_read(short)
    except Exception:  # its message would quote the shrunk text: let pybars read the original
        return _pybars_info(text)
    if consumed < len(short):  # always at a '{{', which sits in a piece kept as written
        piece = bisect_right(shrunk_starts, consumed) - 1
        return _malformed_at(text, starts[piece] + consumed - shrunk_starts[piece])
    return TemplateInfo(references=tuple(dict.fromkeys(_paths(tree))))


# `{{a}}`, `{{extraData.x.y}}`: segments pybars reads as one symbol each ([A-Za-z0-9_] are
# letterOrDigit to its grammar), one '.' between them.
_PLAIN_TAG = re.compile(r"\{\{([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\}\}")
_OPENING = re.compile(r"(?=\{\{)")  # every '{{', overlapping ones included ('{{{')


def _plain_references(text: str) -> tuple[tuple[str, ...], ...] | None:
    """The references of a template whose every '{{' opens a plain `{{path}}`, else None.

    pybars reads such a template as literal text and escaped expansions of those paths, so
    its references are the paths in order. A last segment `else` is pybars' `{{else}}`, not a
    path: left to pybars. tests/test_templates.py checks this against pybars on drawn templates.
    """
    tags = list(_PLAIN_TAG.finditer(text))
    if [tag.start() for tag in tags] != [o.start() for o in _OPENING.finditer(text)]:
        return None
    paths = [tuple(tag.group(1).split(".")) for tag in tags]
    if any(path[-1] == "else" for path in paths):
        return None
    return tuple(dict.fromkeys(paths))


@lru_cache(maxsize=4096)
def parse_template(text: str) -> TemplateInfo:
    """Parse a template once; the result is cached because projects repeat templates."""
    references = _plain_references(text)
    if references is not None:
        return TemplateInfo(references=references)
    return _parse_shrunk(text)


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
