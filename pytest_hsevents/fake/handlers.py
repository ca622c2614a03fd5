"""Map one HTTP request to HubSpot's answer: (status, headers, body). Transport-neutral.

Order of checks, as HubSpot's edge applies them: route (404/405), injected fault (fail_next),
auth (401), content type, size and JSON (400), then the endpoint. Every answer is in HubSpot's
error shape with the broken rule ids; `handle` never raises, whatever the bytes.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, NamedTuple, cast
from urllib.parse import parse_qs, urlsplit

from ..occurrences import Violation
from ..rules import RULES
from ..v3 import EventTemplate, template_json, token_json
from .backend import HubSpotBackend, ItemOutcome, now_iso
from .errors import error_body, item_error, rate_limit_body, status_for, summary
from .records import AcceptedOccurrence, RecordedRequest, Rejection

__all__ = ["ROUTES", "FakeRequest", "FakeResponse", "handle", "serves"]


class FakeRequest(NamedTuple):
    """One request as a transport hands it over (a tuple: built per request, so cheap)."""

    method: str
    url: str
    """The full URL, query included."""
    headers: Mapping[str, str]
    """This request's own headers: recorded as given, so the transport must not reuse them."""
    body: bytes


class FakeResponse(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


_JSON = {"Content-Type": "application/json;charset=utf-8"}
_NO_RETRY = {**_JSON, "x-should-retry": "false"}
_V4 = r"/integrators/timeline/(?:v4|2026-03)"
_V3 = r"(?:/integrators/timeline/v3|/crm/v3/timeline)"
_Handler = Callable[[HubSpotBackend, FakeRequest, Any, Sequence[str]], "_Answer"]


class _Answer(NamedTuple):
    status: int
    body: Any = None
    rejections: tuple[tuple[int, Any, tuple[str, ...], int | None], ...] = ()
    """(status, body, rule ids, batch index) per refused request or batch input."""
    text: str | None = None


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    methods: Mapping[str, tuple[_Handler, bool]]
    """method -> (handler, takes a JSON body)."""


_OK = _Answer(200)
"""A bodiless 200 (answers are frozen, so one serves every request)."""


def _refuse(status: int, violations: Sequence[Violation], message: str | None = None) -> _Answer:
    body = error_body(status, message or summary(violations), violations)
    rules = tuple(dict.fromkeys(v.rule.id for v in violations))
    return _Answer(status, body, ((status, body, rules, None),))


def _bad(rule_id: str, message: str, pointer: str = "") -> _Answer:
    rule = RULES[rule_id]
    return _refuse(rule.status or 400, [Violation(rule, pointer, message)])


# --- app events ----------------------------------------------------------------------------


def _sender(backend: HubSpotBackend, api: str) -> Callable[..., list[ItemOutcome]]:
    return backend.send_occurrences if api == "v4" else backend.send_v3_events


def _single(
    backend: HubSpotBackend, request: FakeRequest, data: Any, _: Sequence[str], *, api: str
) -> _Answer:
    """POST …/events: one app-event occurrence (v4) or timeline event (v3)."""
    (outcome,) = _sender(backend, api)([data], atomic=True)
    if outcome.accepted is None:
        return _refuse(status_for(outcome.violations), outcome.violations)
    if api == "v3":
        return _Answer(201, _v3_event_json(outcome.accepted))
    if backend.settings.single_success_status == 201:
        return _Answer(201, dict(outcome.accepted.body))
    return _OK


def _batch_inputs(backend: HubSpotBackend, data: Any) -> list[Any] | _Answer:
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), list):
        return _bad("HSO060", 'a batch body is {"inputs": [...]}', "/inputs")
    inputs: list[Any] = data["inputs"]
    limit = backend.settings.max_batch_size
    if len(inputs) > limit:
        return _bad("HSO061", f"the batch has {len(inputs)} inputs; at most {limit}", "/inputs")
    return inputs


def _batch_answer(
    backend: HubSpotBackend, outcomes: list[ItemOutcome], *, atomic: bool, api: str
) -> _Answer:
    failed = [o for o in outcomes if o.violations]
    started = now_iso()
    if atomic and failed:
        violations = [
            Violation(v.rule, f"/inputs/{o.index}{v.pointer}", f"inputs[{o.index}]: {v.message}")
            for o in failed
            for v in o.violations
        ]
        status = status_for(violations)
        ids = [str(o.body.get("id")) for o in failed if isinstance(o.body, dict)]
        error = error_body(
            status,
            f"{len(failed)} of {len(outcomes)} inputs failed; none were accepted. "
            + summary(violations),
            violations,
            {"index": [str(o.index) for o in failed], "id": ids},
        )
        rules = tuple(dict.fromkeys(v.rule.id for v in violations))
        return _Answer(status, error, ((status, error, rules, None),))
    results = [
        dict(o.accepted.body) if api == "v4" else _v3_event_json(o.accepted)
        for o in outcomes
        if o.accepted is not None
    ]
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": started,
        "startedAt": started,
        "completedAt": now_iso(),
        "links": {},
    }
    rejections = []
    if failed:
        errors = []
        for o in failed:
            status = status_for(o.violations)
            error = item_error(o.index, o.body, o.violations, status)
            errors.append(error)
            rejections.append(
                (status, error, tuple(dict.fromkeys(v.rule.id for v in o.violations)), o.index)
            )
        body["numErrors"] = len(errors)
        body["errors"] = errors
    if api == "v3":
        status = 207 if failed else 201
    else:
        status = backend.settings.partial_batch_status if failed else 200
    return _Answer(status, body, tuple(rejections))


def _batch(
    backend: HubSpotBackend, request: FakeRequest, data: Any, _: Sequence[str], *, api: str
) -> _Answer:
    """POST …/events/batch (v4) and …/events/batch/create (v3)."""
    inputs = _batch_inputs(backend, data)
    if isinstance(inputs, _Answer):
        return inputs
    atomic = backend.settings.batch_mode == "atomic"
    outcomes = _sender(backend, api)(inputs, atomic=atomic)
    return _batch_answer(backend, outcomes, atomic=atomic, api=api)


def _v4_resolve(
    backend: HubSpotBackend, request: FakeRequest, data: Any, _: Sequence[str]
) -> _Answer:
    if not isinstance(data, dict):
        return _bad("HSO001", "the body is not a JSON object")
    problems = [
        Violation(RULES["HSO006"], "/" + key, f"{key} is required and must be a string")
        for key in ("developerSymbol", "projectName")
        if not isinstance(data.get(key), str)
    ]
    if problems:
        return _refuse(400, problems)
    name = backend.resolve_event_type(data["developerSymbol"], data["projectName"])
    if name is None:
        return _bad(
            "HSH009",
            f"There is no App Event Type for the provided coordinates: developerSymbol "
            f"{data['developerSymbol']!r}, projectName {data['projectName']!r}",
        )
    return _Answer(
        200,
        {
            "developerQualifiedSymbol": {
                "developerSymbol": data["developerSymbol"],
                "projectName": data["projectName"],
            },
            "fullyQualifiedName": name,
        },
    )


# --- timeline v3 ---------------------------------------------------------------------------


def _v3_event_json(accepted: AcceptedOccurrence) -> dict[str, Any]:
    return {
        **accepted.body,
        "id": accepted.id,
        "objectType": accepted.object_type,
        "objectId": accepted.object_id,
        "timestamp": accepted.timestamp,
        "createdAt": accepted.timestamp,
    }


def _v3_stored(backend: HubSpotBackend, parts: Sequence[str]) -> AcceptedOccurrence | _Answer:
    accepted = backend.v3_event(parts[0], parts[1])
    if accepted is None:
        return _bad("HSV006", f"no event {parts[1]!r} of template {parts[0]!r}")
    return accepted


def _v3_get(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    found = _v3_stored(backend, parts)
    return found if isinstance(found, _Answer) else _Answer(200, _v3_event_json(found))


def _v3_detail(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    found = _v3_stored(backend, parts)
    if isinstance(found, _Answer):
        return found
    return _Answer(200, {"details": found.detail or ""})


def _v3_render(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    found = _v3_stored(backend, parts)
    if isinstance(found, _Answer):
        return found
    query = parse_qs(urlsplit(request.url).query)
    detail = query.get("detail", ["false"])[-1].lower() == "true"
    card = found.rendered(detail)
    if card.rule is not None:
        return _bad(card.rule, f"the template cannot be rendered: {card.message}")
    return _Answer(200, text=card.text or "")


def _template_answer(
    template: EventTemplate | None, problems: Sequence[Violation], status: int, what: str
) -> _Answer:
    if problems:
        return _refuse(status_for(problems), problems)
    if template is None:
        return _bad("HSV002", f"no event template {what}")
    return _Answer(status, template_json(template))


def _templates_list(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    return _Answer(200, {"results": [template_json(t) for t in backend.templates(parts[0])]})


def _template_create(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    template, problems = backend.create_template(data, parts[0])
    return _template_answer(template, problems, 201, "")


def _template_get(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    return _template_answer(backend.template(parts[1]), (), 200, repr(parts[1]))


def _template_update(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    template, problems = backend.update_template(parts[1], data)
    return _template_answer(template, problems, 200, repr(parts[1]))


def _template_delete(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    if not backend.delete_template(parts[1]):
        return _bad("HSV002", f"no event template {parts[1]!r}")
    return _Answer(204)


def _token_put(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    name = parts[2] if len(parts) > 2 else None
    token, problems = backend.put_token(parts[1], data, name)
    if problems:
        return _refuse(status_for(problems), problems)
    if token is None:
        return _bad("HSV002", f"no event template {parts[1]!r} with token {name!r}")
    return _Answer(200, token_json(token))


def _token_delete(
    backend: HubSpotBackend, request: FakeRequest, data: Any, parts: Sequence[str]
) -> _Answer:
    if not backend.delete_token(parts[1], parts[2]):
        return _bad("HSV002", f"no event template {parts[1]!r} with token {parts[2]!r}")
    return _Answer(204)


_SEGMENT = r"([^/]+)"
ROUTES: tuple[_Route, ...] = tuple(
    _Route(re.compile(pattern + "/?"), methods)
    for pattern, methods in (
        (_V4 + "/events", {"POST": (partial(_single, api="v4"), True)}),
        (_V4 + "/events/batch", {"POST": (partial(_batch, api="v4"), True)}),
        (_V4 + "/types/projects", {"POST": (_v4_resolve, True)}),
        (_V3 + "/events", {"POST": (partial(_single, api="v3"), True)}),
        (_V3 + "/events/batch/create", {"POST": (partial(_batch, api="v3"), True)}),
        (_V3 + f"/events/{_SEGMENT}/{_SEGMENT}", {"GET": (_v3_get, False)}),
        (_V3 + f"/events/{_SEGMENT}/{_SEGMENT}/detail", {"GET": (_v3_detail, False)}),
        (_V3 + f"/events/{_SEGMENT}/{_SEGMENT}/render", {"GET": (_v3_render, False)}),
        (
            _V3 + f"/{_SEGMENT}/event-templates",
            {"GET": (_templates_list, False), "POST": (_template_create, True)},
        ),
        (
            _V3 + f"/{_SEGMENT}/event-templates/{_SEGMENT}",
            {
                "GET": (_template_get, False),
                "PUT": (_template_update, True),
                "DELETE": (_template_delete, False),
            },
        ),
        (_V3 + f"/{_SEGMENT}/event-templates/{_SEGMENT}/tokens", {"POST": (_token_put, True)}),
        (
            _V3 + f"/{_SEGMENT}/event-templates/{_SEGMENT}/tokens/{_SEGMENT}",
            {"PUT": (_token_put, True), "DELETE": (_token_delete, False)},
        ),
    )
)


def _route(path: str) -> tuple[_Route, tuple[str, ...]] | None:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.groups()
    return None


def serves(path: str) -> bool:
    """True for a HubSpot timeline path this fake answers (any method)."""
    return _route(path) is not None


# --- the pipeline --------------------------------------------------------------------------


def _fault_answer(status: int, retry_after: float | None) -> FakeResponse:
    headers = dict(_JSON)
    if status == 429:
        body = rate_limit_body()
        headers.update(
            {
                "X-HubSpot-RateLimit-Max": "190",
                "X-HubSpot-RateLimit-Remaining": "0",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            }
        )
    else:
        body = error_body(status, f"the fake was told to fail this request with {status}")
        body["category"] = "INTERNAL_ERROR"
    body["context"] = {"rules": ["HSH008"]}
    if retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
    return FakeResponse(status, headers, json.dumps(body).encode())


def _auth_problem(backend: HubSpotBackend, request: FakeRequest, path: str) -> _Answer | None:
    value = _header(request.headers, "Authorization")
    scheme, _, token = (value or "").strip().partition(" ")
    token = token.strip()
    if "/event-templates" in path and not value:
        # v3 templates and tokens take a developer API key (`?hapikey=`), which is what
        # hubspot-api-client sends for them.
        scheme, token = "bearer", parse_qs(urlsplit(request.url).query).get("hapikey", [""])[-1]
    if scheme.lower() != "bearer" or not token:
        return _bad(
            "HSH001",
            "Authentication credentials not found. This API supports OAuth 2.0 "
            "authentication; send Authorization: Bearer <token>",
        )
    required = backend.required_token
    if required is not None and token != required:
        return _bad("HSH002", "The OAuth token used to make this call is not the one required")
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Header `name` (given in its usual spelling, tried first) in any letter case."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, found in headers.items():
        if key.lower() == lowered:
            return found
    return None


def _parse_body(backend: HubSpotBackend, request: FakeRequest) -> Any:
    """The JSON body, or an _Answer saying why there is none."""
    limit = backend.settings.max_body_bytes
    if len(request.body) > limit:
        return _bad("HSH005", f"the body has {len(request.body)} bytes; at most {limit}")
    content_type = (_header(request.headers, "Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        return _bad(
            "HSH004",
            f"Content-Type is {content_type or 'missing'!r}; send application/json",
        )
    try:
        return _loads(request.body)
    except (ValueError, RecursionError) as error:
        return _bad("HSH003", f"Invalid input JSON: {error}")


_scan = json.scanner.make_scanner(cast(Any, json.JSONDecoder()))  # typeshed: a decoder
"""The C scanner `json.loads` ends in, without its four Python frames (half its time here)."""


def _loads(body: bytes) -> Any:
    """`json.loads(body)`, faster for the usual body: UTF-8 text, one value, no whitespace
    around it. Anything else (or any error) goes to `json.loads`, so the answers and the
    error messages are json.loads' own."""
    try:
        text = body.decode("utf-8")
        value, end = _scan(text, 0)
    except (ValueError, StopIteration, RecursionError):
        return json.loads(body)
    return value if end == len(text) else json.loads(body)


def _dispatch(backend: HubSpotBackend, request: FakeRequest, path: str) -> _Answer | FakeResponse:
    found = _route(path)
    if found is None:
        return _bad("HSH006", f"HubSpot has no endpoint {request.method} {path}")
    route, parts = found
    method = request.method.upper()
    entry = route.methods.get(method)
    if entry is None:
        allowed = ", ".join(route.methods)
        return _bad("HSH007", f"{path} takes {allowed}, not {method}")
    fault = backend.take_fault()
    if fault is not None:
        return _fault_answer(fault.status, fault.retry_after)
    problem = _auth_problem(backend, request, path)
    if problem is not None:
        return problem
    handler, takes_body = entry
    data = None
    if takes_body:
        data = _parse_body(backend, request)
        if isinstance(data, _Answer):
            return data
    return handler(backend, request, data, parts)


def _utf8(text: str) -> bytes:
    """UTF-8 as a JavaScript server writes it: a lone surrogate (from JSON's "\\ud800")
    becomes U+FFFD, a surrogate pair its character."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        units = text.encode("utf-16-le", "surrogatepass")
        return units.decode("utf-16-le", "replace").encode()


def _to_response(answer: _Answer) -> FakeResponse:
    if answer.text is not None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        return FakeResponse(answer.status, headers, _utf8(answer.text))
    if answer.body is None:
        return FakeResponse(answer.status, {}, b"")
    headers = _NO_RETRY if answer.status == 409 else _JSON
    return FakeResponse(answer.status, dict(headers), json.dumps(answer.body).encode())


def handle(backend: HubSpotBackend, request: FakeRequest) -> FakeResponse:
    """Answer one request as HubSpot would, and record it (and any rejection) on the backend."""
    path = urlsplit(request.url).path
    try:
        answer = _dispatch(backend, request, path)
    except Exception as error:  # a bug in the fake: say so in HubSpot's shape, never crash
        body = error_body(500, f"internal error in the fake HubSpot: {error!r}")
        answer = _Answer(500, body)
    if isinstance(answer, FakeResponse):
        response = answer
        rejections_raw: tuple[tuple[int, Any, tuple[str, ...], int | None], ...] = (
            (response.status, json.loads(response.body), ("HSH008",), None),
        )
    else:
        response = _to_response(answer)
        rejections_raw = answer.rejections
    # The transport hands over headers it built for this request alone: recorded as they are.
    recorded = RecordedRequest(
        request.method.upper(), request.url, request.headers, request.body, response.status
    )
    backend.record(
        recorded,
        [
            Rejection(status, body, rules, recorded, index)
            for status, body, rules, index in rejections_raw
        ]
        if rejections_raw
        else (),
    )
    return response
