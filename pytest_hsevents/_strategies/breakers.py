"""One breaker per occurrence rule: turn a valid body into one that breaks only that rule.

A breaker says whether the rule can be broken for an event type under given settings, and
makes the break from a valid base body by construction (never by filtering), so every draw
is invalid for exactly its labelled reason and shrinking cannot remove the break.
"""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from .._pointers import json_pointer
from ..model import EventProperty
from ..occurrences import FIELDS, IFRAME_FIELDS
from . import values
from .bodies import Plan, valid_bodies

Body = dict[str, Any]
Broken = tuple[Any, str, tuple[Body, ...]]
"""(occurrence, JSON pointer of the break, occurrences that must be accepted before it)."""


@dataclass(frozen=True)
class Breaker:
    applies: Callable[[Plan], bool]
    make: Callable[[st.DrawFn, Plan, Body], Broken]


def _props_of(plan: Plan, kind: str | None) -> tuple[EventProperty, ...]:
    return tuple(
        p
        for p in plan.event_type.properties
        if kind is None or (p.type == kind and (kind != "ENUMERATION" or p.options))
    )


def _always(plan: Plan) -> bool:
    return True


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    """Built once: a strategy built inside a draw is validated anew each time, which costs
    a breaker more than everything it draws."""
    return values.sampled(tuple(range(size)))


def _drop(*names: str) -> Callable[[st.DrawFn, Plan, Body], Broken]:
    def make(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
        for name in names:
            body.pop(name, None)
        return body, "/" + names[0], ()

    return make


def _body_not_object(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    shapes: list[Any] = [[body], json.dumps(body), None, len(body), True]
    return shapes[draw(_index(len(shapes)))], "", ()


_SEPARATORS = values.sampled((" ", "/", ":", "#", "@"))


def _event_type_unknown(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    # A character no uid may contain: the name can never match any event type.
    separator = draw(_SEPARATORS)
    body["eventTypeName"] = body["eventTypeName"] + separator + draw(values.words.strategy)
    return body, "/eventTypeName", ()


_WRONG_TYPES: tuple[Any, ...] = (True, False, ["x"], {"value": "x"}, [])
_WRONG_TYPE_VALUES = values.sampled(_WRONG_TYPES)


def _field_type(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    body.setdefault("id", draw(values.occurrence_ids.strategy))
    candidates = [name for name in ("id", "objectId", "email", "utk", "domain") if name in body]
    name = candidates[draw(_index(len(candidates)))]
    body[name] = draw(_WRONG_TYPE_VALUES)
    return body, "/" + name, ()


_NEAR_MISS_FIELDS = (
    "eventType",
    "objectType",
    "eventTemplateId",
    "tokens",
    "occurredAt",
    "createdAt",
    "extra_data",
    "Email",
    "object_id",
    "customObjectTypeId",
    "portalId",
)


_UNKNOWN_FIELDS = values.not_in(
    set(FIELDS),
    values.one_of(
        values.sampled(_NEAR_MISS_FIELDS), st.text(string.ascii_letters, min_size=1, max_size=12)
    ),
)


def _unknown_field(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    name = draw(_UNKNOWN_FIELDS)
    body[name] = draw(values.texts.strategy)
    return body, "/" + name, ()


@functools.lru_cache(maxsize=256)
def _unknown_properties(plan: Plan) -> st.SearchStrategy[str]:
    defined = set(plan.event_type.properties_by_name)
    near = (*(f"{p.name}_old" for p in plan.event_type.properties), "utm_source", "hs_note")
    return values.not_in(
        defined,
        values.one_of(
            values.sampled(near), st.text(string.ascii_letters + "_", min_size=1, max_size=16)
        ),
    )


def _property_unknown(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    name = draw(_unknown_properties(plan))
    body["properties"][name] = draw(values.texts.strategy)
    return body, json_pointer("properties", name), ()


def _property_breaker(
    kind: str | None, bad: Callable[[Plan, EventProperty], st.SearchStrategy[Any]]
) -> Breaker:
    @functools.lru_cache(maxsize=256)
    def bad_values(plan: Plan) -> st.SearchStrategy[tuple[str, Any]]:
        return values.one_of(
            *(
                values.mapped(bad(plan, prop), functools.partial(_named, prop.name))
                for prop in _props_of(plan, kind)
            )
        )

    def make(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
        name, value = draw(bad_values(plan))
        body["properties"][name] = value
        return body, json_pointer("properties", name), ()

    return Breaker(lambda plan: bool(_props_of(plan, kind)), make)


def _named(name: str, value: Any) -> tuple[str, Any]:
    return name, value


_STRUCTURED = values.one_of(_WRONG_TYPE_VALUES, st.none())
_NUMBERS = values.with_plain(st.integers(-(10**6), 10**6), lambda: 0)
_MILLIS = values.with_plain(st.integers(0, 4_102_444_799_000), lambda: 0)
_NOT_STRINGS = values.one_of(_NUMBERS, _STRUCTURED)
_NOT_DATE_STRINGS = values.one_of(_MILLIS, _STRUCTURED)


def _not_string(plan: Plan, prop: EventProperty) -> st.SearchStrategy[Any]:
    if plan.settings.lenient_property_values:
        return _STRUCTURED
    return _NOT_DATE_STRINGS if prop.type == "DATE" else _NOT_STRINGS


def _bad_enumeration(plan: Plan, prop: EventProperty) -> st.SearchStrategy[str]:
    labels = tuple(o.label for o in prop.options if o.label)
    words = values.words.strategy
    near = values.one_of(values.sampled(labels), words) if labels else words
    return values.not_in(prop.option_values, near)


def _set_association(*names: str) -> Callable[[st.DrawFn, Plan, Body], Broken]:
    """Replace the association with exactly `names` (the first one is the break)."""

    def make(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
        for name in ("objectId", "email", "utk", "domain"):
            body.pop(name, None)
        for name in names:
            body[name] = draw(plan.field_values(name))
        return body, "/" + names[0], ()

    return make


def _add(name: str) -> Callable[[st.DrawFn, Plan, Body], Broken]:
    def make(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
        body[name] = draw(plan.field_values(name))
        return body, "/" + name, ()

    return make


def _association_missing(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    for name in ("objectId", "email", "utk", "domain"):
        body.pop(name, None)
    # A contact has several ways in, so the validator points at the body, not one field.
    return body, "" if plan.is_contact else "/objectId", ()


def _id_duplicate(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    body.setdefault("id", draw(values.occurrence_ids.strategy))
    second = draw(valid_bodies(plan))
    second["id"] = body["id"]
    return second, "/id", (body,)


def _custom_name_format(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    object_name = draw(values.custom_object_names.strategy)
    portal = plan.settings.portal_id
    wrong = (
        object_name,
        f"{portal}_{object_name}",
        f"p_{object_name}",
        f"P{portal}-{object_name}",
        f"p{portal}_",
        f"2-{portal}",
    )
    body["objectTypeFullyQualifiedName"] = wrong[draw(_index(len(wrong)))]
    return body, "/objectTypeFullyQualifiedName", ()


def _set(name: str, bad: st.SearchStrategy[Any]) -> Callable[[st.DrawFn, Plan, Body], Broken]:
    def make(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
        body[name] = draw(bad)
        return body, "/" + name, ()

    return make


_IFRAME_FIELDS = values.sampled(tuple(IFRAME_FIELDS))
_BAD_SIZES = values.with_plain(
    st.one_of(
        st.integers(values.INT32_MAX + 1, 2**40),
        st.integers(-(2**40), -(2**31) - 1),
        st.integers(1, 4096).map(str),
        st.sampled_from((1.5, 640.25, True, [640])),
    ),
    lambda: "640",
)
_BAD_LABELS = values.with_plain(
    st.integers(0, 4096) | st.sampled_from((True, ["x"], {"text": "x"})), lambda: 0
)


def _iframe_missing(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    iframe = dict(draw(values.iframes.strategy))
    name = draw(_IFRAME_FIELDS)
    del iframe[name]
    body["timelineIFrame"] = iframe
    return body, "/timelineIFrame/" + name, ()


def _iframe_type(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    iframe = dict(draw(values.iframes.strategy))
    name = draw(_IFRAME_FIELDS)
    iframe[name] = draw(_BAD_SIZES if name in ("width", "height") else _BAD_LABELS)
    body["timelineIFrame"] = iframe
    return body, f"/timelineIFrame/{name}", ()


_NOT_OBJECTS = values.one_of(values.texts.strategy, st.integers(), st.booleans())
_NOT_OBJECTS_OR_ARRAYS = values.one_of(_NOT_OBJECTS, st.lists(values.texts.strategy, max_size=3))


def _extra_data(draw: st.DrawFn, plan: Plan, body: Body) -> Broken:
    body["extraData"] = draw(
        _NOT_OBJECTS if plan.settings.extra_data_array else _NOT_OBJECTS_OR_ARRAYS
    )
    return body, "/extraData", ()


def _associated(plan: Plan) -> bool:
    """Association rules need a known object type (a broken definition has none)."""
    return plan.is_custom or plan.event_type.object_type is not None


def _contact(plan: Plan) -> bool:
    return plan.is_contact


def _not_contact(plan: Plan) -> bool:
    return _associated(plan) and not plan.is_contact


BREAKERS: Mapping[str, Breaker] = {
    "HSO001": Breaker(_always, _body_not_object),
    "HSO002": Breaker(_always, _drop("eventTypeName")),
    "HSO003": Breaker(_always, _event_type_unknown),
    "HSO004": Breaker(lambda plan: plan.settings.id_required, _drop("id")),
    "HSO005": Breaker(_always, _id_duplicate),
    "HSO006": Breaker(_always, _field_type),
    "HSO007": Breaker(_always, _unknown_field),
    "HSO010": Breaker(_always, _drop("properties")),
    "HSO011": Breaker(_always, _property_unknown),
    "HSO012": _property_breaker(None, _not_string),
    "HSO013": _property_breaker("NUMBER", lambda plan, prop: values.bad_numbers),
    "HSO014": _property_breaker("DATE", lambda plan, prop: values.bad_dates),
    "HSO015": _property_breaker("ENUMERATION", _bad_enumeration),
    "HSO020": Breaker(_associated, _association_missing),
    "HSO021": Breaker(_not_contact, _add("email")),
    "HSO022": Breaker(_not_contact, _add("utk")),
    "HSO023": Breaker(lambda plan: _associated(plan) and not plan.is_company, _add("domain")),
    "HSO024": Breaker(lambda plan: plan.is_company, _set_association("domain")),
    "HSO025": Breaker(_contact, _set_association("utk")),
    "HSO030": Breaker(lambda plan: plan.is_custom, _drop("objectTypeFullyQualifiedName")),
    "HSO031": Breaker(lambda plan: plan.is_custom, _custom_name_format),
    "HSO032": Breaker(lambda plan: not plan.is_custom, _add("objectTypeFullyQualifiedName")),
    "HSO040": Breaker(_always, _set("timestamp", values.bad_timestamps)),
    "HSO041": Breaker(_always, _extra_data),
    "HSO050": Breaker(_always, _iframe_missing),
    "HSO051": Breaker(_always, _iframe_type),
}
"""Every occurrence-body rule, by id. Batch-level rules (HSO060, HSO061) live in batches."""

STATEFUL = frozenset({"HSO005", "HSO025"})
"""Rules only the backend can decide: the body alone passes the validator."""


def break_body(draw: st.DrawFn, plan: Plan, rule_id: str) -> Broken:
    return BREAKERS[rule_id].make(draw, plan, draw(valid_bodies(plan)))
