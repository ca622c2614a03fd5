"""FakeHubSpot through real `requests` calls: endpoints, rules, batches, auth, faults, threads."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from pytest_hsevents import FakeHubSpot, Settings

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
API = "https://api.hubapi.com"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def fake() -> Iterator[FakeHubSpot]:
    with FakeHubSpot(EXAMPLE) as started:
        yield started


def post(path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(API + path, json=body, headers=AUTH if headers is None else headers)


def deal(fake: FakeHubSpot, occurrence_id: str = "d-1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventTypeName": fake.event_type_name("deal_stage_synced"),
        "id": occurrence_id,
        "objectId": "900",
        "properties": {"stage": "won", "amount": "1200"},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("prefix", ["/integrators/timeline/v4", "/integrators/timeline/2026-03"])
def test_single_occurrence_is_accepted_and_recorded(fake: FakeHubSpot, prefix: str) -> None:
    response = post(prefix + "/events", deal(fake))
    assert (response.status_code, response.content) == (200, b"")
    (occurrence,) = fake.accepted
    assert (occurrence.event_type_uid, occurrence.object_type, occurrence.object_id) == (
        "deal_stage_synced",
        "DEAL",
        "900",
    )
    assert occurrence.header == "Stage changed to won"
    assert fake.requests[0].json() == deal(fake)
    fake.assert_sent("deal_stage_synced", count=1, stage="won")


def test_single_success_status_201_echoes_the_occurrence() -> None:
    with FakeHubSpot(EXAMPLE, settings=Settings(single_success_status=201)) as fake:
        response = post("/integrators/timeline/v4/events", deal(fake))
        assert (response.status_code, response.json()) == (201, deal(fake))


def test_invalid_occurrence_gets_hubspot_error_with_rule_ids(fake: FakeHubSpot) -> None:
    body = deal(fake, properties={"stage": "Won", "amount": "lots"})
    response = post("/integrators/timeline/v4/events", body)
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == "error" and error["category"] == "VALIDATION_ERROR"
    assert error["correlationId"] and error["message"]
    assert [e["code"] for e in error["errors"]] == ["HSO015", "HSO013"]
    assert [e["in"] for e in error["errors"]] == ["properties.stage", "properties.amount"]
    assert error["context"]["rules"] == ["HSO015", "HSO013"]
    (rejection,) = fake.rejected
    assert rejection.rule_ids == ("HSO015", "HSO013") and rejection.status == 400
    assert fake.accepted == []


def test_duplicate_id_first_wins_with_409_and_no_retry(fake: FakeHubSpot) -> None:
    assert post("/integrators/timeline/v4/events", deal(fake)).status_code == 200
    again = post("/integrators/timeline/v4/events", deal(fake, properties={"stage": "lost"}))
    assert again.status_code == 409
    assert again.headers["x-should-retry"] == "false"
    assert again.json()["category"] == "CONFLICT"
    assert [o.properties["stage"] for o in fake.accepted] == ["won"]
    assert fake.rejected[0].rule_ids == ("HSO005",)


def test_batch_partial_stores_valid_and_reports_failures(fake: FakeHubSpot) -> None:
    inputs = [deal(fake, "b-1"), deal(fake, "b-2", properties={"nope": "1"}), deal(fake, "b-1")]
    response = post("/integrators/timeline/v4/events/batch", {"inputs": inputs})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 2
    assert [r["id"] for r in body["results"]] == ["b-1"]
    contexts = [e["context"] for e in body["errors"]]
    assert [(c["index"], c["id"], c["rules"]) for c in contexts] == [
        (["1"], ["b-2"], ["HSO011"]),
        (["2"], ["b-1"], ["HSO005"]),
    ]
    assert [(r.index, r.status) for r in fake.rejected] == [(1, 400), (2, 409)]
    assert [o.id for o in fake.accepted] == ["b-1"]


def test_batch_atomic_stores_nothing() -> None:
    with FakeHubSpot(EXAMPLE, settings=Settings(batch_mode="atomic")) as fake:
        inputs = [deal(fake, "a-1"), deal(fake, "a-2", objectId=None)]
        response = post("/integrators/timeline/v4/events/batch", {"inputs": inputs})
        assert response.status_code == 400
        assert response.json()["context"]["index"] == ["1"]
        assert response.json()["errors"][0]["in"] == "inputs.1.objectId"
        assert fake.accepted == []
        post("/integrators/timeline/v4/events", deal(fake, "a-1"))
        conflict = post("/integrators/timeline/v4/events/batch", {"inputs": [deal(fake, "a-1")]})
        assert conflict.status_code == 409 and len(fake.accepted) == 1


def test_batch_shape_and_size(fake: FakeHubSpot) -> None:
    assert post("/integrators/timeline/v4/events/batch", [deal(fake)]).json()["context"][
        "rules"
    ] == ["HSO060"]
    big = {"inputs": [deal(fake, str(i)) for i in range(101)]}
    assert post("/integrators/timeline/v4/events/batch", big).json()["context"]["rules"] == [
        "HSO061"
    ]
    assert fake.accepted == []


def test_resolve_event_type_name(fake: FakeHubSpot) -> None:
    found = post(
        "/integrators/timeline/2026-03/types/projects",
        {"developerSymbol": "webinar_attended", "projectName": "acme-app"},
    )
    assert found.json()["fullyQualifiedName"] == fake.event_type_name("webinar_attended")
    missing = post(
        "/integrators/timeline/v4/types/projects",
        {"developerSymbol": "nope", "projectName": "acme-app"},
    )
    assert missing.status_code == 404 and missing.json()["context"]["rules"] == ["HSH009"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic x"}]
)
def test_missing_auth_is_401(fake: FakeHubSpot, headers: dict[str, str]) -> None:
    response = post("/integrators/timeline/v4/events", deal(fake), headers)
    assert response.status_code == 401 and response.json()["context"]["rules"] == ["HSH001"]
    assert fake.accepted == []


def test_required_token(fake: FakeHubSpot) -> None:
    fake.require_token("right")
    wrong = post("/integrators/timeline/v4/events", deal(fake))
    assert wrong.status_code == 401 and wrong.json()["context"]["rules"] == ["HSH002"]
    right = post("/integrators/timeline/v4/events", deal(fake), {"Authorization": "Bearer right"})
    assert right.status_code == 200


@pytest.mark.parametrize(
    ("data", "content_type", "rule"),
    [
        (b"{not json", "application/json", "HSH003"),
        (b'{"a": 1}', "text/plain", "HSH004"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "HSH003"),
    ],
)
def test_bad_bodies_are_400_in_hubspot_shape(
    fake: FakeHubSpot, data: bytes, content_type: str, rule: str
) -> None:
    response = requests.post(
        API + "/integrators/timeline/v4/events",
        data=data,
        headers={**AUTH, "Content-Type": content_type},
    )
    assert response.status_code == 400 and response.json()["context"]["rules"] == [rule]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: b" \r\n" + text.encode() + b"\n ",
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-16"),
        lambda text: text.encode("utf-32-le"),
    ],
    ids=["utf-8", "whitespace", "utf-8-bom", "utf-16", "utf-32-le"],
)
def test_bodies_are_read_as_json_loads_reads_them(fake: FakeHubSpot, encode: Any) -> None:
    body = deal(fake)
    response = requests.post(
        API + "/integrators/timeline/v4/events",
        data=encode(json.dumps(body)),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert fake.accepted[-1].body == body


@pytest.mark.parametrize("data", [b"{} {}", b'{"a": 1} x', b"\xff{}", b"", b"  "])
def test_json_errors_carry_json_loads_message(fake: FakeHubSpot, data: bytes) -> None:
    try:
        json.loads(data)
    except ValueError as error:
        expected = f"Invalid input JSON: {error}"
    response = requests.post(
        API + "/integrators/timeline/v4/events",
        data=data,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == expected


def test_huge_body_is_400() -> None:
    with FakeHubSpot(EXAMPLE, settings=Settings(max_body_bytes=1000)) as fake:
        response = post("/integrators/timeline/v4/events", deal(fake, extraData={"x": "y" * 2000}))
        assert response.status_code == 400 and response.json()["context"]["rules"] == ["HSH005"]


def test_unknown_path_and_method(fake: FakeHubSpot) -> None:
    assert post("/integrators/timeline/v4/nothing", {}).status_code == 404
    response = requests.get(API + "/integrators/timeline/v4/events", headers=AUTH)
    assert response.status_code == 405
    assert any("does not serve" in p for p in fake.expectation_problems())


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_fail_next_then_recover(fake: FakeHubSpot, status: int) -> None:
    fake.fail_next(status=status, times=2, retry_after=3)
    first = post("/integrators/timeline/v4/events", deal(fake))
    second = post("/integrators/timeline/v4/events", deal(fake))
    third = post("/integrators/timeline/v4/events", deal(fake))
    assert [first.status_code, second.status_code, third.status_code] == [status, status, 200]
    assert first.headers["Retry-After"] == "3"
    if status == 429:
        assert first.json()["errorType"] == "RATE_LIMIT"
        assert first.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert len(fake.accepted) == 1 and len(fake.requests) == 3
    assert fake.expectation_problems() == []


def test_association_creates_and_updates_contacts(fake: FakeHubSpot) -> None:
    name = fake.event_type_name("webinar_attended")
    base = {"eventTypeName": name, "properties": {"attendeeName": "Ann"}}
    assert (
        post("/integrators/timeline/v4/events", {**base, "id": "1", "utk": "u1"}).status_code == 400
    )
    assert fake.rejected[0].rule_ids == ("HSO025",)
    post(
        "/integrators/timeline/v4/events", {**base, "id": "2", "utk": "u1", "email": "a@x.example"}
    )
    contact_id = fake.accepted[-1].object_id
    assert fake.crm_record("contact", contact_id) == {"email": "a@x.example", "firstname": "Ann"}
    post(
        "/integrators/timeline/v4/events", {**base, "id": "3", "utk": "u1", "email": "b@x.example"}
    )
    assert fake.accepted[-1].object_id == contact_id
    assert fake.crm_record("CONTACT", contact_id)["email"] == "b@x.example"  # type: ignore[index]
    post("/integrators/timeline/v4/events", {**base, "id": "4", "utk": "u1"})
    assert fake.accepted[-1].object_id == contact_id


def test_company_domain_updates_the_record(fake: FakeHubSpot) -> None:
    body = {
        "eventTypeName": fake.event_type_name("company_enriched"),
        "id": "c1",
        "objectId": "55",
        "domain": "acme.example",
        "properties": {"industry": "Retail"},
    }
    post("/integrators/timeline/v4/events", body)
    assert fake.crm_record("companies", "55") == {"domain": "acme.example", "industry": "Retail"}


def test_stamping_latest_timestamp_wins(fake: FakeHubSpot) -> None:
    def send(occurrence_id: str, amount: str, timestamp: str) -> None:
        post(
            "/integrators/timeline/v4/events",
            deal(fake, occurrence_id, properties={"amount": amount}, timestamp=timestamp),
        )

    send("s1", "300", "2025-03-01T00:00:00Z")
    send("s2", "100", "2025-01-01T00:00:00Z")  # older: does not overwrite
    assert fake.crm_record("deal", "900") == {"amount": "300"}
    send("s3", "500", "2025-03-01T01:00:00+01:00")  # same instant: later arrival wins
    assert fake.crm_record("deal", "900") == {"amount": "500"}


def test_custom_object_occurrence_does_not_stamp(fake: FakeHubSpot) -> None:
    body = {
        "eventTypeName": fake.event_type_name("asset_scanned"),
        "id": "x",
        "objectId": "3",
        "objectTypeFullyQualifiedName": "p1234567_Cats",
        "properties": {"scanner": "Bo", "condition": "good"},
        "extraData": {"findings": [{"code": "A1", "note": "ok"}]},
    }
    assert post("/integrators/timeline/v4/events", body).status_code == 200
    (occurrence,) = fake.accepted
    assert occurrence.object_type == "p1234567_Cats"
    assert occurrence.header == "Bo scanned this asset"
    assert "**A1**: ok" in (occurrence.detail or "")


def test_assert_sent_failure_shows_closest(fake: FakeHubSpot) -> None:
    post("/integrators/timeline/v4/events", deal(fake))
    post("/integrators/timeline/v4/events", deal(fake, "bad", properties={"stage": "nah"}))
    with pytest.raises(AssertionError) as failure:
        fake.assert_sent("deal_stage_synced", stage="lost")
    text = str(failure.value)
    assert "stage: expected 'lost', got 'won'" in text
    assert "400 HSO015" in text
    with pytest.raises(AssertionError, match="found 1"):
        fake.assert_sent("deal_stage_synced", count=2)


def test_expect_rejection(fake: FakeHubSpot) -> None:
    fake.expect_rejection("HSO020")
    fake.expect_rejection("HSO011")
    post("/integrators/timeline/v4/events", deal(fake, objectId=None))
    problems = fake.expectation_problems()
    assert problems == ["expected a rejection for HSO011; none came"]


def test_twenty_threads_lose_nothing(fake: FakeHubSpot) -> None:
    def worker(n: int) -> None:
        for i in range(10):
            post("/integrators/timeline/v4/events", deal(fake, f"{n}-{i}"))
        post(
            "/integrators/timeline/v4/events/batch",
            {"inputs": [deal(fake, f"{n}-b{i}") for i in range(5)]},
        )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.accepted) == 20 * 15
    assert len({o.id for o in fake.accepted}) == 300
    assert len(fake.requests) == 20 * 11 and fake.rejected == []
    assert sorted(o.sequence for o in fake.accepted) == list(range(1, 301))


def test_reset_context_manager_and_decorator() -> None:
    fake = FakeHubSpot(EXAMPLE)

    @fake
    def send() -> int:
        return post("/integrators/timeline/v4/events", deal(fake)).status_code

    assert send() == 200 and len(fake.accepted) == 1
    assert send() == 200 and len(fake.accepted) == 1  # a fresh start: no 409
    fake.reset()
    assert fake.accepted == [] and fake.requests == []


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 (port 0): its base URL and the paths it was asked for."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'{"real": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_passthrough_reaches_a_real_server(local_server: tuple[str, list[str]]) -> None:
    base, seen = local_server
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between us and 127.0.0.1
    with FakeHubSpot(EXAMPLE, passthrough=True) as fake:
        assert session.get(base + "/ping", timeout=5).json() == {"real": True}
        response = session.post(
            API + "/integrators/timeline/v4/events", json=deal(fake), headers=AUTH
        )
        assert response.status_code == 200 and len(fake.accepted) == 1  # HubSpot: still fake
    assert seen == ["/ping"]
    assert [r.path for r in fake.requests] == ["/integrators/timeline/v4/events"]


def test_other_hosts_fail_clearly_without_passthrough(local_server: tuple[str, list[str]]) -> None:
    base, seen = local_server
    session = requests.Session()
    session.trust_env = False
    with FakeHubSpot(EXAMPLE), pytest.raises(requests.ConnectionError) as refused:
        session.get(base + "/ping", timeout=5)
    assert "Connection refused by Responses" in str(refused.value)
    assert base + "/ping" in str(refused.value)
    assert seen == []


def test_attaches_to_users_mock_and_leaves_global_alone() -> None:
    with responses.RequestsMock() as user_mock:
        user_mock.add(responses.GET, "https://other.example/ping", json={"ok": True})
        with FakeHubSpot(EXAMPLE, mock=user_mock) as fake:
            assert post("/integrators/timeline/v4/events", deal(fake)).status_code == 200
            assert requests.get("https://other.example/ping").json() == {"ok": True}
        assert len(user_mock.registered()) == 1
    assert responses.mock.registered() == []


def test_v3_templates_tokens_and_events(fake: FakeHubSpot) -> None:
    v3 = "/integrators/timeline/v3"
    template = {
        "name": "Signup",
        "objectType": "contacts",
        "headerTemplate": "{{plan}} signup",
        "detailTemplate": "Seats: {{seats}} {{extraData.note}}",
        "tokens": [
            {
                "name": "plan",
                "label": "Plan",
                "type": "enumeration",
                "options": [{"label": "Pro", "value": "pro"}],
            },
            {"name": "seats", "label": "Seats", "type": "number", "objectPropertyName": "seats"},
        ],
    }
    created = post(f"{v3}/77/event-templates", template)
    assert created.status_code == 201
    template_id = created.json()["id"]
    token = post(
        f"{v3}/77/event-templates/{template_id}/tokens",
        {"name": "source", "label": "Source", "type": "string", "options": []},
    )
    assert token.status_code == 200
    listed = requests.get(API + "/crm/v3/timeline/77/event-templates", headers=AUTH).json()
    assert [len(t["tokens"]) for t in listed["results"]] == [3]
    event = {
        "eventTemplateId": template_id,
        "id": "e1",
        "email": "z@x.example",
        "tokens": {"plan": "pro", "seats": "3"},
        "extraData": {"note": "hi"},
    }
    assert post(f"{v3}/events", event).status_code == 201
    assert post(f"{v3}/events", {**event, "tokens": {"plan": "Pro"}}).json()["context"][
        "rules"
    ] == ["HSV005"]
    replaced = post(f"{v3}/events", {**event, "tokens": {"plan": "pro", "seats": "4"}})
    assert replaced.status_code == 201  # v3: last wins
    got = requests.get(API + f"{v3}/events/{template_id}/e1", headers=AUTH).json()
    assert got["tokens"]["seats"] == "4"
    detail = requests.get(API + f"{v3}/events/{template_id}/e1/detail", headers=AUTH).json()
    assert detail == {"details": "Seats: 4 hi"}
    header = requests.get(API + f"{v3}/events/{template_id}/e1/render", headers=AUTH)
    assert header.text == "pro signup"
    assert fake.crm_record("contact", got["objectId"]) == {"email": "z@x.example", "seats": "4"}
    batch = post(
        f"{v3}/events/batch/create",
        {"inputs": [{**event, "id": "e2"}, {**event, "id": "e3", "tokens": {"x": "1"}}]},
    )
    assert batch.status_code == 207 and batch.json()["errors"][0]["context"]["rules"] == ["HSV004"]
    missing = requests.get(API + f"{v3}/events/{template_id}/nope", headers=AUTH)
    assert missing.status_code == 404
    assert (
        requests.delete(API + f"{v3}/77/event-templates/{template_id}", headers=AUTH).status_code
        == 204
    )
    assert post(f"{v3}/events", event).json()["context"]["rules"] == ["HSV002"]


def test_register_template_from_a_test(fake: FakeHubSpot) -> None:
    template_id = fake.register_template(
        {
            "name": "T",
            "objectType": "deals",
            "tokens": [{"name": "a", "label": "A", "type": "string"}],
        }
    )
    event = {"eventTemplateId": template_id, "objectId": "1", "tokens": {"a": "x"}}
    assert post("/crm/v3/timeline/events", event).status_code == 201
    with pytest.raises(ValueError, match="HSV010"):
        fake.register_template({"name": "T", "objectType": "planets", "tokens": []})


def _signup_template(fake: FakeHubSpot) -> tuple[str, str]:
    """A v3 template with tokens plan and seats; (v3 path prefix, template id)."""
    v3 = "/integrators/timeline/v3"
    created = post(
        f"{v3}/77/event-templates",
        {
            "name": "Signup",
            "objectType": "contacts",
            "headerTemplate": "{{plan}} signup",
            "detailTemplate": "Seats: {{seats}}",
            "tokens": [
                {"name": "plan", "label": "Plan", "type": "string"},
                {"name": "seats", "label": "Seats", "type": "number"},
            ],
        },
    )
    assert created.status_code == 201
    return v3, str(created.json()["id"])


def test_v3_template_put_replaces_the_template(fake: FakeHubSpot) -> None:
    v3, template_id = _signup_template(fake)
    url = API + f"{v3}/77/event-templates/{template_id}"
    update = {
        "name": "Signup v2",
        "headerTemplate": "{{plan}} joined",
        "tokens": [{"name": "plan", "label": "Plan", "type": "string"}],
    }
    updated = requests.put(url, json=update, headers=AUTH)
    assert updated.status_code == 200
    body = updated.json()
    # objectType was left out: the template keeps its own
    assert (body["id"], body["name"], body["objectType"]) == (template_id, "Signup v2", "contacts")
    assert [t["name"] for t in body["tokens"]] == ["plan"] and "detailTemplate" not in body
    assert requests.get(url, headers=AUTH).json() == body
    event = {"eventTemplateId": template_id, "email": "a@x.example", "tokens": {"plan": "pro"}}
    assert post(f"{v3}/events", {**event, "id": "e1"}).status_code == 201
    assert fake.accepted[-1].header == "pro joined"  # the new header template
    stale = post(f"{v3}/events", {**event, "id": "e2", "tokens": {"plan": "pro", "seats": "2"}})
    assert stale.status_code == 400 and stale.json()["context"]["rules"] == ["HSV004"]
    bad = requests.put(url, json={**update, "name": ""}, headers=AUTH)
    assert bad.status_code == 400 and "HSV010" in bad.json()["context"]["rules"]
    assert requests.get(url, headers=AUTH).json()["name"] == "Signup v2"  # unchanged
    missing = requests.put(API + f"{v3}/77/event-templates/999", json=update, headers=AUTH)
    assert missing.status_code == 404 and missing.json()["context"]["rules"] == ["HSV002"]


def test_v3_token_put_and_delete(fake: FakeHubSpot) -> None:
    v3, template_id = _signup_template(fake)
    tokens = API + f"{v3}/77/event-templates/{template_id}/tokens"
    renamed = requests.put(tokens + "/seats", json={"label": "Seat count"}, headers=AUTH)
    assert renamed.status_code == 200
    assert renamed.json() == {
        "name": "seats",
        "label": "Seat count",
        "type": "number",  # kept from the token being updated
        "options": [],
    }
    template = requests.get(API + f"{v3}/77/event-templates/{template_id}", headers=AUTH).json()
    assert [(t["name"], t["label"]) for t in template["tokens"]] == [
        ("plan", "Plan"),
        ("seats", "Seat count"),
    ]
    unknown = requests.put(tokens + "/nope", json={"label": "X"}, headers=AUTH)
    assert unknown.status_code == 404 and unknown.json()["context"]["rules"] == ["HSV002"]
    assert requests.delete(tokens + "/seats", headers=AUTH).status_code == 204
    template = requests.get(API + f"{v3}/77/event-templates/{template_id}", headers=AUTH).json()
    assert [t["name"] for t in template["tokens"]] == ["plan"]
    again = requests.delete(tokens + "/seats", headers=AUTH)
    assert again.status_code == 404 and again.json()["context"]["rules"] == ["HSV002"]
    event = {"eventTemplateId": template_id, "email": "a@x.example", "tokens": {"seats": "2"}}
    refused = post(f"{v3}/events", event)
    assert refused.status_code == 400 and refused.json()["context"]["rules"] == ["HSV004"]


def test_v3_render_detail_true_and_deleted_template(fake: FakeHubSpot) -> None:
    v3, template_id = _signup_template(fake)
    event = {"eventTemplateId": template_id, "id": "e1", "email": "a@x.example"}
    assert post(f"{v3}/events", {**event, "tokens": {"plan": "pro", "seats": "3"}}).ok
    render = API + f"{v3}/events/{template_id}/e1/render"
    header = requests.get(render, headers=AUTH)
    detail = requests.get(render + "?detail=true", headers=AUTH)
    assert (header.status_code, header.text) == (200, "pro signup")
    assert (detail.status_code, detail.text) == (200, "Seats: 3")
    assert detail.headers["Content-Type"].startswith("text/html")
    assert requests.get(render + "?detail=false", headers=AUTH).text == "pro signup"
    url = API + f"{v3}/77/event-templates/{template_id}"
    assert requests.delete(url, headers=AUTH).status_code == 204
    assert requests.get(url, headers=AUTH).status_code == 404
    after = post(f"{v3}/events", {**event, "id": "e2", "tokens": {"plan": "pro"}})
    assert after.status_code == 404
    assert after.json()["category"] == "OBJECT_NOT_FOUND"
    assert after.json()["context"]["rules"] == ["HSV002"]
    assert [a.id for a in fake.accepted] == ["e1"]


def test_select_and_ignore_do_not_loosen_the_fake() -> None:
    """select/ignore pick the checker's rules; HubSpot refuses a bad occurrence regardless."""
    settings = Settings().replace(select=("HSP",), ignore=("HSO013", "HSO011"))
    with FakeHubSpot(EXAMPLE, settings=settings) as fake:
        body = deal(fake, properties={"stage": "won", "amount": "lots", "extra": "x"})
        response = post("/integrators/timeline/v4/events", body)
        assert response.status_code == 400
        assert response.json()["context"]["rules"] == ["HSO013", "HSO011"]
        assert fake.accepted == []


def test_an_accepted_occurrence_has_its_card_as_html(fake: FakeHubSpot) -> None:
    body = {
        "eventTypeName": fake.event_type_name("asset_scanned"),
        "id": "c1",
        "objectId": "3",
        "objectTypeFullyQualifiedName": "p1234567_Cats",
        "properties": {"scanner": "<script>alert(1)</script>", "condition": "good"},
        "extraData": {"findings": [{"code": "A1", "note": "ok"}]},
    }
    assert post("/integrators/timeline/v4/events", body).status_code == 200
    card = fake.accepted[0].card
    assert card.startswith('<article class="hs-card" data-event-type="asset_scanned">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt; scanned this asset" in card
    assert "<script>" not in card
    assert "<li><strong>A1</strong>: ok</li>" in card  # the detail's Markdown list
    assert "{{scannedAt}} is empty here" in card
