"""Schemathesis with HubSpot's own OpenAPI files against the loopback server.

Every generated request (schema-valid and schema-violating) must get no server error and an
answer whose status, content type and body conform to the documented responses; hand-written
valid requests prove the success bodies conform too. Skipped without `../shared` beside the
repository (the OpenAPI files live there) or without schemathesis (Python >= 3.11).

Checks left out, and why:
- `positive_data_acceptance`: a schema-valid body may still name an event type, template or
  property the project does not define, or break a documented rule the schema cannot express
  (property types, associations); HubSpot refuses those with 400, and so must the fake.
- `negative_data_rejection` on operations with an `{appId}` path parameter: the fake keeps
  templates per app id and does not know which apps exist, so it takes any app id, including
  ones outside the schema's int32 range (HubSpot would answer 404 for an app not yours). It
  still applies everywhere else; schema-violating batches are checked with `batch_mode="atomic"`
  (in the default partial mode a bad input is refused inside a 2xx answer, as HubSpot's docs
  describe, which this check cannot see).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_hsevents.fake.server import HubSpotServer
from pytest_hsevents.settings import Settings

from ._projects import EXAMPLE
from ._server import AUTH, webinar

SPECS = Path(__file__).resolve().parents[2] / "shared" / "spec" / "data"
if not SPECS.is_dir():
    pytest.skip(f"HubSpot's OpenAPI files ({SPECS}) are absent", allow_module_level=True)
schemathesis = pytest.importorskip(
    "schemathesis", minversion="4", reason="schemathesis 4 is not installed (Python >= 3.11)"
)

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.specs.openapi import checks  # noqa: E402

EXAMPLES = 50


@pytest.fixture(scope="module")
def atomic_server() -> Iterator[HubSpotServer]:
    with HubSpotServer(EXAMPLE, settings=Settings(batch_mode="atomic")) as server:
        yield server


@pytest.fixture(scope="module")
def partial_server() -> Iterator[HubSpotServer]:
    with HubSpotServer(EXAMPLE) as server:
        yield server


def load(name: str) -> Any:
    return schemathesis.openapi.from_path(SPECS / f"{name}.openapi.json")


def excluded(case: Any) -> list[Any]:
    left_out = [checks.positive_data_acceptance]
    if "{appId}" in case.operation.path:
        left_out.append(checks.negative_data_rejection)
    return left_out


@pytest.mark.parametrize("spec", ["timeline-2026-03", "timeline-v3"])
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_generated_requests_get_documented_answers(
    spec: str, mode: str, atomic_server: HubSpotServer, partial_server: HubSpotServer
) -> None:
    server = atomic_server if mode == "negative" else partial_server
    session = requests.Session()
    statuses: set[int] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=load(spec).as_strategy(schemathesis.GenerationMode(mode)))
    def exchange(case: Any) -> None:
        response = case.call(base_url=server.url, session=session, headers=AUTH)
        statuses.add(response.status_code)
        case.validate_response(response, excluded_checks=excluded(case), headers=AUTH)

    exchange()
    assert statuses and max(statuses) < 500


def test_valid_requests_get_documented_success_bodies(partial_server: HubSpotServer) -> None:
    server = partial_server
    server.reset()
    events, v3 = load("timeline-2026-03"), load("timeline-v3")

    def call(schema: Any, path: str, method: str, status: int, **parts: Any) -> Any:
        case = schema[path][method].Case(**parts)
        response = case.call(base_url=server.url, headers=AUTH)
        assert response.status_code == status, response.text
        case.validate_response(response, excluded_checks=[checks.positive_data_acceptance])
        return response.json() if response.content else None

    v4 = "/integrators/timeline/2026-03"
    call(events, v4 + "/events", "POST", 200, body=webinar("s-1"))
    call(events, v4 + "/events/batch", "POST", 200, body={"inputs": [webinar("s-2")]})
    call(
        events,
        v4 + "/types/projects",
        "POST",
        200,
        body={"developerSymbol": "webinar_attended", "projectName": "acme-app"},
    )
    call(events, v4 + "/events", "POST", 409, body=webinar("s-1"))

    base = "/integrators/timeline/v3"
    app = {"appId": 42}
    template = call(
        v3,
        base + "/{appId}/event-templates",
        "POST",
        201,
        path_parameters=app,
        body={
            "name": "Signup",
            "objectType": "contacts",
            "headerTemplate": "{{plan}}",
            "tokens": [{"name": "plan", "label": "Plan", "type": "string"}],
        },
    )
    ids = {**app, "eventTemplateId": template["id"]}
    call(v3, base + "/{appId}/event-templates", "GET", 200, path_parameters=app)
    call(v3, base + "/{appId}/event-templates/{eventTemplateId}", "GET", 200, path_parameters=ids)
    event = {"eventTemplateId": template["id"], "id": "e-1", "email": "a@b.co", "tokens": {}}
    call(v3, base + "/events", "POST", 201, body={**event, "tokens": {"plan": "pro"}})
    call(v3, base + "/events/batch/create", "POST", 201, body={"inputs": [{**event, "id": "e-2"}]})
    call(
        v3,
        base + "/events/{eventTemplateId}/{eventId}",
        "GET",
        200,
        path_parameters={"eventTemplateId": template["id"], "eventId": "e-1"},
    )
    token = {"name": "seats", "label": "Seats", "type": "number"}
    tokens = base + "/{appId}/event-templates/{eventTemplateId}/tokens"
    call(v3, tokens, "POST", 200, path_parameters=ids, body=token)
    call(
        v3,
        tokens + "/{tokenName}",
        "PUT",
        200,
        path_parameters={**ids, "tokenName": "seats"},
        body={"label": "Seat count"},
    )
    call(v3, tokens + "/{tokenName}", "DELETE", 204, path_parameters={**ids, "tokenName": "seats"})
    call(
        v3,
        base + "/{appId}/event-templates/{eventTemplateId}",
        "PUT",
        200,
        path_parameters=ids,
        body={"id": template["id"], "name": "Renamed", "tokens": template["tokens"]},
    )
    call(
        v3, base + "/{appId}/event-templates/{eventTemplateId}", "DELETE", 204, path_parameters=ids
    )
    assert sorted(a.id for a in server.accepted) == ["e-1", "e-2", "s-1", "s-2"]
