"""`hsevents preview`: every event type's timeline cards on one self-contained HTML page.

Occurrences come from the kit's own strategy (`strategies.occurrences`), drawn by a seeded
hypothesis run (`@seed` + `@given`, no database), so one seed gives one page. The first
example hypothesis generates is the simplest (the minimal card); a "full" card joins the
drawn values so that every property and every extraData field the templates use is there.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ._cards import Card, escaped_list, page, render_card
from .model import Diagnostic, EventType, Project
from .settings import Settings
from .strategies import occurrences

__all__ = ["Sample", "card_of", "draw_samples", "preview_page"]

DEFAULT_EXAMPLES = 4


@dataclass(frozen=True)
class Sample:
    """One occurrence drawn for the preview, with what it shows (minimal, full, drawn)."""

    kind: str
    body: Mapping[str, Any]


_CHUNK = 25
"""Event types drawn in one example: hypothesis' cost is per run and per draw, so one run
draws for many types (a chunk keeps each example well under its size limit)."""


def _drawn(
    event_types: Sequence[EventType], settings: Settings, count: int, seed_value: int
) -> list[list[Any]]:
    """`count` bodies for each of `event_types`, from one seeded hypothesis run per chunk."""
    found: list[list[Any]] = [[] for _ in event_types]
    for start in range(0, len(event_types), _CHUNK):
        chunk = [
            (found[at], occurrences(event_types[at], settings=settings))
            for at in range(start, min(start + _CHUNK, len(event_types)))
        ]

        @seed(seed_value)
        @hypothesis_settings(
            database=None,
            max_examples=count,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def collect(data: st.DataObject) -> None:
            drawn = [data.draw(strategy) for _, strategy in chunk]  # noqa: B023
            for (bodies, _), body in zip(chunk, drawn):  # noqa: B023 - runs in this iteration
                bodies.append(body)

        collect()
    return found


def _filled(value: object) -> bool:
    return value not in (None, False, "", 0, [], {})


def _full(bodies: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The drawn bodies joined: each property and each extraData field from the latest body
    having it filled (hypothesis' first examples are the plainest). Every value was drawn
    for its own place, so the join is as valid as each body."""
    full = dict(bodies[-1])
    properties: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for body in reversed(bodies):
        for name, value in body.get("properties", {}).items():
            properties.setdefault(name, value)
        data = body.get("extraData")
        for key, value in data.items() if isinstance(data, dict) else ():
            if _filled(value) or key not in extra:
                extra[key] = extra[key] if _filled(extra.get(key)) else value
    full["properties"] = properties
    if extra:
        full["extraData"] = extra
    return full


def _size(body: Mapping[str, Any]) -> int:
    return len(body.get("properties", {})) + len(body)


def _samples(bodies: Sequence[Mapping[str, Any]], examples: int) -> list[Sample]:
    minimal = min(bodies, key=_size)
    others: list[Mapping[str, Any]] = []
    for body in reversed(bodies):  # the latest, least plain, distinct bodies
        if len(others) < examples - 2 and body is not minimal and body not in others:
            others.append(body)
    return [
        Sample("minimal", minimal),
        Sample("full", _full(bodies)),
        *(Sample("drawn", body) for body in others),
    ]


def draw_samples(
    event_types: Sequence[EventType],
    settings: Settings | None = None,
    *,
    seed_value: int = 0,
    examples: int = DEFAULT_EXAMPLES,
) -> list[list[Sample]]:
    """For each event type: a minimal occurrence, a full one and `examples - 2` more drawn."""
    drawn = _drawn(event_types, settings or Settings(), max(examples, 2) * 2, seed_value)
    return [_samples(bodies, examples) for bodies in drawn]


def card_of(event_type: EventType, body: Mapping[str, Any]) -> Card:
    properties = body.get("properties")
    return render_card(
        event_type.header_template,
        event_type.detail_template,
        properties if isinstance(properties, dict) else {},
        body.get("extraData"),
    )


def _section(
    event_type: EventType, samples: Iterable[Sample], diagnostics: Sequence[Diagnostic]
) -> str:
    uid = html.escape(event_type.uid)
    name = html.escape(event_type.name or event_type.uid)
    object_type = event_type.object_type or (
        "custom object" if event_type.supports_custom_object else "no object type"
    )
    cards = "".join(
        f'<div class="sample-card"><div class="sample">{sample.kind}</div>'
        + card_of(event_type, sample.body).html(
            f' data-event-type="{uid}" data-sample="{sample.kind}"'
        )
        + "</div>"
        for sample in samples
    )
    problems = [f"{d.rule_id} {d.pointer or '/'}: {d.message}" for d in diagnostics]
    problem_list = f'<ul class="diagnostics">{escaped_list(problems)}</ul>' if problems else ""
    return (
        f'<section class="event-type" id="{uid}" data-uid="{uid}"><header>'
        f'<h2 class="event-type-name">{name}</h2><code>{uid}</code>'
        f'<span class="badge object-type">{html.escape(object_type)}</span></header>'
        f'{problem_list}<div class="cards">{cards}</div></section>'
    )


def preview_page(
    project: Project,
    diagnostics: Sequence[Diagnostic] = (),
    *,
    settings: Settings | None = None,
    seed_value: int = 0,
    examples: int = DEFAULT_EXAMPLES,
) -> str:
    """The preview page of `project`: one section per event type, its cards and diagnostics."""
    by_path: dict[object, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path.resolve(), []).append(diagnostic)
    sections = []
    event_types = list(project.event_types.values())
    drawn = draw_samples(event_types, settings, seed_value=seed_value, examples=examples)
    for event_type, samples in zip(event_types, drawn):
        found = by_path.get(event_type.path.resolve(), []) if event_type.path else []
        sections.append(_section(event_type, samples, found))
    title = f"{project.name or project.root.name}: timeline cards"
    head = (
        f'<h1>{html.escape(title)}</h1><p class="meta">{len(sections)} event types · '
        f"seed {seed_value} · drawn by pytest-hsevents' strategies</p>"
    )
    return page(title, f"<main>{head}{''.join(sections)}</main>")
