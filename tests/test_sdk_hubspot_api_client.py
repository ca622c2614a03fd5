"""HubSpot's own v3 client (`hubspot-api-client`, urllib3), unmodified, against the server
and in-process (its default host, the network blocked): the same tests, the same answers.

Events go with an OAuth access token; templates and tokens with the developer API key, which
this client sends as `?hapikey=`. `create_batch` returns None whatever the answer (its response
map is empty), so batches are read through `create_batch_with_http_info`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_hsevents.fake.inspection import FakeInspection
from pytest_hsevents.fake.server import HubSpotServer

from ._network import network_blocked
from ._server import hub, module_server, server

pytest.importorskip("hubspot", reason="hubspot-api-client is not installed (test extra)")

import hubspot
from hubspot.crm.timeline import (
    ApiException,
    BatchInputTimelineEvent,
    TimelineEvent,
    TimelineEventTemplateCreateRequest,
    TimelineEventTemplateToken,
    TimelineEventTemplateTokenOption,
    TimelineEventTemplateTokenUpdateRequest,
    TimelineEventTemplateUpdateRequest,
)

__all__ = ["hub", "module_server", "network_blocked", "server"]  # fixtures

APP_ID = 42


@pytest.fixture
def timeline(hub: FakeInspection) -> Any:
    """The client as an integrator builds it; in-process with its default host."""
    host = {"host": hub.url} if isinstance(hub, HubSpotServer) else {}
    client = hubspot.Client.create(access_token="test-token", api_key="dev-key", **host)
    return client.crm.timeline


@pytest.fixture
def template_id(timeline: Any) -> str:
    """A contact template with an enumeration and a number token, created through the SDK."""
    template = timeline.templates_api.create(
        app_id=APP_ID,
        timeline_event_template_create_request=TimelineEventTemplateCreateRequest(
            name="Signup",
            object_type="contacts",
            header_template="Signed up for {{plan}}",
            detail_template="{{seats}} seats on {{plan}}",
            tokens=[
                TimelineEventTemplateToken(
                    name="plan",
                    label="Plan",
                    type="enumeration",
                    options=[TimelineEventTemplateTokenOption(label="Pro", value="pro")],
                ),
                TimelineEventTemplateToken(name="seats", label="Seats", type="number"),
            ],
        ),
    )
    return str(template.id)


def event(template_id: str, event_id: str, **tokens: str) -> TimelineEvent:
    return TimelineEvent(
        event_template_id=template_id,
        id=event_id,
        email="ada@example.com",
        tokens={"plan": "pro", "seats": "3", **tokens},
    )


def test_an_event_is_created_read_back_and_rendered(
    hub: FakeInspection, timeline: Any, template_id: str
) -> None:
    created = timeline.events_api.create(timeline_event=event(template_id, "e-1"))

    assert (created.id, created.event_template_id, created.object_type) == (
        "e-1",
        template_id,
        "CONTACT",
    )
    read = timeline.events_api.get_by_id(template_id, "e-1")
    assert read.tokens == {"plan": "pro", "seats": "3"}
    assert timeline.events_api.get_detail_by_id(template_id, "e-1").details == "3 seats on pro"
    assert timeline.events_api.get_render_by_id(template_id, "e-1") == "Signed up for pro"
    [accepted] = hub.accepted
    assert (accepted.api, accepted.event_type_uid) == ("v3", template_id)
    request = hub.requests[-4]
    assert request.path == "/integrators/timeline/v3/events"
    assert request.headers["Authorization"] == "Bearer test-token"
    assert request.json()["eventTemplateId"] == template_id


def test_a_refused_event_raises_api_exception_with_hubspots_body(
    hub: FakeInspection, timeline: Any, template_id: str
) -> None:
    hub.expect_rejection()
    with pytest.raises(ApiException) as raised:
        timeline.events_api.create(timeline_event=event(template_id, "e-1", seats="many"))

    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == hub.rejected[0].rule_ids[0]
    assert hub.accepted == []


def test_create_batch_returns_none_even_when_an_input_fails(
    hub: FakeInspection, timeline: Any, template_id: str
) -> None:
    hub.expect_rejection()
    batch = BatchInputTimelineEvent(
        inputs=[event(template_id, "b-1"), event(template_id, "b-2", plan="free")]
    )
    assert timeline.events_api.create_batch(batch_input_timeline_event=batch) is None
    assert [a.id for a in hub.accepted] == ["b-1"]


def test_create_batch_with_http_info_shows_the_207_and_the_failed_input(
    hub: FakeInspection, timeline: Any, template_id: str
) -> None:
    hub.expect_rejection()
    hub.expect_rejection()
    events = timeline.events_api

    def batch(good: str, bad: str) -> BatchInputTimelineEvent:
        return BatchInputTimelineEvent(
            inputs=[event(template_id, good), event(template_id, bad, plan="free")]
        )

    data, status, _ = events.create_batch_with_http_info(batch_input_timeline_event=batch("1", "2"))
    assert (data, status) == (None, 207)  # the status is there; the body is not mapped
    raw = events.create_batch_with_http_info(
        batch_input_timeline_event=batch("3", "4"), _preload_content=False
    )
    body = json.loads(raw.data)

    assert raw.status == 207
    assert [r["id"] for r in body["results"]] == ["3"]
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"]["id"] == ["4"]
    assert [a.id for a in hub.accepted] == ["1", "3"]
    assert [r.index for r in hub.rejected] == [1, 1]


def test_templates_and_tokens_round_trip_with_the_developer_key(
    hub: FakeInspection, timeline: Any, template_id: str
) -> None:
    templates = timeline.templates_api
    tokens = timeline.tokens_api
    assert [t.id for t in templates.get_all(app_id=APP_ID).results] == [template_id]
    assert templates.get_by_id(template_id, APP_ID).name == "Signup"

    added = tokens.create(
        template_id, APP_ID, TimelineEventTemplateToken(name="note", label="Note", type="string")
    )
    assert (added.name, added.type) == ("note", "string")
    updated = tokens.update(
        template_id, "note", APP_ID, TimelineEventTemplateTokenUpdateRequest(label="A note")
    )
    assert updated.label == "A note"
    tokens.archive(template_id, "note", APP_ID)
    assert [t.name for t in templates.get_by_id(template_id, APP_ID).tokens] == ["plan", "seats"]

    current = templates.get_by_id(template_id, APP_ID)
    renamed = templates.update(
        template_id,
        APP_ID,
        TimelineEventTemplateUpdateRequest(id=template_id, name="Renamed", tokens=current.tokens),
    )
    assert renamed.name == "Renamed"
    templates.archive(template_id, APP_ID)
    with pytest.raises(ApiException) as raised:
        templates.get_by_id(template_id, APP_ID)
    assert raised.value.status == 404
    assert "hapikey=dev-key" in hub.requests[0].url
