"""Batch bodies (v4 `{"inputs": [...]}`) with the outcome each item should get; v3 events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ..rules import RULES, Rule
from .bodies import Plan, valid_bodies
from .breakers import BREAKERS, break_body


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch and the rule it breaks (None: it should be accepted)."""

    occurrence: Any
    rule: Rule | None = None
    pointer: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rule is None

    def __repr__(self) -> str:
        if self.rule is None:
            return f"BatchItem(accepted, occurrence={self.occurrence!r})"
        return (
            f"BatchItem(rule={self.rule.slug!r}, pointer={self.pointer!r}, "
            f"occurrence={self.occurrence!r})"
        )


@dataclass(frozen=True)
class Batch:
    """A batch body and, item by item, what HubSpot should make of it.

    In `batch_mode="partial"` the accepted items are stored and the others reported; in
    `"atomic"` any rejected item refuses the whole batch (409 if all are duplicates, else 400).
    """

    body: dict[str, Any]
    items: tuple[BatchItem, ...]

    @property
    def accepted(self) -> tuple[int, ...]:
        """Indexes of the inputs that should be accepted."""
        return tuple(i for i, item in enumerate(self.items) if item.accepted)

    @property
    def rejected(self) -> Mapping[int, str]:
        """Index -> rule id of every input that should be rejected."""
        return {i: item.rule.id for i, item in enumerate(self.items) if item.rule is not None}

    def __repr__(self) -> str:
        # The body is {"inputs": [each item's occurrence]}: printing it too would say it twice.
        return f"Batch(items={self.items!r})"


@dataclass(frozen=True)
class InvalidBatch:
    """A batch body that breaks one batch-level rule (HSO060 or HSO061)."""

    body: Any
    rule: Rule
    pointer: str

    @property
    def rule_id(self) -> str:
        return self.rule.id

    def __repr__(self) -> str:
        rule, pointer = self.rule.slug, self.pointer
        return f"InvalidBatch(rule={rule!r}, pointer={pointer!r}, body={self.body!r})"


def _id_key(plan: Plan, occurrence: object) -> tuple[str, str] | None:
    if not isinstance(occurrence, dict) or not isinstance(occurrence.get("id"), str):
        return None
    scope = "" if plan.settings.id_scope == "global" else plan.event_type.uid
    return scope, occurrence["id"]


@st.composite
def batch_bodies(
    draw: st.DrawFn, plans: Sequence[Plan], rule_ids: Sequence[str], min_size: int, max_size: int
) -> Batch:
    """Valid and invalid items in any order; ids unique except where HSO005 is the point."""
    slots = draw(
        st.lists(
            st.tuples(
                st.sampled_from(plans),
                st.none() | st.sampled_from(rule_ids) if rule_ids else st.none(),
            ),
            min_size=min_size,
            max_size=max_size,
        )
    )
    items: list[BatchItem] = []
    used: set[tuple[str, str]] = set()  # every id sent so far (the fake keys on them all)
    stale_utks: set[str] = set()  # utks an accepted item may tie to a contact

    def add(plan: Plan, occurrence: Any, rule_id: str | None = None, pointer: str = "") -> None:
        key = _id_key(plan, occurrence)
        if rule_id != "HSO005":
            while key is not None and key in used:
                occurrence["id"] += f"~{len(items)}"
                key = _id_key(plan, occurrence)
        if key is not None:
            used.add(key)
        if rule_id is None:
            if "utk" in occurrence:
                stale_utks.add(occurrence["utk"])
            items.append(BatchItem(occurrence))
        else:
            items.append(BatchItem(occurrence, RULES[rule_id], pointer))

    for plan, rule_id in slots:
        if len(items) >= max_size:
            break
        if rule_id is None or not BREAKERS[rule_id].applies(plan):
            add(plan, draw(valid_bodies(plan)))
            continue
        occurrence, pointer, prior = break_body(draw, plan, rule_id)
        if rule_id == "HSO005":
            add(plan, prior[0])
            if len(items) >= max_size:
                continue
            occurrence["id"] = prior[0]["id"]
        add(plan, occurrence, rule_id, pointer)
    for item in items:
        if item.rule is not None and item.rule.id == "HSO025":
            utk = item.occurrence["utk"]
            while utk in stale_utks:
                utk = f"{(int(utk, 16) + 1) % 2**128:032x}"
            item.occurrence["utk"] = utk
    return Batch({"inputs": [item.occurrence for item in items]}, tuple(items))


@st.composite
def invalid_batch_bodies(
    draw: st.DrawFn, plans: Sequence[Plan], rule_ids: Sequence[str]
) -> InvalidBatch:
    rule_id = draw(st.sampled_from(rule_ids))
    plan = draw(st.sampled_from(plans))
    first = draw(valid_bodies(plan))
    if rule_id == "HSO061":
        limit = plan.settings.max_batch_size
        size = draw(st.integers(limit + 1, limit + 3))
        inputs = [{**first, "id": f"{first.get('id', 'evt')}-{i}"} for i in range(size)]
        return InvalidBatch({"inputs": inputs}, RULES[rule_id], "/inputs")
    body = draw(
        st.sampled_from(
            (
                [first],
                {"input": [first]},
                {"inputs": first},
                {"inputs": "[]"},
                {"occurrences": [first]},
                {},
            )
        )
    )
    return InvalidBatch(body, RULES[rule_id], "/inputs" if isinstance(body, dict) else "")


BATCH_RULES = ("HSO060", "HSO061")
"""Occurrence-family rules about the batch envelope rather than one item."""


@st.composite
def v3_bodies(draw: st.DrawFn, plan: Plan, template_id: str) -> dict[str, Any]:
    """A v3 TimelineEvent: the v4 body with `tokens` and `eventTemplateId`."""
    body = draw(valid_bodies(plan))
    del body["eventTypeName"]
    body["tokens"] = body.pop("properties")
    return {"eventTemplateId": template_id, **body}
