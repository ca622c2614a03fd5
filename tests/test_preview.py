"""`hsevents preview` and the card renderer: the page's structure, escaping, reproducibility."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_hsevents._cards import render_card
from pytest_hsevents.cli import main
from pytest_hsevents.loader import load_project

from ._projects import EVENT_PATH, EXAMPLE, event, project_files, prop, write_project


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each `<article>` card."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cards: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "article":
            self.cards.append("")
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.cards[-1] += data


def parsed(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    return tags


def preview(tmp_path: Path, project: Path, *extra: str) -> str:
    output = tmp_path / "preview.html"
    assert main(["preview", str(project), "--output", str(output), *extra]) == 0
    return output.read_text(encoding="utf-8")


def test_every_event_type_of_the_example_has_its_section_and_cards(tmp_path: Path) -> None:
    page = preview(tmp_path, EXAMPLE)
    tags = parsed(page)
    uids = set(load_project(EXAMPLE).event_types)
    sections = {a["data-uid"] for t, a in tags.tags if t == "section"}
    assert sections == uids
    for uid in uids:
        kinds = [a["data-sample"] for t, a in tags.tags if a.get("data-event-type") == uid]
        assert kinds[:2] == ["minimal", "full"] and len(kinds) >= 3
    assert "Asset scanned" in page and "COMPANY" in page
    assert not any(t in ("script", "link", "img", "iframe") for t, _ in tags.tags)


def test_the_full_card_has_every_property_the_templates_use(tmp_path: Path) -> None:
    config = {
        "headerTemplate": "{{customerName}} upgraded to **{{plan}}**",
        "detailTemplate": "Seats: {{seats}}\n\n{{#if extraData.note}}Note: yes{{/if}}",
        "properties": [
            prop("customerName"),
            prop("plan", "enumeration", options=[{"label": "Pro", "value": "pro"}]),
            prop("seats", "number"),
        ],
    }
    root = write_project(tmp_path / "p", project_files({EVENT_PATH: event(**config)}))
    tags = parsed(preview(tmp_path, root))
    full = tags.cards[1]
    assert "upgraded to pro" in full and "Seats: " in full and "Note: yes" in full
    assert "is empty here" not in full
    minimal = tags.cards[0]
    assert "{{customerName}} is empty here" in minimal
    assert ("strong", {}) in tags.tags  # Markdown became HTML


def test_a_script_in_a_property_value_renders_as_text(tmp_path: Path) -> None:
    script = "<script>alert(1)</script>"
    config = {
        "name": "<b>Upgrade</b>",
        "headerTemplate": "{{{plan}}} and {{plan}}",
        "detailTemplate": "[link](javascript:alert(1)) {{plan}}",
        "properties": [prop("plan", "enumeration", options=[{"label": "x", "value": script}])],
    }
    root = write_project(tmp_path / "p", project_files({EVENT_PATH: event(**config)}))
    page = preview(tmp_path, root)
    tags = parsed(page)
    assert not any(t in ("script", "b") for t, _ in tags.tags)
    assert not any("javascript:" in str(a.get("href")) for t, a in tags.tags if t == "a")
    assert script in tags.cards[1]  # shown as text
    assert "&lt;b&gt;Upgrade&lt;/b&gt;" in page


def test_template_diagnostics_are_shown_beside_the_cards(tmp_path: Path) -> None:
    broken = event(headerTemplate="{{#if customerName}}open", detailTemplate="{{missing}}")
    root = write_project(tmp_path / "p", project_files({EVENT_PATH: broken}))
    page = preview(tmp_path, root)
    section = page[page.index("<section") :]
    assert section.index('class="diagnostics"') < section.index('class="cards"')
    assert "/config/headerTemplate" in section and "/config/detailTemplate" in section
    assert "headerTemplate does not render" in parsed(page).cards[0]


def test_the_seed_makes_the_page_reproducible(tmp_path: Path) -> None:
    first = preview(tmp_path, EXAMPLE, "--seed", "7")
    assert preview(tmp_path, EXAMPLE, "--seed", "7") == first
    assert preview(tmp_path, EXAMPLE, "--seed", "8") != first


def test_an_unwritable_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["preview", str(EXAMPLE), "--output", str(tmp_path / "no" / "such.html")])
    assert code == 2 and "cannot write" in capsys.readouterr().err


def test_render_card_escapes_and_notes_missing_values() -> None:
    card = render_card("{{a}} *x*", "{{extraData.b}}", {"a": "<i>"}, None)
    assert card.header_html == "&lt;i&gt; <em>x</em>"
    assert card.notes == ("detailTemplate: {{extraData.b}} is empty here",)
    assert 'class="hs-card-notes"' in card.html()
