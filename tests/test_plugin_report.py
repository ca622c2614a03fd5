"""The contract-coverage summary: terminal, JSON, fail-under, and the same figures under xdist."""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis.version
import pytest

from pytest_hsevents._pytest_report import contract_rules
from pytest_hsevents.settings import Settings

from .test_plugin_fixtures import SENDER
from .test_plugin_options import copy_project

SUITE = {
    "test_deals": """
        import pytest
        from sender import deal, send

        @pytest.mark.parametrize("n", range(3))
        def test_accepted(hsevents_fake, n):
            assert send(deal(hsevents_fake, id=str(n))).status_code == 200

        def test_bad_stage(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO015")
            send(deal(hsevents_fake, stage="maybe"))
        """,
    "test_more": """
        from sender import deal, send

        def test_bad_amount_twice(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO013")
            send(deal(hsevents_fake, amount="lots"))
            send(deal(hsevents_fake, id="2", amount="many"))

        def test_unknown_type(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO003")
            send({**deal(hsevents_fake), "eventTypeName": "ae1_nope"})

        def test_plain():
            pass
        """,
}
RULE_COUNT = len(contract_rules(Settings()))


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    copy_project(pytester.path)
    pytester.makepyfile(sender=SENDER, **SUITE)
    return pytester


def section(lines: list[str]) -> list[str]:
    """The lines of the coverage section of a pytest output."""
    start = next(i for i, line in enumerate(lines) if "hsevents contract coverage" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("==="))
    return lines[start + 1 : end]


def test_terminal_and_json_summary(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--hsevents-report=term", "--hsevents-report=json:out/cov.json")
    result.assert_outcomes(passed=7)
    percent = 100 * 3 / RULE_COUNT
    result.stdout.fnmatch_lines(
        [
            "*= hsevents contract coverage =*",
            "event type         accepted  rejected",
            "(no event type)           0         1",
            "asset_scanned             0         0",
            "*",
            "deal_stage_synced         3         3",
            "*",
            f"rules exercised: 3 of {RULE_COUNT} ({percent:.1f}%) in 6 tests",
            "  HSO003/event-type-unknown: 1",
            "  HSO013/property-number: 2",
            "  HSO015/property-enumeration: 1",
            "never exercised: HST005, HST006, HST007, HSO001, HSO002, HSO004, *",
        ]
    )
    report = json.loads((suite.path / "out/cov.json").read_text())
    assert report["tests"] == 6
    assert report["event_types"]["deal_stage_synced"] == {"accepted": 3, "rejected": 3}
    assert report["exercised"] == ["HSO003", "HSO013", "HSO015"]
    assert report["rules"]["HSO013"] == 2
    assert len(report["never_exercised"]) == RULE_COUNT - 3
    assert report["percent"] == round(percent, 2)


def test_json_only_and_select_narrows_the_catalogue(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--hsevents-report=json:cov.json", "--hsevents-select=HSO01")
    result.assert_outcomes(passed=7)
    result.stdout.no_fnmatch_line("*hsevents contract coverage*")
    report = json.loads((suite.path / "cov.json").read_text())
    assert report["exercised"] == ["HSO013", "HSO015"]
    assert report["never_exercised"] == ["HSO010", "HSO011", "HSO012", "HSO014"]
    assert report["outside_catalogue"] == ["HSO003"]
    assert report["percent"] == round(100 * 2 / 6, 2)


def test_fail_under(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--hsevents-fail-under=50")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["FAIL hsevents: *% of the contract's rules exercised; *fail-under=50 not reached"]
    )
    suite.makeini("[pytest]\nhsevents_fail_under = 1\nhsevents_report = none\n")
    result = suite.runpytest()
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["hsevents: *% of the contract's rules exercised; *=1 reached"])
    result.stdout.no_fnmatch_line("*hsevents contract coverage*")


def test_xdist_summary_equals_the_serial_one(suite: pytest.Pytester) -> None:
    serial = suite.runpytest("--hsevents-report=term", "--hsevents-report=json:serial.json")
    serial.assert_outcomes(passed=7)
    with pytest.MonkeyPatch.context() as patch:  # spare three processes other plugins' imports
        patch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        parallel = suite.runpytest_subprocess(
            "-p", "hsevents", "-p", "xdist", "-n", "2",
            "--hsevents-report=term", "--hsevents-report=json:parallel.json",
        )  # fmt: skip
    parallel.assert_outcomes(passed=7)
    parallel.stdout.fnmatch_lines(["*2 workers*"])
    assert section(parallel.outlines) == section(serial.outlines)
    read = lambda name: json.loads(Path(suite.path / name).read_text())  # noqa: E731
    assert read("parallel.json") == read("serial.json")
    assert read("serial.json")["tests"] == 6


FUZZ_SUITE = """
    import json

    import requests
    from hypothesis import given, settings

    from pytest_hsevents import FakeHubSpot, load_project
    from pytest_hsevents.strategies import breakable_rules, invalid_occurrences

    FAKE = FakeHubSpot(".")
    WEBINAR = load_project(".").event_types["webinar_attended"]
    URL = "https://api.hubapi.com/integrators/timeline/v4/events"

    def send(body):
        headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
        return requests.post(URL, data=json.dumps(body), headers=headers)

    @settings(max_examples=100, database=None)
    @given(invalid_occurrences(WEBINAR))
    def test_every_rejection(case):
        with FAKE:  # a fresh fake per example, counted for this one test
            for earlier in case.prior:
                assert send(earlier).status_code == 200
            answer = send(case.occurrence)
        assert answer.json()["context"]["rules"] == [case.rule_id]

    def test_rules_to_reach():
        with open("wanted.txt", "w") as out:
            out.write(" ".join(breakable_rules(WEBINAR)))
    """


def test_a_fake_of_your_own_counts_per_test(pytester: pytest.Pytester) -> None:
    """Property tests start a fake per example; each rejection counts, the test once."""
    copy_project(pytester.path)
    pytester.makepyfile(test_fuzz=FUZZ_SUITE)
    result = pytester.runpytest("--hsevents-report=json:cov.json")
    result.assert_outcomes(passed=2)
    report = json.loads((pytester.path / "cov.json").read_text())
    wanted = set((pytester.path / "wanted.txt").read_text().split())
    assert report["tests"] == 1
    assert report["event_types"]["webinar_attended"]["accepted"] == report["rules"]["HSO005"]
    exercised = set(report["exercised"])
    if hypothesis.version.__version_info__ >= (6, 170, 1):
        assert exercised == wanted  # the first 100 examples reach every rule
    else:  # older hypothesis repeats some examples (docs/performance.md)
        assert exercised <= wanted and len(exercised) > len(wanted) // 2


def test_a_body_nested_too_deep_to_parse_is_counted(pytester: pytest.Pytester) -> None:
    copy_project(pytester.path)
    pytester.makepyfile(
        test_deep="""
        import requests

        def test_deep(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSH003")
            requests.post(
                "https://api.hubapi.com/integrators/timeline/v4/events",
                data=b"[" * 100_000 + b"]" * 100_000,
                headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
            )
        """
    )
    result = pytester.runpytest("--hsevents-report=json:cov.json")
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "cov.json").read_text())
    assert report["event_types"]["(no event type)"] == {"accepted": 0, "rejected": 1}
    assert report["exercised"] == ["HSH003"]
