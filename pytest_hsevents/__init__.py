"""pytest-hsevents: test code that sends HubSpot timeline events, without HubSpot.

The public names load lazily, so that the pytest plugin (which imports this package at
start-up) costs nothing in test suites that never use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

__all__ = [
    "RULES",
    "AcceptedOccurrence",
    "App",
    "Diagnostic",
    "EventProperty",
    "EventType",
    "FakeHubSpot",
    "NetworkGuardError",
    "Project",
    "ProjectNotFoundError",
    "PropertyOption",
    "RecordedRequest",
    "Rejection",
    "Rule",
    "Settings",
    "SettingsError",
    "Severity",
    "__version__",
    "check_project",
    "get_rule",
    "load_project",
    "load_settings",
]

_LAZY = {
    "FakeHubSpot": "fake.inprocess",
    "NetworkGuardError": "fake.guard",
    "AcceptedOccurrence": "fake.records",
    "RecordedRequest": "fake.records",
    "Rejection": "fake.records",
    "RULES": "rules",
    "Rule": "rules",
    "Severity": "rules",
    "get_rule": "rules",
    "App": "model",
    "Diagnostic": "model",
    "EventProperty": "model",
    "EventType": "model",
    "Project": "model",
    "PropertyOption": "model",
    "ProjectNotFoundError": "loader",
    "load_project": "loader",
    "check_project": "checker",
    "Settings": "settings",
    "SettingsError": "settings",
    "load_settings": "settings",
}

if TYPE_CHECKING:
    from .checker import check_project
    from .fake.guard import NetworkGuardError
    from .fake.inprocess import FakeHubSpot
    from .fake.records import AcceptedOccurrence, RecordedRequest, Rejection
    from .loader import ProjectNotFoundError, load_project
    from .model import App, Diagnostic, EventProperty, EventType, Project, PropertyOption
    from .rules import RULES, Rule, Severity, get_rule
    from .settings import Settings, SettingsError, load_settings


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_hsevents' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
