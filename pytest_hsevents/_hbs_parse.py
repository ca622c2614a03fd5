"""Handlebars source to a tree, as handlebars.js 4.7 parses it (`handlebars.lark`).

lark's LALR parser runs the `_Builder` callbacks as it reads, so no parse tree is kept. The
result goes through handlebars.js' whitespace control (`~` and standalone lines) and is
frozen into tuples: `Text` strings, `Mustache` and `Block` nodes over `Path`, `Literal` and
`SubExpression` values. Nothing here evaluates anything; `_hbs_render` walks the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any, NamedTuple, Union

from lark import Lark, LarkError, Token, Transformer, UnexpectedInput
from lark.exceptions import VisitError

from ._hbs_js import js_string

__all__ = [
    "MAX_NESTING",
    "Block",
    "Literal",
    "Mustache",
    "Node",
    "Path",
    "Program",
    "SubExpression",
    "TemplateSyntaxError",
    "parse",
]

MAX_NESTING = 32
"""Blocks and subexpressions nest at most this deep: deeper templates are refused (HST005)."""

_GRAMMAR = FilePath(__file__).with_name("handlebars.lark")


class TemplateSyntaxError(ValueError):
    """The template is not Handlebars that handlebars.js would compile, or nests too deep."""

    def __init__(self, message: str, offset: int, rule: str = "HST001") -> None:
        super().__init__(message)
        self.offset = offset
        self.rule = rule


class Path(NamedTuple):
    """`a.b`, `../a`, `this.a`, `@index`: parts after `..`/`.`/`this`, which set depth/scope."""

    parts: tuple[str, ...]
    depth: int
    data: bool
    scoped: bool  # starts with '.' or 'this': never a helper or block param
    original: str


class Literal(NamedTuple):
    value: str | float | bool | None


class SubExpression(NamedTuple):
    path: Path
    params: tuple[Expression, ...]
    hash: tuple[tuple[str, Expression], ...]


Expression = Union[Path, Literal, SubExpression]


class Mustache(NamedTuple):
    path: Path
    params: tuple[Expression, ...]
    hash: tuple[tuple[str, Expression], ...]
    escaped: bool


class Block(NamedTuple):
    """`{{#name ...}}program{{else}}inverse{{/name}}`; `{{^name}}` swaps the two."""

    path: Path
    params: tuple[Expression, ...]
    hash: tuple[tuple[str, Expression], ...]
    block_params: tuple[str, ...]
    program: Program | None
    inverse: Program | None


Node = Union[str, Mustache, Block]
Program = tuple[Node, ...]

# While building: content, comments and tags carry what whitespace control needs.


class _Content:
    __slots__ = ("escaped", "left_stripped", "original", "right_stripped", "value")

    def __init__(self, value: str, escaped: bool = False) -> None:
        self.value = self.original = value
        self.escaped = escaped  # a '\{{...' run: its own node, as in handlebars.js
        self.left_stripped = self.right_stripped = False


@dataclass
class _Strip:
    open: bool
    close: bool


@dataclass
class _Comment:
    strip: _Strip


@dataclass
class _Tag:
    """An open tag's pieces: `{{#name params hash as |x|}}` and its strip flags."""

    path: Path
    params: tuple[Expression, ...]
    hash: tuple[tuple[str, Expression], ...]
    block_params: tuple[str, ...]
    strip: _Strip
    start: int
    depth: int
    inverted: bool


@dataclass
class _MustacheB:
    node: Mustache
    strip: _Strip
    depth: int


@dataclass
class _BlockB:
    tag: _Tag
    program: list[Any] | None
    inverse: list[Any] | None
    chained: bool
    open_strip: _Strip
    inverse_strip: _Strip | None
    close_strip: _Strip | None
    depth: int


@dataclass
class _Inverse:
    """`{{else}} program`, or a chain `{{else if x}} program ...` as a block of its own."""

    strip: _Strip
    program: list[Any]
    chained: bool
    depth: int


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_SCOPED = re.compile(r"\.|this\b")


def _strip(open_token: str, close_token: str | None = None) -> _Strip:
    close_token = open_token if close_token is None else close_token
    return _Strip(open_token[2:3] == "~", close_token[-3:-2] == "~")


def _segment(token: Token) -> str:
    text = str(token)
    if text.startswith("[") and text.endswith("]"):
        return re.sub(r"\\([\\\]])", r"\1", text)[1:-1]
    return text


def _path(tokens: list[Token], data: bool) -> Path:
    parts: list[str] = []
    depth = 0
    for token in tokens:
        if token.type == "SEP":
            continue
        part = _segment(token)
        literal = str(token) != part
        if not literal and part in ("..", ".", "this"):
            if parts:
                original = "".join(tokens)
                raise TemplateSyntaxError(f"invalid path {original!r}", token.start_pos or 0)
            depth += part == ".."
        else:
            parts.append(part)
    original = "".join(tokens)
    return Path(tuple(parts), depth, data, bool(_SCOPED.match(original)), original)


def _literal_path(value: Any) -> Path:
    """A literal where a helper name stands is looked up by its text, as handlebars.js does."""
    if isinstance(value, Path):
        return value
    assert isinstance(value, Literal)
    text = _js_literal_text(value.value)
    return Path((text,), 0, False, False, text)


def _js_literal_text(value: str | float | bool | None) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return js_string(value)
    return value


class _Builder(Transformer[Token, Any]):
    """Rule callbacks for handlebars.lark, named after its rules; they build `_*` objects."""

    # values

    def path(self, tokens: list[Token]) -> Path:
        return _path(tokens, data=False)

    def data_path(self, tokens: list[Token]) -> Path:
        return _path(tokens[1:], data=True)

    def STRING(self, token: Token) -> Literal:
        quote = token[0]
        return Literal(token[1:-1].replace("\\" + quote, quote))

    def NUMBER(self, token: Token) -> Literal:
        return Literal(float(token))

    def BOOLEAN(self, token: Token) -> Literal:
        return Literal(token == "true")

    def UNDEFINED(self, token: Token) -> Literal:
        return Literal(None)

    def NULL(self, token: Token) -> Literal:
        return Literal(None)

    def sexpr(self, children: list[Any]) -> tuple[SubExpression, int]:
        path, params, hash_, _, depth = _call(children[1:-1])
        return SubExpression(_literal_path(path), params, hash_), depth + 1

    def hash(self, pairs: list[Any]) -> tuple[tuple[str, Expression], ...]:
        return tuple(pairs)

    def pair(self, children: list[Any]) -> tuple[str, Any]:
        return (_segment(children[0]), children[2])

    def block_params(self, children: list[Token]) -> tuple[str, ...]:
        return tuple(_segment(t) for t in children[1:-1])

    # tags

    def mustache(self, children: list[Any]) -> _MustacheB:
        open_token, close_token = children[0], children[-1]
        path, params, hash_, _, depth = _call(children[1:-1])
        _check_nesting(depth, open_token.start_pos or 0)
        escaped = open_token[2:].lstrip("~") not in ("{", "&")
        node = Mustache(_literal_path(path), params, hash_, escaped)
        return _MustacheB(node, _strip(open_token, close_token), depth)

    def _tag(self, children: list[Any], inverted: bool) -> _Tag:
        open_token, close_token = children[0], children[-1]
        path, params, hash_, block_params, depth = _call(children[1:-1])
        return _Tag(
            _literal_path(path),
            params,
            hash_,
            block_params,
            _strip(open_token, close_token),
            open_token.start_pos or 0,
            depth,
            inverted,
        )

    def open_block(self, children: list[Any]) -> _Tag:
        return self._tag(children, inverted=False)

    open_inverse_chain = open_block

    def open_inverse(self, children: list[Any]) -> _Tag:
        return self._tag(children, inverted=True)

    def close_block(self, children: list[Any]) -> tuple[Path, _Strip]:
        return _literal_path(children[1]), _strip(children[0], children[-1])

    def inverse_and_program(self, children: list[Any]) -> _Inverse:
        token, program = children
        return _Inverse(_strip(token), program, False, _program_depth(program))

    def chain(self, children: list[Any]) -> _Inverse:
        tag, program = children[0], children[1]
        rest: _Inverse | None = children[2] if len(children) > 2 else None
        block = _block(tag, program, rest, None, inverted=False)
        return _Inverse(tag.strip, [block], True, block.depth)

    def block(self, children: list[Any]) -> _BlockB:
        tag, program = children[0], children[1]
        rest = children[2] if len(children) == 4 else None
        close_path, close_strip = children[-1]
        if close_path.original != tag.path.original:
            raise TemplateSyntaxError(
                f"{tag.path.original} doesn't match {close_path.original}", tag.start
            )
        block = _block(tag, program, rest, close_strip, tag.inverted)
        if rest is not None and rest.chained:
            rest.program[0].close_strip = close_strip
        return block

    # content

    def content(self, children: list[Token]) -> _Content:
        token = children[0]
        if token.type == "BACKSLASHES":
            return _Content(token[1:])
        if token.type == "ESCAPED":
            return _Content(token[1:], escaped=True)
        return _Content(str(token))

    def COMMENT(self, token: Token) -> _Comment:
        return _Comment(_strip(token))

    def program(self, statements: list[Any]) -> list[Any]:
        merged: list[Any] = []
        for statement in statements:
            last = merged[-1] if merged else None
            if (
                isinstance(statement, _Content)
                and isinstance(last, _Content)
                and not last.escaped
                and not statement.escaped
            ):
                last.value = last.original = last.value + statement.value
            else:
                merged.append(statement)
        return merged

    def start(self, children: list[Any]) -> list[Any]:
        return children[0]  # type: ignore[no-any-return]


def _call(
    children: list[Any],
) -> tuple[Any, tuple[Expression, ...], tuple[tuple[str, Expression], ...], tuple[str, ...], int]:
    """A tag's helper name, params, hash and block params, and how deep its subexpressions go."""
    name, *rest = children
    params: list[Expression] = []
    hash_: tuple[tuple[str, Expression], ...] = ()
    block_params: tuple[str, ...] = ()
    depth = 0
    for child in rest:
        if isinstance(child, tuple) and child and isinstance(child[0], SubExpression):
            params.append(child[0])
            depth = max(depth, child[1])
        elif isinstance(child, (Path, Literal)):
            params.append(child)
        elif isinstance(child, tuple) and (not child or isinstance(child[0], tuple)):
            pairs = []
            for key, value in child:
                if isinstance(value, tuple) and isinstance(value[0], SubExpression):
                    depth = max(depth, value[1])
                    value = value[0]
                pairs.append((key, value))
            hash_ = tuple(pairs)
        else:
            block_params = child
    return name, tuple(params), hash_, block_params, depth


def _check_nesting(depth: int, offset: int) -> None:
    if depth > MAX_NESTING:
        raise TemplateSyntaxError(
            f"blocks and subexpressions nest {depth} deep; the limit is {MAX_NESTING}",
            offset,
            rule="HST005",
        )


def _program_depth(program: list[Any]) -> int:
    return max((getattr(node, "depth", 0) for node in program), default=0)


def _block(
    tag: _Tag,
    program: list[Any],
    rest: _Inverse | None,
    close_strip: _Strip | None,
    inverted: bool,
) -> _BlockB:
    inverse = rest.program if rest is not None else None
    main: list[Any] | None = program
    if inverted:
        main, inverse = inverse, program
    depth = 1 + max(tag.depth, _program_depth(program), rest.depth if rest else 0)
    _check_nesting(depth, tag.start)
    return _BlockB(
        tag,
        main,
        inverse,
        bool(rest and rest.chained),
        tag.strip,
        rest.strip if rest else None,
        close_strip,
        depth,
    )


# handlebars.js' WhitespaceControl visitor (compiler/whitespace-control.js), on the builders.

_PREV_WS = re.compile(r"\r?\n\s*?\Z")
_PREV_WS_ROOT = re.compile(r"(?:^|\r?\n)\s*?\Z")
_NEXT_WS = re.compile(r"\s*?\r?\n")
_NEXT_WS_ROOT = re.compile(r"\s*?(?:\r?\n|\Z)")


def _is_prev_whitespace(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = len(body)
    prev = body[i - 1] if i - 1 >= 0 else None
    sibling = body[i - 2] if i - 2 >= 0 else None
    if prev is None:
        return is_root
    if isinstance(prev, _Content):
        pattern = _PREV_WS if (sibling is not None or not is_root) else _PREV_WS_ROOT
        return bool(pattern.search(prev.original))
    return False


def _is_next_whitespace(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = -1
    nxt = body[i + 1] if i + 1 < len(body) else None
    sibling = body[i + 2] if i + 2 < len(body) else None
    if nxt is None:
        return is_root
    if isinstance(nxt, _Content):
        pattern = _NEXT_WS if (sibling is not None or not is_root) else _NEXT_WS_ROOT
        return bool(pattern.match(nxt.original))
    return False


def _omit_right(body: list[Any], i: int | None = None, multiple: bool = False) -> None:
    index = 0 if i is None else i + 1
    current = body[index] if index < len(body) else None
    if not isinstance(current, _Content) or (not multiple and current.right_stripped):
        return
    original = current.value
    current.value = re.sub(r"^\s+" if multiple else r"^[ \t]*\r?\n?", "", current.value, count=1)
    current.right_stripped = current.value != original


def _omit_left(body: list[Any], i: int | None = None, multiple: bool = False) -> bool:
    index = len(body) - 1 if i is None else i - 1
    current = body[index] if index >= 0 else None
    if not isinstance(current, _Content) or (not multiple and current.left_stripped):
        return False
    original = current.value
    current.value = re.sub(r"\s+\Z" if multiple else r"[ \t]+\Z", "", current.value, count=1)
    current.left_stripped = current.value != original
    return current.left_stripped


@dataclass
class _Standalone:
    open: bool = False
    close: bool = False
    open_standalone: bool = False
    close_standalone: bool = False
    inline_standalone: bool = False


def _control_program(body: list[Any], is_root: bool) -> None:
    for i, current in enumerate(body):
        strip = _control(current)
        if strip is None:
            continue
        prev_ws = _is_prev_whitespace(body, i, is_root)
        next_ws = _is_next_whitespace(body, i, is_root)
        open_standalone = strip.open_standalone and prev_ws
        close_standalone = strip.close_standalone and next_ws
        inline_standalone = strip.inline_standalone and prev_ws and next_ws
        if strip.close:
            _omit_right(body, i, True)
        if strip.open:
            _omit_left(body, i, True)
        if inline_standalone:
            _omit_right(body, i)
            _omit_left(body, i)
        if open_standalone:
            block_body = current.program if current.program is not None else current.inverse
            _omit_right(block_body)
            _omit_left(body, i)
        if close_standalone:
            _omit_right(body, i)
            block_body = current.inverse if current.inverse is not None else current.program
            _omit_left(block_body)


def _control(node: Any) -> _Standalone | None:
    if isinstance(node, _MustacheB):
        return _Standalone(open=node.strip.open, close=node.strip.close)
    if isinstance(node, _Comment):
        return _Standalone(open=node.strip.open, close=node.strip.close, inline_standalone=True)
    if isinstance(node, _BlockB):
        return _control_block(node)
    return None


def _control_block(block: _BlockB) -> _Standalone:
    if block.program is not None:
        _control_program(block.program, False)
    if block.inverse is not None:
        _control_program(block.inverse, False)
    program = block.program if block.program is not None else block.inverse
    assert program is not None
    inverse = block.inverse if block.program is not None else None
    first_inverse = last_inverse = inverse
    if inverse is not None and block.chained:
        first = inverse[0]
        first_inverse = first.program
        last = first
        while last.chained:
            last = last.inverse[-1]
        last_inverse = last.inverse if last.inverse is not None else last.program
    strip = _Standalone(
        open=block.open_strip.open,
        close=bool(block.close_strip and block.close_strip.close),
        open_standalone=_is_next_whitespace(program),
        close_standalone=_is_prev_whitespace(
            first_inverse if first_inverse is not None else program
        ),
    )
    if block.open_strip.close:
        _omit_right(program, None, True)
    if inverse is not None:
        assert first_inverse is not None and last_inverse is not None
        inverse_strip = block.inverse_strip
        if inverse_strip is not None and inverse_strip.open:
            _omit_left(program, None, True)
        if inverse_strip is not None and inverse_strip.close:
            _omit_right(first_inverse, None, True)
        if block.close_strip is not None and block.close_strip.open:
            _omit_left(last_inverse, None, True)
        if _is_prev_whitespace(program) and _is_next_whitespace(first_inverse):
            _omit_left(program)
            _omit_right(first_inverse)
    elif block.close_strip is not None and block.close_strip.open:
        _omit_left(program, None, True)
    return strip


def _freeze(body: list[Any] | None) -> Program | None:
    if body is None:
        return None
    nodes: list[Node] = []
    for node in body:
        if isinstance(node, _Content):
            if not node.value:
                continue
            if nodes and isinstance(nodes[-1], str):
                nodes[-1] += node.value
            else:
                nodes.append(node.value)
        elif isinstance(node, _MustacheB):
            nodes.append(node.node)
        elif isinstance(node, _BlockB):
            tag = node.tag
            nodes.append(
                Block(
                    tag.path,
                    tag.params,
                    tag.hash,
                    tag.block_params,
                    _freeze(node.program),
                    _freeze(node.inverse),
                )
            )
    return tuple(nodes)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """lark's LALR parser for handlebars.lark, built on first use (its tables cached on disk)."""
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        transformer=_Builder(),
        cache=True,
    )


def parse(text: str, control_whitespace: bool = True) -> Program:
    """The template's tree, or `TemplateSyntaxError` with the offset of the tag at fault.

    Whitespace control changes only the text between tags: the checker, which wants the
    tags, skips it.
    """
    try:
        body: list[Any] = _parser().parse(text)  # type: ignore[assignment]
    except TemplateSyntaxError:
        raise
    except VisitError as error:
        if isinstance(error.orig_exc, TemplateSyntaxError):
            raise error.orig_exc from None
        raise
    except UnexpectedInput as error:
        offset = _unclosed_block(text) if _at_end(error, text) else error.pos_in_stream
        raise TemplateSyntaxError("malformed", offset or 0) from None
    except LarkError as error:  # pragma: no cover - lark's other errors are about the grammar
        raise TemplateSyntaxError(str(error), 0) from None
    if control_whitespace:
        _control_program(body, True)
    frozen = _freeze(body)
    assert frozen is not None
    return frozen


def _at_end(error: UnexpectedInput, text: str) -> bool:
    token = getattr(error, "token", None)
    return token is not None and getattr(token, "type", None) == "$END"


_TAG = re.compile(r"\{\{~?\s*(#|\^|/|else\b)?")


def _unclosed_block(text: str) -> int:
    """Where the innermost block still open at the end of `text` starts (for the message)."""
    opened: list[int] = []
    for match in _TAG.finditer(text):
        kind = match.group(1)
        if kind in ("#", "^") and not re.match(r"\{\{~?\^\s*~?\}\}", text[match.start() :]):
            opened.append(match.start())
        elif kind == "/" and opened:
            opened.pop()
    return opened[-1] if opened else len(text)
