"""Timeline card templates: parse them to check their references, render them as HubSpot does.

HubSpot renders Markdown + Handlebars. The kit reads Handlebars with its own grammar,
transcribed from handlebars.js 4.7's (`handlebars.lark`, lark's LALR parser) and renders with an
interpreter over that tree (`_hbs_render`) that looks up JSON data only: no template text is
ever compiled or run, and each render is bounded (`MAX_ITERATIONS`, `MAX_OUTPUT`). Both answer
as handlebars.js does (the differential tests hold them to it). Parsing and rendering hold no
lock: the parsed trees are immutable and shared by threads.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from ._hbs_parse import (
    MAX_NESTING,
    Block,
    Expression,
    Mustache,
    Path,
    Program,
    SubExpression,
    TemplateSyntaxError,
    _parser,
    parse,
)
from ._hbs_render import MAX_ITERATIONS, MAX_OUTPUT, RenderError, RenderLimitError, render

__all__ = [
    "MAX_ITERATIONS",
    "MAX_NESTING",
    "MAX_OUTPUT",
    "MAX_PARSE_CHARS",
    "RENDER_RULES",
    "Rendered",
    "TemplateInfo",
    "parse_template",
    "parse_templates",
    "render_template",
    "render_with_problem",
]

MAX_PARSE_CHARS = 100_000
"""Longer templates are not parsed (HST004): HubSpot's own limits are 1,000 and 10,000."""

RENDER_RULES = frozenset({"HST006", "HST007"})
"""Template rules only a render can break (the checker cannot see them; the fake reports them)."""

_SCOPE_CHANGING_BLOCKS = frozenset({"each", "with"})

References = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TemplateInfo:
    """What a template refers to at its top-level scope, or why it does not parse."""

    references: References = ()
    error: str | None = None
    error_offset: int = 0
    rule: str = "HST001"
    """The rule `error` breaks: HST001 (syntax), HST004 (size) or HST005 (nesting)."""


@dataclass(frozen=True)
class Rendered:
    """A render's text, or the rule and message of why there is none."""

    text: str | None
    rule: str | None = None
    message: str | None = None


def _segments(path: Path) -> tuple[str, ...]:
    """A path as the checker names it: `../` is '@_parent', `this.` stays, data gets '@'."""
    if not path.parts:
        return ()
    head = ("@_parent",) * path.depth
    if path.original.startswith("this"):
        head += ("this",)
    first, *rest = path.parts
    return (*head, "@" + first if path.data else first, *rest)


def _expression_references(expression: Expression) -> Iterator[tuple[str, ...]]:
    if isinstance(expression, Path):
        segments = _segments(expression)
        if segments:
            yield segments
    elif isinstance(expression, SubExpression):
        yield from _arguments_references(expression.params, expression.hash)


def _arguments_references(
    params: tuple[Expression, ...], hash_: tuple[tuple[str, Expression], ...]
) -> Iterator[tuple[str, ...]]:
    for param in params:
        yield from _expression_references(param)
    for _, value in hash_:
        yield from _expression_references(value)


def _references(program: Program | None) -> Iterator[tuple[str, ...]]:
    """Top-level-scope paths: a helper call's arguments, a plain mustache's path, and what
    blocks other than #each/#with contain (those two change the scope)."""
    for node in program or ():
        if isinstance(node, Mustache):
            if node.params or node.hash:
                yield from _arguments_references(node.params, node.hash)
            else:
                yield from _expression_references(node.path)
        elif isinstance(node, Block):
            yield from _arguments_references(node.params, node.hash)
            if node.path.original not in _SCOPE_CHANGING_BLOCKS:
                yield from _references(node.program)
            yield from _references(node.inverse)


def _error_info(text: str, error: TemplateSyntaxError) -> TemplateInfo:
    offset = error.offset
    if error.rule != "HST001":
        return TemplateInfo(error=str(error), error_offset=offset, rule=error.rule)
    if str(error) != "malformed":
        return TemplateInfo(error=f"{error} at character {offset + 1}", error_offset=offset)
    snippet = text[offset : offset + 30].split("\n", 1)[0]
    return TemplateInfo(
        error=f"unclosed or malformed tag at character {offset + 1}: {snippet!r}",
        error_offset=offset,
    )


@lru_cache(maxsize=4096)
def parse_template(text: str) -> TemplateInfo:
    """Parse a template once; the result is cached because projects repeat templates."""
    if "{{" not in text:
        return TemplateInfo()
    if len(text) > MAX_PARSE_CHARS:
        return TemplateInfo(
            error=f"{len(text):,} characters; templates over {MAX_PARSE_CHARS:,} are not parsed",
            rule="HST004",
        )
    try:
        program = parse(text, control_whitespace=False)
    except TemplateSyntaxError as error:
        return _error_info(text, error)
    return TemplateInfo(references=tuple(dict.fromkeys(_references(program))))


PARALLEL_MIN_TEMPLATES = 400
"""Below this many distinct templates a second process costs more than it saves."""


def parse_templates(
    texts: Iterable[str], meanwhile: Callable[[], object] | None = None
) -> dict[str, TemplateInfo]:
    """Parse many templates at once, running `meanwhile` (other work) as they parse.

    lark is pure Python (~0.3 ms a template), so the 1,500 templates of a 750-type project
    are about half of `hsevents check`. On Linux with a spare core, a forked process parses
    most of them while this one runs `meanwhile` and parses the rest. The child is forked, so
    it inherits the built parser, and only from a single-threaded process (forking one with
    threads can deadlock); anywhere else, or for fewer templates, all of it runs here.
    """
    todo = list(dict.fromkeys(text for text in texts if "{{" in text))
    share = 0
    if len(todo) >= PARALLEL_MIN_TEMPLATES and _can_fork():
        share = len(todo) * 2 // 3 if meanwhile is not None else len(todo) // 2
    with _forked(todo[:share]) as collect:
        if meanwhile is not None:
            meanwhile()
        parsed = {text: parse_template(text) for text in todo[share:]}
        parsed.update(zip(todo[:share], collect()))
    return parsed


@contextmanager
def _forked(texts: list[str]) -> Iterator[Callable[[], list[TemplateInfo]]]:
    """Parse `texts` in a forked process; the call it yields collects them. They are parsed
    here instead when no process can be forked (a process limit) or the child dies."""
    if not texts:
        yield lambda: []
        return
    import multiprocessing  # ~15 ms of imports, paid only by large projects
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _parser()  # built before the fork, so the child has it
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as pool:
        try:
            future = pool.submit(_parse_all, texts)
        except OSError:
            yield lambda: _parse_all(texts)
            return

        def collect() -> list[TemplateInfo]:
            try:
                return future.result()
            except BrokenProcessPool:
                return _parse_all(texts)

        yield collect


def _parse_all(texts: list[str]) -> list[TemplateInfo]:
    return [parse_template(text) for text in texts]


def _can_fork() -> bool:
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    return len(os.sched_getaffinity(0)) > 1


@lru_cache(maxsize=1024)
def _compiled(text: str) -> Program | TemplateSyntaxError:
    if len(text) > MAX_PARSE_CHARS:
        message = f"templates over {MAX_PARSE_CHARS:,} characters are not parsed"
        return TemplateSyntaxError(message, 0, "HST004")
    try:
        return parse(text)
    except TemplateSyntaxError as error:
        return error


def render_with_problem(text: str | None, context: Mapping[str, Any]) -> Rendered:
    """Render as HubSpot's timeline would, or say which rule stopped it.

    A template that does not parse or throws in handlebars.js (a missing helper) has no text
    and no rule (HubSpot shows a broken card); one past a limit names HST004-HST007.
    """
    if not text:
        return Rendered(None)
    program = _compiled(text)
    if isinstance(program, TemplateSyntaxError):
        rule = None if program.rule == "HST001" else program.rule
        return Rendered(None, rule, str(program))
    try:
        return Rendered(render(program, dict(context)))
    except RenderLimitError as error:
        return Rendered(None, error.rule, str(error))
    except RenderError as error:
        return Rendered(None, None, str(error))


def render_template(text: str | None, context: Mapping[str, Any]) -> str | None:
    """Render as HubSpot's timeline would; None when there is no template or it is broken."""
    return render_with_problem(text, context).text
