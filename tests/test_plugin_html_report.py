"""`--hsevents-report=html:PATH`: coverage plus the accepted cards, serial and under xdist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_plugin_report import SUITE, suite

__all__ = ["suite"]  # fixture

CARD = re.compile(r'<div class="sample">([^<]*)</div>(<article class="hs-card".*?</article>)', re.S)


def cards(path: Path) -> list[tuple[str, str]]:
    return sorted(CARD.findall(path.read_text(encoding="utf-8")))


def test_the_html_report_has_the_coverage_and_every_accepted_card(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--hsevents-report=html:out/report.html", "-p", "no:randomly")
    result.assert_outcomes(passed=7)
    page = (suite.path / "out/report.html").read_text(encoding="utf-8")
    assert "<h2>Contract coverage</h2>" in page and "deal_stage_synced" in page
    assert "rules exercised: 3 of" in page
    found = cards(suite.path / "out/report.html")
    assert [test for test, _ in found] == [f"test_deals.py::test_accepted[{n}]" for n in range(3)]
    assert all("Stage changed to won" in card for _, card in found)
    result.stdout.no_fnmatch_line("*hsevents contract coverage*")  # html alone: no term


def test_the_html_report_under_xdist_equals_the_serial_one(suite: pytest.Pytester) -> None:
    assert "test_deals" in SUITE
    suite.runpytest("--hsevents-report=html:serial.html").assert_outcomes(passed=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        parallel = suite.runpytest_subprocess(
            "-p", "hsevents", "-p", "xdist", "-n", "2", "--hsevents-report=html:parallel.html"
        )  # fmt: skip
    parallel.assert_outcomes(passed=7)
    assert cards(suite.path / "parallel.html") == cards(suite.path / "serial.html")
    assert len(cards(suite.path / "serial.html")) == 3


def test_a_bad_report_type_names_html(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--hsevents-report=pdf:x")
    result.stderr.fnmatch_lines(["*expected term, json:PATH, html:PATH or none*"])
