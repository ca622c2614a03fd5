"""`--hsevents-report=html:PATH`: the contract-coverage summary and the timeline cards of the
occurrences the session's fakes accepted, on one self-contained page.

Cards are rendered when a fake is counted (only when this report is asked for), as plain
JSON, so pytest-xdist workers ship them home like the coverage figures.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .fake.inspection import FakeInspection

__all__ = ["HTML_PREFIX", "WORKEROUTPUT_KEY", "CardLog", "XdistCards", "html_paths", "write_html"]

HTML_PREFIX = "html:"
WORKEROUTPUT_KEY = "hsevents-cards"
MAX_CARDS = 2000
"""Cards kept for the page; a fuzzing suite accepts many thousands, and past this many a page
is too long to look at. The rest are counted."""


def html_paths(reports: tuple[str, ...]) -> list[Path]:
    return [Path(r[len(HTML_PREFIX) :]) for r in reports if r.startswith(HTML_PREFIX)]


@dataclass
class CardLog:
    """The cards of a session (or of one xdist worker's share of it), in acceptance order."""

    cards: list[dict[str, str]] = field(default_factory=list)
    left_out: int = 0

    def record(self, fake: FakeInspection, test: str) -> None:
        for occurrence in fake.accepted:
            if len(self.cards) >= MAX_CARDS:
                self.left_out += 1
                continue
            self.cards.append(
                {"test": test, "event_type": occurrence.event_type_uid, "card": occurrence.card}
            )

    def to_json(self) -> dict[str, Any]:
        return {"cards": self.cards, "left_out": self.left_out}

    def merge(self, data: Mapping[str, Any]) -> None:
        room = max(MAX_CARDS - len(self.cards), 0)
        cards = list(data.get("cards", []))
        self.cards += cards[:room]
        self.left_out += int(data.get("left_out", 0)) + max(len(cards) - room, 0)


class XdistCards:
    """Registered on the controller of an xdist run that asked for the HTML report."""

    def __init__(self, log: CardLog) -> None:
        self.log = log

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        data = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
        if data:
            self.log.merge(data)


def _coverage(summary: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{counts['accepted']}</td>"
        f"<td>{counts['rejected']}</td></tr>"
        for name, counts in summary["event_types"].items()
    )
    exercised, never = summary["exercised"], summary["never_exercised"]
    rules = ", ".join(html.escape(r) for r in never) or "none"
    return (
        '<section class="coverage"><h2>Contract coverage</h2>'
        f"<p>rules exercised: {len(exercised)} of {len(exercised) + len(never)} "
        f"({summary['percent']:.1f}%) in {summary['tests']} tests</p>"
        '<table class="coverage"><tr><th>event type</th><th>accepted</th><th>rejected</th></tr>'
        f"{rows}</table><p>never exercised: {rules}</p></section>"
    )


def _cards(log: CardLog) -> str:
    items = "".join(
        f'<div class="sample-card"><div class="sample">{html.escape(entry["test"])}</div>'
        f"{entry['card']}</div>"
        for entry in log.cards
    )
    more = f"<p>and {log.left_out} more cards, left out</p>" if log.left_out else ""
    return (
        f'<section class="accepted"><h2>Accepted occurrences ({len(log.cards) + log.left_out})'
        f'</h2><div class="cards">{items}</div>{more}</section>'
    )


def write_html(summary: Mapping[str, Any], log: CardLog, path: Path) -> None:
    """Write the report page: coverage first, then every card with the test that sent it."""
    from ._cards import page  # markdown-it and the template parser, only when writing

    body = f"<main><h1>hsevents report</h1>{_coverage(summary)}{_cards(log)}</main>"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page("hsevents report", body), encoding="utf-8")
