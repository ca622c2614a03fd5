"""A test-wide block on the network: any connect or DNS look-up fails the test loudly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkTouched(AssertionError):
    """Raised by a socket connect or a name look-up while the network is blocked."""


@pytest.fixture
def network_blocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make every `socket.connect` and `getaddrinfo` raise; yields what was attempted."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what == 'connect' else args}")
            raise NetworkTouched(f"the test touched the network: {attempts[-1]}")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    yield attempts
