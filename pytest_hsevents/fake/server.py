"""The fake HubSpot over loopback HTTP, for clients the in-process fake cannot patch.

HubSpot's SDKs (urllib3, httpx), Node services and subprocesses talk to a real socket, so the
same backend and handlers the in-process fake uses are served here by werkzeug's threaded WSGI
server (as moto's server mode does). Two things differ from `werkzeug.serving.run_simple`:

- Keep-alive. Werkzeug's handler closes every connection because it cannot know whether the
  application read the whole request body. Ours always reads it and always sends
  Content-Length, so `_KeepAliveHandler` keeps connections open: a client pays one TCP
  handshake per connection, not per request.
- Clean stop. `stop()` stops accepting, wakes every idle keep-alive connection and waits for
  requests in flight to finish, so nothing the backend accepted is lost on the way out.

Everything under `/_hsevents/` is a control endpoint (reset, state dump, fault injection) for
tests written in other languages; every other path goes to the fake's handlers unchanged.
"""

from __future__ import annotations

import contextlib
import http
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from werkzeug.serving import DechunkedInput, ThreadedWSGIServer, WSGIRequestHandler

from ..model import Project
from ..settings import Settings
from ._stops import stopped
from .backend import HubSpotBackend
from .handlers import FakeRequest, FakeResponse, handle
from .inspection import FakeInspection
from .records import AcceptedOccurrence, Headers, RecordedRequest, Rejection

__all__ = ["CONTROL_PREFIX", "HubSpotServer", "describe"]

CONTROL_PREFIX = "/_hsevents/"
"""Paths under this prefix control the fake; HubSpot has no such path."""

logger = logging.getLogger("pytest_hsevents.server")
"""One INFO line per request with its verdict (the `serve` command shows them)."""

_StartResponse = Callable[..., Any]
_Parts = list[str]
_REASONS = {status.value: status.phrase for status in http.HTTPStatus}
_POLL_INTERVAL = 0.05
"""How often the accept loop checks for stop(); bounds how long stop() takes."""
_STOP_TIMEOUT = 5.0


class HubSpotServer(FakeInspection):
    """The fake HubSpot on `http://127.0.0.1:<free port>`; inspect it like `FakeHubSpot`.

    `project` is a loaded Project or a path to one. Binds 127.0.0.1 unless `host` says
    otherwise (the fake has no authentication worth exposing); port 0 picks a free port.
    Use as a context manager, or call start() and stop().
    """

    def __init__(
        self,
        project: Project | str | Path,
        *,
        settings: Settings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(HubSpotBackend(project, settings))
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give a client (`host=`, `base_url=`, `basePath`), no trailing /."""
        if self._server is None:
            raise RuntimeError("HubSpotServer is not running; call start() first")
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> HubSpotServer:
        """Bind and serve in a daemon thread; returns once the socket accepts connections."""
        if self._server is not None:
            raise RuntimeError(f"HubSpotServer is already running at {self.url}")
        server = _Server(self)
        self.port = server.port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"hsevents-server-{server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close idle connections, let requests in flight finish."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        thread.join(_STOP_TIMEOUT)
        server.close_connections(_STOP_TIMEOUT)
        server.server_close()
        stopped(self)

    def __enter__(self) -> HubSpotServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<HubSpotServer {where}>"

    # --- answering ---------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: _StartResponse) -> list[bytes]:
        """A plain WSGI application, for any WSGI server (ours skips the environ)."""
        headers = Headers(_environ_headers(environ))
        target = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        if environ.get("wsgi.input_terminated"):  # chunked: the server knows where it ends
            length = None
        else:
            length = environ.get("CONTENT_LENGTH") or "0"
        limit = self.backend.settings.max_body_bytes
        body, truncated = _read_body(environ["wsgi.input"], length, limit)
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        status, head, payload = self.respond(
            environ["REQUEST_METHOD"], target, headers, body, truncated, host
        )
        start_response(f"{status} {_REASONS.get(status, 'Unknown')}", head)
        return [payload]

    def respond(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: bytes,
        truncated: bool,
        host: str,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) for one request: a control endpoint, else the fake.

        `target` is the request line's target as sent; `truncated` says the body was longer
        than the backend takes (its rest is unread, so the connection must close).
        """
        if target.startswith(("http://", "https://")):
            url, path = target, urlsplit(target).path
        else:
            url, path = f"http://{host}{target}", target.partition("?")[0]
        request = FakeRequest(method, url, headers, body)
        if path.startswith(CONTROL_PREFIX):
            response = _control(self, request, path[len(CONTROL_PREFIX) :])
        else:
            response = handle(self.backend, request)
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s -> %s", method, path, describe(path, response))
        head = list(response.headers.items())
        head.append(("Content-Length", str(len(response.body))))
        if truncated:
            head.append(("Connection", "close"))
        return response.status, head, response.body


# --- HTTP plumbing ---------------------------------------------------------------------------


def _environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A WSGI environ's request headers, names rebuilt from `HTTP_*` keys."""
    pairs = [
        (key[5:].replace("_", "-").title(), value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            pairs.append((key.replace("_", "-").title(), environ[key]))
    return pairs


def _read_body(stream: Any, length: str | None, limit: int) -> tuple[bytes, bool]:
    """(body, truncated): the whole body, or its first `limit` + 1 bytes, which the backend
    refuses; the rest stays unread, so the connection must then close. `length` is the
    Content-Length, None for a chunked body (`stream` then ends with the body)."""
    if length is None:
        body: bytes = stream.read(limit + 1)
        return body, len(body) > limit
    try:
        size = int(length)
    except ValueError:
        size = 0
    if size <= 0:
        return b"", False
    body = stream.read(min(size, limit + 1))
    return body, size > len(body)


class _KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's request handler (HTTP parsed by http.server), answering from the fake.

    Differs from werkzeug's in three ways, each measured:

    - Keep-alive: no `Connection: close` and socket drain after each answer. Safe because
      the whole body is always read (or the connection closes) and every answer carries
      Content-Length.
    - No WSGI environ: the request goes straight to `HubSpotServer.respond` (the environ
      and its header copy cost ~20 us a request; `wsgi_app` serves other WSGI servers).
    - One send per answer (see `wbufsize`).
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1
    """Buffered: head and body leave in one send (http.server flushes after each request);
    two sends cost a second wake-up of the client for every answer."""

    server: _Server
    state: _Connection
    _date: tuple[int, str] = (0, "")
    """The last second the Date header was formatted for, and its text."""

    def setup(self) -> None:
        super().setup()
        self.state = self.server.connection_state(self.connection)

    def parse_request(self) -> bool:
        self.state.busy = True
        return super().parse_request()

    def handle_one_request(self) -> None:
        super().handle_one_request()
        self.state.busy = False
        if self.server.stopping:
            self.close_connection = True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, formatted once a second (formatting it costs ~2 us a request)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = int(time.time())
        second, text = _KeepAliveHandler._date
        if now != second:
            text = super().date_time_string(now)
            _KeepAliveHandler._date = (now, text)  # one assignment: a consistent pair
        return text

    def run_wsgi(self) -> None:
        """Answer the request (werkzeug routes every method here)."""
        headers = Headers(self.headers.raw_items())
        if (headers.get("Expect") or "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        try:
            stream: Any = self.rfile
            length: str | None = headers.get("Content-Length") or "0"
            if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
                stream, length = DechunkedInput(stream), None
            server = self.server
            body, truncated = _read_body(stream, length, server.max_body_bytes)
            host = headers.get("Host") or server.host_port
            status, head, payload = server.respond(
                self.command, self.path, headers, body, truncated, host
            )
        except Exception:
            logger.exception("hsevents server: error answering %s %s", self.command, self.path)
            status, head, payload, truncated = 500, [("Content-Length", "0")], b"", False
            self.close_connection = True
        if truncated:  # respond() said Connection: close
            self.close_connection = True
        elif self.server.stopping and not self.close_connection:
            head.append(("Connection", "close"))
            self.close_connection = True
        if self.request_version == "HTTP/0.9":  # no status line, no headers
            self.wfile.write(payload)
            return
        # The head as send_response/send_header/end_headers write it, formatted at once.
        lines = [
            f"{self.protocol_version} {status} {_REASONS.get(status, 'Unknown')}\r\n"
            f"Server: {self.version_string()}\r\nDate: {self.date_time_string()}\r\n",
            *[f"{key}: {value}\r\n" for key, value in head],
            "\r\n",
        ]
        data = "".join(lines).encode("latin-1")
        self.wfile.write(data if self.command == "HEAD" else data + payload)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silent: `HubSpotServer` logs each request with its verdict instead."""


class _Server(ThreadedWSGIServer):
    """Werkzeug's threaded server that knows its connections, to close them on stop."""

    def __init__(self, fake: HubSpotServer) -> None:
        host, port = fake.host, fake.port
        self.respond = fake.respond
        self.max_body_bytes = fake.backend.settings.max_body_bytes
        self.stopping = False
        self._connections: dict[socket.socket, _Connection] = {}
        self._connections_lock = threading.Lock()
        # Bind here: werkzeug turns a bind failure into print + sys.exit(1); a library
        # must raise OSError instead.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, port), family=family)
        try:
            super().__init__(
                host, port, fake.wsgi_app, handler=_KeepAliveHandler, fd=listener.fileno()
            )
        finally:
            listener.close()
        self.host_port = f"{host}:{self.port}"
        """The Host to assume for a request without one (HTTP/1.0)."""

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections[request] = _Connection(threading.current_thread())
            if self.stopping:
                _close(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)

    def connection_state(self, connection: socket.socket) -> _Connection:
        return self._connections[connection]

    def close_connections(self, timeout: float) -> None:
        """Close idle connections now and busy ones once they have answered; wait for both.

        No lock per request: a handler sets `busy` then reads `stopping`, this sets
        `stopping` then reads `busy`, so one of them sees the other (the GIL orders them) and
        the connection is closed at least once (twice is harmless).
        """
        with self._connections_lock:
            self.stopping = True
            live = dict(self._connections)
        for connection, state in live.items():
            if not state.busy:
                _close(connection)
        for state in live.values():
            state.thread.join(timeout)


class _Connection:
    """A connection's thread, and whether it is answering a request (else waiting)."""

    __slots__ = ("busy", "thread")

    def __init__(self, thread: threading.Thread) -> None:
        self.thread = thread
        self.busy = False


def _close(connection: socket.socket) -> None:
    """Wake the thread blocked reading this connection; it then ends."""
    with contextlib.suppress(OSError):  # already closed by the client
        connection.shutdown(socket.SHUT_RDWR)


# --- verdicts (the request log) --------------------------------------------------------------


def describe(path: str, response: FakeResponse) -> str:
    """`200 accepted`, `400 rejected HSO011: <message>`, `200 3 accepted, 1 rejected (HSO011)`."""
    status = response.status
    if path.startswith(CONTROL_PREFIX):
        return f"{status} control"
    try:
        body = json.loads(response.body) if response.body else None
    except ValueError:
        body = None
    if status >= 400:
        if not isinstance(body, dict):
            return f"{status} rejected"
        rules = _rule_ids([body])
        label = f" {', '.join(rules)}" if rules else ""
        return f"{status} rejected{label}: {body.get('message', '')}".rstrip(": ")
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        errors = body.get("errors") if isinstance(body.get("errors"), list) else []
        text = f"{status} {len(body['results'])} accepted"
        if errors:
            text += f", {len(errors)} rejected ({', '.join(_rule_ids(errors))})"
        return text
    return f"{status} accepted"


def _rule_ids(errors: Iterable[object]) -> list[str]:
    found: dict[str, None] = {}
    for error in errors:
        if not isinstance(error, dict):
            continue
        context = error.get("context")
        rules = context.get("rules") if isinstance(context, dict) else None
        for rule in rules if isinstance(rules, list) else ():
            found[str(rule)] = None
    return list(found)


# --- control endpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Control:
    method: str
    run: Callable[[HubSpotServer, FakeRequest, _Parts], tuple[int, object]]
    summary: str


def _json_response(status: int, value: object) -> FakeResponse:
    body = b"" if status == 204 else json.dumps(value, indent=1).encode()
    headers = {} if status == 204 else {"Content-Type": "application/json"}
    return FakeResponse(status, headers, body)


def _control(server: HubSpotServer, request: FakeRequest, name: str) -> FakeResponse:
    """Answer `/_hsevents/<name>`; errors are JSON `{"message": ...}`, never a 500."""
    head, *rest = name.split("/")
    control = _CONTROLS.get(head)
    if control is None:
        known = {f"{c.method} {CONTROL_PREFIX}{key}": c.summary for key, c in _CONTROLS.items()}
        message = f"no control endpoint {CONTROL_PREFIX}{name}"
        return _json_response(404, {"message": message, "endpoints": known})
    if request.method != control.method:
        message = f"{CONTROL_PREFIX}{head} takes {control.method}, not {request.method}"
        return _json_response(405, {"message": message})
    refused = _foreign(server, request)
    if refused is not None:
        return refused
    try:
        status, value = control.run(server, request, rest)
    except (ValueError, TypeError, KeyError, AssertionError, OverflowError) as error:
        return _json_response(400, {"message": str(error)})
    except RecursionError:
        return _json_response(400, {"message": "the body nests too deep"})
    return _json_response(status, value)


_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _foreign(server: HubSpotServer, request: FakeRequest) -> FakeResponse | None:
    """A control request a web page could have sent: refused.

    A page on another site can make a browser POST `text/plain` to the loopback port, or reach
    it under its own name by DNS rebinding; it cannot set `Content-Type: application/json`
    cross-site without a CORS preflight, nor choose the Host header.
    """
    host = urlsplit(request.url).netloc.lower()
    name = host if host.endswith("]") or ":" not in host else host.rpartition(":")[0]
    if name not in _LOOPBACK_NAMES:
        message = f"control requests must name a loopback host ({server.url}), not {host!r}"
        return _json_response(403, {"message": message})
    if request.body.strip():
        content_type = ""
        for key, value in request.headers.items():
            if key.lower() == "content-type":
                content_type = value.split(";")[0].strip().lower()
        if content_type != "application/json":
            sent = content_type or "none"
            message = f"control bodies are JSON: send Content-Type: application/json, not {sent!r}"
            return _json_response(415, {"message": message})
    return None


def _arguments(request: FakeRequest) -> dict[str, Any]:
    """JSON object body, or query parameters (`?status=429`) for curl users."""
    if request.body.strip():
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data
    return {key: values[-1] for key, values in parse_qs(urlsplit(request.url).query).items()}


def _reset(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    server.reset()
    return 204, None


def _state(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    return 200, {
        "event_types": _event_types(server),
        "accepted": [_accepted(a) for a in server.accepted],
        "rejected": [_rejection(r) for r in server.rejected],
        "requests": [_request(r) for r in server.requests],
        "problems": server.expectation_problems(),
    }


def _occurrences(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    wanted = _arguments(request).get("event_type")
    found = [a for a in server.accepted if wanted in (None, a.event_type_uid)]
    return 200, [_accepted(a) for a in found]


def _rejections(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    return 200, [_rejection(r) for r in server.rejected]


def _requests(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    return 200, [_request(r) for r in server.requests]


def _event_type_names(
    server: HubSpotServer, request: FakeRequest, rest: _Parts
) -> tuple[int, object]:
    return 200, _event_types(server)


def _crm(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    if len(rest) != 2 or not all(rest):
        raise ValueError(f"use {CONTROL_PREFIX}crm/<objectType>/<objectId>")
    record = server.crm_record(rest[0], rest[1])
    if record is None:
        return 404, {"message": f"no {rest[0]} record {rest[1]!r}"}
    return 200, dict(record)


def _fail_next(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    args = _arguments(request)
    retry_after = args.get("retry_after")
    server.fail_next(
        status=int(args.get("status", 429)),
        times=int(args.get("times", 1)),
        retry_after=None if retry_after is None else float(retry_after),
    )
    return 204, None


def _require_token(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    token = _arguments(request).get("token")
    if not isinstance(token, str) or not token:
        raise ValueError('send {"token": "<the bearer token requests must carry>"}')
    server.require_token(token)
    return 204, None


def _expect_rejection(
    server: HubSpotServer, request: FakeRequest, rest: _Parts
) -> tuple[int, object]:
    server.expect_rejection(_arguments(request).get("rule"))
    return 204, None


def _assert_sent(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    args = _arguments(request)
    uid = args.get("event_type")
    if not isinstance(uid, str):
        raise ValueError('send {"event_type": "<uid>", "count": 1, "properties": {...}}')
    count = args.get("count")
    properties = args.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise ValueError("properties must be a JSON object")
    try:
        server.assert_sent(uid, None if count is None else int(count), **properties)
    except AssertionError as error:
        return 409, {"ok": False, "message": str(error)}
    return 200, {"ok": True}


def _problems(server: HubSpotServer, request: FakeRequest, rest: _Parts) -> tuple[int, object]:
    return 200, server.expectation_problems()


_CONTROLS: Mapping[str, _Control] = {
    "reset": _Control("POST", _reset, "forget everything, as a new fake"),
    "state": _Control("GET", _state, "everything the fake holds, as JSON"),
    "occurrences": _Control("GET", _occurrences, "accepted occurrences (?event_type=<uid>)"),
    "rejections": _Control("GET", _rejections, "rejected requests and batch inputs"),
    "requests": _Control("GET", _requests, "every request answered, with its status"),
    "event-types": _Control("GET", _event_type_names, "uid -> eventTypeName to send"),
    "crm": _Control("GET", _crm, "crm/<objectType>/<objectId>: a CRM record's properties"),
    "fail-next": _Control("POST", _fail_next, '{"status": 429, "times": 1, "retry_after": 1}'),
    "require-token": _Control("POST", _require_token, '{"token": "..."}: demand this bearer'),
    "expect-rejection": _Control("POST", _expect_rejection, '{"rule": "HSO011"}: declare one'),
    "assert-sent": _Control("POST", _assert_sent, '{"event_type", "count", "properties"}'),
    "problems": _Control("GET", _problems, "unexpected rejections, unmet expectations"),
}


def _event_types(server: HubSpotServer) -> dict[str, str]:
    return {uid: server.event_type_name(uid) for uid in server.backend.project.event_types}


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
"""Never echoed by the control endpoints: a page that reached them must learn no token."""


def _request(request: RecordedRequest) -> dict[str, object]:
    return {
        "method": request.method,
        "url": request.url,
        "path": request.path,
        "headers": {
            k: "<redacted>" if k.lower() in _SECRET_HEADERS else v
            for k, v in request.headers.items()
        },
        "body": _text(request.body),
        "status": request.status,
    }


def _accepted(occurrence: AcceptedOccurrence) -> dict[str, object]:
    return {
        "api": occurrence.api,
        "event_type_uid": occurrence.event_type_uid,
        "id": occurrence.id,
        "object_type": occurrence.object_type,
        "object_id": occurrence.object_id,
        "timestamp": occurrence.timestamp,
        "sequence": occurrence.sequence,
        "properties": dict(occurrence.properties),
        "header": occurrence.header,
        "detail": occurrence.detail,
        "card": occurrence.card,
        "body": occurrence.body,
    }


def _rejection(rejection: Rejection) -> dict[str, object]:
    return {
        "status": rejection.status,
        "rule_ids": list(rejection.rule_ids),
        "index": rejection.index,
        "body": rejection.body,
        "request": _request(rejection.request),
    }
