"""The guard's last line: no name look-up for a host the fake may not let through.

The transport shells stop what they can see first, with the request's method and URL. A
request they hand on to a mock below them (pytest-httpx, respx, a user's `responses`) is that
mock's to answer; should it go on to the network, the look-up of its host fails here, before
any connection, whatever the client (asyncio and anyio resolve through this function too).
"""

from __future__ import annotations

import socket
from typing import Any, Callable

from .guard import Guard

__all__ = ["install"]


def install(guard: Guard) -> Callable[[], None]:
    """Refuse `guard`'s hosts in `socket.getaddrinfo` from now on; returns the undo."""
    before: Any = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            name = host.decode("idna") if isinstance(host, bytes) else str(host)
            guard.refuse_connection(name, port)
        return before(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo

    def uninstall() -> None:
        socket.getaddrinfo = before

    return uninstall
