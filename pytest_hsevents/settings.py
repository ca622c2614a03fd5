"""Settings: which reading of HubSpot's contradictory sources the kit applies.

Defaults follow `docs/decisions.md`; every other reading a user may need is one field here,
settable in `[tool.hsevents]` of the project's `pyproject.toml`, on the CLI and in the marker.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

__all__ = ["DEFAULT_RESERVED_NAMES", "Settings", "SettingsError", "load_settings"]

DEFAULT_RESERVED_NAMES = (
    "extraData",
    "timestamp",
    "if",
    "unless",
    "each",
    "with",
    "lookup",
    "log",
    "else",
    "this",
    "formatDate",
)
"""Names templates already give a meaning to; HubSpot publishes no list (decisions.md)."""


class SettingsError(ValueError):
    """A setting that does not exist or has a value of the wrong kind."""


@dataclass(frozen=True)
class Settings:
    """One reading of the contract. Field names are the `[tool.hsevents]` keys."""

    # definitions
    strict_case: bool = False
    lowercase_names: bool = False
    lowercase_labels: bool = False
    reserved_names: tuple[str, ...] = DEFAULT_RESERVED_NAMES
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # occurrences
    id_required: bool = True
    id_scope: Literal["event-type", "global"] = "event-type"
    extra_data_array: bool = False
    lenient_property_values: bool = False
    event_type_uid_alias: bool = True
    max_batch_size: int = 100
    max_body_bytes: int = 5_000_000
    # the fake's answers
    batch_mode: Literal["partial", "atomic"] = "partial"
    partial_batch_status: Literal[200, 207] = 200
    single_success_status: Literal[200, 201] = 200
    portal_id: int = 1234567

    def replace(self, **changes: object) -> Settings:
        """A copy with `changes` applied and checked, so a misspelt key fails loudly."""
        return from_mapping(changes, base=self)


_CHOICES: Mapping[str, tuple[object, ...]] = {
    "id_scope": ("event-type", "global"),
    "batch_mode": ("partial", "atomic"),
    "partial_batch_status": (200, 207),
    "single_success_status": (200, 201),
}


def _coerce(name: str, value: object, default: object) -> object:
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            choices = ", ".join(repr(c) for c in _CHOICES[name])
            raise SettingsError(f"{name}={value!r}: expected one of {choices}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{name}={value!r}: expected true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SettingsError(f"{name}={value!r}: expected a positive whole number")
        return value
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{name}={value!r}: expected a list of strings")
    return tuple(value)


def from_mapping(values: Mapping[str, object], base: Settings | None = None) -> Settings:
    """Settings from `{key: value}` (TOML table, marker kwargs); keys may use '-' for '_'."""
    base = base or Settings()
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Settings)}
    changes: dict[str, object] = {}
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise SettingsError(f"unknown setting {raw_key!r}; known settings: {known}")
        changes[key] = _coerce(key, value, fields[key])
    if "select" in changes or "ignore" in changes:
        from .rules import UnknownRuleError, select_rules

        try:
            select_rules(
                changes.get("select", base.select),  # type: ignore[arg-type]
                changes.get("ignore", base.ignore),  # type: ignore[arg-type]
            )
        except UnknownRuleError as error:
            raise SettingsError(str(error)) from None
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def load_settings(project_root: Path | str) -> Settings:
    """The `[tool.hsevents]` table of `pyproject.toml` in or above `project_root`."""
    start = Path(project_root).resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise SettingsError(f"{pyproject}: {error}") from None
            table = data.get("tool", {}).get("hsevents")
            if table is None:
                continue
            if not isinstance(table, dict):
                raise SettingsError(f"{pyproject}: [tool.hsevents] must be a table")
            try:
                return from_mapping(table)
            except SettingsError as error:
                raise SettingsError(f"{pyproject}: [tool.hsevents] {error}") from None
    return Settings()
