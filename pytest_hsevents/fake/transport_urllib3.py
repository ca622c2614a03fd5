"""The urllib3 shell: what hubspot-api-client (and requests, under it) sends, in-process.

It patches `HTTPConnectionPool.urlopen`, the one method every urllib3 request goes through
before a connection is taken from the pool, so no socket is opened and no name looked up.
requests reaches it only for what `responses` hands on (the fake's `responses` callbacks
answer the rest first), so nothing is answered twice.
"""

from __future__ import annotations

import http.client
import io
from typing import Any, Callable

from urllib3 import HTTPResponse
from urllib3.connectionpool import HTTPConnectionPool

from .guard import DEFAULT_PORTS, Guard, Serve, is_original
from .handlers import FakeRequest
from .records import Headers

__all__ = ["install"]


def _url(pool: HTTPConnectionPool, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url  # a proxy pool is handed the absolute URL
    host = f"[{pool.host}]" if ":" in pool.host else pool.host
    if pool.port is not None and pool.port != DEFAULT_PORTS.get(pool.scheme):
        host = f"{host}:{pool.port}"
    return f"{pool.scheme}://{host}{url}"


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return body_bytes(body.read())
    return b"".join(c if isinstance(c, bytes) else str(c).encode() for c in body)


def install(guard: Guard, serve: Serve) -> Callable[[], None]:
    """Answer `guard`'s requests with `serve` from now on; returns the function undoing it."""
    before: Any = HTTPConnectionPool.urlopen

    def mocked() -> bool:
        return not is_original(before, "urllib3")

    def urlopen(
        pool: HTTPConnectionPool,
        method: str,
        url: str,
        body: Any = None,
        headers: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        full = _url(pool, url)
        if not guard.fakes(method, full, mocked):
            return before(pool, method, url, body, headers, *args, **kwargs)
        sent = Headers((headers if headers is not None else pool.headers).items())
        answer = serve(FakeRequest(method, full, sent, body_bytes(body)))
        return HTTPResponse(
            body=io.BytesIO(answer.body),
            headers=answer.headers,
            status=answer.status,
            reason=http.client.responses.get(answer.status, ""),
            preload_content=kwargs.get("preload_content", True),
            decode_content=kwargs.get("decode_content", True),
            request_method=method,
            request_url=full,
        )

    HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign,assignment]

    def uninstall() -> None:
        HTTPConnectionPool.urlopen = before  # type: ignore[method-assign]

    return uninstall
