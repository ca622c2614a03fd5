"""HubSpot's error bodies, with the ids of the rules broken where HubSpot's shape has room.

`Error` (spec26/spec3 `components.schemas.Error` plus the `"status": "error"` real responses
carry) for a refused request; `StandardError` for one failed input of a batch. Each detail's
`code` is the rule id and `context["rules"]` lists them all, so a test and a human see why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from ..occurrences import Violation

__all__ = ["CATEGORIES", "error_body", "item_error", "rate_limit_body", "status_for"]

CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    404: "OBJECT_NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    429: "RATE_LIMITS",
}
KB_LINK = {"knowledge-base": "https://www.hubspot.com/products/service/knowledge-base"}


def status_for(violations: Iterable[Violation]) -> int:
    """400 if any rule is a validation error; else the rules' own status (409, 404...)."""
    statuses = {v.rule.status or 400 for v in violations}
    if not statuses or 400 in statuses:
        return 400
    return min(statuses)


def _details(violations: Sequence[Violation]) -> list[dict[str, Any]]:
    return [
        {
            "message": v.message,
            "in": v.pointer.lstrip("/").replace("/", ".") or "body",
            "code": v.rule.id,
            "context": {"rule": [v.rule.slug], "pointer": [v.pointer], "docs": [v.rule.docs_url]},
        }
        for v in violations
    ]


def error_body(
    status: int,
    message: str,
    violations: Sequence[Violation] = (),
    context: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A whole-request error, as HubSpot sends it."""
    rules = list(dict.fromkeys(v.rule.id for v in violations))
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": CATEGORIES.get(status, "VALIDATION_ERROR"),
        "errors": _details(violations),
        "context": {**(context or {}), "rules": rules},
        "links": KB_LINK,
    }


def summary(violations: Sequence[Violation]) -> str:
    """One line naming what is wrong: the first problem, and how many more."""
    if not violations:
        return "Invalid input"
    first = violations[0]
    more = len(violations) - 1
    tail = f" (and {more} more problem{'s' * (more != 1)})" if more else ""
    return f"{first.message}{tail}"


def item_error(
    index: int, item: object, violations: Sequence[Violation], status: int
) -> dict[str, Any]:
    """A batch item's `StandardError`: which input (index and id) failed and why."""
    item_id = item.get("id") if isinstance(item, dict) else None
    context = {"index": [str(index)], "rules": list(dict.fromkeys(v.rule.id for v in violations))}
    if isinstance(item_id, str):
        context["id"] = [item_id]
    return {
        "status": "error",
        "category": CATEGORIES.get(status, "VALIDATION_ERROR"),
        "message": f"inputs[{index}]: {summary(violations)}",
        "errors": _details(violations),
        "context": context,
        "links": KB_LINK,
    }


def rate_limit_body(policy: str = "SECONDLY") -> dict[str, Any]:
    """HubSpot's documented 429 body."""
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "category": CATEGORIES[429],
    }
