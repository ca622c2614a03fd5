"""Build small HubSpot projects on disk for the checker's tests.

A project is a mapping of relative paths to contents (dict/list: written as indented JSON,
str: written as text, bytes: written as is). `project_files()` gives a clean project with
one event type; `edit()` changes one document by JSON pointer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme-app"
EVENT_PATH = "src/app/app-events/demo-event-hsmeta.json"
APP_PATH = "src/app/app-hsmeta.json"

DELETE: Any = object()
"""An `edit()` value or a `project_files()` value that removes the key or file."""

HSPROJECT = {"name": "demo", "srcDir": "src", "platformVersion": "2025.2"}
APP = {
    "uid": "demo_app",
    "type": "app",
    "config": {
        "name": "Demo app",
        "distribution": "marketplace",
        "auth": {"type": "oauth", "requiredScopes": ["timeline"]},
    },
}
EVENT = {
    "uid": "demo_event",
    "type": "app-event",
    "config": {
        "name": "Demo event",
        "objectType": "CONTACT",
        "headerTemplate": "{{customerName}} upgraded",
        "detailTemplate": "Plan: {{plan}}",
        "properties": [
            {"name": "customerName", "label": "Customer name", "type": "string"},
            {
                "name": "plan",
                "label": "Plan",
                "type": "enumeration",
                "options": [{"label": "Free", "value": "free"}, {"label": "Pro", "value": "pro"}],
            },
        ],
    },
}


def prop(name: str, kind: str = "string", **extra: object) -> dict[str, object]:
    """A property entry with a label derived from the name."""
    return {"name": name, "label": f"Label {name}", "type": kind, **extra}


def edit(document: object, changes: Mapping[str, object]) -> Any:
    """A deep copy of `document` with each JSON pointer set to its value (or DELETE'd)."""
    result = copy.deepcopy(document)
    for where, value in changes.items():
        *parents, last = where.split("/")[1:]
        target = result
        for token in parents:
            target = target[int(token)] if isinstance(target, list) else target[token]
        key: Any = int(last) if isinstance(target, list) else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
    return result


def event(uid: str = "demo_event", **changes: object) -> Any:
    """The clean event with `uid` and `config` keys changed (`objectType=DELETE` drops one)."""
    return edit(EVENT, {"/uid": uid, **{f"/config/{key}": v for key, v in changes.items()}})


def project_files(changes: Mapping[str, object] | None = None) -> dict[str, object]:
    """The clean project's files with `changes` (path: content, or DELETE) applied."""
    files: dict[str, object] = {"hsproject.json": HSPROJECT, APP_PATH: APP, EVENT_PATH: EVENT}
    files.update(changes or {})
    return {path: content for path, content in files.items() if content is not DELETE}


def write_project(root: Path, files: Mapping[str, object]) -> Path:
    """Write `files` under `root` and return `root`."""
    for relative, content in files.items():
        if content is DELETE:
            continue
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return root


def text_at(path: Path, line: int, column: int) -> str:
    """The rest of the line at a 1-based (line, column): what a diagnostic points at."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() or [""]
    return lines[line - 1][column - 1 :]
