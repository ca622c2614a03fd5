"""What the fake remembers, as frozen values a test can read and compare."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from sys import intern
from typing import Any
from urllib.parse import urlsplit

from .._cards import card_context, render_card
from ..templates import Rendered, render_with_problem

__all__ = ["AcceptedOccurrence", "Headers", "RecordedRequest", "Rejection"]


class Headers(Mapping[str, str]):
    """A request's headers as the loopback server received them: looked up in any letter case
    (`headers["content-type"]`), listed as the client spelt them, like the case-insensitive
    mapping `requests` gives the in-process fake. A repeated header reads as one
    comma-separated value (RFC 9110, 5.3).

    Every request keeps one, so it holds little: the names as spelt and in lower case are
    interned (shared by all requests), only the values are its own."""

    __slots__ = ("_names", "_values")

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = list(pairs)
        values = {intern(name.lower()): value for name, value in pairs}
        if len(values) < len(pairs):  # rare: a repeated header
            joined: dict[str, tuple[str, str]] = {}
            for name, value in pairs:
                key = name.lower()
                if key in joined:
                    name, value = joined[key][0], f"{joined[key][1]}, {value}"
                joined[key] = (name, value)
            pairs = list(joined.values())
            values = {intern(key): value for key, (_, value) in joined.items()}
        self._names = tuple([intern(name) for name, _ in pairs])
        self._values = values

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._values.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake answered, with the status it answered."""

    method: str
    url: str
    headers: Mapping[str, str]
    """The request's headers, looked up in any letter case: in-process, requests' own
    case-insensitive mapping (not a copy); on the loopback server, `Headers`."""
    body: bytes
    status: int

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body)


@dataclass(frozen=True)
class AcceptedOccurrence:
    """An occurrence (v4) or event (v3) the fake stored, and the timeline card it makes.

    `header` and `detail` render on first read: rendering costs more than everything else the
    fake does per request, and most tests never look at the card.
    """

    api: str
    """"v4" for app events (v4 and 2026-03 paths), "v3" for timeline v3 events."""
    event_type_uid: str
    """The event type's uid (v4) or the event template id (v3)."""
    id: str
    body: Mapping[str, Any]
    object_type: str
    """CONTACT, COMPANY, DEAL, TICKET, APP_OBJECT, or the custom object's p{id}_{name}."""
    object_id: str
    timestamp: str
    sequence: int
    header_template: str | None = field(default=None, repr=False, compare=False)
    detail_template: str | None = field(default=None, repr=False, compare=False)

    @property
    def properties(self) -> Mapping[str, str]:
        """The occurrence's properties (v4) or tokens (v3)."""
        values = self.body.get("properties" if self.api == "v4" else "tokens")
        return values if isinstance(values, dict) else {}

    @property
    def extra_data(self) -> Any:
        return self.body.get("extraData")

    @cached_property
    def header(self) -> str | None:
        """The card header, rendered from the event type's headerTemplate."""
        return self.rendered(detail=False).text

    @cached_property
    def detail(self) -> str | None:
        """The card body, rendered from detailTemplate with properties and extraData."""
        return self.rendered(detail=True).text

    def rendered(self, detail: bool) -> Rendered:
        """The header or detail, or the rule (a render limit) that stopped it."""
        if not detail:
            return render_with_problem(self.header_template, dict(self.properties))
        context = card_context(self.properties, self.extra_data)
        return render_with_problem(self.detail_template, context)

    @cached_property
    def card(self) -> str:
        """The timeline card as HTML (header and detail rendered, then Markdown), as
        `hsevents preview` draws it; what a template could not fill is noted on the card."""
        card = render_card(
            self.header_template, self.detail_template, self.properties, self.extra_data
        )
        return card.html(f' data-event-type="{escape(self.event_type_uid)}"')


@dataclass(frozen=True)
class Rejection:
    """A request (or one input of a batch) the fake refused, and why."""

    status: int
    body: Mapping[str, Any]
    """HubSpot's error body (a batch item's StandardError for a partial batch)."""
    rule_ids: tuple[str, ...]
    request: RecordedRequest
    index: int | None = None
    """The input's position in a batch; None for a whole request."""
