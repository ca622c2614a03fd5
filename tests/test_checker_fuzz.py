"""Bad input never crashes the checker: mutated definition files give diagnostics, not tracebacks.

Hypothesis mutates the example project's files at the JSON level (any value replaced by any
JSON value, keys dropped) and at the byte level (garbage inserted, bytes cut or overwritten);
`check_project` must return well-formed diagnostics every time, and every renderer must cope.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_hsevents._formats import RENDERERS
from pytest_hsevents.checker import check_project
from pytest_hsevents.cli import main
from pytest_hsevents.rules import RULES, RuleFamily
from pytest_hsevents.settings import Settings

from ._projects import EVENT, EVENT_PATH, EXAMPLE, project_files, write_project

FILES = sorted(
    path.relative_to(EXAMPLE).as_posix() for path in EXAMPLE.rglob("*.json") if path.is_file()
)
DEFINITION_FAMILIES = {RuleFamily.FILE, RuleFamily.DEFINITION, RuleFamily.PROPERTY}
DEFINITION_FAMILIES |= {RuleFamily.TEMPLATE, RuleFamily.APP}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["{{x}}", "{{#if a}}", "{{/each}}", "hs_x", "app-event", "ENUMERATION"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def json_mutations(draw: st.DrawFn, document: Any) -> str:
    """The document with one to three values replaced or removed, as JSON text."""
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(_paths(document)))
        replacement = draw(json_values)
        if not where:
            document = replacement
            continue
        parent = document
        try:
            for token in where[:-1]:
                parent = parent[token]
            if draw(st.booleans()) and isinstance(parent, dict):
                del parent[where[-1]]
            else:
                parent[where[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    return json.dumps(document, indent=draw(st.sampled_from([None, 2])))


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes with a slice cut, overwritten or garbage inserted."""
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        garbage = draw(st.binary(max_size=12) | st.sampled_from([b"{", b"}", b'"', b"\\", b"\xff"]))
        data = data[:start] + garbage + data[end:]
    return data


@st.composite
def mutated_files(draw: st.DrawFn) -> dict[str, bytes]:
    mutated: dict[str, bytes] = {}
    for name in draw(st.lists(st.sampled_from(FILES), min_size=1, max_size=3, unique=True)):
        original = (EXAMPLE / name).read_bytes()
        if draw(st.booleans()):
            text = draw(json_mutations(json.loads(original)))
            mutated[name] = text.encode("utf-8", "surrogatepass")
        else:
            mutated[name] = draw(byte_mutations(original))
    return mutated


def _assert_well_formed(root: Path, settings_: Settings) -> None:
    diagnostics = check_project(root, settings_)
    for diagnostic in diagnostics:
        assert diagnostic.rule_id in RULES
        assert diagnostic.rule.family in DEFINITION_FAMILIES
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message and "\n" not in diagnostic.message
        assert diagnostic.pointer == "" or diagnostic.pointer.startswith("/")
        assert Path(diagnostic.path).is_file()
    for render in RENDERERS.values():
        render(diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files(), st.booleans())
def test_mutated_example_files_never_crash_the_checker(
    files: dict[str, bytes], strict: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        shutil.copytree(EXAMPLE, root)
        for name, data in files.items():
            (root / name).write_bytes(data)
        _assert_well_formed(root, Settings(strict_case=strict, lowercase_names=strict))


WRONG_TYPES = {
    "uid": 5,
    "type": ["app-event"],
    "config": {
        "name": {"text": "x"},
        "objectType": 3,
        "supportsCustomObject": "yes",
        "headerTemplate": 1,
        "detailTemplate": False,
        "properties": [
            {"name": 1, "label": [], "type": {}, "options": "x", "objectProperty": 5},
            "property",
            None,
        ],
    },
}


@pytest.mark.parametrize(
    ("content", "rules"),
    [
        (b"", {"HSF001"}),
        (b"   \n", {"HSF001"}),
        (b"null", {"HSF002", "HSD001", "HSD005", "HSD008"}),
        (b'"app-event"', {"HSF002", "HSD001", "HSD005", "HSD008"}),
        (bytes(range(256)) * 4, {"HSF008"}),
        (b" " * (10 * 1024 * 1024), {"HSF008"}),
        (b"[" * 100_000, {"HSF001"}),
        (
            b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
            # Python 3.13's json reads 5,000 levels; older ones refuse them (nested too deeply).
            {"HSF003", "HSD001", "HSD005", "HSD008"} if sys.version_info >= (3, 13) else {"HSF001"},
        ),
        (b'{"a":' * 600 + b"1" + b"}" * 600, {"HSF003", "HSD001", "HSD005", "HSD008"}),
        (json.dumps(WRONG_TYPES).encode(), {"HSD003", "HSD006"}),
        (
            json.dumps({**WRONG_TYPES, "uid": "x", "type": "app-event", "config": "c"}).encode(),
            {"HSD009"},
        ),
    ],
    ids=[
        "empty",
        "blank",
        "null",
        "string",
        "binary",
        "10MB",
        "deep-array",
        "deep-object",
        "nested-object",
        "wrong-types",
        "config-string",
    ],
)
def test_bad_files_give_a_clear_diagnostic_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, rules: set[str]
) -> None:
    write_project(tmp_path, project_files({EVENT_PATH: content}))
    diagnostics = check_project(tmp_path, Settings())
    assert {d.rule_id for d in diagnostics} >= rules
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert all(rule in out for rule in rules)
    assert "Traceback" not in out


def test_every_wrong_field_type_is_named(tmp_path: Path) -> None:
    wrong = {**WRONG_TYPES, "uid": "demo", "type": "app-event"}
    write_project(tmp_path, project_files({EVENT_PATH: wrong}))
    named = {(d.rule_id, d.pointer) for d in check_project(tmp_path, Settings())}
    base = "/config/properties/0"
    assert named >= {
        ("HSD009", "/config/name"),
        ("HSD009", "/config/objectType"),
        ("HSD009", "/config/supportsCustomObject"),
        ("HSD009", "/config/headerTemplate"),
        ("HSD009", "/config/detailTemplate"),
        ("HSD009", f"{base}/name"),
        ("HSD009", f"{base}/label"),
        ("HSD009", f"{base}/type"),
        ("HSD009", f"{base}/objectProperty"),
        ("HSD009", "/config/properties/1"),
        ("HSD009", "/config/properties/2"),
    }


def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_a_message_is_one_line_whatever_the_keys(tmp_path: Path) -> None:
    """Found by the fuzz test: a key named "\\n" split the ruff-style line in two."""
    write_project(tmp_path, project_files({EVENT_PATH: {**EVENT, "\n\u2028": 1}}))
    (diagnostic,) = (d for d in check_project(tmp_path, Settings()) if d.rule_id == "HSF003")
    assert diagnostic.message == "Unexpected top-level properties found: \\n\\u2028"
    assert diagnostic.pointer == "/\n\u2028"
