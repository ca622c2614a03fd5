"""pytest-xdist plumbing: workers ship their coverage home, the controller adds it up."""

from __future__ import annotations

from typing import Any

import pytest

from ._pytest_report import Coverage

__all__ = ["WORKEROUTPUT_KEY", "XdistCoverage", "is_distributing", "is_worker"]

WORKEROUTPUT_KEY = "hsevents"


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def is_distributing(config: pytest.Config) -> bool:
    """True on the controller of a `-n`/`--dist` run (which runs no tests itself)."""
    return not is_worker(config) and getattr(config.option, "dist", "no") != "no"


class XdistCoverage:
    """Registered on the controller only when pytest-xdist is installed."""

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        data = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
        if data:
            self.coverage.merge(data)
