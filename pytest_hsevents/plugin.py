"""The pytest plugin (entry point `pytest11`); hooks only, heavy imports deferred."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hsevents(**settings): configure the pytest-hsevents fake for this test"
    )
