"""What a test asks a fake HubSpot, whichever transport carries its requests.

`FakeHubSpot` (in-process, on `responses`) and the loopback server both subclass
`FakeInspection`, so a test reads accepted occurrences, rejections, requests and CRM records
the same way, and sets faults and expectations the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..occurrences import fully_qualified_name
from .backend import HubSpotBackend
from .records import AcceptedOccurrence, RecordedRequest, Rejection

__all__ = ["FakeInspection"]

_SHOWN = 3
"""How many near misses an assert_sent failure lists."""


class FakeInspection:
    """The verbs every fake HubSpot offers a test; state lives in `backend`."""

    def __init__(self, backend: HubSpotBackend) -> None:
        self.backend = backend
        self._expected_rules: list[str | None] = []

    # --- reading ------------------------------------------------------------------------
    def event_type_name(self, uid: str) -> str:
        """The eventTypeName to send for event type `uid` (its fullyQualifiedName)."""
        if uid not in self.backend.project.event_types:
            known = ", ".join(sorted(self.backend.project.event_types)) or "none"
            raise KeyError(f"the project has no event type {uid!r}; known: {known}")
        return fully_qualified_name(uid, self.backend.settings.portal_id)

    @property
    def accepted(self) -> list[AcceptedOccurrence]:
        """Every occurrence (v4) and event (v3) stored, in the order they were accepted."""
        with self.backend.lock:
            return list(self.backend.accepted)

    @property
    def rejected(self) -> list[Rejection]:
        """Every refused request and refused batch input, in order."""
        with self.backend.lock:
            return list(self.backend.rejected)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request the fake answered (retries included), in order."""
        with self.backend.lock:
            return list(self.backend.requests)

    def crm_record(self, object_type: str, object_id: str) -> Mapping[str, str] | None:
        """A CRM record's properties as occurrences left them (stamping, email, domain)."""
        return self.backend.crm_record(object_type, object_id)

    # --- assertions ---------------------------------------------------------------------
    def assert_sent(self, uid: str, count: int | None = None, **properties: Any) -> None:
        """Fail unless `count` (default: at least one) occurrences of `uid` carry `properties`.

        The message shows the closest occurrences of that event type, property by property,
        and any rejected ones, so the test says what was sent instead.
        """
        __tracebackhide__ = True
        wanted = {key: str(value) for key, value in properties.items()}
        same_type = [a for a in self.accepted if a.event_type_uid == uid]
        matches = [a for a in same_type if _differences(a, wanted) == []]
        if (count is None and matches) or (count is not None and len(matches) == count):
            return
        expected = "at least one" if count is None else f"exactly {count}"
        shown = ", ".join(f"{k}={v!r}" for k, v in wanted.items())
        lines = [
            f"expected {expected} occurrence{'s' * (count is not None and count != 1)} of {uid!r}"
            + (f" with {shown}" if shown else "")
            + f"; found {len(matches)}"
        ]
        if uid not in self.backend.project.event_types and not same_type:
            known = ", ".join(sorted(self.backend.project.event_types))
            lines.append(f"{uid!r} is not an event type of the project; known: {known}")
        if count is not None and len(matches) > count:
            lines.append("matching occurrences:")
            lines += [f"  - id={a.id!r} properties={dict(a.properties)!r}" for a in matches]
        elif same_type:
            closest = sorted(same_type, key=lambda a: len(_differences(a, wanted)))[:_SHOWN]
            lines.append(f"closest of {len(same_type)} accepted occurrence(s) of {uid!r}:")
            for occurrence in closest:
                lines.append(f"  - id={occurrence.id!r}")
                for key, got in _differences(occurrence, wanted):
                    lines.append(f"      {key}: expected {wanted[key]!r}, got {got}")
        else:
            lines.append(f"no occurrence of {uid!r} was accepted")
        refused = [r for r in self.rejected if _mentions(r, uid)]
        if refused:
            lines.append(f"rejected requests that named {uid!r}:")
            lines += [
                f"  - {r.status} {', '.join(r.rule_ids)}: {r.body.get('message')}" for r in refused
            ]
        raise AssertionError("\n".join(lines))

    def expect_rejection(self, rule: str | None = None) -> None:
        """Declare that a rejection (of `rule`, or of any rule) is part of this test."""
        with self.backend.lock:
            self._expected_rules.append(rule.upper() if rule else None)

    def expectation_problems(self) -> list[str]:
        """Unexpected rejections, expected ones that never happened, unserved HubSpot paths."""
        problems: list[str] = []
        expected = list(self._expected_rules)
        met = [False] * len(expected)
        for rejection in self.rejected:
            if "HSH008" in rejection.rule_ids:
                continue  # a fault the test asked for
            where = f"{rejection.request.method} {rejection.request.path}"
            if "HSH006" in rejection.rule_ids:
                problems.append(f"request to a path HubSpot does not serve: {where}")
                continue
            hit = [
                i for i, rule in enumerate(expected) if rule is None or rule in rejection.rule_ids
            ]
            for i in hit:
                met[i] = True
            if not hit:
                item = "" if rejection.index is None else f" (inputs[{rejection.index}])"
                problems.append(
                    f"unexpected rejection {rejection.status} {', '.join(rejection.rule_ids)} "
                    f"of {where}{item}: {rejection.body.get('message')}"
                )
        for rule, done in zip(expected, met):
            if not done:
                problems.append(f"expected a rejection{f' for {rule}' if rule else ''}; none came")
        return problems

    # --- steering -----------------------------------------------------------------------
    def fail_next(
        self, status: int = 429, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer the next `times` requests with `status` (429 with HubSpot's rate-limit body)."""
        self.backend.fail_next(status, times, retry_after)

    def require_token(self, token: str) -> None:
        """Refuse (401) every request whose bearer token is not `token`."""
        self.backend.required_token = token

    def add_crm_record(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, str] | None = None,
        *,
        utk: str | None = None,
    ) -> None:
        """Seed a CRM record, e.g. the contact an occurrence's utk should find."""
        self.backend.add_crm_record(object_type, object_id, properties, utk)

    def register_template(self, template: Mapping[str, Any], app_id: str = "1") -> str:
        """Create a v3 event template (the API body shape) from a test; returns its id."""
        created, problems = self.backend.create_template(dict(template), str(app_id))
        if created is None:
            raise ValueError("; ".join(str(p) for p in problems))
        return created.id

    def reset(self) -> None:
        """Forget everything: occurrences, records, templates, requests, faults, expectations."""
        with self.backend.lock:
            self.backend.reset()
            self._expected_rules.clear()


def _differences(
    occurrence: AcceptedOccurrence, wanted: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(property, what was sent instead) for each wanted property the occurrence lacks."""
    values = occurrence.properties
    out = []
    for key, value in wanted.items():
        if key not in values:
            out.append((key, "nothing (not sent)"))
        elif str(values[key]) != value:
            out.append((key, repr(values[key])))
    return out


def _mentions(rejection: Rejection, uid: str) -> bool:
    return uid.encode() in rejection.request.body
