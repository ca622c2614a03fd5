"""A definition file's text, its parsed JSON, and positions for JSON pointers.

Positions are computed only when a diagnostic needs one (`json_source_map` walks the whole
text in Python), so clean files cost a `json.loads` and nothing more.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import json_source_map

from ._pointers import unescape_token
from .model import Diagnostic
from .rules import RULES, Rule

MAX_FILE_BYTES = 2 * 1024 * 1024
"""No valid definition comes near this (500 properties at their limits is ~0.5 MB)."""

_MISSING = object()

_VISIBLE_CONTROLS = {c: repr(chr(c))[1:-1] for c in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)}
"""Line breaks and control characters as escapes: a key named "\\n" must not split a message."""


@dataclass
class Source:
    """One `*-hsmeta.json` file as read from disk, with the diagnostics found in it."""

    path: Path
    display: Path
    text: str = ""
    data: object = _MISSING
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _positions: dict[str, tuple[int, int]] | None = None

    @property
    def parsed(self) -> bool:
        return self.data is not _MISSING

    def report(self, rule: Rule | str, message: str, where: str = "") -> None:
        """Record a diagnostic at JSON pointer `where` (or its nearest existing parent)."""
        line, column = self.position(where)
        self.report_at(rule, message, line, column, where)

    def report_at(
        self, rule: Rule | str, message: str, line: int, column: int, where: str = ""
    ) -> None:
        """Record a diagnostic at a known position; the message is kept to one line."""
        if isinstance(rule, str):
            rule = RULES[rule]
        message = message.translate(_VISIBLE_CONTROLS)
        self.diagnostics.append(Diagnostic(rule, message, self.display, line, column, where))

    def position(self, where: str) -> tuple[int, int]:
        """1-based line and column of the value (or key) at `where`."""
        if not self.parsed:
            return 1, 1
        if self._positions is None:
            self._positions = {}
            try:
                entries = json_source_map.calculate(self.text).items()
            except (RecursionError, ValueError):  # nested deeper than the mapper can walk
                entries = {}.items()
            for ptr, entry in entries:
                loc = entry.key_start or entry.value_start
                self._positions[ptr] = (loc.line + 1, loc.column + 1)
        tokens = where.split("/")[1:]
        while tokens:
            # json_source_map joins raw keys with "/" (it does not escape "~" and "/")
            found = self._positions.get("/" + "/".join(map(unescape_token, tokens)))
            if found is not None:
                return found
            tokens.pop()
        return self._positions.get("", (1, 1))


def _reject_constant(name: str) -> object:
    """Python's json takes NaN and Infinity; JSON (and HubSpot's parser) does not."""
    raise ValueError(f"{name} is not a JSON value")


def _read_regular_file(path: Path) -> bytes | None:
    """At most MAX_FILE_BYTES + 1 bytes of `path`, or None if it is no regular file.

    Opened without blocking and checked after opening (no race with a swap): a FIFO would hang
    a read and /dev/zero never ends.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return file.read(MAX_FILE_BYTES + 1)


def read_source(path: Path, display: Path) -> Source:
    """Read and parse a file; unreadable or invalid JSON becomes a diagnostic, never an error."""
    source = Source(path, display)
    try:
        raw = _read_regular_file(path)
        if raw is None:
            source.report("HSF011", "not a regular file (a FIFO, device or socket); not read")
            return source
        if len(raw) > MAX_FILE_BYTES:
            source.report(
                "HSF008",
                f"file has more than {MAX_FILE_BYTES:,} bytes; definition files over "
                f"{MAX_FILE_BYTES:,} bytes are not read",
            )
            return source
        source.text = raw.decode("utf-8")
    except OSError as error:
        source.report("HSF008", f"cannot read file: {error.strerror or error}")
        return source
    except UnicodeDecodeError as error:
        source.report("HSF008", f"file is not UTF-8 text (byte {error.start} is invalid)")
        return source
    if not source.text.strip():
        source.report("HSF001", "Invalid JSON: the file is empty")
        return source
    if source.text.startswith("\ufeff"):  # JSON.parse in HubSpot's parser refuses it too
        source.report("HSF001", "Invalid JSON: the file starts with a byte-order mark")
        return source
    try:
        source.data = json.loads(source.text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        # json's messages end "... at" when the position follows; ours is the diagnostic's
        message = error.msg[:-3] if error.msg.endswith(" at") else error.msg
        source.report_at("HSF001", f"Invalid JSON: {message}", error.lineno, error.colno)
    except ValueError as error:
        source.report("HSF001", f"Invalid JSON: {error}")
    except RecursionError:
        source.report("HSF001", "Invalid JSON: nested too deeply")
    return source
