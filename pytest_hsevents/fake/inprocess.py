"""The fake HubSpot inside the test process (moto's in-process mode), for every client.

`requests` is answered on `responses`: a private `responses.RequestsMock` (never the global
one), or the mock the user hands it, from which it removes only its own callbacks afterwards.
httpx (sync and async) and urllib3 get a shell each (`transport_httpx`, `transport_urllib3`);
all of them ask one `Guard` what to answer and call the same handlers. requests to other
hosts pass through when `passthrough=True`; otherwise they fail as an unmocked request does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from os import PathLike
from typing import Any, TypeVar, cast

import requests.adapters
import responses

from ..model import Project
from ..settings import Settings
from . import _socket_guard, transport_urllib3
from ._stops import stopped
from .backend import HubSpotBackend
from .guard import TIMELINE_PATHS, Guard
from .handlers import FakeRequest, FakeResponse, handle
from .inspection import FakeInspection

__all__ = ["FakeHubSpot"]

F = TypeVar("F", bound=Callable[..., Any])
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_BASE_URL = "https://api.hubapi.com"
_HUBSPOT_URL = r"https?://(?:[^/?#@]*\.)?(?:hubapi|hubspot)\.com(?::\d+)?(?:[/?#]|$)"
"""HubSpot hosts: handed on by `responses` so that the guard (under it) can refuse them."""
_REAL_SEND = getattr(responses, "_real_send", None)
"""requests' own `HTTPAdapter.send`, as responses keeps it."""


def _shells(guard: Guard, serve: Callable[[FakeRequest], FakeResponse]) -> list[Callable[[], None]]:
    """Install the socket guard and every transport shell there is a client for; returns
    their uninstallers."""
    undo = [_socket_guard.install(guard), transport_urllib3.install(guard, serve)]
    try:
        from . import transport_httpx
    except ImportError:  # httpx is not installed: nothing to fake
        return undo
    undo.append(transport_httpx.install(guard, serve))
    return undo


class FakeHubSpot(FakeInspection):
    """A fake HubSpot that answers calls to `base_url` in this process, from `requests`,
    httpx (sync and async) and urllib3 alike, with no socket.

    `project` is a loaded Project or a path to one. Use it as a context manager, a decorator,
    or with start()/stop(); every start begins from an empty state. While it runs, a request
    to a HubSpot host it does not serve raises `NetworkGuardError` (HSH020) unless its host
    is in `allow_hosts`; `block_network=True` does the same for every host but loopback.
    """

    def __init__(
        self,
        project: Project | str | PathLike[str],
        *,
        settings: Settings | None = None,
        base_url: str = DEFAULT_BASE_URL,
        mock: responses.RequestsMock | None = None,
        passthrough: bool = False,
        allow_hosts: Iterable[str] = (),
        block_network: bool = False,
    ) -> None:
        if not isinstance(project, Project):
            project = str(project)
        super().__init__(HubSpotBackend(project, settings))
        self.base_url = base_url.rstrip("/")
        self._user_mock = mock
        self._passthrough = passthrough or block_network
        self._guard = Guard.build(self.base_url, allow_hosts, block=block_network)
        self._mock: responses.RequestsMock | None = None
        self._attached: list[tuple[responses.RequestsMock, list[Any], Any]] = []
        self._undo: list[Callable[[], None]] = []

    @property
    def mock(self) -> responses.RequestsMock:
        """The RequestsMock carrying the fake's callbacks (the user's, if one was given)."""
        if self._mock is None:
            raise RuntimeError("FakeHubSpot is not started; use `with FakeHubSpot(...)`")
        return self._mock

    def _callback(self, request: Any) -> tuple[int, Mapping[str, str], bytes]:
        response = handle(
            self.backend,
            FakeRequest(
                request.method or "GET",
                request.url or "",
                request.headers,
                transport_urllib3.body_bytes(request.body),
            ),
        )
        return response.status, response.headers, response.body

    def start(self) -> FakeHubSpot:
        """Begin answering (state reset); returns self."""
        if self._mock is not None:
            raise RuntimeError("FakeHubSpot is already started")
        self.reset()
        send_before = requests.adapters.HTTPAdapter.send
        mock = self._user_mock or responses.RequestsMock(
            assert_all_requests_are_fired=False, real_adapter_send=send_before
        )
        hubspot = f"{_HUBSPOT_URL}|{re.escape(self.base_url)}"
        # A mock started before us (send_before is its patch) decides on everything else.
        chained = self._user_mock is None and send_before is not _REAL_SEND
        self._attached = [(mock, *self._attach(mock, chained or self._passthrough, hubspot))]
        if self._user_mock is None:
            # The global mock too, so that a `@responses.activate` begun after us still
            # sends HubSpot's requests to the fake.
            self._attached.append((responses.mock, *self._attach(responses.mock, False, hubspot)))
            mock.start()
        self._mock = mock
        self._undo = _shells(self._guard, self._serve)
        return self

    def _attach(
        self, mock: responses.RequestsMock, everything: bool, hubspot: str
    ) -> tuple[list[Any], Any]:
        """Register the callbacks on `mock`; what it does not answer of `hubspot` (or
        everything) goes on to urllib3, where the guard stands. Returns (the callbacks,
        the passthru prefix added)."""
        paths = "|".join(re.escape(path) for path in TIMELINE_PATHS)
        pattern = re.compile(re.escape(self.base_url) + f"(?:{paths})(?:[/?].*)?")
        registered = [
            mock.add_callback(method, pattern, callback=self._callback, content_type=None)
            for method in _METHODS
        ]
        prefix = re.compile(".*" if everything else hubspot, re.IGNORECASE)
        mock.add_passthru(prefix)
        return registered, prefix

    def _serve(self, request: FakeRequest) -> FakeResponse:
        return handle(self.backend, request)

    def stop(self) -> None:
        """Stop answering; the recorded state stays readable until the next start (and the
        pytest plugin counts it towards the running test's contract coverage)."""
        mock, self._mock = self._mock, None
        if mock is None:
            return
        for undo in reversed(self._undo):
            undo()
        self._undo = []
        for target, registered, prefix in self._attached:
            target.passthru_prefixes = tuple(p for p in target.passthru_prefixes if p is not prefix)
            for callback in registered:
                target.remove(callback)
        self._attached = []
        if self._user_mock is None:
            mock.stop(allow_assert=False)
            mock.reset()
        stopped(self)

    def __enter__(self) -> FakeHubSpot:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Use as a decorator: the fake is active (and fresh) while `func` runs."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return cast(F, wrapper)

    def __repr__(self) -> str:
        state = "started" if self._mock is not None else "stopped"
        return f"<FakeHubSpot {self.base_url} {state}, {len(self.backend.accepted)} accepted>"
