"""In-process round trips per second: FakeHubSpot vs a bare `responses` callback.

Both answer `requests.Session().post(...)` through a private RequestsMock; the baseline
callback only does json.loads and returns 204. Target: the fake reaches >= 90% of the
baseline's rate. Each figure is the median of --runs fresh processes.

    .venv/bin/python benchmarks/bench_fake_roundtrip.py [--runs 3] [--n 3000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def _rate(n: int, post: object) -> float:
    start = time.perf_counter()
    for i in range(n):
        post(i)  # type: ignore[operator]
    return n / (time.perf_counter() - start)


def once(n: int) -> tuple[float, float]:
    import re

    import requests
    import responses

    from pytest_hsevents import FakeHubSpot

    session = requests.Session()
    fake = FakeHubSpot(EXAMPLE)
    name = fake.event_type_name("webinar_attended")
    bodies = [_body(name, i) for i in range(n + 200)]

    def bare(request: object) -> tuple[int, dict[str, str], bytes]:
        json.loads(request.body)  # type: ignore[attr-defined]
        return 204, {}, b""

    def run_bare() -> float:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback("POST", re.compile(re.escape(URL)), callback=bare)
            for i in range(200):
                session.post(URL, json=bodies[i], headers=HEADERS)
            return _rate(n, lambda i: session.post(URL, json=bodies[i], headers=HEADERS))

    def run_fake() -> float:
        with fake:
            for i in range(n, n + 200):
                session.post(URL, json=bodies[i], headers=HEADERS)
            rate = _rate(n, lambda i: session.post(URL, json=bodies[i], headers=HEADERS))
            assert len(fake.accepted) == n + 200, "the fake must accept every occurrence"
            return rate

    return run_bare(), run_fake()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        print(json.dumps(once(args.n)))
        return
    pairs = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, "--once", "--n", str(args.n)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(args.runs)
    ]
    bare = statistics.median(p[0] for p in pairs)
    fake = statistics.median(p[1] for p in pairs)
    ratios = [p[1] / p[0] for p in pairs]
    print(f"bare responses callback: {bare:,.0f} round trips/s (median of {args.runs})")
    print(f"FakeHubSpot:             {fake:,.0f} round trips/s")
    print(f"ratio fake/bare: {statistics.median(ratios):.1%} (target >= 90%)")


if __name__ == "__main__":
    main()
