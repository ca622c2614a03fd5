"""The httpx shell: sync and async clients answered in-process by the fake's handlers.

It patches the transport methods, as pytest-httpx and respx (`using="httpx"`) do, so a
client built with its own transport (an `httpx.MockTransport`) keeps it, and a mock installed
before the fake still gets every request the fake hands on (and one installed after it finds
the fake where the real transport was, for the requests it passes through).
"""

from __future__ import annotations

from typing import Any, Callable

import httpcore
import httpx

from .guard import Guard, Serve, is_original
from .handlers import FakeRequest, FakeResponse
from .records import Headers

__all__ = ["install"]


def _response(answer: FakeResponse, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        answer.status, headers=answer.headers, content=answer.body or None, request=request
    )


def _fake_request(request: httpx.Request, url: str, body: bytes) -> FakeRequest:
    # Looked up in any letter case, listed as the client spelt them (as requests' and the
    # server's are); httpx.Headers itself re-checks its encoding on every look-up.
    pairs = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]
    return FakeRequest(request.method, url, Headers(pairs), body)


def install(guard: Guard, serve: Serve) -> Callable[[], None]:
    """Answer `guard`'s requests with `serve` from now on; returns the function undoing it."""
    sync_before: Any = httpx.HTTPTransport.handle_request
    async_before: Any = httpx.AsyncHTTPTransport.handle_async_request

    def sync_mocked() -> bool:  # respx's default mocker sits under the transport, in httpcore
        pool = httpcore.ConnectionPool.handle_request
        return not (is_original(sync_before, "httpx") and is_original(pool, "httpcore"))

    def async_mocked() -> bool:
        pool = httpcore.AsyncConnectionPool.handle_async_request
        return not (is_original(async_before, "httpx") and is_original(pool, "httpcore"))

    def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if not guard.fakes(request.method, url, sync_mocked):
            return sync_before(transport, request)  # type: ignore[no-any-return]
        return _response(serve(_fake_request(request, url, request.read())), request)

    async def handle_async_request(
        transport: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        url = str(request.url)
        if not guard.fakes(request.method, url, async_mocked):
            return await async_before(transport, request)  # type: ignore[no-any-return]
        body = await request.aread()
        return _response(serve(_fake_request(request, url, body)), request)

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign,assignment]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign,assignment]

    def uninstall() -> None:
        httpx.HTTPTransport.handle_request = sync_before  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = async_before  # type: ignore[method-assign]

    return uninstall
