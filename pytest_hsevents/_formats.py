"""Render diagnostics for people (text), machines (json) and GitHub (sarif, annotations)."""

from __future__ import annotations

import json
from collections.abc import Sequence

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


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return "\n".join(
        f"::{d.severity.value} file={d.path},line={d.line},col={d.column},"
        f"title={d.rule.slug}::{escape(d.message)}"
        for d in diagnostics
    )


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
                            "artifactLocation": {"uri": d.path.as_posix()},
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
