"""One timeline card as HTML: the templates rendered by the kit's renderer, then Markdown.

The preview page, `AcceptedOccurrence.card`, the server's recorded state and the HTML report
all draw cards here, so they agree. Markdown is CommonMark (markdown-it-py) with raw HTML
turned off: whatever an occurrence carries (`<script>`, `javascript:` links) ends up as text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

from . import templates

__all__ = ["Card", "card_context", "render_card"]


@dataclass(frozen=True)
class Card:
    """A rendered card: header and detail as HTML, and what went wrong rendering them."""

    header_html: str
    detail_html: str
    notes: tuple[str, ...] = ()

    def html(self, attributes: str = "") -> str:
        """The card as one `<article class="hs-card">` element."""
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        notes_html = f'<ul class="hs-card-notes">{notes}</ul>' if notes else ""
        return (
            f'<article class="hs-card"{attributes}>'
            f'<div class="hs-card-header">{self.header_html}</div>'
            f'<div class="hs-card-detail">{self.detail_html}</div>{notes_html}</article>'
        )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def _render(text: str, context: Mapping[str, object]) -> templates.Rendered:
    """The seam to the template renderer: its public function, called only here."""
    return templates.render_with_problem(text, context)


def card_context(properties: Mapping[str, object], extra_data: object) -> dict[str, object]:
    """What detailTemplate sees: the properties, and extraData when the occurrence has it."""
    context: dict[str, object] = dict(properties)
    if extra_data is not None:
        context["extraData"] = extra_data
    return context


@lru_cache(maxsize=4096)
def _info(text: str) -> templates.TemplateInfo:
    return templates.parse_template(text)


def _missing(info: templates.TemplateInfo, context: Mapping[str, Any]) -> list[str]:
    missing: list[str] = []
    for path in info.references:
        value: Any = context
        for segment in path:
            value = value.get(segment) if isinstance(value, Mapping) else None
        if value is None:
            missing.append(".".join(path))
    return missing


def _part(
    name: str, text: str | None, context: Mapping[str, object], inline: bool
) -> tuple[str, list[str]]:
    if not text:
        return "", [f"no {name}"]
    info = _info(text)
    rendered = _render(text, context)
    if info.error:
        return "", [f"{name} does not render: {info.rule} {info.error}"]
    if rendered.text is None:
        problem = " ".join(filter(None, (rendered.rule, rendered.message)))
        return "", [f"{name} does not render: {problem or 'the renderer failed'}"]
    notes = [f"{name}: {{{{{path}}}}} is empty here" for path in _missing(info, context)]
    markdown = _markdown()
    body = markdown.renderInline(rendered.text) if inline else markdown.render(rendered.text)
    return body, notes


def render_card(
    header_template: str | None,
    detail_template: str | None,
    properties: Mapping[str, object],
    extra_data: object = None,
) -> Card:
    """Render a card as HubSpot's timeline would: header from the properties alone (extraData
    is only available to detailTemplate), detail from both."""
    header, header_notes = _part("headerTemplate", header_template, dict(properties), True)
    detail, detail_notes = _part(
        "detailTemplate", detail_template, card_context(properties, extra_data), False
    )
    return Card(header, detail, tuple(header_notes + detail_notes))


def page(title: str, body: str, style: str = "") -> str:
    """A self-contained HTML page: inline CSS, no scripts, nothing fetched."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<style>{CARD_CSS}{style}</style></head><body>{body}</body></html>\n"
    )


def escaped_list(items: Sequence[str]) -> str:
    return "".join(f"<li>{html.escape(item)}</li>" for item in items)


CARD_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f5f8fa;color:#33475b}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}
.meta{color:#516f90;font-size:12px}
.event-type{background:#fff;border:1px solid #cbd6e2;border-radius:6px;margin:18px 0;
padding:16px}
.event-type>header{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
.badge{background:#eaf0f6;border-radius:3px;padding:1px 6px;font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px;
margin-top:12px}
.hs-card{border:1px solid #dfe3eb;border-left:4px solid #00a4bd;border-radius:4px;
padding:10px 12px;background:#fff}
.hs-card-header{font-weight:600;margin-bottom:6px}
.hs-card-detail p{margin:4px 0}.hs-card-detail ul{margin:4px 0;padding-left:20px}
.hs-card-notes,.diagnostics{color:#b36200;font-size:12px;margin:8px 0 0;padding-left:18px}
.diagnostics{color:#d94c53}
.sample{color:#7c98b6;font-size:11px;text-transform:uppercase;letter-spacing:.04em}
table.coverage{border-collapse:collapse;background:#fff}
table.coverage td,table.coverage th{border:1px solid #cbd6e2;padding:3px 8px;text-align:left}
"""
