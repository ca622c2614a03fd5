"""Render a parsed template over JSON data, as handlebars.js 4.7's runtime does.

An interpreter over `_hbs_parse`'s tree: it looks values up in JSON data only (dict keys, list
indices, a string's `length`; `_hbs_js`), calls only the helpers named here (HubSpot's:
`if`, `unless`, `each`, `with`, `lookup`, `formatDate`, and handlebars.js' built-ins), and
counts what it does: past `MAX_ITERATIONS` loop turns or `MAX_OUTPUT` characters it stops
with `RenderLimitError`, so a template over hostile data costs milliseconds, not gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ._hbs_js import escape, is_empty, js_keys, js_string, property_of, truthy
from ._hbs_parse import Block, Expression, Literal, Mustache, Path, Program, SubExpression

__all__ = ["MAX_ITERATIONS", "MAX_OUTPUT", "RenderError", "RenderLimitError", "render"]

MAX_ITERATIONS = 10_000
"""Loop turns (`#each`, and blocks over arrays) one render may take (HST006)."""
MAX_OUTPUT = 100_000
"""Characters one render may write (HST007)."""

_KNOWN = frozenset(
    {"if", "unless", "each", "with", "lookup", "log", "helperMissing", "blockHelperMissing"}
)
_HELPERS = _KNOWN | {"formatDate"}
_OPTIONS = object()  # the `options` argument a helper gets when called with too few params


class RenderError(ValueError):
    """handlebars.js would throw while rendering (a missing helper, `#if` without argument)."""


class RenderLimitError(RenderError):
    """The render went past a limit; `rule` names it."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass
class _Budget:
    output: int = MAX_OUTPUT
    iterations: int = MAX_ITERATIONS

    def spend(self, text: str) -> str:
        self.output -= len(text)
        if self.output < 0:
            raise RenderLimitError(f"the rendered text passes {MAX_OUTPUT:,} characters", "HST007")
        return text

    def turn(self) -> None:
        self.iterations -= 1
        if self.iterations < 0:
            message = f"the template loops more than {MAX_ITERATIONS:,} times"
            raise RenderLimitError(message, "HST006")


@dataclass(frozen=True)
class _Scope:
    """Where a program renders: `this`, the `../` chain, `@data` and the block params."""

    depths: tuple[Any, ...]  # depths[0] is `this`
    data: dict[str, Any]
    block_params: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]
    budget: _Budget

    def enter(
        self,
        context: Any,
        data: dict[str, Any] | None = None,
        names: tuple[str, ...] = (),
        values: tuple[Any, ...] = (),
    ) -> _Scope:
        depths = self.depths
        if not _same(context, depths[0]):
            depths = (context, *depths)
        block_params = self.block_params
        if names:
            block_params = ((names, values), *block_params)
        return _Scope(depths, self.data if data is None else data, block_params, self.budget)


def _same(a: Any, b: Any) -> bool:
    """JavaScript's `a == b` as handlebars.js uses it to decide whether `../` moves."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return type(a) is type(b) and a == b


def render(program: Program, context: Any) -> str:
    """`program` rendered over `context`; `RenderError` where handlebars.js would throw."""
    scope = _Scope((context,), {"root": context}, (), _Budget())
    return _program(program, scope)


def _program(program: Program | None, scope: _Scope) -> str:
    if not program:
        return ""
    out = []
    for node in program:
        if isinstance(node, str):
            out.append(scope.budget.spend(node))
        elif isinstance(node, Mustache):
            value = _mustache_value(node, scope)
            text = js_string(value) if value is not None else ""
            out.append(scope.budget.spend(escape(text) if node.escaped else text))
        else:
            out.append(_block(node, scope))
    return "".join(out)


def _block_param(path: Path, scope: _Scope) -> tuple[bool, Any]:
    if path.depth or path.scoped or not path.parts:
        return False, None
    name = path.parts[0]
    for names, values in scope.block_params:
        if name in names:
            index = names.index(name)
            return True, values[index] if index < len(values) else None
    return False, None


def _lookup(path: Path, scope: _Scope) -> Any:
    found, value = _block_param(path, scope)
    if found:
        rest = path.parts[1:]
    elif not path.parts:
        return scope.depths[path.depth] if path.depth < len(scope.depths) else None
    elif path.data:
        frame: Any = scope.data
        for _ in range(path.depth):
            frame = frame.get("_parent") if isinstance(frame, dict) else None
        value, rest = frame, path.parts
    else:
        value = scope.depths[path.depth] if path.depth < len(scope.depths) else None
        rest = path.parts
    for part in rest:
        if value is None:
            return None
        value = property_of(value, part)
    return value


def _kind(path: Path, params: tuple[Any, ...], hash_: tuple[Any, ...], scope: _Scope) -> str:
    """handlebars.js' classifySexpr: 'helper', 'ambiguous' or 'simple'."""
    simple = len(path.parts) == 1 and not path.scoped and not path.depth
    if simple and _block_param(path, scope)[0]:
        return "simple"
    if params or hash_:
        return "helper"
    if simple:
        return "helper" if path.parts[0] in _KNOWN else "ambiguous"
    return "simple"


def _value(expression: Expression, scope: _Scope) -> Any:
    if isinstance(expression, Literal):
        return expression.value
    if isinstance(expression, Path):
        return _lookup(expression, scope)
    return _call_helper_expression(expression, scope, is_subexpression=True)


_Fn = Callable[..., str]


def _noop(*_: Any, **__: Any) -> str:
    return ""


def _call_helper_expression(
    node: SubExpression | Mustache | Block,
    scope: _Scope,
    is_subexpression: bool = False,
    fn: _Fn = _noop,
    inverse: _Fn = _noop,
) -> Any:
    """Call the helper a tag names (classified 'helper'), as invokeHelper does."""
    path = node.path
    params = [_value(p, scope) for p in node.params]
    hash_: dict[str, Any] = {}
    for key, value in node.hash:  # a repeated key: handlebars.js evaluates the first only
        if key not in hash_:
            hash_[key] = _value(value, scope)
    name = path.parts[0] if path.parts else ""
    simple = len(path.parts) == 1 and not path.scoped and not path.depth
    if name in _KNOWN or (simple and name in _HELPERS):
        return _HELPER_FUNCTIONS[name](params, hash_, scope, fn, inverse)
    if is_subexpression and simple and _block_param(path, scope)[0]:
        return _lookup(path, scope)
    if truthy(_lookup(path, scope)):  # handlebars.js calls the value: JSON is no function
        raise RenderError(f"{path.original} is not a function")
    if node.params:
        raise RenderError(f'Missing helper: "{path.original}"')
    return None


def _mustache_value(node: Mustache, scope: _Scope) -> Any:
    kind = _kind(node.path, node.params, node.hash, scope)
    if kind == "helper":
        return _call_helper_expression(node, scope)
    if kind == "ambiguous" and node.path.parts[0] in _HELPERS:
        return _HELPER_FUNCTIONS[node.path.parts[0]]([], {}, scope, _noop, _noop)
    return _lookup(node.path, scope)


def _block(node: Block, scope: _Scope) -> str:
    def fn(context: Any, data: dict[str, Any] | None = None, values: tuple[Any, ...] = ()) -> str:
        inner = scope.enter(context, data, node.block_params, values)
        return _program(node.program, inner)

    def inverse(context: Any) -> str:
        return _program(node.inverse, scope.enter(context))

    kind = _kind(node.path, node.params, node.hash, scope)
    if kind == "helper" or (kind == "ambiguous" and node.path.parts[0] in _HELPERS):
        result = _call_helper_expression(node, scope, fn=fn, inverse=inverse)
        return js_string(result) if result is not None else ""
    return _block_helper_missing([_lookup(node.path, scope)], {}, scope, fn, inverse)


# The helpers: (params, hash, scope, fn, inverse) -> value. Each checks its arity as
# handlebars.js does; `this` is scope.depths[0].


def _if(params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn) -> str:
    if len(params) != 1:
        raise RenderError("#if requires exactly one argument")
    condition = params[0]
    this = scope.depths[0]
    if (not truthy(hash_.get("includeZero")) and not truthy(condition)) or is_empty(condition):
        return inverse(this)
    return fn(this)


def _unless(params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn) -> str:
    if len(params) != 1:
        raise RenderError("#unless requires exactly one argument")
    return _if(params, hash_, scope, inverse, fn)


def _with(params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn) -> str:
    if len(params) != 1:
        raise RenderError("#with requires exactly one argument")
    context = params[0]
    if is_empty(context):
        return inverse(scope.depths[0])
    return fn(context, None, (context,))


def _each(params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn) -> str:
    if len(params) != 1:
        raise RenderError("Must pass iterator to #each")
    context = params[0]
    out: list[str] = []
    parent = scope.data
    if isinstance(context, list):
        fields: list[Any] = list(range(len(context)))
        items = context
    elif isinstance(context, dict):
        fields = js_keys(context)
        items = [context[key] for key in fields]
    else:
        fields, items = [], []
    last = len(fields) - 1
    for index, (field, item) in enumerate(zip(fields, items)):
        scope.budget.turn()
        frame = {**parent, "_parent": parent}
        frame.update(key=field, index=index, first=index == 0, last=index == last)
        out.append(fn(item, frame, (item, field)))
    if not fields:
        return inverse(scope.depths[0])
    return "".join(out)


def _lookup_helper(
    params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn
) -> Any:
    obj = params[0] if params else _OPTIONS
    if obj is not _OPTIONS and not truthy(obj):
        return obj
    if obj is _OPTIONS:
        return None
    field = params[1] if len(params) > 1 else _OPTIONS
    key = "[object Object]" if field is _OPTIONS else _property_key(field)
    return property_of(obj, key)


def _property_key(value: Any) -> str:
    return "undefined" if value is None else js_string(value)


def _format_date(
    params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn
) -> str:
    """HubSpot formats dates in the portal's locale; offline the value itself stands in."""
    value = params[0] if params else None
    return "" if value is None else js_string(value)


def _nothing(*_: Any) -> None:
    return None


def _helper_missing(
    params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn
) -> None:
    if params:
        raise RenderError('Missing helper: "helperMissing"')
    return None


def _block_helper_missing(
    params: list[Any], hash_: dict[str, Any], scope: _Scope, fn: _Fn, inverse: _Fn
) -> str:
    """A block whose name is no helper: its value decides, as blockHelperMissing does."""
    this = scope.depths[0]
    context = params[0] if params else _OPTIONS
    if context is True:
        return fn(this)
    if context is False or context is None:
        return inverse(this)
    if isinstance(context, list):
        return _each([context], hash_, scope, fn, inverse) if context else inverse(this)
    return fn({} if context is _OPTIONS else context)


_HELPER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "if": _if,
    "unless": _unless,
    "with": _with,
    "each": _each,
    "lookup": _lookup_helper,
    "formatDate": _format_date,
    "log": _nothing,
    "helperMissing": _helper_missing,
    "blockHelperMissing": _block_helper_missing,
}
