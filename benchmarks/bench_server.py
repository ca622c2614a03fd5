"""Loopback round trips per second: HubSpotServer vs a bare http.server returning 204.

The baseline is `http.server.ThreadingHTTPServer` with an HTTP/1.1 handler that reads the body
and answers 204 (keep-alive, like ours). HubSpotServer gets valid app-event occurrences, each
with a new id, so every request is validated, stored and recorded. Both are driven by the same
clients on keep-alive connections, `requests.Session` and a `urllib3` pool, in the same
process and the same run, rounds alternating so drift hits both. Target: >= 80% of the
baseline's rate for each client. Rates are medians of --rounds rounds; the ratio is the
median of the per-round ratios (each round runs both servers back to back).

    .venv/bin/python benchmarks/bench_server.py [--rounds 9] [--n 1000] [--threads 1]
"""

from __future__ import annotations

import argparse
import http.server
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
import urllib3

from pytest_hsevents.fake.server import HubSpotServer

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
PATH = "/integrators/timeline/v4/events"
HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
TARGET = 0.80


class _Bare(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _bodies(name: str, start: int, n: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "eventTypeName": name,
                "id": f"o-{i}",
                "email": "ada@example.com",
                "properties": {"webinarName": "Intro", "minutesWatched": "42"},
            }
        ).encode()
        for i in range(start, start + n)
    ]


Client = Callable[[str, list[bytes]], None]


def _requests_client(base: str, bodies: list[bytes]) -> None:
    with requests.Session() as session:
        for body in bodies:
            response = session.post(base + PATH, data=body, headers=HEADERS)
            if response.status_code >= 300:
                raise SystemExit(f"unexpected {response.status_code}: {response.text}")


def _urllib3_client(base: str, bodies: list[bytes]) -> None:
    host, port = base.rsplit("/", 1)[1].split(":")
    with urllib3.HTTPConnectionPool(host, int(port), maxsize=1) as pool:
        for body in bodies:
            response = pool.request("POST", PATH, body=body, headers=HEADERS)
            if response.status >= 300:
                raise SystemExit(f"unexpected {response.status}: {response.data!r}")


def _rate(client: Client, base: str, batches: list[list[bytes]]) -> float:
    workers = [threading.Thread(target=client, args=(base, b)) for b in batches]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(len(b) for b in batches) / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=1000, help="requests per thread per round")
    parser.add_argument("--threads", type=int, default=1, help="client threads")
    args = parser.parse_args(argv)

    bare = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    bare.daemon_threads = True
    threading.Thread(target=bare.serve_forever, daemon=True).start()
    bare_url = f"http://127.0.0.1:{bare.server_address[1]}"
    clients: dict[str, Client] = {"requests.Session": _requests_client, "urllib3": _urllib3_client}
    rates: dict[tuple[str, str], list[float]] = {}
    ratios: dict[str, list[float]] = {}
    with HubSpotServer(EXAMPLE) as server:
        name = server.event_type_name("webinar_attended")
        for round_ in range(-1, args.rounds):  # round -1 warms up
            for label, client in clients.items():
                server.reset()
                batches = [_bodies(name, (t + 1) * 10_000_000, args.n) for t in range(args.threads)]
                if round_ % 2:  # alternate which goes first, so drift hits both
                    ours = _rate(client, server.url, batches)
                    base = _rate(client, bare_url, batches)
                else:
                    base = _rate(client, bare_url, batches)
                    ours = _rate(client, server.url, batches)
                if len(server.accepted) != args.n * args.threads:
                    raise SystemExit(f"lost occurrences: {len(server.accepted)} stored")
                if round_ >= 0:
                    rates.setdefault((label, "hsevents"), []).append(ours)
                    rates.setdefault((label, "bare"), []).append(base)
                    ratios.setdefault(label, []).append(ours / base)
    bare.shutdown()

    print(
        f"python {sys.version.split()[0]}, {args.threads} client thread(s), "
        f"{args.n} requests per thread, median of {args.rounds} rounds"
    )
    print(f"{'client':<18} {'bare 204/s':>11} {'hsevents/s':>11} {'ratio':>7}  target {TARGET:.0%}")
    failed = False
    for label in clients:
        base = statistics.median(rates[(label, "bare")])
        ours = statistics.median(rates[(label, "hsevents")])
        ratio = statistics.median(ratios[label])  # paired per round: robust to drift
        failed |= ratio < TARGET
        verdict = "ok" if ratio >= TARGET else "BELOW"
        print(f"{label:<18} {base:>11.0f} {ours:>11.0f} {ratio:>7.1%}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
