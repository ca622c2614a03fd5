"""Timeline card templates: parse them to check their references, render them as HubSpot does.

HubSpot renders Markdown + Handlebars. pybars3 (the Handlebars implementation for Python)
renders accepted occurrences and is the authority on what a template refers to and whether it
parses: its verdict is the one its compiler reaches (which first strips `~` whitespace control,
as handlebars.js does). pybars3 parses with a PEG interpreter (~5 ms a template), so templates
are first read by lark's LALR parser with a grammar transcribed from handlebars.js' own
(handlebars.lark), narrowed to what both read alike; pybars3 decides only what that grammar
does not accept. pybars' compiler keeps state on the class, hence the lock.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Union

from lark import Lark, LarkError, Token, Transformer

__all__ = ["TemplateInfo", "parse_template", "parse_templates", "render_template"]

_COMPILE_LOCK = threading.Lock()
_SCOPE_CHANGING_BLOCKS = frozenset({"each", "with"})
_GRAMMAR = Path(__file__).with_name("handlebars.lark")

References = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TemplateInfo:
    """What a template refers to at its top-level scope, or why it does not parse."""

    references: References = ()
    error: str | None = None
    error_offset: int = 0


# pybars' tree: the references it yields are what the checker reports, so they are the contract.


def _paths(node: Any) -> References:
    """Top-level-scope paths used by a pybars tree node (skips the inside of #each/#with)."""
    if not isinstance(node, (list, tuple)) or not node:
        return ()
    kind = node[0]
    if kind == "path":
        segments = tuple(s for s in node[1] if s)
        return (segments,) if segments else ()
    if kind == "template":
        return _all_paths(node[1:])
    if kind in ("escapedexpand", "expand"):
        path, arguments = node[1], node[2]
        if arguments:  # a helper call: its arguments are the references
            return _all_paths(arguments)
        return _paths(path)
    if kind in ("block", "invertedblock"):
        _, name, arguments, body, alternative = node
        inside = () if name in _SCOPE_CHANGING_BLOCKS else _paths(body)
        return _all_paths(arguments) + inside + _paths(alternative)
    if kind == "kwparam":
        return _paths(node[2])
    if kind == "subexpr":
        return _all_paths(node[2])
    return ()


def _all_paths(nodes: Any) -> References:
    return tuple(path for node in nodes for path in _paths(node))


@lru_cache(maxsize=1)
def _compiler() -> Any:
    """pybars3's compiler, imported on first need: building its grammar costs ~0.3 s."""
    from pybars import Compiler

    return Compiler()


# '{{~' and '~}}' with the whitespace they strip, as handlebars.js strips it.
_WHITESPACE_CONTROL = re.compile(r"\s*\{\{~|~\}\}\s*")


def _tildes_applied(text: str) -> str:
    """`text` with `~` whitespace control applied, before pybars sees it.

    pybars' compiler does this too, but its rule for tags alone on a line can match first and
    then leave the whitespace a '~' strips (handlebars.js strips it).
    """
    return _WHITESPACE_CONTROL.sub(lambda match: match.group().strip().replace("~", ""), text)


def _pybars_info(text: str) -> TemplateInfo:
    """What pybars' compiler makes of `text`: the authority every fast answer must agree with."""
    # what it parses: `text` less '~' and some whitespace, nothing else
    source = _compiler().whitespace_control(_tildes_applied(text))
    try:
        parser = _compiler()._handlebars(source)
        tree, _ = parser.apply("template")
    except Exception as error:  # pybars raises its parser's own error types
        return TemplateInfo(error=f"cannot parse: {error}")
    consumed = parser.input.position  # it stops before a tag it cannot read
    if consumed < len(source):
        return _malformed_at(text, _original_offset(text, source, consumed))
    return TemplateInfo(references=tuple(dict.fromkeys(_paths(tree))))


def _original_offset(text: str, kept: str, offset: int) -> int:
    """Where `kept[offset]` is in `text`, `kept` being `text` with some characters deleted.

    Greedy matching is exact for a character that is never deleted, such as the '{' of the
    tag pybars stops at (whitespace control deletes only whitespace and '~').
    """
    position = 0
    for char in kept[: offset + 1]:
        position = text.index(char, position) + 1
    return position - 1


def _malformed_at(text: str, offset: int) -> TemplateInfo:
    snippet = text[offset : offset + 30].split("\n", 1)[0]
    return TemplateInfo(
        error=f"unclosed or malformed tag at character {offset + 1}: {snippet!r}",
        error_offset=offset,
    )


# The fast path: lark reads the template with handlebars.lark and these callbacks (run while it
# parses) compute the references pybars would report, or give up on what the grammar cannot rule
# out: those templates go to pybars.


class _Undecided(Exception):
    """The grammar accepts the template but pybars or handlebars.js may not: pybars decides."""


@dataclass(frozen=True)
class _Path:
    segments: tuple[str, ...]  # as pybars splits and names them
    text: str


@dataclass(frozen=True)
class _Call:
    arguments: int
    references: References


Argument = Union[_Path, References]
# pybars reads a param starting like a number or keyword as that literal, then wants a space.
_LITERAL = re.compile(r"(?:-?[0-9]+|true|false|null|undefined)\Z")
_LITERAL_START = re.compile(r"-?[0-9]|true|false|null|undefined")


class _References(Transformer[Token, References]):
    """Rule callbacks for handlebars.lark, named after its rules."""

    def path(self, tokens: list[Token]) -> _Path:
        """pybars' segments: '../' is one segment ('@_parent'), '.', '/' and '..' none.

        handlebars.js allows '.', '..' and 'this' only before the first name; pybars cannot
        read a segment `else` where `{{else}}` could stand.
        """
        segments: list[str] = []
        named = False
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "SEP":
                continue
            if kind in ("DOT", "DOTDOT") or token == "this":
                if named:
                    raise _Undecided(f"{token!r} after a name")
                if kind == "DOTDOT" and tokens[index + 1 : index + 2] == ["/"]:
                    segments.append("@_parent")
                elif token == "this":
                    segments.append("this")
                continue
            if token == "else":
                raise _Undecided("a segment 'else'")
            named = True
            segments.append(str(token))
        last = tokens[-1]
        if (len(tokens) > 1 or last.type == "DATA_ID") and _LITERAL.match(last.lstrip("@")):
            raise _Undecided("handlebars.js reads a number or keyword there, not a name")
        return _Path(tuple(segments), "".join(tokens))

    def param(self, children: list[Argument]) -> References:
        return _argument(children)

    def pair(self, children: list[Any]) -> References:
        return _argument(children[1:])

    def call(self, arguments: list[References]) -> _Call:
        return _Call(len(arguments), tuple(p for argument in arguments for p in argument))

    def sexpr(self, children: list[Any]) -> References:
        _, call = children
        return call.references  # type: ignore[no-any-return]

    def mustache(self, children: list[Any]) -> References:
        _, path, call, _ = children
        if call.arguments:  # a helper call: its arguments are the references
            return call.references  # type: ignore[no-any-return]
        return (path.segments,) if path.segments else ()

    def block(self, children: list[Any]) -> References:
        name, call, body = children[1], children[2], children[4]
        alternative = children[6] if len(children) == 8 else ()
        closing = children[-1].strip("{~/}")
        if name == "else" or closing != name:
            raise _Undecided(f"block {name!r} closed by {closing!r}")
        inside = () if name in _SCOPE_CHANGING_BLOCKS else body
        return call.references + inside + alternative  # type: ignore[no-any-return]

    def program(self, statements: list[References]) -> References:
        return tuple(p for statement in statements for p in statement)

    def start(self, children: list[References]) -> References:
        return children[0]


def _argument(children: list[Argument]) -> References:
    """References of a param or hash value (no child: a string, which the grammar drops)."""
    if not children:
        return ()
    value = children[0]
    if not isinstance(value, _Path):
        return value
    if _LITERAL.match(value.text):
        return ()
    if _LITERAL_START.match(value.text):
        raise _Undecided(f"{value.text!r} starts like a literal")
    return (value.segments,) if value.segments else ()


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """lark's LALR parser for handlebars.lark, built on first use (its tables cached on disk)."""
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        transformer=_References(),
        cache=True,
    )


def _lark_references(text: str) -> References | None:
    """The references pybars would report, read by lark; None if pybars has to decide."""
    try:
        references: References = _parser().parse(text)  # type: ignore[assignment]
    except (LarkError, _Undecided):
        return None
    return tuple(dict.fromkeys(references))


@lru_cache(maxsize=4096)
def parse_template(text: str) -> TemplateInfo:
    """Parse a template once; the result is cached because projects repeat templates."""
    if "{{" not in text:
        return TemplateInfo()
    references = _lark_references(text)
    if references is not None:
        return TemplateInfo(references=references)
    return _pybars_info(text)


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


def _format_date(this: object, value: object = None, *args: object) -> str:
    return "" if value is None else str(value)


_HELPERS: Mapping[str, Callable[..., object]] = {"formatDate": _format_date}


@lru_cache(maxsize=1024)
def _compiled(text: str) -> Callable[..., str]:
    with _COMPILE_LOCK:
        return _compiler().compile(_tildes_applied(text))  # type: ignore[no-any-return]


def render_template(text: str | None, context: Mapping[str, object]) -> str | None:
    """Render as HubSpot's timeline would; None when there is no template or it is broken."""
    if not text:
        return None
    try:
        return str(_compiled(text)(dict(context), helpers=_HELPERS))
    except Exception:  # pybars raises its own error types, and any a helper raises
        return None
