"""The fake HubSpot inside the test process, on `responses` (moto's in-process mode).

It owns a private `responses.RequestsMock` (never the global one), or registers on a mock
the user hands it and removes only its own callbacks afterwards. Requests to other hosts
pass through when `passthrough=True`; otherwise they fail as an unmocked request does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from os import PathLike
from typing import Any, TypeVar, cast

import responses

from ..model import Project
from ..settings import Settings
from ._stops import stopped
from .backend import HubSpotBackend
from .handlers import FakeRequest, handle
from .inspection import FakeInspection

__all__ = ["FakeHubSpot"]

F = TypeVar("F", bound=Callable[..., Any])
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_BASE_URL = "https://api.hubapi.com"


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return b"".join(
        chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in cast(Any, body)
    )


class FakeHubSpot(FakeInspection):
    """A fake HubSpot that answers `requests` calls to `base_url` in this process.

    `project` is a loaded Project or a path to one. Use it as a context manager, a decorator,
    or with start()/stop(); every start begins from an empty state.
    """

    def __init__(
        self,
        project: Project | str | PathLike[str],
        *,
        settings: Settings | None = None,
        base_url: str = DEFAULT_BASE_URL,
        mock: responses.RequestsMock | None = None,
        passthrough: bool = False,
    ) -> None:
        if not isinstance(project, Project):
            project = str(project)
        super().__init__(HubSpotBackend(project, settings))
        self.base_url = base_url.rstrip("/")
        self._user_mock = mock
        self._passthrough = passthrough
        self._mock: responses.RequestsMock | None = None
        self._registered: list[Any] = []

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
                _body_bytes(request.body),
            ),
        )
        return response.status, response.headers, response.body

    def start(self) -> FakeHubSpot:
        """Begin answering (state reset); returns self."""
        if self._mock is not None:
            raise RuntimeError("FakeHubSpot is already started")
        self.reset()
        mock = self._user_mock or responses.RequestsMock(assert_all_requests_are_fired=False)
        pattern = re.compile(re.escape(self.base_url) + r"(?:[/?].*)?")
        self._registered = [
            mock.add_callback(method, pattern, callback=self._callback, content_type=None)
            for method in _METHODS
        ]
        if self._user_mock is None:
            if self._passthrough:
                mock.add_passthru(re.compile(r"(?!" + re.escape(self.base_url) + r"[/?]|$)"))
            mock.start()
        self._mock = mock
        return self

    def stop(self) -> None:
        """Stop answering; the recorded state stays readable until the next start (and the
        pytest plugin counts it towards the running test's contract coverage)."""
        mock, self._mock = self._mock, None
        if mock is None:
            return
        if self._user_mock is None:
            mock.stop(allow_assert=False)
            mock.reset()
        else:
            for registered in self._registered:
                mock.remove(registered)
        self._registered = []
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
