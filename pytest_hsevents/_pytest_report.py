"""Contract coverage: what a test session sent to the fake, and which rules it exercised.

Counts are plain JSON so that pytest-xdist workers can ship them home (`workeroutput`) and the
controller's merged figures equal a serial run's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake.inspection import FakeInspection
    from .fake.records import Rejection
    from .settings import Settings

__all__ = ["NO_EVENT_TYPE", "Coverage", "contract_rules"]

NO_EVENT_TYPE = "(no event type)"
"""The row for rejections that carry no known event type (bad JSON, auth, unknown names)."""


def contract_rules(settings: Settings) -> tuple[str, ...]:
    """The rules a suite can exercise: those the fake answers with a status, as selected."""
    from .rules import RULES, select_rules

    keep = select_rules(settings.select, settings.ignore)
    return tuple(rid for rid, rule in RULES.items() if rule.status is not None and rid in keep)


@dataclass
class Coverage:
    """Running totals for a session (or one xdist worker's share of it)."""

    tests: int = 0
    accepted: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    """Rule id -> how many rejections named it."""
    counted: set[str] = field(default_factory=set)
    """Node ids of the tests in `tests` (one test may start many fakes)."""

    def record(self, fake: FakeInspection, test: str) -> None:
        """Add what a fake saw during `test` (call before the fake is reset)."""
        if test not in self.counted:
            self.counted.add(test)
            self.tests += 1
        for occurrence in fake.accepted:
            _bump(self.accepted, occurrence.event_type_uid)
        for rejection in fake.rejected:
            _bump(self.rejected, _event_type_of(fake, rejection))
            for rule_id in rejection.rule_ids:
                _bump(self.rules, rule_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rules": self.rules,
        }

    def merge(self, data: Mapping[str, Any]) -> None:
        """Add a worker's `to_json()` figures."""
        self.tests += int(data.get("tests", 0))
        for key in ("accepted", "rejected", "rules"):
            for name, count in data.get(key, {}).items():
                _bump(getattr(self, key), name, int(count))

    def summary(self, rules: Iterable[str], event_types: Iterable[str]) -> dict[str, Any]:
        """The report: per event type, per rule, and the share of rules exercised."""
        universe = list(rules)
        exercised = [rid for rid in universe if rid in self.rules]
        names = sorted({*event_types, *self.accepted, *self.rejected})
        return {
            "tests": self.tests,
            "event_types": {
                name: {
                    "accepted": self.accepted.get(name, 0),
                    "rejected": self.rejected.get(name, 0),
                }
                for name in names
            },
            "rules": {rid: self.rules.get(rid, 0) for rid in universe},
            "exercised": exercised,
            "never_exercised": [rid for rid in universe if rid not in self.rules],
            "outside_catalogue": sorted(set(self.rules) - set(universe)),
            "percent": round(100 * len(exercised) / len(universe), 2) if universe else 100.0,
        }


def render(summary: Mapping[str, Any]) -> list[str]:
    """The terminal lines of a `Coverage.summary()`."""
    from .rules import RULES

    rows = summary["event_types"]
    width = max([len("event type"), *map(len, rows)])
    lines = [f"{'event type':<{width}}  accepted  rejected"]
    lines += [f"{n:<{width}}  {c['accepted']:>8}  {c['rejected']:>8}" for n, c in rows.items()]
    exercised, never = summary["exercised"], summary["never_exercised"]
    total = len(exercised) + len(never)
    lines.append(
        f"rules exercised: {len(exercised)} of {total} ({summary['percent']:.1f}%) "
        f"in {summary['tests']} test{'s' * (summary['tests'] != 1)}"
    )
    for rid in exercised:
        lines.append(f"  {RULES[rid].slug}: {summary['rules'][rid]}")
    if never:
        lines.append("never exercised: " + ", ".join(never))
    return lines


def write_json(summary: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _bump(counts: dict[str, int], key: str, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by


def _event_type_of(fake: FakeInspection, rejection: Rejection) -> str:
    """The uid of the event type the rejected occurrence named, if it names a known one."""
    try:
        body = rejection.request.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
        return NO_EVENT_TYPE
    if isinstance(body, dict) and rejection.index is not None:
        inputs = body.get("inputs")
        ok = isinstance(inputs, list) and 0 <= rejection.index < len(inputs)
        body = inputs[rejection.index] if ok else None  # type: ignore[index]
    if not isinstance(body, dict):
        return NO_EVENT_TYPE
    name = body.get("eventTypeName")
    if isinstance(name, str):
        event_type = fake.backend.validator.event_type_for(name)
        return event_type.uid if event_type is not None else NO_EVENT_TYPE
    template = body.get("eventTemplateId")
    return str(template) if isinstance(template, (str, int)) else NO_EVENT_TYPE
