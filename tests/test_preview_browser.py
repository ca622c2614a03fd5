"""The preview page in a real browser: headless Chromium loads it (nothing fetched, no script)
and every card is in the DOM it builds. Skipped where Chromium is not installed."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_hsevents.cli import main
from pytest_hsevents.loader import load_project

from ._projects import EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (CI installs it with apt-get)"
)


class _Cards(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[tuple[str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article" and "hs-card" in (found.get("class") or ""):
            self.cards.append((found["data-event-type"] or "", found["data-sample"] or ""))
        self.scripts += tag == "script"


def test_chromium_loads_the_page_and_finds_every_card(tmp_path: Path) -> None:
    page = tmp_path / "preview.html"
    assert main(["preview", str(EXAMPLE), "--output", str(page)]) == 0
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    cards = _Cards()
    cards.feed(dom.stdout)
    expected = _Cards()
    expected.feed(page.read_text(encoding="utf-8"))
    assert cards.cards == expected.cards
    assert {uid for uid, _ in cards.cards} == set(load_project(EXAMPLE).event_types)
    assert cards.scripts == 0
