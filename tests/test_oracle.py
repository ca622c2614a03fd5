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

import pytest

from pytest_hsevents.checker import check_project
from pytest_hsevents.rules import LIB, RULES, Severity
from pytest_hsevents.settings import Settings

from ._projects import APP, APP_PATH, DELETE, EVENT, EVENT_PATH, HSPROJECT, edit, project_files

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


def _oracle(src_dirs: list[Path]) -> dict[Path, dict[str, object]]:
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


def _write(root: Path, changes: Mapping[str, object]) -> Path:
    from ._projects import write_project

    return write_project(root, project_files(changes))


def test_parser_level_verdicts_match_hubspots_parser(tmp_path: Path) -> None:
    roots = {name: _write(tmp_path / name, changes) for name, changes in CASES.items()}
    oracle = _oracle([root / "src" for root in roots.values()])
    disagreements = []
    for name, root in roots.items():
        verdict = oracle[root / "src"]
        ours = _ours(root)
        if bool(ours) == verdict["valid"]:
            disagreements.append((name, ours, verdict["errors"]))
    assert disagreements == []
    # the cases exercise both verdicts and every parser-level rule we have
    assert {oracle[r / "src"]["valid"] for r in roots.values()} == {True, False}
    fired = {rule for root in roots.values() for rule in _ours(root)}
    assert fired == PARSER_RULES


def test_known_divergences_are_still_there(tmp_path: Path) -> None:
    """If HubSpot's parser changes its mind, this fails and the divergence can go."""
    roots = {name: _write(tmp_path / name, c) for name, (c, _) in KNOWN_DIVERGENCES.items()}
    oracle = _oracle([root / "src" for root in roots.values()])
    for name, root in roots.items():
        assert oracle[root / "src"]["valid"] is True, name
        assert _ours(root), name


def test_messages_we_copy_from_the_parser_match_its_text(tmp_path: Path) -> None:
    """Where our message claims HubSpot's wording, it is HubSpot's wording."""
    copied = {
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
    roots = {name: _write(tmp_path / name, CASES[name]) for name in copied}
    oracle = _oracle([root / "src" for root in roots.values()])
    for name, root in roots.items():
        theirs = [msg for entry in oracle[root / "src"]["errors"] for msg in entry["errors"]]
        assert copied[name] in theirs, (name, theirs)
        ours = {d.message for d in check_project(root, Settings())}
        assert copied[name] in ours, (name, ours)
