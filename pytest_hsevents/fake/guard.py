"""Which requests the fake answers, which pass on, and which the network guard stops.

Every transport shell asks `Guard.fakes(method, url)` before anything touches a socket: True
means "answer from the backend", False "hand it on as the client would", and a request to a
HubSpot host the fake does not serve (or any host, with `block_network`) raises
`NetworkGuardError` at once, with no connection and no DNS look-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import pytest

from ..rules import RULES
from .handlers import FakeRequest, FakeResponse

__all__ = [
    "DEFAULT_PORTS",
    "TIMELINE_PATHS",
    "Guard",
    "NetworkGuardError",
    "Serve",
    "is_hubspot_host",
]

Serve = Callable[[FakeRequest], FakeResponse]
"""What a transport shell calls to have one request answered (the fake's handlers)."""

TIMELINE_PATHS = ("/integrators/timeline", "/crm/v3/timeline")
"""Path prefixes of the APIs the fake answers (v4, 2026-03 and v3); a typo below them gets
HubSpot's own 404 (HSH006), anything else on a HubSpot host meets the guard."""
_HUBSPOT_DOMAINS = ("hubapi.com", "hubspot.com")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class NetworkGuardError(pytest.fail.Exception):  # type: ignore[name-defined,misc]
    """A request the fake HubSpot does not serve and may not let through.

    A test failure (pytest's own `Failed`, a BaseException): HubSpot's SDKs retry every
    `Exception` as a connection error, and this must stop the test at once instead.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, pytrace=False)
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_hubspot_host(host: str) -> bool:
    """api.hubapi.com, api.hubspot.com, api-eu1.hubapi.com and every other HubSpot host."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in _HUBSPOT_DOMAINS)


def _origin(scheme: str, host: str, port: int | None) -> str:
    scheme = scheme.lower()
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{shown.lower()}"
    return f"{scheme}://{shown.lower()}:{port}"


@dataclass(frozen=True)
class Guard:
    """The fake's answering rule for one `base_url`, with the user's exceptions."""

    base_url: str
    """The origin the fake answers on: scheme://host[:port], lower case."""
    fake_prefixes: tuple[str, ...]
    allow_hosts: frozenset[str] = frozenset()
    block_network: bool = False

    @classmethod
    def build(cls, base_url: str, allow_hosts: Iterable[str] = (), *, block: bool) -> Guard:
        parts = urlsplit(base_url)
        origin = _origin(parts.scheme, parts.hostname or "", parts.port)
        prefixes = tuple(origin + path for path in TIMELINE_PATHS)
        return cls(origin, prefixes, frozenset(h.lower() for h in allow_hosts), block)

    def fakes(self, method: str, url: str) -> bool:
        """True when the fake answers `url`; False to let it pass; raises when blocked."""
        if url.startswith(self.fake_prefixes):
            return True
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        origin = _origin(parts.scheme, host, parts.port)
        if origin == self.base_url and parts.path.startswith(TIMELINE_PATHS):
            return True  # the same origin spelt differently (case, default port)
        if host in self.allow_hosts:
            return False
        if origin == self.base_url or is_hubspot_host(host):
            raise NetworkGuardError(self._refusal("HSH020", method, url, parts.path, host))
        if self.block_network and host not in _LOOPBACK:
            raise NetworkGuardError(self._refusal("HSH021", method, url, parts.path, host))
        return False

    def _refusal(self, rule_id: str, method: str, url: str, path: str, host: str) -> str:
        if rule_id == "HSH021":
            why = "the network is blocked (block_network) and this host is not allowed"
        elif path.startswith(TIMELINE_PATHS):
            why = f"the fake serves {self.base_url}; did you mean {self.base_url}{path}?"
        else:
            why = f"it serves only the timeline APIs on {self.base_url}"
        rule = RULES[rule_id]
        return (
            f"pytest-hsevents {rule.slug}: {method.upper()} {url}: the fake HubSpot does not "
            f"serve it ({why}). To let {host} through: FakeHubSpot(allow_hosts=[{host!r}]), "
            f"@pytest.mark.hsevents(allow_hosts=[{host!r}]) or ini hsevents_allow_hosts = {host}"
        )
