"""Valid v4 occurrence bodies, built by construction from an event type."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

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
        """Valid values for one association or optional field, on their own."""
        return self.field_kinds[name].strategy

    @functools.cached_property
    def field_kinds(self) -> Mapping[str, values.Kind]:
        portal = self.settings.portal_id
        object_name = values.custom_object_names
        return {
            **_FIELD_KINDS,
            "objectTypeFullyQualifiedName": values.Kind(
                object_name.size,
                lambda draw, raw: f"p{portal}_{object_name.decode(draw, raw)}",
            ),
            "extraData": values.extra_data(
                self.extra_data_keys, arrays=self.settings.extra_data_array
            ),
        }

    @functools.cached_property
    def layout(self) -> Layout:
        return _layout(self)

    @functools.cached_property
    def shape(self) -> st.SearchStrategy[bytes]:
        return values.shape_bytes(self.layout.size)

    @functools.cached_property
    def bodies(self) -> st.SearchStrategy[dict[str, Any]]:
        return values.with_plain(_bodies(self), lambda: _body(values.draw_plain, self))


_FIELD_KINDS: Mapping[str, values.Kind] = {
    "id": values.occurrence_ids,
    "objectId": values.object_ids,
    "email": values.emails,
    "utk": values.utks,
    "domain": values.domains,
    "timestamp": values.date_times,
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


class Site(NamedTuple):
    """A value in the body: its field or property name, its kind, its shape bytes."""

    name: str
    kind: values.Kind
    shape: slice


@dataclass(frozen=True)
class Layout:
    """Where each choice of a body sits in its shape bytes.

    Every choice has fixed bytes of its own, whether or not it is used, so shrinking one
    choice (towards zero: absent, first form, first pool entry) leaves the others alone.
    """

    size: int
    present: Mapping[str, int]  # optional field or property -> its presence byte
    name: int
    association: int
    properties: tuple[Site, ...]
    fields: Mapping[str, Site]


def _layout(plan: Plan) -> Layout:
    at = 0

    def take(size: int) -> slice:
        nonlocal at
        at += size
        return slice(at - size, at)

    # Fields and properties are two namespaces, hence the prefix on properties.
    optional = ["properties." + prop.name for prop in plan.event_type.properties]
    optional += [*_OPTIONAL, *(() if plan.settings.id_required else ("id",))]
    present = {name: take(1).start for name in optional}
    name, association = take(1).start, take(1).start
    properties = tuple(
        Site(prop.name, kind, take(kind.size))
        for prop in plan.event_type.properties
        for kind in (values.property_values(prop),)
    )
    used = {"id", *_OPTIONAL, *(field for form in plan.associations for field in form)}
    fields = {
        field: Site(field, kind, take(kind.size))
        for field, kind in plan.field_kinds.items()
        if field in used
    }
    return Layout(at, present, name, association, properties, fields)


def _body(draw: st.DrawFn, plan: Plan) -> dict[str, Any]:
    # One draw of shape bytes makes every small choice of the body (which optional parts,
    # which association form, which value forms and pool entries): hypothesis' cost is per
    # draw, and this leaves only numbers, moments, object ids and unicode text to draw.
    layout = plan.layout
    shape = draw(plan.shape)
    present = layout.present

    def value(site: Site) -> Any:
        return site.kind.decode(draw, shape[site.shape])

    body: dict[str, Any] = {"eventTypeName": plan.names[shape[layout.name] % len(plan.names)]}
    if plan.settings.id_required or shape[present["id"]] & 1:
        body["id"] = value(layout.fields["id"])
    body["properties"] = {
        site.name: value(site)
        for site in layout.properties
        if shape[present["properties." + site.name]] & 1
    }
    for field in plan.associations[shape[layout.association] % len(plan.associations)]:
        body[field] = value(layout.fields[field])
    for field in _OPTIONAL:
        if shape[present[field]] & 1:
            body[field] = value(layout.fields[field])
    return body


_bodies = st.composite(_body)


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
