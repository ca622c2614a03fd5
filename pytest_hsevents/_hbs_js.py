"""JSON values as JavaScript sees them, for the Handlebars renderer.

handlebars.js renders JavaScript values: `String(value)`, truthiness, own properties (a
string's `length`, an array's indices) and `Object.keys` order. Occurrences are JSON, so these
functions take JSON values (dict, list, str, int, float, bool, None for null and undefined)
and never touch anything else: a value of another type has no properties and renders empty,
so no Python attribute or method of it is ever reached.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["escape", "is_empty", "js_keys", "js_string", "property_of", "truthy"]

_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_MAX_INDEX = 2**32 - 2
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_ESCAPES.update({"`": "&#x60;", "=": "&#x3D;"})
_BAD = re.compile("[&<>\"'`=]")


def _number(value: float) -> str:
    """ECMAScript's Number::toString: shortest round-trip digits, fixed below 1e21."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        fraction = "." + digits[1:] if k > 1 else ""
        text = f"{digits[0]}{fraction}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def js_string(value: Any) -> str:
    """`String(value)`; null and undefined are the caller's to render as ''."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, int):
        if abs(value) < 2**53:
            return str(value)
        try:
            return _number(float(value))
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        return ",".join(js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return ""


def escape(text: str) -> str:
    """handlebars.js' escapeExpression on a string."""
    if not _BAD.search(text):
        return text
    return _BAD.sub(lambda match: _ESCAPES[match.group()], text)


def truthy(value: Any) -> bool:
    """JavaScript truthiness: false, 0, NaN, '' and null are falsy; [] and {} are not."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return bool(value) and value == value
    return True


def is_empty(value: Any) -> bool:
    """handlebars.js' isEmpty: falsy but not 0, or an empty array."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return False
    if isinstance(value, list):
        return not value
    return not truthy(value)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def property_of(value: Any, key: str) -> Any:
    """`value[key]` if it is an own property (handlebars.js refuses prototype properties)."""
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        if key == "length":
            return len(value)
        if _INDEX.match(key) and int(key) < len(value):
            return value[int(key)]
        return None
    if isinstance(value, str):
        units = _utf16(value)
        if key == "length":
            return len(units) // 2
        if _INDEX.match(key) and int(key) < len(units) // 2:
            index = int(key) * 2
            return units[index : index + 2].decode("utf-16-le", "surrogatepass")
    return None


def js_keys(value: dict[str, Any]) -> list[str]:
    """`Object.keys` order: array-index keys ascending, then the others as inserted."""
    indices = [k for k in value if _INDEX.match(k) and int(k) <= _MAX_INDEX]
    if not indices:
        return list(value)
    index_set = set(indices)
    return sorted(indices, key=int) + [k for k in value if k not in index_set]
