"""Hypothesis strategies for fuzzing code that sends HubSpot timeline events.

- `occurrences(event_type)`: valid v4 occurrence bodies, built from the event type.
- `invalid_occurrences(event_type, rules=None)`: bodies that break exactly one labelled rule.
- `batches(event_types)`: batch bodies mixing both, with each item's expected outcome;
  `invalid_batches` breaks the batch envelope itself (HSO060, HSO061).
- `v3_events(template)`: timeline v3 events for a v3 event template.
- `event_types()`: arbitrary valid event-type definitions (also `st.from_type(EventType)`).

Everything is built by construction (no `assume`, no filtering), so drawing is fast, invalid
cases cannot shrink into valid ones, and faker values replay with the hypothesis seed.
Stateful rules: HSO005 (duplicate id) comes with `prior` occurrences to send first (or, in a
batch, an earlier item with the same id); HSO025 (utk alone) uses a fresh utk no contact has.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._strategies import values
from ._strategies.batches import (
    BATCH_RULES,
    Batch,
    BatchItem,
    InvalidBatch,
    batch_bodies,
    invalid_batch_bodies,
    v3_bodies,
)
from ._strategies.bodies import OMIT, Plan, check_overrides, overridden, plan_for, valid_bodies
from ._strategies.breakers import BREAKERS, STATEFUL, break_body
from .model import OBJECT_TYPES, PROPERTY_TYPES, EventProperty, EventType, PropertyOption
from .rules import RULES, Rule, UnknownRuleError, select_rules
from .settings import DEFAULT_RESERVED_NAMES, Settings
from .v3 import EventTemplate, as_event_type, parse_template

__all__ = [
    "OMIT",
    "STATEFUL_RULES",
    "Batch",
    "BatchItem",
    "InvalidBatch",
    "InvalidOccurrence",
    "batches",
    "breakable_rules",
    "event_types",
    "invalid_batches",
    "invalid_occurrences",
    "occurrences",
    "register_profiles",
    "v3_events",
]

STATEFUL_RULES = STATEFUL
"""HSO005 and HSO025: the body passes the validator; only the fake's stored state rejects it."""


@dataclass(frozen=True)
class InvalidOccurrence:
    """An occurrence that breaks exactly `rule` (at `pointer`) and no other rule.

    `prior` holds occurrences to send (and have accepted) first: the first occurrence
    with the id, for HSO005. For HSO025 the utk is fresh, so no contact has it.
    """

    occurrence: Any
    rule: Rule
    pointer: str
    prior: tuple[dict[str, Any], ...] = ()

    @property
    def rule_id(self) -> str:
        return self.rule.id

    def __repr__(self) -> str:
        # Hypothesis prints this for a failing example: the rule by its slug, not every
        # field of the Rule, and what the body breaks before the body itself.
        prior = f", prior={self.prior!r}" if self.prior else ""
        return (
            f"InvalidOccurrence(rule={self.rule.slug!r}, pointer={self.pointer!r}, "
            f"occurrence={self.occurrence!r}{prior})"
        )


def _plan(event_type: EventType, settings: Settings | None) -> Plan:
    if not isinstance(event_type, EventType):
        raise InvalidArgument(
            f"event_type={event_type!r}: expected an EventType "
            "(load_project(path).event_types[uid])"
        )
    if settings is not None and not isinstance(settings, Settings):
        raise InvalidArgument(f"settings={settings!r}: expected a pytest_hsevents.Settings")
    values.warm_up()  # here, when hypothesis resolves the strategy, not inside a draw
    return plan_for(event_type, settings or Settings())


def breakable_rules(event_type: EventType, settings: Settings | None = None) -> tuple[str, ...]:
    """Ids of the occurrence rules a body of `event_type` can break under `settings`."""
    plan = _plan(event_type, settings)
    return tuple(rule_id for rule_id, breaker in BREAKERS.items() if breaker.applies(plan))


def _selected(rules: Iterable[str] | str | None, available: Sequence[str], who: str) -> list[str]:
    if rules is None:
        return list(available)
    if isinstance(rules, str):
        rules = [rules]
    try:
        wanted = select_rules(list(rules))
    except UnknownRuleError as error:
        raise InvalidArgument(f"rules={rules!r}: {error}") from None
    chosen = [rule_id for rule_id in available if rule_id in wanted]
    if not chosen:
        raise InvalidArgument(
            f"rules={rules!r}: none of these can be broken by {who}; "
            f"breakable here: {', '.join(available)}"
        )
    return chosen


def occurrences(
    event_type: EventType, *, settings: Settings | None = None, **overrides: object
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid v4 occurrence bodies for `event_type`.

    `overrides` fix top-level fields: a value, a strategy, or `OMIT` to leave the field
    out; `properties={"amount": st.just("5"), "note": OMIT}` overrides single properties.
    """

    def build() -> st.SearchStrategy[dict[str, Any]]:
        plan = _plan(event_type, settings)
        check_overrides(overrides)
        body = valid_bodies(plan)
        return overridden(body, overrides) if overrides else body

    return st.deferred(build)


def _labelled(draw: st.DrawFn, plan: Plan, rule_id: str) -> InvalidOccurrence:
    occurrence, pointer, prior = break_body(draw, plan, rule_id)
    return InvalidOccurrence(occurrence, RULES[rule_id], pointer, prior)


@st.composite
def _invalid(draw: st.DrawFn, plan: Plan, rules: st.SearchStrategy[str]) -> InvalidOccurrence:
    return _labelled(draw, plan, draw(rules))


def _plain(plan: Plan, rules: st.SearchStrategy[str]) -> st.SearchStrategy[InvalidOccurrence]:
    """The plainest body breaking each rule: one draw (the rule), the rest built without
    hypothesis, so each is a complete example after which hypothesis never repeats it."""
    return rules.map(functools.partial(_labelled, values.draw_plain, plan))


def _unmutated(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`strategy`, drawn as the only element of a unique list, which its draws don't change.

    After each new example Hypothesis tries up to five mutations of it (copying a drawn
    value over another drawn with the same strategy), and those keep the first draw, the
    rule: five in six examples would repeat a rule, and 100 examples would reach 12 of 21.
    Hypothesis (from 6.170.1) leaves the draws inside a unique collection out of those
    mutations, so every example draws its rule afresh; older releases still mutate them
    (docs/performance.md has the figures for both).
    """
    return st.lists(strategy, min_size=1, max_size=1, unique_by=id).map(lambda one: one[0])


def invalid_occurrences(
    event_type: EventType,
    rules: Iterable[str] | str | None = None,
    *,
    settings: Settings | None = None,
) -> st.SearchStrategy[InvalidOccurrence]:
    """Occurrences for `event_type` that each break exactly one labelled rule.

    `rules` picks rules by id, name or prefix (`"HSO01"`, `"property-date"`); the default is
    every rule that can be broken for this event type (`breakable_rules`).

    Early examples include, once per rule, the plainest body that breaks it (so a test's
    first examples reach every rule); the others are drawn freely, any rule in any body.
    """

    def build() -> st.SearchStrategy[InvalidOccurrence]:
        plan = _plan(event_type, settings)
        chosen = _selected(rules, breakable_rules(event_type, settings), event_type.uid)
        rule_ids = st.sampled_from(chosen)
        return _plain(plan, rule_ids) | _unmutated(_invalid(plan, rule_ids))

    return st.deferred(build)


def _plans(
    event_types: Iterable[EventType] | Mapping[str, EventType] | EventType,
    settings: Settings | None,
) -> list[Plan]:
    if isinstance(event_types, EventType):
        chosen: Iterable[EventType] = [event_types]
    elif isinstance(event_types, Mapping):
        chosen = event_types.values()
    else:
        chosen = event_types
    plans = [_plan(event_type, settings) for event_type in chosen]
    if not plans:
        raise InvalidArgument("event_types is empty; pass at least one EventType")
    return plans


def batches(
    event_types: Iterable[EventType] | Mapping[str, EventType] | EventType,
    *,
    rules: Iterable[str] | str | None = None,
    min_size: int = 1,
    max_size: int | None = None,
    settings: Settings | None = None,
) -> st.SearchStrategy[Batch]:
    """v4 batch bodies mixing valid and invalid items, with each item's expected outcome.

    Invalid items break one of `rules` (default: every breakable rule; `rules=()` for
    all-valid batches). Ids are unique except for HSO005 items, which repeat an earlier
    accepted item's id; HSO025 items carry a utk that no accepted item uses.
    """

    def build() -> st.SearchStrategy[Batch]:
        plans = _plans(event_types, settings)
        limit = plans[0].settings.max_batch_size
        top = min(10, limit) if max_size is None else max_size
        if not 0 <= min_size <= top <= limit:
            raise InvalidArgument(
                f"min_size={min_size}, max_size={max_size}: need "
                f"0 <= min_size <= max_size <= max_batch_size ({limit})"
            )
        available = [r for r in BREAKERS if any(BREAKERS[r].applies(p) for p in plans)]
        chosen = (
            []
            if rules is not None and not list(rules)
            else _selected(rules, available, "these event types")
        )
        return batch_bodies(plans, chosen, min_size, top)

    return st.deferred(build)


def invalid_batches(
    event_types: Iterable[EventType] | Mapping[str, EventType] | EventType,
    rules: Iterable[str] | str | None = None,
    *,
    settings: Settings | None = None,
) -> st.SearchStrategy[InvalidBatch]:
    """Batch bodies whose envelope is wrong: no `inputs` array (HSO060), too many (HSO061)."""

    def build() -> st.SearchStrategy[InvalidBatch]:
        plans = _plans(event_types, settings)
        return invalid_batch_bodies(plans, _selected(rules, BATCH_RULES, "invalid_batches"))

    return st.deferred(build)


def v3_events(
    template: EventTemplate | Mapping[str, Any],
    *,
    template_id: str | None = None,
    settings: Settings | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid timeline v3 events for an event template: an `EventTemplate`, or its API JSON
    (with `id`, or pass `template_id=`, e.g. what `fake.register_template` returned)."""

    def build() -> st.SearchStrategy[dict[str, Any]]:
        if isinstance(template, EventTemplate):
            parsed = template
        else:
            ident = template_id or (template.get("id") if isinstance(template, Mapping) else None)
            found, problems = parse_template(template, str(ident), "", "")
            if found is None or ident is None:
                why = "; ".join(map(str, problems)) or "it has no id; pass template_id="
                raise InvalidArgument(f"template={template!r} is not a usable v3 template: {why}")
            parsed = found
        return v3_bodies(_plan(as_event_type(parsed), settings), template_id or parsed.id)

    return st.deferred(build)


# --- event types -------------------------------------------------------------------------

_NAME_START = string.ascii_letters
_NAME_REST = string.ascii_letters + string.digits + "_-."


def _names(taken: Iterable[str]) -> st.SearchStrategy[str]:
    """Property names HubSpot accepts: the allowed alphabet, no hs_ prefix, no reserved word."""
    reserved = {name.lower() for name in taken}
    base = st.builds(
        "{}{}".format,
        st.sampled_from(_NAME_START),
        st.text(_NAME_REST, max_size=20),
    )
    return base.map(lambda name: "x" + name if name.lower().startswith("hs_") else name).map(
        lambda name: name + "_" if name.lower() in reserved else name
    )


_options = st.lists(
    st.builds(
        PropertyOption,
        label=values.texts.strategy.map(lambda text: text.strip() or "Option"),
        value=st.text(_NAME_REST, min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=6,
    unique_by=(lambda o: o.value, lambda o: o.label),
)


@st.composite
def _property(draw: st.DrawFn, name: str, custom: bool) -> EventProperty:
    kind = draw(st.sampled_from(PROPERTY_TYPES))
    return EventProperty(
        name=name,
        label=draw(values.texts.strategy.map(lambda text: text.strip()[:500] or name)),
        type=kind,
        options=tuple(draw(_options)) if kind == "ENUMERATION" else (),
        object_property=None if custom else draw(st.none() | st.sampled_from(("firstname",))),
    )


_EVENT_NAMES = values.pooled("catch_phrase").strategy.map(lambda text: text[:50])


@st.composite
def _event_types(draw: st.DrawFn, max_properties: int) -> EventType:
    custom = draw(st.booleans())
    names = draw(
        st.lists(
            _names(DEFAULT_RESERVED_NAMES),
            max_size=max_properties,
            unique_by=lambda name: name,
        )
    )
    uid = draw(
        st.builds("{}{}".format, st.sampled_from(_NAME_START), st.text(_NAME_REST, max_size=30))
    )
    return EventType(
        uid=uid,
        name=draw(_EVENT_NAMES),
        object_type=None if custom else draw(st.sampled_from(OBJECT_TYPES)),
        supports_custom_object=custom,
        header_template="{{" + names[0] + "}}" if names else None,
        properties=tuple(draw(_property(name, custom)) for name in names),
    )


def event_types(*, max_properties: int = 8) -> st.SearchStrategy[EventType]:
    """Valid event-type definitions of every object type and property type."""

    def build() -> st.SearchStrategy[EventType]:
        values.warm_up()  # here, when hypothesis resolves the strategy, not in a draw
        return _event_types(max_properties)

    return st.deferred(build)


st.register_type_strategy(EventType, event_types())


# --- profiles ------------------------------------------------------------------------------


def register_profiles() -> None:
    """Register the hypothesis profiles `hsevents` (CI-friendly) and `hsevents-thorough`.

    Load one with `settings.load_profile("hsevents")` or `--hypothesis-profile=hsevents`.
    """
    hypothesis_settings.register_profile(
        "hsevents",
        deadline=None,  # a test that talks to the fake over HTTP has uneven timings
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    hypothesis_settings.register_profile(
        "hsevents-thorough",
        parent=hypothesis_settings.get_profile("hsevents"),
        max_examples=2000,
    )


register_profiles()
