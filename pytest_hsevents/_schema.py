"""The JSON Schema (draft-07) of an event type's v4 occurrence body.

For users who validate elsewhere (another language, a queue consumer, an API gateway). It
encodes every stateless rule the validator applies, with two differences, both stricter:
fields set to `null` are rejected (the validator treats them as absent), and calendar
checks stop at "month 01-12, day 01-31" (a pattern cannot know that February has 28 days).
Stateful rules cannot be expressed: a repeated id (HSO005) and a utk with no contact behind
it (HSO025) both pass the schema.
"""

from __future__ import annotations

from typing import Any

from .model import EventProperty, EventType
from .occurrences import IFRAME_FIELDS, fully_qualified_name
from .settings import Settings

__all__ = ["occurrence_schema"]

_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SECONDS = r":(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?"
NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
EPOCH_MS = r"^-?[0-9]{1,15}$"
DATE = f"^{_DATE}$"
LOOSE_DATE_TIME = f"^{_DATE}T{_CLOCK}(?:{_SECONDS})?{_OFFSET}?$"
DATE_TIME = f"^{_DATE}T{_CLOCK}{_SECONDS}{_OFFSET}$"
CUSTOM_OBJECT_NAME = r"^p[0-9]+_[A-Za-z0-9_]+$"
INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}


def _value_schema(prop: EventProperty, lenient: bool) -> dict[str, Any]:
    kinds: Any = ["string", "number"] if lenient else "string"
    if prop.type == "NUMBER":
        return {"type": kinds, "pattern": NUMBER}
    if prop.type == "DATE":
        forms = [{"pattern": EPOCH_MS}, {"pattern": DATE}, {"pattern": LOOSE_DATE_TIME}]
        if lenient:
            return {"anyOf": [{"type": "integer"}, {"type": "string", "anyOf": forms}]}
        return {"type": "string", "anyOf": forms}
    if prop.type == "ENUMERATION":
        return {"type": "string", "enum": sorted(prop.option_values)}
    return {"type": kinds}


def _association(event_type: EventType) -> tuple[dict[str, Any], dict[str, Any]]:
    """(allowed association fields, the constraint tying them together)."""
    string = {"type": "string"}
    if event_type.supports_custom_object:
        fqn = {"type": "string", "pattern": CUSTOM_OBJECT_NAME}
        return (
            {"objectId": string, "objectTypeFullyQualifiedName": fqn},
            {"required": ["objectId", "objectTypeFullyQualifiedName"]},
        )
    if event_type.object_type == "CONTACT":
        return (
            {"objectId": string, "email": string, "utk": string},
            {"anyOf": [{"required": [name]} for name in ("objectId", "email", "utk")]},
        )
    if event_type.object_type == "COMPANY":
        return {"objectId": string, "domain": string}, {"required": ["objectId"]}
    if event_type.object_type is None:  # a broken definition: the validator skips these
        fields = ("objectId", "email", "utk", "domain")
        return {name: string for name in fields}, {}
    return {"objectId": string}, {"required": ["objectId"]}


def occurrence_schema(event_type: EventType, settings: Settings | None = None) -> dict[str, Any]:
    """The JSON Schema of a valid occurrence body of `event_type` under `settings`."""
    settings = settings or Settings()
    names = [fully_qualified_name(event_type.uid, settings.portal_id)]
    if settings.event_type_uid_alias:
        names.append(event_type.uid)
    association, constraint = _association(event_type)
    lenient = settings.lenient_property_values
    iframe = {
        "type": "object",
        "required": list(IFRAME_FIELDS),
        "properties": {
            name: {"type": "string"} if kind is str else {"type": "integer", **INT32}
            for name, kind in IFRAME_FIELDS.items()
        },
    }
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"{event_type.name or event_type.uid} occurrence",
        "description": f"A HubSpot app-event occurrence of event type {event_type.uid!r} "
        "(POST /integrators/timeline/2026-03/events).",
        "type": "object",
        "required": ["eventTypeName", "id", "properties"]
        if settings.id_required
        else ["eventTypeName", "properties"],
        "additionalProperties": False,
        "properties": {
            "eventTypeName": {"type": "string", "enum": names},
            "id": {"type": "string"},
            "properties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    prop.name: _value_schema(prop, lenient) for prop in event_type.properties
                },
            },
            **association,
            "timestamp": {"type": "string", "format": "date-time", "pattern": DATE_TIME},
            "extraData": {"type": ["object", "array"] if settings.extra_data_array else "object"},
            "timelineIFrame": iframe,
        },
    }
    if constraint:
        schema["allOf"] = [constraint]
    return schema
