"""Which requests the fake answers, which pass on, and which the network guard stops.

Every transport shell asks `Guard.fakes(method, url)` before anything touches a socket: True
means "answer from the backend", False "hand it on as the client would", and a request to a
HubSpot host the fake does not serve (or any host, with `block_network`) raises
`NetworkGuardError` at once, with no connection and no DNS look-up, unless another mock sits
below the shell: then that mock answers it (the user's own routes), and `refuse_connection`,
called by the socket guard on every name look-up, stops whatever would go on to the network.
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
    "is_original",
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


def is_original(method: object, package: str) -> bool:
    """True when `method` is `package`'s own code, not a mock's patch put in its place."""
    return str(getattr(method, "__module__", "")).split(".")[0] == package


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
    base_host: str
    fake_prefixes: tuple[str, ...]
    allow_hosts: frozenset[str] = frozenset()
    block_network: bool = False

    @classmethod
    def build(cls, base_url: str, allow_hosts: Iterable[str] = (), *, block: bool) -> Guard:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        origin = _origin(parts.scheme, host, parts.port)
        prefixes = tuple(origin + path for path in TIMELINE_PATHS)
        return cls(origin, host, prefixes, frozenset(h.lower() for h in allow_hosts), block)

    def fakes(
        self, method: str, url: str, mocked_below: Callable[[], bool] = lambda: False
    ) -> bool:
        """True when the fake answers `url`; False to let it pass; raises when blocked.

        `mocked_below()`: the shell hands on to another mock, not to the client's own
        transport. Then a request the fake does not serve goes to that mock (the user's own
        routes for HubSpot's other APIs keep working), and the socket guard stands behind it.
        """
        if url.startswith(self.fake_prefixes):
            return True
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        origin = _origin(parts.scheme, host, parts.port)
        if origin == self.base_url and parts.path.startswith(TIMELINE_PATHS):
            return True  # the same origin spelt differently (case, default port)
        if host in self.allow_hosts:
            return False
        rule_id = self._refused(host, origin)
        if rule_id is None or mocked_below():
            return False
        if rule_id == "HSH021":
            why = "the network is blocked (block_network) and this host is not allowed"
        elif parts.path.startswith(TIMELINE_PATHS):
            why = f"the fake serves {self.base_url}; did you mean {self.base_url}{parts.path}?"
        else:
            why = f"it serves only the timeline APIs on {self.base_url}"
        raise NetworkGuardError(_refusal(rule_id, f"{method.upper()} {url}", why, host))

    def _refused(self, host: str, origin: str | None = None) -> str | None:
        """The rule a request or connection to `host` breaks, if any."""
        if host in self.allow_hosts:
            return None
        if host == self.base_host or origin == self.base_url or is_hubspot_host(host):
            return "HSH020"
        if self.block_network and host not in _LOOPBACK:
            return "HSH021"
        return None

    def refuse_connection(self, host: str, port: object) -> None:
        """The socket guard's check: raise for a connection the fake may not let happen."""
        rule_id = self._refused(host.lower().rstrip("."))
        if rule_id is not None:
            why = "a mock or client in front of the fake let it through to the network"
            raise NetworkGuardError(_refusal(rule_id, f"a connection to {host}:{port}", why, host))


def _refusal(rule_id: str, what: str, why: str, host: str) -> str:
    rule = RULES[rule_id]
    return (
        f"pytest-hsevents {rule.slug}: {what}: the fake HubSpot does not serve it ({why}). "
        f"To let {host} through: FakeHubSpot(allow_hosts=[{host!r}]), "
        f"@pytest.mark.hsevents(allow_hosts=[{host!r}]) or ini hsevents_allow_hosts = {host}"
    )
