"""Render diagnostics for people (text), machines (json) and GitHub (sarif, annotations)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from . import __version__
from .model import Diagnostic
from .rules import RULES, Severity

FORMATS = ("text", "json", "sarif", "github")


def as_text(diagnostics: Sequence[Diagnostic]) -> str:
    lines = [str(d) for d in diagnostics]
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    lines.append(
        f"Found {errors} error{'s' * (errors != 1)} and {warnings} warning{'s' * (warnings != 1)}."
        if diagnostics
        else "All checks passed."
    )
    return "\n".join(lines)


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps(
        [
            {
                "path": str(d.path),
                "line": d.line,
                "column": d.column,
                "pointer": d.pointer,
                "rule": d.rule.id,
                "name": d.rule.name,
                "severity": d.severity.value,
                "message": d.message,
                "url": d.rule.docs_url,
            }
            for d in diagnostics
        ],
        indent=2,
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    return "\n".join(
        f"::{d.severity.value} file={_escape_property(d.path.as_posix())},line={d.line},"
        f"col={d.column},title={_escape_property(d.rule.slug)}::{_escape_data(d.message)}"
        for d in diagnostics
    )


def _uri(path: Path) -> str:
    """SARIF wants a URI: relative paths stay relative (to the run's folder), others file://."""
    return path.as_uri() if path.is_absolute() else quote(path.as_posix())


def as_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    used = sorted({d.rule.id for d in diagnostics})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    run = {
        "tool": {
            "driver": {
                "name": "hsevents",
                "version": __version__,
                "informationUri": "https://pytest-hsevents.readthedocs.io/",
                "rules": [
                    {
                        "id": rule_id,
                        "name": RULES[rule_id].name,
                        "shortDescription": {"text": RULES[rule_id].summary},
                        "helpUri": RULES[rule_id].docs_url,
                        "defaultConfiguration": {"level": RULES[rule_id].severity.value},
                    }
                    for rule_id in used
                ],
            }
        },
        "results": [
            {
                "ruleId": d.rule.id,
                "ruleIndex": index[d.rule.id],
                "level": d.severity.value,
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.path)},
                            "region": {"startLine": d.line, "startColumn": d.column},
                        }
                    }
                ],
            }
            for d in diagnostics
        ],
    }
    return json.dumps(
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        },
        indent=2,
    )


RENDERERS = {"text": as_text, "json": as_json, "sarif": as_sarif, "github": as_github}
