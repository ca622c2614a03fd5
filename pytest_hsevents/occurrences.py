"""Validate an app-event occurrence body against the project's event types, as HubSpot does.

Pure and stateless: the fake's backend, the assertions and the strategies' self-check all call
`OccurrenceValidator.validate`, which reports every stateless rule a body breaks (HSO001-HSO051
minus HSO005 id-duplicate and HSO025 utk-cannot-create-contact, which need stored state).
Per event type the checks are compiled once, so a valid body costs a few dict lookups.

Accepted text (HubSpot publishes none; see docs/decisions.md): NUMBER takes decimal number
text (`-12`, `3.5`, `1e3`); DATE takes epoch milliseconds as integer text or an ISO 8601 date
(`2025-01-31`) or date-time (`2025-01-31T09:30:00Z`, offset optional); the occurrence
`timestamp` is an RFC 3339 date-time (offset required), as OpenAPI `format: date-time` says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from ._pointers import json_pointer
from .model import EventProperty, EventType, Project
from .rules import RULES, Rule
from .settings import Settings

__all__ = [
    "FIELDS",
    "IFRAME_FIELDS",
    "OccurrenceValidator",
    "TypePlan",
    "Violation",
    "check_association",
    "check_field_types",
    "check_iframe",
    "check_optional_fields",
    "check_properties",
    "check_value",
    "fully_qualified_name",
    "is_date_time",
    "json_pointer",
    "plan_for",
    "value_check",
]

FIELDS = frozenset(
    {
        "eventTypeName",
        "id",
        "properties",
        "objectId",
        "objectTypeFullyQualifiedName",
        "email",
        "utk",
        "domain",
        "timestamp",
        "extraData",
        "timelineIFrame",
    }
)
"""Every field of spec26's `AppEventOccurrence`."""
_STRING_FIELDS = (
    "eventTypeName",
    "id",
    "objectId",
    "objectTypeFullyQualifiedName",
    "email",
    "utk",
    "domain",
)
IFRAME_FIELDS: Mapping[str, type] = {
    "linkLabel": str,
    "headerLabel": str,
    "url": str,
    "width": int,
    "height": int,
}
"""`TimelineEventIFrame`: every field is required when the object is present."""
_INT32 = (-(2**31), 2**31 - 1)

# re.ASCII: `\d` means 0-9 here; other scripts' digits are no ISO 8601 or decimal text.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_EPOCH_MS = re.compile(r"-?\d{1,15}", re.ASCII)
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d|60)(?:\.\d{1,9})?)?"
_OFFSET = r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
_DATE_ONLY = re.compile(_DATE, re.ASCII)
_DATE_TIME_STRICT = re.compile(
    _DATE + r"T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.\d{1,9})?" + _OFFSET, re.ASCII
)
_DATE_TIME_LOOSE = re.compile(_DATE + _TIME + _OFFSET + "?", re.ASCII)
_CUSTOM_OBJECT_NAME = re.compile(r"p[0-9]+_[A-Za-z0-9_]+")
_ASSOCIATION_FIELDS = ("objectId", "utk", "email", "domain")


@dataclass(frozen=True)
class Violation:
    """One broken rule in one body: which rule, where (JSON pointer) and what exactly."""

    rule: Rule
    pointer: str
    message: str

    @property
    def rule_id(self) -> str:
        return self.rule.id

    def __str__(self) -> str:
        return f"{self.rule.id} {self.pointer or '/'}: {self.message}"


def fully_qualified_name(uid: str, portal_id: int) -> str:
    """The name HubSpot gives an event type (`ae1234567_webinar_attended`)."""
    return f"ae{portal_id}_{uid}"


def _valid_date(match: re.Match[str] | None) -> bool:
    """The matched text starts with a real calendar date (not `2025-02-30`)."""
    if match is None:
        return False
    try:
        date.fromisoformat(match.string[:10])  # the regex already fixed the YYYY-MM-DD shape
    except ValueError:
        return False
    return True


def is_date_time(text: str) -> bool:
    """An RFC 3339 date-time (`format: date-time`), with a real calendar date."""
    return _valid_date(_DATE_TIME_STRICT.fullmatch(text))


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def _is_date(text: str) -> bool:
    if _EPOCH_MS.fullmatch(text):
        return True
    return _valid_date(_DATE_ONLY.fullmatch(text) or _DATE_TIME_LOOSE.fullmatch(text))


_Check = Callable[[str], Optional[str]]
"""Takes a property value's text; returns why it is wrong, or None."""


def _number_check(text: str) -> str | None:
    return None if _is_number(text) else "a number property takes a decimal number"


def _date_check(text: str) -> str | None:
    if _is_date(text):
        return None
    return "a date property takes epoch milliseconds or an ISO 8601 date or date-time"


def _enumeration_check(prop: EventProperty) -> _Check:
    values = prop.option_values
    shown = ", ".join(repr(v) for v in sorted(values)) or "none defined"
    labels = {option.label: option.value for option in prop.options}

    def check(text: str) -> str | None:
        if text in values:
            return None
        hint = f" ({text!r} is the label of {labels[text]!r})" if text in labels else ""
        return f"an enumeration property takes one of its option values: {shown}{hint}"

    return check


def value_check(prop: EventProperty) -> tuple[str, _Check] | None:
    """(rule id, check) for a property's type; None when any string will do."""
    if prop.type == "NUMBER":
        return "HSO013", _number_check
    if prop.type == "DATE":
        return "HSO014", _date_check
    if prop.type == "ENUMERATION":
        return "HSO015", _enumeration_check(prop)
    return None


def check_value(prop: EventProperty, text: str) -> str | None:
    """Why `text` is not a valid value of `prop`, or None (shared with v3 token checks)."""
    found = value_check(prop)
    return None if found is None else found[1](text)


@dataclass(frozen=True)
class TypePlan:
    """What one event type needs checked, computed once."""

    event_type: EventType
    checks: Mapping[str, tuple[str, _Check] | None]
    """Property name -> (rule id, check) or None for STRING; absent name = unknown property."""
    object_type: str | None
    custom: bool
    kind: str = "event type"


def plan_for(event_type: EventType, kind: str = "event type") -> TypePlan:
    """The precomputed checks for one event type (v3 passes a template as an EventType)."""
    return TypePlan(
        event_type=event_type,
        checks={prop.name: value_check(prop) for prop in event_type.properties},
        object_type=event_type.object_type,
        custom=event_type.supports_custom_object,
        kind=kind,
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class OccurrenceValidator:
    """Checks occurrence bodies for one project under one reading of the contract."""

    def __init__(self, project: Project, settings: Settings | None = None) -> None:
        self.project = project
        self.settings = settings or Settings()
        plans: dict[str, TypePlan] = {}
        for uid, event_type in project.event_types.items():
            plan = plan_for(event_type)
            plans[fully_qualified_name(uid, self.settings.portal_id)] = plan
            if self.settings.event_type_uid_alias:
                plans.setdefault(uid, plan)
        self._plans: Mapping[str, TypePlan] = plans

    def event_type_for(self, event_type_name: str) -> EventType | None:
        """The event type a body's eventTypeName names (its FQN; its uid when aliased)."""
        plan = self._plans.get(event_type_name)
        return None if plan is None else plan.event_type

    def validate(self, body: object) -> tuple[Violation, ...]:
        """Every stateless rule `body` breaks, in field order; () for a valid body."""
        r = RULES
        if not isinstance(body, dict):
            return (Violation(r["HSO001"], "", f"the body is {_kind(body)}, not a JSON object"),)
        found: list[Violation] = []
        add = found.append
        check_field_types(body, FIELDS, _STRING_FIELDS, add)
        name = body.get("eventTypeName")
        plan: TypePlan | None = None
        if name is None:
            add(Violation(r["HSO002"], "/eventTypeName", "eventTypeName is missing"))
        elif isinstance(name, str):
            plan = self._plans.get(name)
            if plan is None:
                add(Violation(r["HSO003"], "/eventTypeName", self._unknown_type_message(name)))
        if body.get("id") is None and self.settings.id_required:
            add(Violation(r["HSO004"], "/id", "id is missing; HubSpot's API requires one"))
        properties = body.get("properties")
        if properties is None:
            add(Violation(r["HSO010"], "/properties", "properties is missing"))
        elif not isinstance(properties, dict):
            add(
                Violation(
                    r["HSO006"],
                    "/properties",
                    f"properties is {_kind(properties)}; it must be an object",
                )
            )
        elif plan is not None and properties:
            check_properties(plan, properties, add, lenient=self.settings.lenient_property_values)
        if plan is not None:
            check_association(plan, body, add)
        check_optional_fields(body, self.settings, add)
        return tuple(found)

    def _unknown_type_message(self, name: str) -> str:
        known = sorted(
            fully_qualified_name(uid, self.settings.portal_id) for uid in self.project.event_types
        )
        shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
        return f"eventTypeName {name!r} names no event type of this project; known: {shown}"


def check_properties(
    plan: TypePlan,
    properties: dict[str, object],
    add: Callable[[Violation], None],
    *,
    lenient: bool = False,
    field: str = "properties",
    unknown_rule: str = "HSO011",
    value_rule: str | None = None,
) -> None:
    """Unknown names, non-string values and values of the wrong type (v3 passes its rules)."""
    r = RULES
    checks = plan.checks
    for key, value in properties.items():
        if key not in checks:
            known = ", ".join(checks) or "none"
            add(
                Violation(
                    r[unknown_rule],
                    json_pointer(field, key),
                    f"{field}.{key} is not defined on {plan.kind} "
                    f"{plan.event_type.uid!r}; defined: {known}",
                )
            )
            continue
        if isinstance(value, str):
            text = value
        elif lenient and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
        else:
            add(
                Violation(
                    r["HSO012"],
                    json_pointer(field, key),
                    f"{field}.{key} is {_kind(value)}; {field} values are sent as strings",
                )
            )
            continue
        found = checks[key]
        if found is not None:
            why = found[1](text)
            if why is not None:
                add(
                    Violation(
                        r[value_rule or found[0]],
                        json_pointer(field, key),
                        f"{field}.{key} is {_short(text)}; {why}",
                    )
                )


def check_association(
    plan: TypePlan, body: dict[str, object], add: Callable[[Violation], None]
) -> None:
    """objectId / utk / email / domain and objectTypeFullyQualifiedName per object type."""
    r = RULES
    present = [key for key in _ASSOCIATION_FIELDS if body.get(key) is not None]
    uid = plan.event_type.uid
    fqn = body.get("objectTypeFullyQualifiedName")
    if plan.custom:
        target = "custom-object"
        if fqn is None:
            add(
                Violation(
                    r["HSO030"],
                    "/objectTypeFullyQualifiedName",
                    f"event type {uid!r} is for custom objects; send "
                    "objectTypeFullyQualifiedName like p1234567_Cats",
                )
            )
        elif isinstance(fqn, str) and not _CUSTOM_OBJECT_NAME.fullmatch(fqn):
            add(
                Violation(
                    r["HSO031"],
                    "/objectTypeFullyQualifiedName",
                    f"objectTypeFullyQualifiedName is {_short(fqn)}; it has the form "
                    "p{accountId}_{objectName}, like p1234567_Cats",
                )
            )
    else:
        target = (plan.object_type or "").lower() or "unknown-object"
        if fqn is not None:
            add(
                Violation(
                    r["HSO032"],
                    "/objectTypeFullyQualifiedName",
                    f"event type {uid!r} is not for custom objects; "
                    "objectTypeFullyQualifiedName is only for those",
                )
            )
        if plan.object_type is None:
            return  # a broken definition: the checker reports it
    contact = plan.object_type == "CONTACT" and not plan.custom
    company = plan.object_type == "COMPANY" and not plan.custom
    if not contact:
        for key, rule in (("email", "HSO021"), ("utk", "HSO022")):
            if key in present:
                add(
                    Violation(
                        r[rule],
                        "/" + key,
                        f"{key} identifies contacts only; event type {uid!r} is for "
                        f"{target} records",
                    )
                )
    if "domain" in present and not company:
        add(
            Violation(
                r["HSO023"],
                "/domain",
                f"domain applies to companies only; event type {uid!r} is for {target} records",
            )
        )
    if "objectId" in present:
        return
    if contact:
        if "utk" not in present and "email" not in present:
            add(
                Violation(
                    r["HSO020"],
                    "",
                    f"event type {uid!r} is for contacts: send objectId, or utk and/or email",
                )
            )
    elif company and "domain" in present:
        add(
            Violation(
                r["HSO024"],
                "/domain",
                "domain only updates the company named by objectId; send objectId too",
            )
        )
    else:
        add(
            Violation(
                r["HSO020"],
                "/objectId",
                f"objectId is missing; event type {uid!r} is for {target} records",
            )
        )


def check_iframe(iframe: object, add: Callable[[Violation], None]) -> None:
    """timelineIFrame: an object with all five fields, of the right types."""
    r = RULES
    if not isinstance(iframe, dict):
        add(
            Violation(
                r["HSO006"],
                "/timelineIFrame",
                f"timelineIFrame is {_kind(iframe)}; it must be an object",
            )
        )
        return
    for key, kind in IFRAME_FIELDS.items():
        value = iframe.get(key)
        pointer = "/timelineIFrame/" + key
        if value is None:
            add(Violation(r["HSO050"], pointer, f"timelineIFrame.{key} is missing"))
        elif kind is str and not isinstance(value, str):
            add(
                Violation(
                    r["HSO051"],
                    pointer,
                    f"timelineIFrame.{key} is {_kind(value)}; it must be a string",
                )
            )
        elif kind is int and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not _INT32[0] <= value <= _INT32[1]
        ):
            add(
                Violation(
                    r["HSO051"],
                    pointer,
                    f"timelineIFrame.{key} is {_short(value)}; it must be a whole number "
                    "of pixels (32-bit)",
                )
            )


def check_optional_fields(
    body: dict[str, object], settings: Settings, add: Callable[[Violation], None]
) -> None:
    """timestamp, extraData and timelineIFrame, the same in v4 and v3."""
    r = RULES
    timestamp = body.get("timestamp")
    if timestamp is not None and not (isinstance(timestamp, str) and is_date_time(timestamp)):
        add(
            Violation(
                r["HSO040"],
                "/timestamp",
                f"timestamp is {_short(timestamp)}; it must be an ISO 8601 date-time "
                "with an offset, like 2025-01-31T09:30:00Z",
            )
        )
    extra = body.get("extraData")
    if extra is not None and not (
        isinstance(extra, dict) or (settings.extra_data_array and isinstance(extra, list))
    ):
        wanted = "an object or an array" if settings.extra_data_array else "an object"
        add(
            Violation(
                r["HSO041"], "/extraData", f"extraData is {_kind(extra)}; it must be {wanted}"
            )
        )
    iframe = body.get("timelineIFrame")
    if iframe is not None:
        check_iframe(iframe, add)


def check_field_types(
    body: dict[str, object],
    known: frozenset[str],
    strings: tuple[str, ...],
    add: Callable[[Violation], None],
) -> None:
    """Fields the API does not define (HSO007) and string fields of another type (HSO006)."""
    r = RULES
    wrong = []
    for key, value in body.items():
        if key not in known:
            add(
                Violation(
                    r["HSO007"],
                    json_pointer(key),
                    f"{key!r} is not a field here; known fields: " + ", ".join(sorted(known)),
                )
            )
        elif value is not None and not isinstance(value, str) and key in strings:
            wrong.append(key)
    for key in sorted(wrong, key=strings.index):  # in field order, whatever the body's order
        add(Violation(r["HSO006"], "/" + key, f"{key} is {_kind(body[key])}; it must be a string"))
