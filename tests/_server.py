"""Shared pieces of the loopback-server tests: the example project and valid bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_hsevents import FakeHubSpot
from pytest_hsevents.fake.inspection import FakeInspection
from pytest_hsevents.fake.server import HubSpotServer
from pytest_hsevents.occurrences import fully_qualified_name
from pytest_hsevents.settings import Settings

from ._projects import EXAMPLE

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
V4 = "/integrators/timeline/v4"
V2026 = "/integrators/timeline/2026-03"
WEBINAR = fully_qualified_name("webinar_attended", Settings().portal_id)


def webinar(occurrence_id: str, minutes: str = "42", **extra: Any) -> dict[str, Any]:
    """A valid webinar_attended occurrence (a contact event type of the example project)."""
    return {
        "eventTypeName": WEBINAR,
        "id": occurrence_id,
        "email": "ada@example.com",
        "properties": {
            "webinarName": "Intro",
            "attendeeName": "Ada",
            "minutesWatched": minutes,
            "attendedOn": "2025-03-01",
            "attendance": "live",
        },
        **extra,
    }


@pytest.fixture(scope="module")
def module_server() -> Iterator[HubSpotServer]:
    with HubSpotServer(EXAMPLE) as server:
        yield server


@pytest.fixture
def server(module_server: HubSpotServer) -> HubSpotServer:
    """One server per module, reset before each test (as the plugin's fixture does)."""
    module_server.reset()
    return module_server


@pytest.fixture(params=["server", "in-process"])
def hub(request: pytest.FixtureRequest) -> Iterator[FakeInspection]:
    """The loopback server, or FakeHubSpot in-process with the network blocked (the test
    module imports `network_blocked` too): the SDK tests run against both."""
    if request.param == "server":
        yield request.getfixturevalue("server")
        return
    attempts = request.getfixturevalue("network_blocked")
    with FakeHubSpot(EXAMPLE) as fake:
        yield fake
    assert attempts == []
