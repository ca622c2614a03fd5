"""The project model: what an integrator's HubSpot project defines, as frozen values.

Built leniently by `load_project`: a field that is missing or of the wrong type becomes
`None` (or empty) here and a diagnostic there, so every consumer gets a model to work with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .rules import Rule, Severity

if TYPE_CHECKING:
    from .settings import Settings

__all__ = [
    "OBJECT_TYPES",
    "PROPERTY_TYPES",
    "App",
    "Diagnostic",
    "EventProperty",
    "EventType",
    "Project",
    "PropertyOption",
]

OBJECT_TYPES = ("COMPANY", "CONTACT", "DEAL", "TICKET", "APP_OBJECT")
"""The objectType values HubSpot takes, in canonical (upper) case."""

PROPERTY_TYPES = ("STRING", "NUMBER", "DATE", "ENUMERATION")
"""The property types HubSpot takes, in canonical (upper) case."""


@dataclass(frozen=True)
class Diagnostic:
    """One finding: which rule, where (file, line, column, JSON pointer) and what exactly."""

    rule: Rule
    message: str
    path: Path
    line: int = 1
    column: int = 1
    pointer: str = ""

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.rule.id} {self.message}"


@dataclass(frozen=True)
class PropertyOption:
    """An enumeration option: occurrences send `value`; HubSpot shows `label`."""

    label: str
    value: str


@dataclass(frozen=True)
class EventProperty:
    """A property of an event type, in the order the file lists them."""

    name: str
    label: str | None = None
    type: str | None = None
    """Canonical upper case (`STRING`...), or the raw text when it is not a known type."""
    options: tuple[PropertyOption, ...] = ()
    object_property: str | None = None

    @cached_property
    def option_values(self) -> frozenset[str]:
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True)
class EventType:
    """An app-event type (`src/app/app-events/*-hsmeta.json`)."""

    uid: str
    name: str | None = None
    object_type: str | None = None
    """Canonical upper case; None for a custom-object event type."""
    supports_custom_object: bool = False
    header_template: str | None = None
    detail_template: str | None = None
    properties: tuple[EventProperty, ...] = ()
    path: Path | None = None

    @cached_property
    def properties_by_name(self) -> Mapping[str, EventProperty]:
        return {prop.name: prop for prop in self.properties}

    def json_schema(self, settings: Settings | None = None) -> dict[str, Any]:
        """The JSON Schema (draft-07) of this event type's occurrence body, for validating
        elsewhere; the strategies' output always conforms to it (see `_schema`)."""
        from ._schema import occurrence_schema

        return occurrence_schema(self, settings)


@dataclass(frozen=True)
class App:
    """The app component (`src/app/app-hsmeta.json`): what gates app events."""

    uid: str
    name: str | None = None
    auth_type: str | None = None
    distribution: str | None = None
    required_scopes: tuple[str, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class Project:
    """A HubSpot project: its app, its event types by uid, and what loading found wrong."""

    root: Path
    app: App | None = None
    event_types: Mapping[str, EventType] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    name: str | None = None
    platform_version: str | None = None
    src_dir: Path | None = None
