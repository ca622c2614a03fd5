"""In-process round trips per client: FakeHubSpot vs a bare mock of the same client, and
each HubSpot SDK in-process vs the same SDK through the loopback server.

Clients: httpx (sync), httpx (async), urllib3, against a bare mock that json.loads the body and
answers 204 (`httpx.MockTransport`; a bare patch of `HTTPConnectionPool.urlopen`): target
>= 90% of the bare rate. hubspot-sdk (`create_event`) and hubspot-api-client
(`events_api.create`) in-process vs through `HubSpotServer`: target >= 3x. Every sent
occurrence is valid and new, so the fake validates, stores and records each one. Inside each
fresh process the two sides of a pair alternate in --blocks blocks and each counts its
fastest block (load from other processes falls on both alike); figures are medians of --runs.
"shell alone" is the same client through a FakeHubSpot whose handlers answer a constant 200:
what the transport shell itself costs, the backend's validation and storage left out.

    .venv/bin/python benchmarks/bench_clients.py [--runs 3] [--n 2000] [--blocks 10]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from _fresh import fresh_runs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
API = "https://api.hubapi.com"
V4 = API + "/integrators/timeline/v4/events"
HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
PAIRS = ("httpx", "httpx-async", "urllib3", "hubspot-sdk", "hubspot-api-client")
TARGETS = {"httpx": 0.9, "httpx-async": 0.9, "urllib3": 0.9}
SDK_TARGET = 3.0

Send = Callable[[int], None]
"""Send occurrence number i (each call a new id)."""
Side = Callable[[int, int], float]
"""(first id, count) -> seconds for that many round trips."""


def _occurrence(fake: Any, i: int) -> dict[str, Any]:
    return {
        "eventTypeName": fake.event_type_name("webinar_attended"),
        "id": f"o-{i}",
        "email": "ada@example.com",
        "properties": {"webinarName": "Intro", "minutesWatched": "42", "attendance": "live"},
    }


def _timed(context: Callable[[], AbstractContextManager[Any]], make: Callable[[Any], Send]) -> Side:
    def side(start: int, count: int) -> float:
        with context() as target:
            send = make(target)
            began = time.perf_counter()
            for i in range(start, start + count):
                send(i)
            return time.perf_counter() - began

    return side


def _bare_answer(body: bytes) -> None:
    json.loads(body)


def _httpx_sides(fake: Any) -> tuple[Side, Side]:
    import httpx

    def bare_handler(request: httpx.Request) -> httpx.Response:
        _bare_answer(request.content)
        return httpx.Response(204)

    bare_client = httpx.Client(transport=httpx.MockTransport(bare_handler))
    client = httpx.Client()

    def sender(used: httpx.Client) -> Send:
        return lambda i: used.post(
            V4, json=_occurrence(fake, i), headers=HEADERS
        ).raise_for_status()

    return (
        _timed(nullcontext, lambda _: sender(bare_client)),
        _timed(lambda: fake, lambda _: sender(client)),
    )


def _httpx_async_sides(fake: Any) -> tuple[Side, Side]:
    import httpx

    async def bare_handler(request: httpx.Request) -> httpx.Response:
        _bare_answer(await request.aread())
        return httpx.Response(204)

    def side(context: Callable[[], AbstractContextManager[Any]], bare: bool) -> Side:
        def run(start: int, count: int) -> float:
            async def send_all() -> float:
                transport = httpx.MockTransport(bare_handler) if bare else None
                async with httpx.AsyncClient(transport=transport) as client:
                    began = time.perf_counter()
                    for i in range(start, start + count):
                        answer = await client.post(V4, json=_occurrence(fake, i), headers=HEADERS)
                        answer.raise_for_status()
                    return time.perf_counter() - began

            with context():
                return asyncio.run(send_all())

        return run

    return side(nullcontext, True), side(lambda: fake, False)


@contextmanager
def _bare_urlopen() -> Iterator[None]:
    from urllib3 import HTTPResponse
    from urllib3.connectionpool import HTTPConnectionPool

    before = HTTPConnectionPool.urlopen

    def urlopen(pool: Any, method: str, url: str, body: Any = None, *a: Any, **k: Any) -> Any:
        _bare_answer(body)
        return HTTPResponse(body=io.BytesIO(b""), status=204, preload_content=True)

    HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        HTTPConnectionPool.urlopen = before  # type: ignore[method-assign]


def _urllib3_sides(fake: Any) -> tuple[Side, Side]:
    import urllib3

    pool = urllib3.PoolManager()

    def make(_: Any) -> Send:
        def send(i: int) -> None:
            body = json.dumps(_occurrence(fake, i)).encode()
            assert pool.request("POST", V4, body=body, headers=HEADERS).status < 300

        return send

    return _timed(_bare_urlopen, make), _timed(lambda: fake, make)


def _hubspot_sdk_sides(fake: Any, server: Any) -> tuple[Side, Side]:
    from hubspot_sdk import HubSpot

    def make(client: Any) -> Send:
        def send(i: int) -> None:
            body = _occurrence(fake, i)
            client.crm.timeline.create_event(
                id=body["id"],
                event_type_name=body["eventTypeName"],
                email=body["email"],
                properties=body["properties"],
            )

        return send

    through = HubSpot(access_token="bench", base_url=server.url)
    inside = HubSpot(access_token="bench")
    return _timed(nullcontext, lambda _: make(through)), _timed(
        lambda: fake, lambda _: make(inside)
    )


def _hubspot_api_client_sides(fake: Any, server: Any) -> tuple[Side, Side]:
    import hubspot
    from hubspot.crm.timeline import (
        TimelineEvent,
        TimelineEventTemplateCreateRequest,
        TimelineEventTemplateToken,
    )

    template = TimelineEventTemplateCreateRequest(
        name="Signup",
        object_type="contacts",
        header_template="Signed up for {{plan}}",
        tokens=[TimelineEventTemplateToken(name="plan", label="Plan", type="string")],
    )

    def make(host: dict[str, str]) -> Send:
        timeline = hubspot.Client.create(access_token="bench", api_key="dev", **host).crm.timeline
        template_id = str(timeline.templates_api.create(42, template).id)

        def send(i: int) -> None:
            event = TimelineEvent(
                event_template_id=template_id, id=f"e-{i}", email="a@b.c", tokens={"plan": "pro"}
            )
            timeline.events_api.create(timeline_event=event)

        return send

    def reset_server() -> AbstractContextManager[Any]:
        server.reset()
        return nullcontext()

    return (
        _timed(reset_server, lambda _: make({"host": server.url})),
        _timed(lambda: fake, lambda _: make({})),
    )


def _shell_only() -> Any:
    """A FakeHubSpot whose handlers answer a constant 200: what the transport shell costs."""
    from pytest_hsevents import FakeHubSpot
    from pytest_hsevents.fake.handlers import FakeResponse

    fake = FakeHubSpot(EXAMPLE)
    answer = FakeResponse(200, {}, b"")
    fake._serve = lambda request: answer  # type: ignore[method-assign]
    return fake


def _rates(sides: tuple[Side, ...], count: int, blocks: int) -> list[float]:
    for side in sides:
        side(0, count)  # warm-up
    times: list[list[float]] = [[] for _ in sides]
    for block in range(blocks):
        for side, taken in zip(sides, times):
            taken.append(side((block + 1) * count, count))
    return [count / min(taken) for taken in times]


def once(n: int, blocks: int) -> dict[str, list[float]]:
    """pair -> [baseline, fake(, shell alone)] round trips per second, fastest blocks."""
    from pytest_hsevents import FakeHubSpot
    from pytest_hsevents.fake.server import HubSpotServer

    fake, shell = FakeHubSpot(EXAMPLE), _shell_only()
    size = max(n // blocks, 1)
    rates: dict[str, list[float]] = {}
    for pair, make in (
        ("httpx", _httpx_sides),
        ("httpx-async", _httpx_async_sides),
        ("urllib3", _urllib3_sides),
    ):
        bare, faked = make(fake)
        rates[pair] = _rates((bare, faked, make(shell)[1]), size, blocks)
    with HubSpotServer(EXAMPLE) as server:
        for pair, make_sdk in (
            ("hubspot-sdk", _hubspot_sdk_sides),
            ("hubspot-api-client", _hubspot_api_client_sides),
        ):
            rates[pair] = _rates(make_sdk(fake, server), max(size // 4, 1), blocks)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        print(json.dumps(once(args.n, args.blocks)))
        return
    runs = fresh_runs(__file__, ["--n", str(args.n), "--blocks", str(args.blocks)], args.runs)
    print(f"median of {args.runs} fresh processes, round trips/s")
    for pair in PAIRS:
        bare = statistics.median(r[pair][0] for r in runs)
        fake = statistics.median(r[pair][1] for r in runs)
        ratio = statistics.median(r[pair][1] / r[pair][0] for r in runs)
        if pair in TARGETS:
            shell = statistics.median(r[pair][2] / r[pair][0] for r in runs)
            shown = f"{ratio:.0%} (>= {TARGETS[pair]:.0%}); shell alone {shell:.0%}"
            baseline = "bare mock"
        else:
            shown, baseline = f"{ratio:.1f}x (>= {SDK_TARGET:.0f}x)", "server"
        print(f"{pair:19} {baseline}: {bare:8,.0f}  in-process: {fake:8,.0f}  {shown}")


if __name__ == "__main__":
    main()
