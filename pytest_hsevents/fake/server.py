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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from ..model import Project
from ..settings import Settings
from .backend import HubSpotBackend
from .handlers import FakeRequest, FakeResponse, handle
from .inspection import FakeInspection
from .records import AcceptedOccurrence, RecordedRequest, Rejection

__all__ = ["CONTROL_PREFIX", "HubSpotServer", "describe"]

CONTROL_PREFIX = "/_hsevents/"
"""Paths under this prefix control the fake; HubSpot has no such path."""

logger = logging.getLogger("pytest_hsevents.server")
"""One INFO line per request with its verdict (the `serve` command shows them)."""

_StartResponse = Callable[..., Any]
_Parts = list[str]
_REASONS = {status.value: status.phrase for status in http.HTTPStatus}
_HEADERS_KEY = "hsevents.headers"
"""Environ key under which our handler passes the request's headers as parsed."""
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
        server = _Server(self.host, self.port, self.wsgi_app)
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

    def __enter__(self) -> HubSpotServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<HubSpotServer {where}>"

    # --- WSGI ------------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: _StartResponse) -> list[bytes]:
        """The WSGI application: control endpoints, else the fake's handlers."""
        request = _fake_request(environ, self.backend.settings.max_body_bytes)
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            response = _control(self, request, path[len(CONTROL_PREFIX) :])
        else:
            response = handle(self.backend, request)
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s -> %s", request.method, path, describe(path, response))
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))
        if environ.get("hsevents.body_truncated"):
            headers.append(("Connection", "close"))
        reason = _REASONS.get(response.status, "Unknown")
        start_response(f"{response.status} {reason}", headers)
        return [response.body]


# --- HTTP plumbing ---------------------------------------------------------------------------


def _fake_request(environ: dict[str, Any], max_body_bytes: int) -> FakeRequest:
    sent = environ.get(_HEADERS_KEY)
    if sent is not None:  # our handler: the header names exactly as the client spelt them
        headers = dict(sent.items())
    else:  # another WSGI server: rebuild the names from the environ
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
    target = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    if not target.startswith(("http://", "https://")):
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        target = f"{environ['wsgi.url_scheme']}://{host}{target}"
    return FakeRequest(
        environ["REQUEST_METHOD"], target, headers, _read_body(environ, max_body_bytes)
    )


def _read_body(environ: dict[str, Any], max_body_bytes: int) -> bytes:
    """The whole body, or the first max_body_bytes + 1 bytes (the backend refuses those; the
    connection then closes, since the rest of the body is still unread on it)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            size = int(length)
        except ValueError:
            size = 0
        body: bytes = stream.read(min(size, max_body_bytes + 1)) if size > 0 else b""
        if size > len(body):
            environ["hsevents.body_truncated"] = True
        return body
    if environ.get("wsgi.input_terminated"):  # chunked
        body = stream.read(max_body_bytes + 1)
        if len(body) > max_body_bytes:
            environ["hsevents.body_truncated"] = True
        return body
    return b""


class _KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's handler, minus the per-request `Connection: close` and socket drain.

    Safe because `HubSpotServer.wsgi_app` always consumes the request body (or asks for the
    connection to close) and always answers with a Content-Length.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1
    """Buffered: head and body leave in one send (http.server flushes after each request);
    two sends cost a second wake-up of the client for every answer."""

    server: _Server

    def parse_request(self) -> bool:
        self.server.mark(self.connection, busy=True)
        return super().parse_request()

    def handle_one_request(self) -> None:
        super().handle_one_request()
        if self.server.stopping:
            self.close_connection = True
        self.server.mark(self.connection, busy=False)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        self.environ = environ = self.make_environ()
        environ[_HEADERS_KEY] = self.headers
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            started[:] = [status, headers]
            return written.append

        try:
            chunks = self.server.app(environ, start_response)
            body = b"".join([*written, *chunks])
            status, headers = started
        except Exception:
            logger.exception("hsevents server: error answering %s %s", self.command, self.path)
            status, headers, body = "500 Internal Server Error", [("Content-Length", "0")], b""
            self.close_connection = True
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for key, value in headers:
            self.send_header(key, value)
        if self.server.stopping and not self.close_connection:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silent: `HubSpotServer` logs each request with its verdict instead."""


class _Server(ThreadedWSGIServer):
    """Werkzeug's threaded server that knows its connections, to close them on stop."""

    def __init__(self, host: str, port: int, app: Callable[..., Any]) -> None:
        self.stopping = False
        self._connections: dict[socket.socket, tuple[threading.Thread, bool]] = {}
        self._connections_lock = threading.Lock()
        # Bind here: werkzeug turns a bind failure into print + sys.exit(1); a library
        # must raise OSError instead.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, port), family=family)
        try:
            super().__init__(host, port, app, handler=_KeepAliveHandler, fd=listener.fileno())
        finally:
            listener.close()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        self.mark(request, busy=False)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)

    def mark(self, connection: socket.socket, *, busy: bool) -> None:
        """Record whether a connection is answering a request or waiting for the next."""
        with self._connections_lock:
            self._connections[connection] = (threading.current_thread(), busy)
            if self.stopping and not busy:
                _close(connection)

    def close_connections(self, timeout: float) -> None:
        """Close idle connections now and busy ones once they have answered; wait for both."""
        with self._connections_lock:
            self.stopping = True
            live = dict(self._connections)
            for connection, (_, busy) in live.items():
                if not busy:
                    _close(connection)
        for thread, _ in live.values():
            thread.join(timeout)


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
    try:
        status, value = control.run(server, request, rest)
    except (ValueError, TypeError, KeyError, AssertionError) as error:
        return _json_response(400, {"message": str(error)})
    return _json_response(status, value)


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


def _request(request: RecordedRequest) -> dict[str, object]:
    return {
        "method": request.method,
        "url": request.url,
        "path": request.path,
        "headers": dict(request.headers),
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
