"""`hsevents_fake` as a user's suite meets it: every client in-process, the network guard
(marker and ini), and coexistence with responses, pytest-httpx and respx in both orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_plugin_options import copy_project

pytest.importorskip("respx", reason="respx is not installed (test extra)")

CONFTEST = """
import socket

import pytest

EVENTS = "https://api.hubapi.com/integrators/timeline/v4/events"
CONTACT = "https://api.hubapi.com/crm/v3/objects/contacts/1"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("the test touched the network")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)


@pytest.fixture
def deal(hsevents_fake):
    def build(id="1"):
        return {
            "eventTypeName": hsevents_fake.event_type_name("deal_stage_synced"),
            "id": id,
            "objectId": "42",
            "properties": {"stage": "won", "amount": "10"},
        }

    return build
"""


@pytest.fixture(autouse=True)
def project(pytester: pytest.Pytester) -> Path:
    pytester.makeconftest(CONFTEST)
    return copy_project(pytester.path)


def test_httpx_and_urllib3_reach_the_fixture_with_the_network_blocked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio, json
        import httpx, urllib3
        from conftest import AUTH, CONTACT, EVENTS

        def test_httpx(hsevents_fake, deal):
            assert httpx.post(EVENTS, json=deal("h"), headers=AUTH).status_code == 200

            async def send():
                async with httpx.AsyncClient() as client:
                    return await client.post(EVENTS, json=deal("a"), headers=AUTH)

            assert asyncio.run(send()).status_code == 200
            assert [a.id for a in hsevents_fake.accepted] == ["h", "a"]

        def test_urllib3(hsevents_fake, deal):
            headers = {**AUTH, "Content-Type": "application/json"}
            answer = urllib3.request("POST", EVENTS, body=json.dumps(deal("u")), headers=headers)
            assert answer.status == 200
            assert [a.id for a in hsevents_fake.accepted] == ["u"]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_guard_fails_the_test_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def test_wrong_host(hsevents_fake, deal):
            httpx.post("https://api.hubspot.com/integrators/timeline/v4/events", json=deal())
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-hsevents HSH020/not-served: POST https://api.hubspot.com/integrators/timeline/v4/events:"
            " the fake HubSpot does not serve it (the fake serves https://api.hubapi.com; did you"
            " mean https://api.hubapi.com/integrators/timeline/v4/events?). To let"
            " api.hubspot.com through: *hsevents_allow_hosts = api.hubspot.com"
        ]
    )
    assert "touched the network" not in result.stdout.str()


@pytest.mark.parametrize(
    ("marker", "ini"),
    [
        ('@pytest.mark.hsevents(allow_hosts=["api.hubspot.com"])', ""),
        ("", "hsevents_allow_hosts = api.hubspot.com, other.example"),
    ],
    ids=["marker", "ini"],
)
def test_allow_hosts_lets_a_host_through(pytester: pytest.Pytester, marker: str, ini: str) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(
        f"""
        import httpx, pytest

        {marker}
        def test_through(hsevents_fake):
            with pytest.raises(AssertionError, match="touched the network"):
                httpx.get("https://api.hubspot.com/crm/v3/objects/contacts")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_block_network_marker_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nhsevents_block_network = true\n")
    pytester.makepyfile(
        """
        import pytest, requests
        from pytest_hsevents import NetworkGuardError

        def test_blocked(hsevents_fake):
            with pytest.raises(NetworkGuardError, match="HSH021/network-blocked: GET"):
                requests.get("https://example.com/")

        @pytest.mark.hsevents(block_network=False)
        def test_unblocked(hsevents_fake):
            with pytest.raises(Exception, match="Connection refused by Responses"):
                requests.get("https://example.com/")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


@pytest.mark.parametrize("order", ["httpx_mock, hsevents_fake", "hsevents_fake, httpx_mock"])
def test_pytest_httpx_keeps_its_routes_in_both_orders(
    pytester: pytest.Pytester, order: str
) -> None:
    pytest.importorskip("pytest_httpx", reason="pytest-httpx is not installed (Python >= 3.10)")
    pytester.makepyfile(
        f"""
        import httpx
        from conftest import AUTH, CONTACT, EVENTS

        def test_both({order}, deal):
            httpx_mock.add_response(url="https://other.example/ping", json={{"pong": True}})
            httpx_mock.add_response(url=CONTACT, json={{"id": "1"}})  # HubSpot, not timeline
            assert httpx.get("https://other.example/ping").json() == {{"pong": True}}
            assert httpx.get(CONTACT).json() == {{"id": "1"}}
            assert httpx.post(EVENTS, json=deal(), headers=AUTH).status_code == 200
            assert len(hsevents_fake.accepted) == 1
            assert [str(r.url) for r in httpx_mock.get_requests()] == [
                "https://other.example/ping", CONTACT
            ]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.parametrize("using", ["httpcore", "httpx"])
@pytest.mark.parametrize("first", ["respx", "fake"])
def test_respx_keeps_its_routes_in_both_orders(
    pytester: pytest.Pytester, using: str, first: str
) -> None:
    order = "respx_router, hsevents_fake" if first == "respx" else "hsevents_fake, respx_router"
    pytester.makepyfile(
        f"""
        import asyncio, httpx, pytest, respx
        from conftest import AUTH, CONTACT, EVENTS

        @pytest.fixture
        def respx_router():
            # respx patching httpx after the fake must hand HubSpot's requests back to it
            with respx.mock(using={using!r}, assert_all_called=False) as router:
                router.route(host="api.hubapi.com", path__startswith="/integrators/").pass_through()
                yield router

        def test_both({order}, deal):
            route = respx_router.get("https://other.example/ping").respond(json={{"pong": 1}})
            respx_router.get(CONTACT).respond(json={{"id": "1"}})
            assert httpx.get("https://other.example/ping").json() == {{"pong": 1}}
            assert httpx.get(CONTACT).json() == {{"id": "1"}}
            assert httpx.post(EVENTS, json=deal(), headers=AUTH).status_code == 200

            async def send():
                async with httpx.AsyncClient() as client:
                    return await client.post(EVENTS, json=deal("2"), headers=AUTH)

            assert asyncio.run(send()).status_code == 200
            assert len(hsevents_fake.accepted) == 2 and route.call_count == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.parametrize("style", ["decorator", "started-first"])
def test_responses_keeps_its_routes_in_both_orders(pytester: pytest.Pytester, style: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest, requests, responses
        from conftest import AUTH, CONTACT, EVENTS

        @pytest.fixture
        def started_first():
            with responses.RequestsMock() as mock:
                yield mock

        def check(fake, deal, mock):
            mock.add(responses.GET, "https://other.example/ping", json={{"pong": True}})
            mock.add(responses.GET, CONTACT, json={{"id": "1"}})
            assert requests.get("https://other.example/ping").json() == {{"pong": True}}
            assert requests.get(CONTACT).json() == {{"id": "1"}}
            assert requests.post(EVENTS, json=deal(), headers=AUTH).status_code == 200
            assert len(fake.accepted) == 1

        if {style!r} == "decorator":
            @responses.activate
            def test_both(hsevents_fake, deal):
                check(hsevents_fake, deal, responses.mock)
        else:
            def test_both(started_first, hsevents_fake, deal):
                check(hsevents_fake, deal, started_first)
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
