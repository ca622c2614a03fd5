"""Differential test: our parser-level verdict equals HubSpot's own parser's on the same trees.

The oracle is npm `@hubspot/project-parsing-lib` 0.23.0 run offline (tests/oracle, recipe B of
shared/spec/clients.md §5) with a schema map that accepts any `config`, so only the parser's
own rules run: files, JSON, top-level keys, uid, type, folder, app parent. Our side of the
comparison is every error-severity rule the catalogue sources to that parser. Install the
oracle with `npm ci --prefix tests/oracle`; without Node or that install the test skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_hsevents.checker import check_project
from pytest_hsevents.rules import LIB, RULES, Severity
from pytest_hsevents.settings import Settings

from ._projects import (
    APP,
    APP_PATH,
    DELETE,
    EVENT,
    EVENT_PATH,
    HSPROJECT,
    edit,
    project_files,
    write_project,
)

ORACLE = Path(__file__).resolve().parent / "oracle"
PARSER_RULES = frozenset(
    rid for rid, rule in RULES.items() if rule.source == LIB and rule.severity is Severity.ERROR
)
SECOND = "src/app/app-events/second-hsmeta.json"


def top(changes: Mapping[str, object]) -> dict[str, object]:
    return {EVENT_PATH: edit(EVENT, changes)}


CASES: dict[str, Mapping[str, object]] = {
    # accepted by both
    "clean": {},
    "type-APP_EVENT": top({"/type": "APP_EVENT"}),
    "type-App-Event": top({"/type": "App-Event"}),
    "uid-64": top({"/uid": "u" * 64}),
    "uid-dots-dashes": top({"/uid": "a.b-c_D9"}),
    "dependencies": top({"/dependencies": {"x": "y"}}),
    "permissions-2026.09": {
        "hsproject.json": {**HSPROJECT, "platformVersion": "2026.09"},
        **top({"/permissions": {}}),
    },
    "skipped-folder": {"src/app/events/other-hsmeta.json": edit(EVENT, {"/uid": "other"})},
    "not-a-metafile": {"src/app/app-events/notes.json": "{"},
    "config-not-object": top({"/config": [1]}),  # a config rule, not the parser's
    "two-event-types": {SECOND: edit(EVENT, {"/uid": "second"})},
    # refused by both
    "invalid-json": {EVENT_PATH: '{"uid": "demo_event",'},
    "trailing-comma": {EVENT_PATH: '{"uid": "demo_event", "type": "app-event", "config": {},}'},
    "nan": {EVENT_PATH: '{"uid": "demo_event", "type": "app-event", "config": {"n": NaN}}'},
    "bom": {EVENT_PATH: "\ufeff" + json.dumps(EVENT)},
    "empty-file": {EVENT_PATH: ""},
    "blank-file": {EVENT_PATH: "  \n"},
    "array": {EVENT_PATH: "[1, 2]"},
    "null": {EVENT_PATH: "null"},
    "string": {EVENT_PATH: '"app-event"'},
    "unexpected-top-level-key": top({"/extra": 1}),
    "wrong-directory": {EVENT_PATH: DELETE, "src/app/cards/demo-event-hsmeta.json": EVENT},
    "missing-app": {APP_PATH: DELETE},
    "uid-missing": top({"/uid": DELETE}),
    "uid-empty": top({"/uid": ""}),
    "uid-65": top({"/uid": "u" * 65}),
    "uid-space": top({"/uid": "demo event"}),
    "uid-slash": top({"/uid": "demo/event"}),
    "uid-duplicate": {SECOND: EVENT},
    "uid-duplicate-of-app": top({"/uid": APP["uid"]}),
    "type-missing": top({"/type": DELETE}),
    "type-empty": top({"/type": ""}),
    "type-unsupported": top({"/type": "app-events"}),
    "type-other-component": top({"/type": "card"}),
    "config-missing": top({"/config": DELETE}),
    "permissions-2025.2": top({"/permissions": {}}),
    "two-apps": {"src/app/second-hsmeta.json": edit(APP, {"/uid": "second_app"})},
    "app-uid-bad": {APP_PATH: edit(APP, {"/uid": "demo app"})},
}

KNOWN_DIVERGENCES: dict[str, tuple[Mapping[str, object], str]] = {
    "variant-type-without-app": (
        {APP_PATH: DELETE, **top({"/type": "APP_EVENT"})},
        "the parser looks for the app parent under the raw type, so 'APP_EVENT' skips it; "
        "we resolve the type first and still require the app",
    ),
    "uid-number": (
        top({"/uid": 42}),
        "the parser tests String(uid) against its pattern, so 42 passes; we require a string",
    ),
}


def _oracle(src_dirs: list[Path]) -> dict[Path, dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the HubSpot parser oracle cannot run")
    if not (ORACLE / "node_modules" / "@hubspot" / "project-parsing-lib").is_dir():
        pytest.skip("oracle not installed: run `npm ci --prefix tests/oracle`")
    result = subprocess.run(
        [node, "--import", "./register.mjs", "validate.mjs", *map(str, src_dirs)],
        cwd=ORACLE,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return {Path(str(line["srcDir"])): line for line in lines}


def _ours(root: Path) -> list[str]:
    return [d.rule_id for d in check_project(root, Settings()) if d.rule_id in PARSER_RULES]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every case written to disk and judged by the oracle in one Node process."""
    base = tmp_path_factory.mktemp("oracle")
    cases = {**CASES, **{name: changes for name, (changes, _) in KNOWN_DIVERGENCES.items()}}
    roots = {name: write_project(base / name, project_files(c)) for name, c in cases.items()}
    oracle = _oracle([root / "src" for root in roots.values()])
    return {name: (root, oracle[root / "src"]) for name, root in roots.items()}


def test_parser_level_verdicts_match_hubspots_parser(
    verdicts: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    judged = {name: (_ours(root), verdicts[name][1]) for name, (root, _) in verdicts.items()}
    disagreements = [
        (name, ours, theirs["errors"])
        for name, (ours, theirs) in judged.items()
        if name in CASES and bool(ours) == theirs["valid"]
    ]
    assert disagreements == []
    # the cases exercise both verdicts and every parser-level rule we have
    assert {theirs["valid"] for _, theirs in judged.values()} == {True, False}
    assert {rule for ours, _ in judged.values() for rule in ours} == PARSER_RULES


def test_known_divergences_are_still_there(
    verdicts: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """If HubSpot's parser changes its mind, this fails and the divergence can go."""
    for name in KNOWN_DIVERGENCES:
        root, theirs = verdicts[name]
        assert theirs["valid"] is True, name
        assert _ours(root), name


COPIED = {
    "unexpected-top-level-key": "Unexpected top-level properties found: extra",
    "uid-missing": "Missing required field: 'uid'",
    "uid-space": "'uid' should use only letters, numbers, periods, hyphens, and underscores "
    "(for example: app-id_1.2.3)",
    "type-missing": "Missing required field: 'type'",
    "type-unsupported": "Unsupported type: app-events",
    "config-missing": "Missing required field: 'config'",
    "missing-app": "This 'app-event' component must be a child of the 'app' component. "
    "No *-hsmeta.json files were found with type 'app'",
    "permissions-2025.2": 'The "permissions" field is not supported on platform version '
    '"2025.2". Upgrade to "2026.09" or later to use component-level permissions.',
}


@pytest.mark.parametrize("name", COPIED)
def test_messages_we_copy_from_the_parser_match_its_text(
    verdicts: dict[str, tuple[Path, dict[str, Any]]], name: str
) -> None:
    """Where our message claims HubSpot's wording, it is HubSpot's wording."""
    root, theirs = verdicts[name]
    assert COPIED[name] in [msg for entry in theirs["errors"] for msg in entry["errors"]]
    assert COPIED[name] in {d.message for d in check_project(root, Settings())}
