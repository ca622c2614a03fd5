"""In-process round trips per second: FakeHubSpot vs a bare `responses` callback.

Both answer `requests.Session().post(...)` through a private RequestsMock; the baseline
callback only does json.loads and returns 204. Target: the fake reaches >= 90% of the
baseline's rate. Each figure is the median of --runs fresh processes. Within a process the
two sides run in alternating blocks (--blocks of them, --n round trips in all per side, the
fake fresh per block) and each side counts its fastest block, so load from other processes
on a shared machine skews both sides alike instead of whichever ran second.

    .venv/bin/python benchmarks/bench_fake_roundtrip.py [--runs 3] [--n 3000] [--blocks 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _fresh import fresh_runs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
URL = "https://api.hubapi.com/integrators/timeline/v4/events"
HEADERS = {"Authorization": "Bearer bench"}


def _body(name: str, i: int) -> dict[str, object]:
    return {
        "eventTypeName": name,
        "id": f"o-{i}",
        "objectId": "101",
        "properties": {"webinarName": "Intro", "minutesWatched": "42", "attendance": "live"},
        "timestamp": "2025-01-31T09:30:00Z",
    }


def _seconds(post: object, indexes: range) -> float:
    start = time.perf_counter()
    for i in indexes:
        post(i)  # type: ignore[operator]
    return time.perf_counter() - start


def once(n: int, blocks: int) -> tuple[float, float]:
    """(baseline, fake) round trips per second, each side's fastest block."""
    import re

    import requests
    import responses

    from pytest_hsevents import FakeHubSpot

    session = requests.Session()
    fake = FakeHubSpot(EXAMPLE)
    name = fake.event_type_name("webinar_attended")
    size = max(n // blocks, 1)
    bodies = [_body(name, i) for i in range(size)]

    def post(i: int) -> None:
        session.post(URL, json=bodies[i], headers=HEADERS)

    def bare(request: object) -> tuple[int, dict[str, str], bytes]:
        json.loads(request.body)  # type: ignore[attr-defined]
        return 204, {}, b""

    def run_bare() -> float:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback("POST", re.compile(re.escape(URL)), callback=bare)
            return _seconds(post, range(size))

    def run_fake() -> float:
        with fake:
            seconds = _seconds(post, range(size))
            assert len(fake.accepted) == size, "the fake must accept every occurrence"
            return seconds

    run_bare(), run_fake()  # warm-up
    bare_times, fake_times = [], []
    for _ in range(blocks):
        bare_times.append(run_bare())
        fake_times.append(run_fake())
    return size / min(bare_times), size / min(fake_times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        print(json.dumps(once(args.n, args.blocks)))
        return
    pairs = fresh_runs(__file__, ["--n", str(args.n), "--blocks", str(args.blocks)], args.runs)
    bare = statistics.median(p[0] for p in pairs)
    fake = statistics.median(p[1] for p in pairs)
    ratios = [p[1] / p[0] for p in pairs]
    print(f"bare responses callback: {bare:,.0f} round trips/s (median of {args.runs})")
    print(f"FakeHubSpot:             {fake:,.0f} round trips/s")
    print(f"ratio fake/bare: {statistics.median(ratios):.1%} (target >= 90%)")


if __name__ == "__main__":
    main()
