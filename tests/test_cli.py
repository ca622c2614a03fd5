"""`hsevents check` and `hsevents rules`: output formats, exit codes, options."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_hsevents.cli import main
from pytest_hsevents.rules import RULES

from ._projects import DELETE, EVENT_PATH, EXAMPLE, event, project_files, prop, write_project

LINE = re.compile(
    r"(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<rule>HS[A-Z]\d{3}) (?P<msg>.+)"
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "pytest_hsevents", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """One error (HSD021 name-too-long) and one warning (HSD010 unknown-config-key)."""
    return write_project(tmp_path, project_files({EVENT_PATH: event(name="n" * 51, color="red")}))


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """Only a warning (HST002: a template names an undefined property)."""
    return write_project(tmp_path, project_files({EVENT_PATH: event(headerTemplate="{{nope}}")}))


def test_subprocess_text_output_is_ruff_like_with_relative_paths(broken: Path) -> None:
    result = run("check", ".", cwd=broken)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    *lines, summary = result.stdout.splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    assert [(m["path"], m["rule"]) for m in parsed if m] == [
        (EVENT_PATH, "HSD021"),
        (EVENT_PATH, "HSD010"),
    ]
    first = parsed[0]
    assert first is not None
    assert first["msg"] == "name has 51 characters; the limit is 50"
    line_text = (broken / EVENT_PATH).read_text().splitlines()[int(first["line"]) - 1]
    assert line_text[int(first["column"]) - 1 :].startswith('"name": "nnn')
    assert summary == "Found 1 error and 1 warning."


def test_subprocess_clean_example_exits_zero() -> None:
    result = run("check", str(EXAMPLE))
    assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed.\n", "")


def test_json_format(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = cli(capsys, "check", str(broken), "--format", "json")
    assert code == 1
    records = json.loads(out)
    assert [(r["rule"], r["severity"], r["pointer"]) for r in records] == [
        ("HSD021", "error", "/config/name"),
        ("HSD010", "warning", "/config/color"),
    ]
    first = records[0]
    assert first["name"] == "name-too-long"
    assert first["path"] == str(broken / EVENT_PATH)
    assert first["line"] >= 1 and first["column"] >= 1
    assert first["url"].endswith("#hsd021")


def test_sarif_format_has_the_required_structure(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    code, out, _ = cli(capsys, "check", str(broken), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "hsevents" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["HSD010", "HSD021"]
    for rule in rules:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == (broken / EVENT_PATH).as_uri()
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    assert {r["ruleId"]: r["level"] for r in run_["results"]} == {
        "HSD021": "error",
        "HSD010": "warning",
    }


def test_sarif_of_a_clean_project_has_no_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "check", str(EXAMPLE), "--format", "sarif")
    assert code == 0
    assert json.loads(out)["runs"][0]["results"] == []


def test_github_format_annotates_and_escapes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "a,b", project_files({EVENT_PATH: event(name="n" * 51)}))
    code, out, _ = cli(capsys, "check", str(root), "--format", "github")
    assert code == 1
    (line,) = out.splitlines()
    match = re.fullmatch(r"::error file=(.+),line=(\d+),col=(\d+),title=(.+)::(.+)", line)
    assert match, line
    assert match[1] == str(root / EVENT_PATH).replace(",", "%2C")
    assert match[4] == "HSD021/name-too-long"
    assert match[5] == "name has 51 characters; the limit is 50"


def test_strict_makes_warnings_fail(capsys: pytest.CaptureFixture[str], warned: Path) -> None:
    code, out, _ = cli(capsys, "check", str(warned))
    assert code == 0
    assert "HST002" in out and out.rstrip().endswith("Found 0 errors and 1 warning.")
    assert cli(capsys, "check", str(warned), "--strict")[0] == 1


def test_select_and_ignore(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = cli(capsys, "check", str(broken), "--select", "HSD01")
    assert (code, [m["rule"] for m in map(LINE.match, out.splitlines()) if m]) == (0, ["HSD010"])
    code, out, _ = cli(capsys, "check", str(broken), "--ignore", "HSD021,unknown-config-key")
    assert (code, out) == (0, "All checks passed.\n")


def test_case_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    changes = {EVENT_PATH: event(properties=[prop("customerName", "string")], detailTemplate="x")}
    root = write_project(tmp_path, project_files(changes))
    assert cli(capsys, "check", str(root))[0] == 0
    code, out, _ = cli(
        capsys, "check", str(root), "--strict-case", "--lowercase-names", "--lowercase-labels"
    )
    rules = sorted(m["rule"] for m in map(LINE.match, out.splitlines()) if m)
    assert (code, rules) == (1, ["HSP004", "HSP012", "HSP022"])


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["check", "MISSING"], "no such file or directory"),
        (["check", "EMPTY"], "not a HubSpot project"),
        (["check", "PROJECT", "--select", "HSX"], "no rule is called 'HSX'"),
        (["check", "PROJECT", "--ignore", "no-such-rule"], "no rule is called 'no-such-rule'"),
        (["rules", "HSX999"], "no rule is called 'HSX999'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], error: str
) -> None:
    (tmp_path / "empty").mkdir()
    write_project(tmp_path / "project", project_files())
    places = {"MISSING": "missing", "EMPTY": "empty", "PROJECT": "project"}
    args = [str(tmp_path / places[a]) if a in places else a for a in args]
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("hsevents: error: ") and error in err
    assert err.count("\n") == 1


def test_usage_errors_in_a_subprocess_carry_no_traceback(tmp_path: Path) -> None:
    write_project(tmp_path, project_files())
    (tmp_path / "pyproject.toml").write_text("[tool.hsevents]\nstrictcase = 1\n")
    for args in (["check", str(tmp_path / "nope")], ["check", str(tmp_path)]):
        result = run(*args)
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("hsevents: error: ")
    result = run("check", "--format", "xml")
    assert result.returncode == 2 and "invalid choice: 'xml'" in result.stderr


def test_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(RULES)
    code, out, _ = cli(capsys, "rules", "--family", "template")
    assert [line.split()[0] for line in out.splitlines()] == [f"HST00{n}" for n in range(1, 8)]


def test_rules_explains_one_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "rules", "HSD021")
    assert code == 0
    assert out.splitlines() == [
        "HSD021/name-too-long (error, definition)",
        "  An event type name has at most 50 characters.",
        "  source: HubSpot docs: App events reference",
        "  docs: https://pytest-hsevents.readthedocs.io/en/latest/rules/#hsd021",
    ]
    assert cli(capsys, "rules", "name-too-long")[1] == out
    _, out, _ = cli(capsys, "rules", "HSO005")
    assert "  the fake answers: HTTP 409" in out and "  setting: id_scope" in out


def test_a_large_project_is_checked_alike_with_a_forked_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over PARALLEL_MIN_TEMPLATES templates the CLI (single-threaded) forks a parser; the
    findings are those of the in-process check, template errors and references included."""
    from pytest_hsevents import templates
    from pytest_hsevents.checker import check_project

    files: dict[str, object] = {}
    for index in range(templates.PARALLEL_MIN_TEMPLATES // 2 + 10):
        header = f"{{{{customerName}}}} upgraded ({index})"
        detail = f"Plan {index}: {{{{plan}}}}" + ("{{#if plan}}" if index % 50 == 7 else "")
        detail += " {{missing}}" if index % 60 == 3 else ""
        header += " {{extraData.x}}" if index % 70 == 5 else ""
        path = f"src/app/app-events/type-{index}-hsmeta.json"
        files[path] = event(f"type_{index}", headerTemplate=header, detailTemplate=detail)
    write_project(tmp_path, project_files({EVENT_PATH: DELETE, **files}))
    forked = run("check", "--format", "json", str(tmp_path))
    monkeypatch.setattr(templates, "PARALLEL_MIN_TEMPLATES", 10**9)
    in_process = check_project(tmp_path)
    found = [(d["rule"], Path(d["path"]).name, d["line"]) for d in json.loads(forked.stdout)]
    expected = [(d.rule_id, d.path.name, d.line) for d in in_process]
    assert forked.returncode == 1
    assert sorted(found) == sorted(expected)
    assert {rule for rule, _, _ in found} == {"HST001", "HST002", "HST003"}


def test_version_names_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"hsevents {version('pytest-hsevents')}"
