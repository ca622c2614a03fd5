"""The fake never answers a request with a server error, whatever the request.

Arbitrary JSON, valid bodies with one node replaced by arbitrary JSON, truncated JSON, every
method on every route, v3 templates of arbitrary helpers rendered over arbitrary tokens and
extraData: each answer is below 500, and a JSON answer parses. (A bug in a handler would
surface as the fake's own 500 answer, which `handle` builds instead of raising.)
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_hsevents.fake.backend import HubSpotBackend
from pytest_hsevents.fake.handlers import FakeRequest, FakeResponse, handle
from pytest_hsevents.loader import load_project
from pytest_hsevents.strategies import occurrences

from ._projects import EXAMPLE

PROJECT = load_project(EXAMPLE)
HEADERS = {"Authorization": "Bearer token", "Content-Type": "application/json"}
V4 = "https://api.hubapi.com/integrators/timeline/2026-03"
V3 = "https://api.hubapi.com/crm/v3/timeline"
FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
    | st.sampled_from(["", "1", "evt-1", "p1234567_Cats", "2024-01-01", "x@y.com", "{{a}}"])
)
KEYS = st.sampled_from(
    [
        *("id", "eventTypeName", "objectId", "email", "utk", "properties", "timestamp"),
        *("extraData", "timelineIFrame", "objectTypeFullyQualifiedName", "inputs"),
        *("eventTemplateId", "tokens", "name", "objectType", "rows", "this", "x"),
    ]
) | st.text(max_size=4)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=20,
)
TEMPLATE_ID = "{template}"
PATHS = [
    *(V4 + path for path in ("/events", "/events/batch", "/types/projects")),
    *(V3 + path for path in ("/events", "/events/batch/create", "/123/event-templates")),
    *(f"{V3}/events/{TEMPLATE_ID}/e1{tail}" for tail in ("", "/detail", "/render")),
    *(f"{V3}/123/event-templates/{TEMPLATE_ID}{tail}" for tail in ("", "/tokens", "/tokens/x")),
]
TOKENS = [
    {"name": "x", "label": "X", "type": "string"},
    {"name": "y", "label": "Y", "type": "number"},
    {"name": "z", "label": "Z", "type": "enumeration", "options": [{"value": "a", "label": "A"}]},
    {"name": "d", "label": "D", "type": "date"},
]
TEMPLATE_PARTS = st.sampled_from(
    [
        *("{{x}}", "{{{x}}}", "{{y}}", "{{d}}", "{{this}}", "{{@index}}", "{{../x}}"),
        "{{#each extraData.rows}}{{this.a}}{{/each}}",
        "{{#if z}}Z{{else}}no{{/if}}",
        "{{#unless y}}u{{/unless}}",
        "{{#with extraData}}{{a}}{{/with}}",
        "{{extraData.a.b}}",
        "{{lookup extraData 'a'}}",
    ]
)


def send(backend: HubSpotBackend, method: str, url: str, body: bytes = b"") -> FakeResponse:
    response = handle(backend, FakeRequest(method, url, HEADERS, body))
    assert response.status < 500, (method, url, body[:300], response.body[:500])
    if response.headers.get("Content-Type", "").startswith("application/json"):
        json.loads(response.body)
    return response


def create_template(backend: HubSpotBackend, header: str, detail: str) -> str | None:
    template = {
        "name": "Fuzzed",
        "objectType": "contacts",
        "headerTemplate": header or "header",
        "detailTemplate": detail,
        "tokens": TOKENS,
    }
    response = send(backend, "POST", V3 + "/123/event-templates", json.dumps(template).encode())
    return str(json.loads(response.body)["id"]) if response.status < 300 else None


@st.composite
def replace_one_node(draw: st.DrawFn, value: Any) -> Any:
    """`value` with one node (the root, or one nested child) replaced by arbitrary JSON."""
    if isinstance(value, (dict, list)) and value and draw(st.integers(0, 4)):
        keys = sorted(value) if isinstance(value, dict) else range(len(value))
        key = draw(st.sampled_from(list(keys)))
        copy = dict(value) if isinstance(value, dict) else list(value)
        copy[key] = draw(replace_one_node(value[key]))
        return copy
    return draw(JSON)


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    event_type = draw(st.sampled_from(list(PROJECT.event_types.values())))
    return draw(
        st.one_of(
            JSON,
            occurrences(event_type).flatmap(replace_one_node),
            st.fixed_dictionaries(
                {"inputs": st.lists(occurrences(event_type).flatmap(replace_one_node))}
            ),
            st.fixed_dictionaries(
                {"eventTemplateId": st.just(TEMPLATE_ID), "objectId": SCALARS},
                optional={"tokens": JSON, "extraData": JSON, "id": SCALARS},
            ),
        )
    )


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH"]),
            st.sampled_from(PATHS),
            bodies(),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_no_request_gets_a_server_error(requests: list[tuple[str, str, Any, bool]]) -> None:
    backend = HubSpotBackend(PROJECT)
    template = create_template(backend, "{{x}} {{#each extraData.rows}}{{this.a}}{{/each}}", "")
    assert template is not None
    for method, path, body, truncated in requests:
        text = json.dumps(body).replace(json.dumps(TEMPLATE_ID), json.dumps(template))
        send(
            backend,
            method,
            path.replace(TEMPLATE_ID, template),
            text[: -1 if truncated else None].encode(),
        )


@FUZZ
@given(
    st.lists(TEMPLATE_PARTS, max_size=5).map("".join),
    st.lists(TEMPLATE_PARTS, max_size=5).map("".join),
    st.dictionaries(st.sampled_from(["x", "y", "z", "d"]), SCALARS, max_size=4),
    JSON,
)
def test_rendering_any_stored_event_is_no_server_error(
    header: str, detail: str, tokens: dict[str, Any], extra_data: Any
) -> None:
    backend = HubSpotBackend(PROJECT)
    template = create_template(backend, header, detail)
    if template is None:
        return  # refused with a 4xx, which `send` checked
    event = {"eventTemplateId": template, "objectId": "1", "id": "e1", "tokens": tokens}
    send(backend, "POST", V3 + "/events", json.dumps({**event, "extraData": extra_data}).encode())
    for tail in ("", "/detail", "/render", "/render?detail=true"):
        send(backend, "GET", f"{V3}/events/{template}/e1{tail}")
