"""Every client in-process: requests, httpx (sync and async) and urllib3 reach the same
backend, with the network blocked, and the guard stops what the fake does not serve."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest
import requests
import urllib3

from pytest_hsevents import FakeHubSpot, NetworkGuardError

from ._network import NetworkTouched, network_blocked
from ._projects import EXAMPLE

__all__ = ["network_blocked"]  # fixture

API = "https://api.hubapi.com"
EVENTS = API + "/integrators/timeline/v4/events"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def fake(network_blocked: list[str]) -> Iterator[FakeHubSpot]:
    with FakeHubSpot(EXAMPLE) as started:
        yield started
    assert network_blocked == []


def deal(fake: FakeHubSpot, occurrence_id: str, **properties: str) -> dict[str, Any]:
    return {
        "eventTypeName": fake.event_type_name("deal_stage_synced"),
        "id": occurrence_id,
        "objectId": "900",
        "properties": {"stage": "won", "amount": "1200", **properties},
    }


def send_requests(url: str, body: dict[str, Any]) -> tuple[int, bytes]:
    response = requests.post(url, json=body, headers=AUTH)
    return response.status_code, response.content


def send_httpx(url: str, body: dict[str, Any]) -> tuple[int, bytes]:
    with httpx.Client() as client:
        response = client.post(url, json=body, headers=AUTH)
    return response.status_code, response.content


def send_httpx_async(url: str, body: dict[str, Any]) -> tuple[int, bytes]:
    async def send() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(url, json=body, headers=AUTH)

    response = asyncio.run(send())
    return response.status_code, response.content


def send_urllib3(url: str, body: dict[str, Any]) -> tuple[int, bytes]:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = urllib3.PoolManager().request("POST", url, body=json.dumps(body), headers=headers)
    return response.status, response.data


CLIENTS: dict[str, Callable[[str, dict[str, Any]], tuple[int, bytes]]] = {
    "requests": send_requests,
    "httpx": send_httpx,
    "httpx-async": send_httpx_async,
    "urllib3": send_urllib3,
}
clients = pytest.mark.parametrize("send", CLIENTS.values(), ids=CLIENTS.keys())


@clients
def test_each_client_lands_in_accepted_rejected_and_requests(
    fake: FakeHubSpot, send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    assert send(EVENTS, deal(fake, "d-1")) == (200, b"")
    status, body = send(EVENTS, deal(fake, "d-2", stage="lost-in-space"))

    assert status == 400
    assert json.loads(body)["category"] == "VALIDATION_ERROR"
    assert [a.id for a in fake.accepted] == ["d-1"]
    [rejection] = fake.rejected
    assert rejection.request.json()["id"] == "d-2"
    assert [(r.method, r.url, r.status) for r in fake.requests] == [
        ("POST", EVENTS, 200),
        ("POST", EVENTS, 400),
    ]
    assert fake.requests[0].json() == deal(fake, "d-1")
    headers = fake.requests[0].headers
    assert headers["Authorization"] == headers["authorization"] == "Bearer test-token"
    assert "Authorization" in list(headers)  # listed as the client spelt it


def test_fifty_concurrent_async_calls_are_all_stored(fake: FakeHubSpot) -> None:
    async def send_all() -> list[int]:
        async with httpx.AsyncClient() as client:
            answers = await asyncio.gather(
                *(client.post(EVENTS, json=deal(fake, f"a-{i}"), headers=AUTH) for i in range(50))
            )
        return [a.status_code for a in answers]

    assert asyncio.run(send_all()) == [200] * 50
    assert sorted(a.id for a in fake.accepted) == sorted(f"a-{i}" for i in range(50))


@clients
@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("https://api.hubspot.com/integrators/timeline/v4/events", "did you mean " + EVENTS),
        (API + "/crm/v3/objects/contacts", "serves only the timeline APIs"),
        ("https://api-eu1.hubapi.com/integrators/timeline/v4/events", "did you mean " + EVENTS),
    ],
    ids=["hubspot.com", "other-api", "eu1"],
)
def test_the_guard_stops_hubspot_requests_the_fake_does_not_serve(
    fake: FakeHubSpot,
    send: Callable[[str, dict[str, Any]], tuple[int, bytes]],
    url: str,
    hint: str,
) -> None:
    with pytest.raises(NetworkGuardError) as stopped:
        send(url, deal(fake, "d-1"))

    message = str(stopped.value)
    assert "\n" not in message
    assert message.startswith(f"pytest-hsevents HSH020/not-served: POST {url}: ")
    assert "the fake HubSpot does not serve it" in message and hint in message
    assert "allow_hosts" in message and "hsevents_allow_hosts" in message
    assert fake.requests == [] and fake.accepted == []


@clients
def test_a_typo_in_a_timeline_path_is_hubspots_own_404(
    fake: FakeHubSpot, send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    status, body = send(API + "/integrators/timeline/v4/event", deal(fake, "d-1"))
    assert status == 404
    assert json.loads(body)["context"]["rules"] == ["HSH006"]


@clients
def test_allowed_hosts_go_on_to_the_real_transport(
    network_blocked: list[str], send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    with FakeHubSpot(EXAMPLE, allow_hosts=["api.hubspot.com"]), pytest.raises(Exception) as raised:
        send("https://api.hubspot.com/crm/v3/objects/contacts", {})
    # it went past the fake as far as the (blocked) name look-up, wrapped by the client
    chain = [raised.value, raised.value.__cause__, raised.value.__context__]
    assert any(isinstance(e, NetworkTouched) for e in chain) or "network" in str(raised.value)
    assert network_blocked and "api.hubspot.com" in network_blocked[0]


@clients
def test_block_network_covers_every_host_but_loopback(
    network_blocked: list[str], send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    with FakeHubSpot(EXAMPLE, block_network=True), pytest.raises(NetworkGuardError) as stopped:
        send("https://example.com/hook", {})
    assert str(stopped.value).startswith("pytest-hsevents HSH021/network-blocked: POST ")
    assert network_blocked == []


@clients
def test_other_hosts_keep_the_clients_usual_behaviour_once_the_fake_stops(
    network_blocked: list[str], send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    with FakeHubSpot(EXAMPLE):
        pass
    with pytest.raises(Exception) as raised:
        send(EVENTS, {})
    assert not isinstance(raised.value, NetworkGuardError)
    assert network_blocked  # the real transport again: it tried to resolve the host


def test_a_requests_mock_started_inside_the_fake_reaches_it_through_urllib3(
    fake: FakeHubSpot,
) -> None:
    import responses

    with responses.RequestsMock() as mine:
        mine.add(responses.GET, "https://other.example/ping", json={"pong": True})
        mine.add_passthru(API)
        assert requests.get("https://other.example/ping").json() == {"pong": True}
        assert requests.post(EVENTS, json=deal(fake, "d-1"), headers=AUTH).status_code == 200

    assert [a.id for a in fake.accepted] == ["d-1"]
    assert len(fake.requests) == 1  # answered once, by the urllib3 shell


def test_a_client_with_its_own_mock_transport_keeps_it(fake: FakeHubSpot) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(418))
    with httpx.Client(transport=transport) as client:
        assert client.post(EVENTS, json=deal(fake, "d-1"), headers=AUTH).status_code == 418
    assert fake.requests == []


def test_a_client_without_a_shell_meets_the_socket_guard(fake: FakeHubSpot) -> None:
    """http.client has no shell: the name look-up itself is refused, before any connect."""
    import http.client

    connection = http.client.HTTPSConnection("api.hubapi.com", timeout=1)
    with pytest.raises(NetworkGuardError) as stopped:
        connection.request("POST", "/integrators/timeline/v4/events", body=b"{}")
    message = str(stopped.value)
    assert message.startswith("pytest-hsevents HSH020/not-served: a connection to api.hubapi.com")
    assert "hsevents_allow_hosts = api.hubapi.com" in message


def test_block_network_refuses_look_ups_but_loopback(network_blocked: list[str]) -> None:
    import socket

    with FakeHubSpot(EXAMPLE, block_network=True, allow_hosts=["ok.example"]):
        with pytest.raises(NetworkGuardError, match="HSH021/network-blocked: a connection"):
            socket.getaddrinfo("example.com", 443)
        for allowed in ("127.0.0.1", "localhost", "ok.example"):
            with pytest.raises(NetworkTouched):  # handed on to the (blocked) real look-up
                socket.getaddrinfo(allowed, 80)
    assert len(network_blocked) == 3


@clients
def test_the_decorator_form_fakes_every_client_too(
    network_blocked: list[str], send: Callable[[str, dict[str, Any]], tuple[int, bytes]]
) -> None:
    fake = FakeHubSpot(EXAMPLE)

    @fake
    def sync_a_deal() -> tuple[int, bytes]:
        return send(EVENTS, deal(fake, "dec-1"))

    assert sync_a_deal() == (200, b"")
    assert [a.id for a in fake.accepted] == ["dec-1"] and network_blocked == []
