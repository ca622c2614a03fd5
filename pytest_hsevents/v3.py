"""Timeline v3: event templates, their tokens, and events sent against them.

A template is an event type by another name: its tokens are EventProperty values and
`as_event_type` lets v3 events reuse the occurrence checks (values, association, timestamp,
extraData, timelineIFrame). Only what differs lives here: the template/token shapes
(HSV010-HSV013) and the event's own fields (HSV001-HSV005).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from .model import EventProperty, EventType, PropertyOption
from .occurrences import (
    Violation,
    check_association,
    check_field_types,
    check_optional_fields,
    check_properties,
    plan_for,
)
from .rules import RULES
from .settings import Settings
from .templates import parse_template as parse_handlebars

__all__ = [
    "EVENT_FIELDS",
    "MAX_TEMPLATES",
    "OBJECT_TYPES",
    "TOKEN_TYPES",
    "EventTemplate",
    "as_event_type",
    "parse_template",
    "parse_token",
    "template_json",
    "token_json",
    "validate_event",
]

MAX_TEMPLATES = 750
EVENT_FIELDS = frozenset(
    {
        "eventTemplateId",
        "id",
        "tokens",
        "objectId",
        "email",
        "utk",
        "domain",
        "timestamp",
        "extraData",
        "timelineIFrame",
        "customObjectTypeId",
    }
)
_STRING_FIELDS = (
    "eventTemplateId",
    "id",
    "objectId",
    "email",
    "utk",
    "domain",
    "customObjectTypeId",
)
OBJECT_TYPES: Mapping[str, str] = {
    "contacts": "CONTACT",
    "companies": "COMPANY",
    "deals": "DEAL",
    "tickets": "TICKET",
}
"""v3 template objectType -> the CRM object type an event lands on."""
TOKEN_TYPES = ("date", "enumeration", "number", "string")
_TOKEN_NAME = re.compile(r"[A-Za-z0-9_\-.]+")


@dataclass(frozen=True)
class EventTemplate:
    """A v3 event template, created through the API or registered by a test."""

    id: str
    app_id: str
    name: str
    object_type: str
    tokens: tuple[EventProperty, ...] = ()
    header_template: str | None = None
    detail_template: str | None = None
    created_at: str = ""
    updated_at: str = ""


def as_event_type(template: EventTemplate) -> EventType:
    """The template seen as an event type, so occurrence checks and rendering apply."""
    return EventType(
        uid=template.id,
        name=template.name,
        object_type=OBJECT_TYPES.get(template.object_type.lower()),
        header_template=template.header_template,
        detail_template=template.detail_template,
        properties=template.tokens,
    )


def _bad(rule: str, pointer: str, message: str) -> Violation:
    return Violation(RULES[rule], pointer, message)


def parse_token(raw: object, pointer: str = "") -> tuple[EventProperty | None, list[Violation]]:
    """A `TimelineEventTemplateToken` body as an EventProperty, or why it is not one."""
    if not isinstance(raw, dict):
        return None, [_bad("HSV011", pointer, "a token is a JSON object")]
    problems: list[Violation] = []
    name, label, kind = raw.get("name"), raw.get("label"), raw.get("type")
    if not isinstance(name, str) or not _TOKEN_NAME.fullmatch(name):
        problems.append(
            _bad(
                "HSV011",
                pointer + "/name",
                f"token name {name!r}: letters, digits, '.', '-' and '_' only",
            )
        )
    if not isinstance(label, str) or not label:
        problems.append(_bad("HSV011", pointer + "/label", "a token needs a label"))
    if not isinstance(kind, str) or kind.lower() not in TOKEN_TYPES:
        problems.append(
            _bad(
                "HSV011", pointer + "/type", f"token type {kind!r}: one of {', '.join(TOKEN_TYPES)}"
            )
        )
    options = raw.get("options") or []
    parsed_options: list[PropertyOption] = []
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and isinstance(o.get("label"), str) and isinstance(o.get("value"), str)
        for o in options
    ):
        problems.append(
            _bad(
                "HSV011", pointer + "/options", "options are objects with a string label and value"
            )
        )
    else:
        parsed_options = [PropertyOption(o["label"], o["value"]) for o in options]
    if isinstance(kind, str) and kind.lower() == "enumeration" and not parsed_options:
        problems.append(_bad("HSV011", pointer + "/options", "an enumeration token needs options"))
    object_property = raw.get("objectPropertyName")
    if problems:
        return None, problems
    return (
        EventProperty(
            name=str(name),
            label=str(label),
            type=str(kind).upper(),
            options=tuple(parsed_options),
            object_property=object_property if isinstance(object_property, str) else None,
        ),
        [],
    )


TEMPLATE_LIMITS = {"headerTemplate": 1_000, "detailTemplate": 10_000}
"""v3 states no limits; HubSpot's app-events limits apply (docs/decisions.md)."""


def parse_template(
    raw: object, template_id: str, app_id: str, now: str
) -> tuple[EventTemplate | None, list[Violation]]:
    """A `TimelineEventTemplateCreateRequest` (or update) body as a template, or why not."""
    if not isinstance(raw, dict):
        return None, [_bad("HSV010", "", "a template is a JSON object")]
    problems: list[Violation] = []
    name, object_type, tokens = raw.get("name"), raw.get("objectType"), raw.get("tokens")
    if not isinstance(name, str) or not name:
        problems.append(_bad("HSV010", "/name", "a template needs a name"))
    if not isinstance(object_type, str) or object_type.lower() not in OBJECT_TYPES:
        problems.append(
            _bad(
                "HSV010",
                "/objectType",
                f"objectType {object_type!r}: one of {', '.join(OBJECT_TYPES)}",
            )
        )
    if not isinstance(tokens, list):
        problems.append(_bad("HSV010", "/tokens", "a template needs a tokens array"))
        tokens = []
    parsed: list[EventProperty] = []
    for index, token in enumerate(tokens):
        prop, token_problems = parse_token(token, f"/tokens/{index}")
        problems += token_problems
        if prop is not None:
            if any(p.name == prop.name for p in parsed):
                problems.append(
                    _bad("HSV012", f"/tokens/{index}/name", f"token {prop.name!r} appears twice")
                )
            parsed.append(prop)
    for key, limit in TEMPLATE_LIMITS.items():
        text = raw.get(key)
        if text is not None and not isinstance(text, str):
            problems.append(_bad("HSV010", "/" + key, f"{key} is a string"))
        elif text and len(text) > limit:
            problems.append(
                _bad(
                    "HSV014",
                    "/" + key,
                    f"{key} has {len(text):,} characters; the limit is {limit:,}",
                )
            )
        elif text and (info := parse_handlebars(text)).rule == "HST005":
            problems.append(_bad("HSV014", "/" + key, f"{key}: {info.error}"))
    if problems:
        return None, problems
    return (
        EventTemplate(
            id=template_id,
            app_id=app_id,
            name=str(name),
            object_type=str(object_type).lower(),
            tokens=tuple(parsed),
            header_template=raw.get("headerTemplate"),
            detail_template=raw.get("detailTemplate"),
            created_at=now,
            updated_at=now,
        ),
        [],
    )


def token_json(token: EventProperty) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": token.name,
        "label": token.label,
        "type": (token.type or "string").lower(),
        "options": [{"label": o.label, "value": o.value} for o in token.options],
    }
    if token.object_property:
        out["objectPropertyName"] = token.object_property
    return out


def template_json(template: EventTemplate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": template.id,
        "name": template.name,
        "objectType": template.object_type,
        "tokens": [token_json(t) for t in template.tokens],
        "createdAt": template.created_at,
        "updatedAt": template.updated_at,
    }
    for key, value in (
        ("headerTemplate", template.header_template),
        ("detailTemplate", template.detail_template),
    ):
        if value is not None:
            out[key] = value
    return out


def validate_event(
    body: object, templates: Mapping[str, EventTemplate], settings: Settings
) -> tuple[EventTemplate | None, tuple[Violation, ...]]:
    """Every stateless rule a v3 `TimelineEvent` breaks, and the template it names."""
    if not isinstance(body, dict):
        return None, (_bad("HSO001", "", "the body is not a JSON object"),)
    found: list[Violation] = []
    add: Callable[[Violation], None] = found.append
    check_field_types(body, EVENT_FIELDS, _STRING_FIELDS, add)
    template_id = body.get("eventTemplateId")
    template = None
    if template_id is None:
        add(_bad("HSV001", "/eventTemplateId", "eventTemplateId is missing"))
    elif isinstance(template_id, str):
        template = templates.get(template_id)
        if template is None:
            add(
                _bad(
                    "HSV002",
                    "/eventTemplateId",
                    f"no event template has id {template_id!r}; create it first",
                )
            )
    tokens = body.get("tokens")
    plan = plan_for(as_event_type(template), kind="event template") if template else None
    if tokens is None:
        add(_bad("HSV003", "/tokens", "tokens is missing"))
    elif not isinstance(tokens, dict):
        add(_bad("HSO006", "/tokens", "tokens must be an object"))
    elif plan is not None:
        check_properties(
            plan,
            tokens,
            add,
            lenient=settings.lenient_property_values,
            field="tokens",
            unknown_rule="HSV004",
            value_rule="HSV005",
        )
    if plan is not None:
        # v3 pairs domain with utk for contacts; only objectId/utk/email decide association
        check_association(plan, {k: v for k, v in body.items() if k != "domain"}, add)
    check_optional_fields(body, settings, add)
    return template, tuple(found)
