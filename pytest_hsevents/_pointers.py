"""RFC 6901 JSON pointers: how the checker, the fake and the strategies say where."""

from __future__ import annotations


def json_pointer(*parts: str | int) -> str:
    """`json_pointer("properties", "a/b", 0)` -> `/properties/a~1b/0`."""
    return "".join("/" + escape_token(part) for part in parts)


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")
