"""The fake HubSpot's state and behaviour, with no HTTP in it (moto's "backend").

Handlers turn requests into calls here; the `responses` transport and the loopback server
are thin shells over those handlers, so both see exactly the same HubSpot. One lock guards
all state: validation (pure) runs outside it, storing runs inside it, so concurrent clients
never lose an accepted occurrence and never see half a batch.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from ..loader import load_project
from ..model import EventProperty, EventType, Project
from ..occurrences import OccurrenceValidator, Violation, fully_qualified_name
from ..rules import RULES
from ..settings import Settings
from ..v3 import (
    MAX_TEMPLATES,
    OBJECT_TYPES,
    EventTemplate,
    as_event_type,
    parse_template,
    parse_token,
    validate_event,
)
from .records import AcceptedOccurrence, RecordedRequest, Rejection

__all__ = ["Fault", "HubSpotBackend", "ItemOutcome", "normalize_object_type"]

Api = Literal["v4", "v3"]
_FIRST_CONTACT_ID = 1001
_STAMP_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_PLURALS = {f"{name}": upper for name, upper in OBJECT_TYPES.items()}


_second: tuple[int, str] = (0, "")
"""The last whole second now_iso formatted, and its text (most calls fall in the same one)."""


def now_iso() -> str:
    """The current time as HubSpot writes it (`2025-01-31T09:30:00.123Z`)."""
    global _second
    ms = int(time.time() * 1000)
    second, text = _second
    if ms // 1000 != second:
        second = ms // 1000
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second = (second, text)  # one assignment: threads see a consistent pair
    return f"{text}.{ms % 1000:03d}Z"


def _epoch(text: str) -> float:
    """Seconds since the epoch for a timestamp the validator accepted (for stamping order)."""
    match = _STAMP_TIME.fullmatch(text)
    if match is None:  # pragma: no cover - the validator only lets date-times through
        return 0.0
    y, mo, d, h, mi, s, frac, _z, sign, oh, om = match.groups()
    offset = timedelta(hours=int(oh or 0), minutes=int(om or 0)) * (-1 if sign == "-" else 1)
    moment = datetime(
        int(y), int(mo), int(d), int(h), int(mi), min(int(s or 0), 59), tzinfo=timezone(offset)
    )
    return moment.timestamp() + (float("0." + frac) if frac else 0.0)


def normalize_object_type(object_type: str) -> str:
    """`contact`, `contacts`, `CONTACT` -> `CONTACT`; custom-object names unchanged."""
    lowered = object_type.lower()
    if lowered in _PLURALS:
        return _PLURALS[lowered]
    if lowered.upper() in ("CONTACT", "COMPANY", "DEAL", "TICKET", "APP_OBJECT"):
        return lowered.upper()
    return object_type


def _stamped_properties(event_type: EventType) -> tuple[EventProperty, ...]:
    """The properties whose values an occurrence copies to its CRM record (none for custom
    objects, whose records the fake does not model)."""
    if event_type.supports_custom_object:
        return ()
    return tuple(p for p in event_type.properties if p.object_property)


@dataclass
class ItemOutcome:
    """What became of one occurrence: stored (`accepted`) or refused (`violations`).
    Not frozen: one is built per occurrence, and a frozen one costs three times as much."""

    index: int
    body: object
    accepted: AcceptedOccurrence | None = None
    violations: tuple[Violation, ...] = ()
    replaced: bool = False
    """v3 only: an event with this id existed and was replaced (last wins)."""


@dataclass(frozen=True)
class Fault:
    """An injected failure (fail_next) for exercising retry logic."""

    status: int
    retry_after: float | None = None


@dataclass
class _Record:
    properties: dict[str, str] = field(default_factory=dict)
    stamped_at: dict[str, tuple[float, int]] = field(default_factory=dict)


@dataclass
class _Checked:
    """An occurrence that passed the stateless checks, waiting for the stateful ones."""

    index: int
    body: dict[str, Any]
    event_type: EventType
    occurrence_id: str
    key: tuple[str, str]
    violations: list[Violation]


MAX_FAULTS = 10_000
"""`fail_next(times=...)` at most: enough for any retry test, too few to exhaust memory."""


class HubSpotBackend:
    """Everything the fake HubSpot knows: event types, occurrences, CRM records, v3 templates."""

    def __init__(self, project: Project | str | Path, settings: Settings | None = None) -> None:
        self.project = project if isinstance(project, Project) else load_project(project)
        self.settings = settings or Settings()
        self.validator = OccurrenceValidator(self.project, self.settings)
        self._stamped = {
            uid: _stamped_properties(event_type)
            for uid, event_type in self.project.event_types.items()
        }
        self.lock = threading.RLock()
        self.required_token: str | None = None
        self.reset()

    # --- lifecycle --------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every occurrence, record, template, request and pending fault."""
        with self.lock:
            self._occurrences: dict[tuple[str, str], AcceptedOccurrence] = {}
            self._v3_events: dict[tuple[str, str], AcceptedOccurrence] = {}
            self.accepted: list[AcceptedOccurrence] = []
            self.rejected: list[Rejection] = []
            self.requests: list[RecordedRequest] = []
            self._records: dict[tuple[str, str], _Record] = {}
            self._contact_by_email: dict[str, str] = {}
            self._contact_by_utk: dict[str, str] = {}
            self._faults: deque[Fault] = deque()
            self._templates: Mapping[str, EventTemplate] = {}
            self._next_contact = _FIRST_CONTACT_ID
            self._next_template = 1
            self._sequence = 0
            self.required_token = None

    # --- recording --------------------------------------------------------------------
    def record(self, request: RecordedRequest, rejections: Sequence[Rejection] = ()) -> None:
        with self.lock:
            self.requests.append(request)
            self.rejected.extend(rejections)

    # --- faults and auth ---------------------------------------------------------------
    def fail_next(
        self, status: int = 429, times: int = 1, retry_after: float | None = None
    ) -> None:
        if status not in (429, 500, 502, 503):
            raise ValueError(f"fail_next(status={status}): use 429, 500, 502 or 503")
        if not 1 <= times <= MAX_FAULTS:
            raise ValueError(f"fail_next(times={times}): use 1 to {MAX_FAULTS:,}")
        if retry_after is not None and not (math.isfinite(retry_after) and retry_after >= 0):
            raise ValueError(f"fail_next(retry_after={retry_after}): use a finite number >= 0")
        with self.lock:
            self._faults.extend([Fault(status, retry_after)] * times)

    def take_fault(self) -> Fault | None:
        if not self._faults:
            return None
        with self.lock:
            return self._faults.popleft() if self._faults else None

    # --- app events (v4) ----------------------------------------------------------------
    def resolve_event_type(self, developer_symbol: str, project_name: str) -> str | None:
        """The fullyQualifiedName for (event type uid, project name), as /types/projects."""
        names = {self.project.name, self.project.root.name}
        if project_name not in names or developer_symbol not in self.project.event_types:
            return None
        return fully_qualified_name(developer_symbol, self.settings.portal_id)

    def send_occurrences(self, bodies: Sequence[object], *, atomic: bool) -> list[ItemOutcome]:
        """Validate and store app-event occurrences; with `atomic`, all or nothing."""
        outcomes: list[ItemOutcome] = []
        checked: list[_Checked] = []
        by_id_scope = self.settings.id_scope == "global"
        for index, body in enumerate(bodies):
            violations = self.validator.validate(body)
            if violations:
                outcomes.append(ItemOutcome(index, body, violations=violations))
                continue
            assert isinstance(body, dict)
            event_type = self.validator.event_type_for(body["eventTypeName"])
            assert event_type is not None
            occurrence_id = body.get("id") or str(uuid.uuid4())
            key = ("" if by_id_scope else event_type.uid, occurrence_id)
            checked.append(_Checked(index, body, event_type, occurrence_id, key, []))
        return self._store(checked, outcomes, atomic=atomic, api="v4")

    # --- timeline v3 ------------------------------------------------------------------
    def send_v3_events(self, bodies: Sequence[object], *, atomic: bool) -> list[ItemOutcome]:
        """Validate and store v3 events (an existing id is replaced: last wins)."""
        outcomes: list[ItemOutcome] = []
        checked: list[_Checked] = []
        templates = self._templates
        for index, body in enumerate(bodies):
            template, violations = validate_event(body, templates, self.settings)
            if violations or template is None:
                outcomes.append(ItemOutcome(index, body, violations=violations))
                continue
            assert isinstance(body, dict)
            raw_id = body.get("id")
            occurrence_id = (
                raw_id.replace("{{uuid}}", str(uuid.uuid4()))
                if isinstance(raw_id, str)
                else str(uuid.uuid4())
            )
            event_type = as_event_type(template)
            key = (template.id, occurrence_id)
            checked.append(_Checked(index, body, event_type, occurrence_id, key, []))
        return self._store(checked, outcomes, atomic=atomic, api="v3")

    def v3_event(self, template_id: str, event_id: str) -> AcceptedOccurrence | None:
        return self._v3_events.get((template_id, event_id))

    def templates(self, app_id: str | None = None) -> list[EventTemplate]:
        return [t for t in self._templates.values() if app_id is None or t.app_id == app_id]

    def template(self, template_id: str) -> EventTemplate | None:
        return self._templates.get(template_id)

    def create_template(
        self, body: object, app_id: str
    ) -> tuple[EventTemplate | None, list[Violation]]:
        """POST …/event-templates (also what `register_template` calls from a test)."""
        with self.lock:
            if len(self._templates) >= MAX_TEMPLATES:
                return None, [
                    Violation(RULES["HSV013"], "", f"an app has at most {MAX_TEMPLATES} templates")
                ]
            template, problems = parse_template(body, str(self._next_template), app_id, now_iso())
            if template is not None:
                self._next_template += 1
                self._templates = {**self._templates, template.id: template}
            return template, problems

    def update_template(
        self, template_id: str, body: object
    ) -> tuple[EventTemplate | None, list[Violation]]:
        with self.lock:
            old = self._templates.get(template_id)
            if old is None:
                return None, []
            merged = dict(body) if isinstance(body, dict) else body
            if isinstance(merged, dict):
                merged.setdefault("objectType", old.object_type)
            template, problems = parse_template(merged, old.id, old.app_id, old.created_at)
            if template is not None:
                template = replace(template, updated_at=now_iso())
                self._templates = {**self._templates, template.id: template}
            return template, problems

    def delete_template(self, template_id: str) -> bool:
        with self.lock:
            if template_id not in self._templates:
                return False
            self._templates = {k: v for k, v in self._templates.items() if k != template_id}
            return True

    def put_token(
        self, template_id: str, body: object, token_name: str | None = None
    ) -> tuple[Any, list[Violation]]:
        """Add (POST) or update (PUT, `token_name` given) a token; (token or None, problems)."""
        with self.lock:
            template = self._templates.get(template_id)
            if template is None:
                return None, []
            raw = dict(body) if isinstance(body, dict) else body
            existing = {t.name: t for t in template.tokens}
            if token_name is not None and isinstance(raw, dict):
                old = existing.get(token_name)
                if old is None:
                    return None, []
                raw.setdefault("name", token_name)
                raw.setdefault("type", (old.type or "string").lower())
            token, problems = parse_token(raw)
            if token is None:
                return None, problems
            if token_name is None and token.name in existing:
                return None, [
                    Violation(RULES["HSV012"], "/name", f"token {token.name!r} already exists")
                ]
            if token.name in existing:
                tokens = tuple(token if t.name == token.name else t for t in template.tokens)
            else:
                tokens = (*template.tokens, token)
            updated = replace(template, tokens=tokens, updated_at=now_iso())
            self._templates = {**self._templates, template_id: updated}
            return token, []

    def delete_token(self, template_id: str, token_name: str) -> bool:
        with self.lock:
            template = self._templates.get(template_id)
            if template is None or all(t.name != token_name for t in template.tokens):
                return False
            tokens = tuple(t for t in template.tokens if t.name != token_name)
            self._templates = {
                **self._templates,
                template_id: replace(template, tokens=tokens, updated_at=now_iso()),
            }
            return True

    # --- CRM records --------------------------------------------------------------------
    def add_crm_record(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, str] | None = None,
        utk: str | None = None,
    ) -> None:
        """Seed a CRM record (e.g. a contact a utk should find)."""
        kind = normalize_object_type(object_type)
        with self.lock:
            record = self._record(kind, str(object_id))
            record.properties.update(properties or {})
            email = record.properties.get("email")
            if kind == "CONTACT" and email:
                self._contact_by_email[email.lower()] = str(object_id)
            if kind == "CONTACT" and utk:
                self._contact_by_utk[utk] = str(object_id)

    def crm_record(self, object_type: str, object_id: str) -> dict[str, str] | None:
        with self.lock:
            record = self._records.get((normalize_object_type(object_type), str(object_id)))
            return None if record is None else dict(record.properties)

    # --- storing ------------------------------------------------------------------------
    def _store(
        self,
        checked: list[_Checked],
        outcomes: list[ItemOutcome],
        *,
        atomic: bool,
        api: Api,
    ) -> list[ItemOutcome]:
        with self.lock:
            failed = self._stateful_checks(checked, api) or bool(outcomes)
            for item in checked:
                if item.violations:
                    outcomes.append(
                        ItemOutcome(item.index, item.body, violations=tuple(item.violations))
                    )
                elif atomic and failed:
                    outcomes.append(ItemOutcome(item.index, item.body))
                else:
                    outcomes.append(self._apply(item, api))
        if len(outcomes) > 1:
            outcomes.sort(key=lambda o: o.index)
        return outcomes

    def _stateful_checks(self, checked: list[_Checked], api: Api) -> bool:
        """HSO005 (v4 duplicate id: first wins) and HSO025 (utk alone finds no contact).

        Adds to each item's violations; True when any item got one.
        """
        seen: set[tuple[str, str]] = set()
        new_utks: set[str] = set()
        failed = False
        for item in checked:
            if api == "v4":
                if item.key in self._occurrences or item.key in seen:
                    item.violations.append(
                        Violation(
                            RULES["HSO005"],
                            "/id",
                            f"an occurrence of {item.event_type.uid!r} with id "
                            f"{item.occurrence_id!r} already exists; occurrences are immutable",
                        )
                    )
                    failed = True
                    continue
                seen.add(item.key)
            body = item.body
            if (
                item.event_type.object_type == "CONTACT"
                and not item.event_type.supports_custom_object
            ):
                utk, email = body.get("utk"), body.get("email")
                if body.get("objectId") is None and utk is not None and email is None:
                    if utk not in self._contact_by_utk and utk not in new_utks:
                        item.violations.append(
                            Violation(
                                RULES["HSO025"],
                                "/utk",
                                f"no contact has utk {utk!r}; a utk alone cannot create a "
                                "contact, send email too",
                            )
                        )
                        failed = True
                elif utk is not None:
                    new_utks.add(utk)
        return failed

    def _record(self, object_type: str, object_id: str) -> _Record:
        """The CRM record, created empty on first mention (no throwaway record per call)."""
        key = (object_type, object_id)
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = _Record()
        return record

    def _contact_for(self, body: Mapping[str, Any]) -> str:
        """Find or create the contact an occurrence names (objectId > utk > email)."""
        object_id, utk, email = body.get("objectId"), body.get("utk"), body.get("email")
        lowered: str = "" if email is None else email.lower()
        if object_id is None and utk is not None:
            object_id = self._contact_by_utk.get(utk)
        if object_id is None and email is not None:
            object_id = self._contact_by_email.get(lowered)
        if object_id is None:
            object_id = str(self._next_contact)
            self._next_contact += 1
        record = self._record("CONTACT", object_id)
        if email is not None:
            old = record.properties.get("email")
            if old != email:
                if old and self._contact_by_email.get(old.lower()) == object_id:
                    del self._contact_by_email[old.lower()]
                record.properties["email"] = email
            self._contact_by_email[lowered] = object_id
        if utk is not None:
            self._contact_by_utk[utk] = object_id
        return str(object_id)

    def _apply(self, item: _Checked, api: Api) -> ItemOutcome:
        body, event_type = item.body, item.event_type
        if event_type.supports_custom_object:
            object_type = str(body["objectTypeFullyQualifiedName"])
            object_id = str(body["objectId"])
            self._record(object_type, object_id)
        elif event_type.object_type == "CONTACT":
            object_type, object_id = "CONTACT", self._contact_for(body)
        else:
            object_type = event_type.object_type or "UNKNOWN"
            object_id = str(body["objectId"])
            record = self._record(object_type, object_id)
            if object_type == "COMPANY" and body.get("domain") is not None and api == "v4":
                record.properties["domain"] = body["domain"]
        timestamp = body.get("timestamp") or now_iso()
        self._sequence += 1
        accepted = AcceptedOccurrence(  # positional: a quarter cheaper than keywords
            api,
            event_type.uid,
            item.occurrence_id,
            body,
            object_type,
            object_id,
            timestamp,
            self._sequence,
            event_type.header_template,
            event_type.detail_template,
        )
        stamped = self._stamped.get(event_type.uid) if api == "v4" else None
        if stamped is None:
            stamped = _stamped_properties(event_type)
        if stamped:
            self._stamp(accepted, stamped)
        replaced = False
        if api == "v4":
            self._occurrences[item.key] = accepted
        else:
            replaced = item.key in self._v3_events
            self._v3_events[item.key] = accepted
        self.accepted.append(accepted)
        return ItemOutcome(item.index, body, accepted=accepted, replaced=replaced)

    def _stamp(self, accepted: AcceptedOccurrence, candidates: Sequence[EventProperty]) -> None:
        """Copy objectProperty values to the record; the latest timestamp wins."""
        values = accepted.properties
        stamped = [p for p in candidates if p.name in values]
        if not stamped:
            return
        record = self._records[(accepted.object_type, accepted.object_id)]
        order = (_epoch(accepted.timestamp), accepted.sequence)
        for prop in stamped:
            target = str(prop.object_property)
            if record.stamped_at.get(target, (float("-inf"), 0)) <= order:
                record.properties[target] = str(values[prop.name])
                record.stamped_at[target] = order
