"""The loopback server: the fake's answers over real HTTP, its life cycle and its controls."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import Any

import pytest
import requests
import urllib3

from pytest_hsevents.fake.server import HubSpotServer
from pytest_hsevents.settings import Settings

from ._projects import EXAMPLE
from ._server import AUTH, V4, V2026, WEBINAR, module_server, server, webinar

__all__ = ["module_server", "server"]  # fixtures


def post(server: HubSpotServer, path: str, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(server.url + path, json=body, headers=AUTH, timeout=5, **kwargs)


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [V4, V2026])
def test_an_occurrence_sent_over_http_is_accepted_and_inspectable(
    server: HubSpotServer, prefix: str
) -> None:
    response = post(server, prefix + "/events", webinar("w-1"))

    assert response.status_code == 200, response.text
    assert [(a.event_type_uid, a.id, a.api) for a in server.accepted] == [
        ("webinar_attended", "w-1", "v4")
    ]
    assert server.accepted[0].header == "Ada attended Intro"
    server.assert_sent("webinar_attended", count=1, minutesWatched="42")
    assert server.requests[-1].path == prefix + "/events"
    assert server.requests[-1].headers["Authorization"] == "Bearer test-token"


def test_a_bad_occurrence_gets_hubspots_error_body_with_the_rule(server: HubSpotServer) -> None:
    server.expect_rejection("HSO013")
    response = post(server, V4 + "/events", webinar("w-1", minutes="lots"))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    assert body["context"]["rules"] == ["HSO013"]
    assert [e["code"] for e in body["errors"]] == ["HSO013"]
    assert [r.rule_ids for r in server.rejected] == [("HSO013",)]
    assert server.accepted == []
    assert server.expectation_problems() == []


def test_a_partial_batch_stores_the_good_inputs_and_names_the_bad(server: HubSpotServer) -> None:
    inputs = [webinar("b-1"), webinar("b-2", minutes="x"), webinar("b-3")]
    server.expect_rejection("HSO013")
    response = post(server, V2026 + "/events/batch", {"inputs": inputs})

    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["b-1", "b-3"]
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"]["index"] == ["1"]
    assert sorted(a.id for a in server.accepted) == ["b-1", "b-3"]


def test_headers_are_passed_case_insensitively(server: HubSpotServer) -> None:
    response = requests.post(
        server.url + V4 + "/events",
        data=json.dumps(webinar("w-1")),
        headers={"authorization": "Bearer t", "content-type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200, response.text


def test_recorded_headers_are_case_insensitive_as_in_process(server: HubSpotServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        body = json.dumps(webinar("w-1")).encode()
        raw.sendall(
            b"POST " + V4.encode() + b"/events HTTP/1.1\r\nHost: fake\r\n"
            b"AUTHORIZATION: Bearer t\r\ncontent-TYPE: application/json\r\n"
            b"X-Trace: a\r\nx-trace: b\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
        )
        assert raw.recv(1000).startswith(b"HTTP/1.1 200 ")
    headers = server.requests[-1].headers
    assert headers["content-type"] == headers["Content-Type"] == "application/json"
    assert headers.get("authorization") == "Bearer t"
    assert "Authorization" in headers
    assert headers.get("x-missing") is None
    with pytest.raises(KeyError):
        headers["x-missing"]
    assert headers["x-trace"] == "a, b"  # a repeated header reads as one value
    assert list(headers)[:3] == ["Host", "AUTHORIZATION", "content-TYPE"]  # as spelt
    assert dict(headers)["X-Trace"] == "a, b"
    assert server.requests[-1].url == "http://fake" + V4 + "/events"


JSON = {"Content-Type": "application/json"}


def test_control_requests_from_a_web_page_are_refused(server: HubSpotServer) -> None:
    """A page cannot set JSON cross-site without a preflight, nor choose the Host (DNS
    rebinding); the control endpoints never echo a token."""
    requests.post(server.url + V4 + "/events", json=webinar("t"), headers=AUTH)
    plain = requests.post(
        server.url + "/_hsevents/require-token",
        data='{"token": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    assert plain.status_code == 415
    rebound = requests.get(server.url + "/_hsevents/state", headers={"Host": "evil.example"})
    assert rebound.status_code == 403
    state = requests.get(server.url + "/_hsevents/state").json()
    assert {r["headers"].get("Authorization") for r in state["requests"]} == {"<redacted>"}


def test_wsgi_app_serves_under_another_wsgi_server() -> None:
    from werkzeug.test import Client

    with HubSpotServer(EXAMPLE) as server:
        client = Client(server.wsgi_app)
        response = client.post(
            V4 + "/events",
            data=json.dumps(webinar("wsgi")),
            headers={"authorization": "Bearer t", "Content-Type": "application/json"},
        )
        assert response.status_code == 200
        assert response.headers["Content-Length"] == "0"
        assert [a.id for a in server.accepted] == ["wsgi"]
        assert server.requests[-1].headers["Authorization"] == "Bearer t"
        assert client.get("/_hsevents/event-types").json["webinar_attended"] == WEBINAR


def test_a_chunked_body_is_read_whole(server: HubSpotServer) -> None:
    payload = json.dumps(webinar("chunked")).encode()
    chunks = (payload[i : i + 7] for i in range(0, len(payload), 7))
    response = requests.post(
        server.url + V4 + "/events",
        data=chunks,
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert [a.id for a in server.accepted] == ["chunked"]


def test_a_body_over_the_limit_is_refused_and_the_server_keeps_serving() -> None:
    with HubSpotServer(EXAMPLE, settings=Settings(max_body_bytes=1000)) as server:
        big = webinar("big", extraData={"blob": "x" * 5000})
        response = post(server, V4 + "/events", big)
        assert response.status_code == 400
        assert response.json()["context"]["rules"] == ["HSH005"]
        assert response.headers["Connection"] == "close"
        assert post(server, V4 + "/events", webinar("small")).status_code == 200
        assert [a.id for a in server.accepted] == ["small"]


def test_an_unknown_path_is_hubspots_404_and_recorded(server: HubSpotServer) -> None:
    response = post(server, "/crm/v3/objects/contacts", {})
    assert response.status_code == 404
    assert response.json()["context"]["rules"] == ["HSH006"]
    assert server.requests[-1].path == "/crm/v3/objects/contacts"


def test_garbage_on_the_socket_gets_400_and_the_server_survives(server: HubSpotServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert b"400" in raw.recv(1000)
    assert post(server, V4 + "/events", webinar("after")).status_code == 200


def test_a_failed_request_is_answered_with_retry_after(server: HubSpotServer) -> None:
    server.fail_next(429, times=1, retry_after=2)
    first = post(server, V4 + "/events", webinar("w-1"))
    second = post(server, V4 + "/events", webinar("w-1"))

    assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
    assert second.status_code == 200
    assert len(server.accepted) == 1


def test_a_duplicate_id_is_409_and_tells_retrying_clients_not_to_retry(
    server: HubSpotServer,
) -> None:
    server.expect_rejection("HSO005")
    assert post(server, V4 + "/events", webinar("dup")).status_code == 200
    again = post(server, V4 + "/events", webinar("dup", minutes="7"))

    assert again.status_code == 409
    assert again.headers["x-should-retry"] == "false"
    assert [a.properties["minutesWatched"] for a in server.accepted] == ["42"]


# --- life cycle -------------------------------------------------------------------------------


def test_it_binds_loopback_on_a_free_port_and_starts_fast() -> None:
    began = time.perf_counter()
    with HubSpotServer(EXAMPLE) as first, HubSpotServer(EXAMPLE) as second:
        answered = requests.post(first.url + V4 + "/events", timeout=5).status_code
        elapsed = time.perf_counter() - began
        assert first.url.startswith("http://127.0.0.1:")
        assert first.port != second.port
        assert 0 < first.port < 65536
    assert answered == 401  # a real answer (no bearer token), from a server that just started
    assert elapsed < 1.0


def test_host_and_port_can_be_chosen() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HubSpotServer(EXAMPLE, host="0.0.0.0", port=port) as server:
        assert server.url == f"http://127.0.0.1:{port}"
        assert post(server, V4 + "/events", webinar("w")).status_code == 200


def test_a_port_in_use_raises_oserror_not_systemexit() -> None:
    with HubSpotServer(EXAMPLE) as server, pytest.raises(OSError):
        HubSpotServer(EXAMPLE, port=server.port).start()


def test_url_needs_a_running_server_and_start_twice_is_an_error() -> None:
    server = HubSpotServer(EXAMPLE)
    with pytest.raises(RuntimeError, match="start"):
        _ = server.url
    with server:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        assert repr(server) == f"<HubSpotServer {server.url}>"
    assert repr(server) == "<HubSpotServer stopped>"
    server.stop()  # stopping twice is harmless


def test_stop_closes_idle_keep_alive_connections_and_refuses_new_ones() -> None:
    server = HubSpotServer(EXAMPLE).start()
    session = requests.Session()
    assert session.post(server.url + V4 + "/events", json=webinar("w"), headers=AUTH).ok
    port = server.port

    began = time.perf_counter()
    server.stop()
    assert time.perf_counter() - began < 1.0
    assert threading.active_count() < 50
    with pytest.raises(requests.ConnectionError):
        session.post(f"http://127.0.0.1:{port}{V4}/events", json=webinar("w2"), headers=AUTH)
    assert [a.id for a in server.accepted] == ["w"]


def test_stop_lets_a_request_in_flight_finish() -> None:
    server = HubSpotServer(EXAMPLE).start()
    body = json.dumps(webinar("in-flight")).encode()
    head = (
        f"POST {V4}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(head + body[:10])
        time.sleep(0.1)  # the server is now reading this request's body
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        time.sleep(0.1)
        raw.sendall(body[10:])
        answer = raw.recv(1000)
        stopper.join(5)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert b"Connection: close" in answer
    assert not stopper.is_alive()
    assert [a.id for a in server.accepted] == ["in-flight"]


def test_keep_alive_one_connection_serves_many_requests(server: HubSpotServer) -> None:
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1)
    headers = {**AUTH, "Content-Type": "application/json"}
    for n in range(20):
        response = pool.request(
            "POST", V4 + "/events", body=json.dumps(webinar(f"k{n}")), headers=headers
        )
        assert response.status == 200
    assert pool.num_connections == 1
    assert len(server.accepted) == 20


def test_load_8_threads_x_1000_keep_alive_requests_lose_and_duplicate_nothing(
    server: HubSpotServer,
) -> None:
    threads, per_thread = 8, 1000
    statuses: list[list[int]] = [[] for _ in range(threads)]

    def client(index: int) -> None:
        with requests.Session() as session:
            for n in range(per_thread):
                # every tenth request repeats the previous id: a duplicate must be refused
                number = n - 1 if n % 10 == 9 else n
                response = session.post(
                    f"{server.url}{V4}/events",
                    json=webinar(f"t{index}-{number}"),
                    headers=AUTH,
                )
                statuses[index].append(response.status_code)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    flat = [s for per in statuses for s in per]
    assert len(flat) == threads * per_thread
    assert 500 not in flat
    duplicates = threads * per_thread // 10
    assert flat.count(409) == duplicates
    assert flat.count(200) == threads * per_thread - duplicates
    ids = [a.id for a in server.accepted]
    assert len(ids) == len(set(ids)) == threads * per_thread - duplicates
    assert len(server.requests) == threads * per_thread


# --- control endpoints ------------------------------------------------------------------------


def control(server: HubSpotServer, method: str, name: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{server.url}/_hsevents/{name}", timeout=5, **kwargs)


def test_state_and_occurrences_dump_what_the_fake_holds(server: HubSpotServer) -> None:
    post(server, V4 + "/events", webinar("w-1"))
    server.expect_rejection("HSO013")
    post(server, V4 + "/events", webinar("w-2", minutes="x"))

    state = control(server, "GET", "state").json()
    assert state["event_types"]["webinar_attended"] == WEBINAR
    assert [a["id"] for a in state["accepted"]] == ["w-1"]
    assert state["accepted"][0]["header"] == "Ada attended Intro"
    assert state["accepted"][0]["properties"]["minutesWatched"] == "42"
    assert [r["rule_ids"] for r in state["rejected"]] == [["HSO013"]]
    assert [r["status"] for r in state["requests"]] == [200, 400]
    assert state["problems"] == []

    only = control(server, "GET", "occurrences", params={"event_type": "webinar_attended"})
    assert [a["id"] for a in only.json()] == ["w-1"]
    other = control(server, "GET", "occurrences", params={"event_type": "asset_scanned"})
    assert other.json() == []
    assert [r["rule_ids"] for r in control(server, "GET", "rejections").json()] == [["HSO013"]]
    assert len(control(server, "GET", "requests").json()) == 2
    assert control(server, "GET", "event-types").json() == state["event_types"]


def test_control_reset_forgets_everything(server: HubSpotServer) -> None:
    post(server, V4 + "/events", webinar("w-1"))
    response = control(server, "POST", "reset")
    assert response.status_code == 204
    assert server.accepted == [] and server.requests == []
    assert post(server, V4 + "/events", webinar("w-1")).status_code == 200  # id free again


def test_control_fail_next_require_token_and_crm(server: HubSpotServer) -> None:
    assert control(server, "POST", "fail-next", json={"status": 503, "times": 2}).status_code == 204
    assert [post(server, V4 + "/events", webinar("w")).status_code for _ in range(3)] == [
        503,
        503,
        200,
    ]
    assert control(server, "POST", "require-token", params={"token": "right"}).status_code == 204
    assert post(server, V4 + "/events", webinar("w2")).status_code == 401

    record = control(server, "GET", "crm/contacts/1001")
    assert record.status_code == 200, record.text
    assert record.json()["firstname"] == "Ada"
    assert control(server, "GET", "crm/contacts/9").status_code == 404


def test_control_assert_sent_and_problems_for_other_languages(server: HubSpotServer) -> None:
    post(server, V4 + "/events", webinar("w-1"))
    ok = control(
        server,
        "POST",
        "assert-sent",
        json={"event_type": "webinar_attended", "count": 1, "properties": {"attendance": "live"}},
    )
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    bad = control(
        server, "POST", "assert-sent", json={"event_type": "webinar_attended", "count": 2}
    )
    assert bad.status_code == 409
    assert "webinar_attended" in bad.json()["message"]

    post(server, V4 + "/events", webinar("w-2", minutes="x"))
    problems = control(server, "GET", "problems").json()
    assert any("HSO013" in p for p in problems)
    assert control(server, "POST", "expect-rejection", json={"rule": "HSO013"}).status_code == 204
    assert control(server, "GET", "problems").json() == []


@pytest.mark.parametrize(
    ("method", "name", "kwargs", "status"),
    [
        ("GET", "nope", {}, 404),
        ("GET", "reset", {}, 405),
        ("POST", "fail-next", {"data": b"[1, 2"}, 415),
        ("POST", "fail-next", {"data": b"[1, 2", "headers": JSON}, 400),
        ("POST", "fail-next", {"data": b"[" * 100_000, "headers": JSON}, 400),
        ("POST", "fail-next", {"json": {"times": 10**12}}, 400),
        ("POST", "fail-next", {"json": {"retry_after": "nan"}}, 400),
        ("POST", "fail-next", {"json": {"retry_after": -5}}, 400),
        ("POST", "fail-next", {"json": {"status": 200}}, 400),
        ("POST", "fail-next", {"json": [429]}, 400),
        ("POST", "require-token", {"json": {}}, 400),
        ("POST", "assert-sent", {"json": {"count": 1}}, 400),
        ("GET", "crm/contacts", {}, 400),
    ],
)
def test_bad_control_requests_get_a_json_message_never_a_500(
    server: HubSpotServer, method: str, name: str, kwargs: dict[str, Any], status: int
) -> None:
    response = control(server, method, name, **kwargs)
    assert response.status_code == status
    assert response.json()["message"]


def test_the_unknown_control_answer_lists_the_endpoints(server: HubSpotServer) -> None:
    endpoints = control(server, "GET", "nope").json()["endpoints"]
    assert "POST /_hsevents/reset" in endpoints
    assert "GET /_hsevents/state" in endpoints


# --- the request log --------------------------------------------------------------------------


def test_each_request_is_logged_with_its_verdict(
    server: HubSpotServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pytest_hsevents.server")
    server.expect_rejection("HSO013")
    post(server, V4 + "/events", webinar("w-1"))
    post(server, V4 + "/events", webinar("w-2", minutes="x"))
    post(server, V4 + "/events/batch", {"inputs": [webinar("w-3"), webinar("w-4", minutes="y")]})
    control(server, "POST", "reset")

    lines = [r.getMessage() for r in caplog.records if r.name == "pytest_hsevents.server"]
    assert lines[0] == f"POST {V4}/events -> 200 accepted"
    assert lines[1].startswith(f"POST {V4}/events -> 400 rejected HSO013: ")
    assert lines[2] == f"POST {V4}/events/batch -> 200 1 accepted, 1 rejected (HSO013)"
    assert lines[3] == "POST /_hsevents/reset -> 204 control"


def test_the_recorded_state_has_the_same_card_as_in_process(server: HubSpotServer) -> None:
    assert post(server, V4 + "/events", webinar("w-1")).status_code == 200
    state = requests.get(server.url + "/_hsevents/state", timeout=5).json()
    (accepted,) = state["accepted"]
    assert accepted["card"] == server.accepted[0].card
    assert "Ada attended Intro" in accepted["card"]
