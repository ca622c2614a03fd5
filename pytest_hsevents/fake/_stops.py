"""Who hears when a fake HubSpot stops: the pytest plugin, to count what each test sent.

A light module of its own, so the plugin can listen without importing the fake itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .inspection import FakeInspection

Listener = Callable[["FakeInspection"], None]

_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Call `listener` with each fake as it stops, its state still readable; returns the
    function that stops listening."""
    _LISTENERS.append(listener)
    return lambda: _LISTENERS.remove(listener)


def stopped(fake: FakeInspection) -> None:
    for listener in tuple(_LISTENERS):
        listener(fake)
