"""HubSpot's app-events SDK (`hubspot-sdk`, httpx, Stainless), unmodified, against the server
and in-process (its default base URL, the network blocked): the same tests, the same answers.

It calls the 2026-03 paths (never /v4/) and retries 408/409/429/5xx by default, so these tests
run it with its default retries and prove the fake stays idempotent: a replayed occurrence is
never stored twice, and a 409 carries `x-should-retry: false`, as HubSpot's edge would.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_hsevents.fake.inspection import FakeInspection
from pytest_hsevents.fake.server import HubSpotServer

from ._network import network_blocked
from ._server import V2026, WEBINAR, hub, module_server, server, webinar

pytest.importorskip("hubspot_sdk", reason="hubspot-sdk is not installed (pip install --pre)")

import hubspot_sdk
from hubspot_sdk import AsyncHubSpot, HubSpot

__all__ = ["hub", "module_server", "network_blocked", "server"]  # fixtures


def base_url(hub: FakeInspection) -> dict[str, str]:
    """The server's URL, or nothing: in-process the SDK keeps its default base URL."""
    return {"base_url": hub.url} if isinstance(hub, HubSpotServer) else {}


@pytest.fixture
def client(hub: FakeInspection) -> HubSpot:
    """The SDK as an integrator builds it: default retries, at most the base URL changed."""
    return HubSpot(access_token="test-token", **base_url(hub))


def occurrence(occurrence_id: str, **changes: Any) -> dict[str, Any]:
    """A webinar occurrence in the SDK's snake_case keyword form."""
    body = webinar(occurrence_id)
    return {
        "id": body["id"],
        "event_type_name": body["eventTypeName"],
        "email": body["email"],
        "properties": {**body["properties"], **changes},
    }


def test_create_event_sends_the_2026_03_occurrence(hub: FakeInspection, client: HubSpot) -> None:
    stamp = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc)
    result = client.crm.timeline.create_event(
        **occurrence("s-1"), timestamp=stamp, extra_data={"questions": [{"text": "Why?"}]}
    )

    assert result is None
    [accepted] = hub.accepted
    assert (accepted.api, accepted.event_type_uid, accepted.id) == ("v4", "webinar_attended", "s-1")
    assert "Why?" in (accepted.detail or "")
    sent = hub.requests[-1]
    assert sent.path == V2026 + "/events"
    assert sent.json()["eventTypeName"] == WEBINAR
    assert sent.json()["timestamp"].startswith("2025-03-01T12:30:00")
    hub.assert_sent("webinar_attended", count=1, attendance="live")


def test_a_batch_returns_results_and_per_input_errors(hub: FakeInspection, client: HubSpot) -> None:
    hub.expect_rejection()
    response = client.crm.timeline.batch.create(
        inputs=[occurrence("b-1"), occurrence("b-2", attendance="maybe"), occurrence("b-3")]
    )

    assert response.status == "COMPLETE"
    assert [r.id for r in response.results] == ["b-1", "b-3"]
    assert response.num_errors == 1
    [error] = response.errors or []
    assert error.context["index"] == ["1"]
    assert error.errors[0].code == hub.rejected[0].rule_ids[0]
    assert sorted(a.id for a in hub.accepted) == ["b-1", "b-3"]


def test_create_project_type_resolves_the_event_type_name(
    hub: FakeInspection, client: HubSpot
) -> None:
    resolved = client.crm.timeline.create_project_type(
        developer_symbol="webinar_attended", project_name="acme-app"
    )
    assert resolved.fully_qualified_name == hub.event_type_name("webinar_attended")

    hub.expect_rejection()
    with pytest.raises(hubspot_sdk.NotFoundError):
        client.crm.timeline.create_project_type(
            developer_symbol="no_such_type", project_name="acme-app"
        )


def test_a_refused_occurrence_raises_bad_request_with_the_rule(
    hub: FakeInspection, client: HubSpot
) -> None:
    hub.expect_rejection("HSO013")
    with pytest.raises(hubspot_sdk.BadRequestError) as raised:
        client.crm.timeline.create_event(**occurrence("s-1", minutesWatched="lots"))

    assert raised.value.status_code == 400
    assert raised.value.body["context"]["rules"] == ["HSO013"]
    assert len(hub.requests) == 1  # a 400 is not retried


def test_a_duplicate_is_a_conflict_the_sdk_does_not_retry(
    hub: FakeInspection, client: HubSpot
) -> None:
    hub.expect_rejection("HSO005")
    client.crm.timeline.create_event(**occurrence("dup"))
    with pytest.raises(hubspot_sdk.ConflictError):
        client.crm.timeline.create_event(**occurrence("dup", minutesWatched="7"))

    assert len(hub.requests) == 2  # x-should-retry: false stopped the default retries
    assert [a.properties["minutesWatched"] for a in hub.accepted] == ["42"]


def test_retried_rate_limits_store_the_occurrence_once(
    hub: FakeInspection, client: HubSpot
) -> None:
    hub.fail_next(429, times=2, retry_after=0.01)
    client.crm.timeline.create_event(**occurrence("r-1"))

    # headers are recorded as the client spelt them (httpx: lower case)
    attempts = [r.headers.get("x-stainless-retry-count") for r in hub.requests]
    assert attempts == ["0", "1", "2"]
    assert [r.status for r in hub.requests] == [429, 429, 200]
    assert [a.id for a in hub.accepted] == ["r-1"]


def test_a_replayed_batch_after_a_lost_answer_stores_nothing_twice(
    hub: FakeInspection, client: HubSpot
) -> None:
    """The SDK replays a whole batch after a 5xx; inputs already stored come back as 409s."""
    hub.expect_rejection("HSO005")
    client.crm.timeline.batch.create(inputs=[occurrence("p-1")])
    hub.fail_next(503, times=1, retry_after=0.01)
    replay = client.crm.timeline.batch.create(inputs=[occurrence("p-1"), occurrence("p-2")])

    assert [r.id for r in replay.results] == ["p-2"]
    assert [e.context["id"] for e in replay.errors or []] == [["p-1"]]
    assert sorted(a.id for a in hub.accepted) == ["p-1", "p-2"]


def test_exhausted_retries_surface_the_last_status(hub: FakeInspection) -> None:
    client = HubSpot(access_token="test-token", max_retries=1, **base_url(hub))
    hub.fail_next(503, times=2, retry_after=0.01)
    with pytest.raises(hubspot_sdk.InternalServerError) as raised:
        client.crm.timeline.create_event(**occurrence("x-1"))

    assert raised.value.status_code == 503
    assert len(hub.requests) == 2
    assert hub.accepted == []


def test_fifty_concurrent_async_calls_land_as_through_requests(hub: FakeInspection) -> None:
    async def send_all() -> None:
        async with AsyncHubSpot(access_token="test-token", **base_url(hub)) as client:
            await asyncio.gather(
                *(client.crm.timeline.create_event(**occurrence(f"a-{i}")) for i in range(50))
            )

    asyncio.run(send_all())
    assert sorted(a.id for a in hub.accepted) == sorted(f"a-{i}" for i in range(50))
    assert {(r.method, r.path, r.status) for r in hub.requests} == {
        ("POST", V2026 + "/events", 200)
    }
    assert len(hub.requests) == 50 and hub.rejected == []
