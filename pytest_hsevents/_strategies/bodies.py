"""Valid v4 occurrence bodies, built by construction from an event type."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..model import EventType
from ..occurrences import FIELDS, fully_qualified_name
from ..settings import Settings
from . import values


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""Override value meaning "leave this field (or property) out"."""

_EXTRA_DATA_KEY = re.compile(r"extraData\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Plan:
    """What an event type allows, worked out once: names, association forms, field values."""

    event_type: EventType
    settings: Settings
    names: tuple[str, ...]
    associations: tuple[tuple[str, ...], ...]
    extra_data_keys: tuple[str, ...]

    @property
    def is_contact(self) -> bool:
        return self.event_type.object_type == "CONTACT" and not self.is_custom

    @property
    def is_company(self) -> bool:
        return self.event_type.object_type == "COMPANY" and not self.is_custom

    @property
    def is_custom(self) -> bool:
        return self.event_type.supports_custom_object

    @property
    def qualified_name(self) -> str:
        return self.names[0]

    def field_values(self, name: str) -> st.SearchStrategy[Any]:
        """Valid values for one association or optional field."""
        own = self._own_fields.get(name)
        return _FIELD_VALUES[name] if own is None else own

    @functools.cached_property
    def _own_fields(self) -> Mapping[str, st.SearchStrategy[Any]]:
        # Built once per plan: hypothesis draws much faster from a strategy it has seen.
        portal = self.settings.portal_id
        objects = values.extra_data(self.extra_data_keys)
        return {
            "objectTypeFullyQualifiedName": values.custom_object_names.map(
                lambda object_name: f"p{portal}_{object_name}"
            ),
            "extraData": objects | st.lists(objects, max_size=3)
            if self.settings.extra_data_array
            else objects,
        }

    @functools.cached_property
    def bodies(self) -> st.SearchStrategy[dict[str, Any]]:
        return _bodies(self)

    @functools.cached_property
    def name_values(self) -> st.SearchStrategy[str]:
        return st.sampled_from(self.names)

    @functools.cached_property
    def association_values(self) -> st.SearchStrategy[tuple[str, ...]]:
        return st.sampled_from(self.associations)

    @functools.cached_property
    def property_values(self) -> tuple[tuple[str, st.SearchStrategy[str]], ...]:
        return tuple(
            (prop.name, values.property_values(prop)) for prop in self.event_type.properties
        )


_FIELD_VALUES: Mapping[str, st.SearchStrategy[Any]] = {
    "id": values.occurrence_ids,
    "objectId": values.object_ids,
    "email": values.emails,
    "utk": values.utks,
    "domain": values.domains,
    "timestamp": values.date_times(),
    "timelineIFrame": values.iframes,
}


@functools.lru_cache(maxsize=256)
def plan_for(event_type: EventType, settings: Settings) -> Plan:
    names: tuple[str, ...] = (fully_qualified_name(event_type.uid, settings.portal_id),)
    if settings.event_type_uid_alias:
        names += (event_type.uid,)
    if event_type.supports_custom_object:
        associations: tuple[tuple[str, ...], ...] = (("objectId", "objectTypeFullyQualifiedName"),)
    elif event_type.object_type == "CONTACT":
        # utk alone is valid only for a contact that already exists: a stateful case (HSO025).
        associations = (
            ("objectId",),
            ("email",),
            ("objectId", "email"),
            ("objectId", "utk"),
            ("email", "utk"),
            ("objectId", "email", "utk"),
        )
    elif event_type.object_type == "COMPANY":
        associations = (("objectId",), ("objectId", "domain"))
    else:
        associations = (("objectId",),)
    templates = (event_type.header_template or "") + (event_type.detail_template or "")
    keys = tuple(sorted(set(_EXTRA_DATA_KEY.findall(templates))))
    return Plan(event_type, settings, names, associations, keys)


_OPTIONAL = ("timestamp", "extraData", "timelineIFrame")


@st.composite
def _bodies(draw: st.DrawFn, plan: Plan) -> dict[str, Any]:
    # One bitmask says which optional parts are present: a single draw instead of one per
    # part (draws dominate the cost), shrinking towards "nothing optional".
    optional_id = not plan.settings.id_required
    parts = len(plan.property_values) + len(_OPTIONAL) + optional_id
    mask = draw(st.integers(min_value=0, max_value=2**parts - 1))
    body: dict[str, Any] = {"eventTypeName": draw(plan.name_values)}
    if not optional_id or mask & 1:
        body["id"] = draw(values.occurrence_ids)
    mask >>= optional_id
    properties = {}
    for name, strategy in plan.property_values:
        if mask & 1:
            properties[name] = draw(strategy)
        mask >>= 1
    body["properties"] = properties
    for name in draw(plan.association_values):
        body[name] = draw(plan.field_values(name))
    for name in _OPTIONAL:
        if mask & 1:
            body[name] = draw(plan.field_values(name))
        mask >>= 1
    return body


def valid_bodies(plan: Plan) -> st.SearchStrategy[dict[str, Any]]:
    """Valid occurrences: every optional part present or absent, every form reachable."""
    return plan.bodies


def _resolve(draw: st.DrawFn, value: object) -> object:
    return draw(value) if isinstance(value, st.SearchStrategy) else value


def check_overrides(overrides: Mapping[str, object]) -> None:
    unknown = sorted(set(overrides) - set(FIELDS))
    if unknown:
        raise InvalidArgument(
            f"occurrences() got unknown field(s) {', '.join(map(repr, unknown))}; "
            f"occurrence fields are {', '.join(sorted(FIELDS))}"
        )
    props = overrides.get("properties")
    if props is not None and not isinstance(props, (Mapping, st.SearchStrategy)):
        raise InvalidArgument(
            f"properties={props!r}: expected a mapping of property name to value or strategy, "
            "or a strategy for the whole properties object"
        )


@st.composite
def overridden(
    draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]], overrides: Mapping[str, object]
) -> dict[str, Any]:
    """`base` with `overrides` applied: a value, a strategy, or OMIT per field (or property)."""
    body = draw(base)
    for name, override in overrides.items():
        if name == "properties" and isinstance(override, Mapping):
            properties = dict(body["properties"])
            for key, value in override.items():
                resolved = _resolve(draw, value)
                if resolved is OMIT:
                    properties.pop(key, None)
                else:
                    properties[key] = resolved
            body["properties"] = properties
            continue
        resolved = _resolve(draw, override)
        if resolved is OMIT:
            body.pop(name, None)
        else:
            body[name] = resolved
    return body
