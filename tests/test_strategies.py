"""Self-consistency of the strategies against the validator and the fake HubSpot.

Every `occurrences()` draw is accepted; every `invalid_occurrences()` draw is rejected with
exactly its labelled rule at its labelled pointer; batches get their per-item outcomes.
Set HSEVENTS_STRATEGY_EXAMPLES (e.g. 3000) for a thorough run; the default stays short.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import hypothesis.version
import pytest
from hypothesis import find, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_hsevents.fake.backend import HubSpotBackend
from pytest_hsevents.fake.handlers import FakeRequest, handle
from pytest_hsevents.loader import load_project
from pytest_hsevents.model import EventType, Project
from pytest_hsevents.occurrences import OccurrenceValidator
from pytest_hsevents.rules import RULES, RuleFamily
from pytest_hsevents.settings import Settings
from pytest_hsevents.strategies import (
    OMIT,
    STATEFUL_RULES,
    Batch,
    BatchItem,
    InvalidOccurrence,
    batches,
    breakable_rules,
    event_types,
    invalid_batches,
    invalid_occurrences,
    occurrences,
    v3_events,
)

from ._projects import EXAMPLE

EXAMPLES = int(os.environ.get("HSEVENTS_STRATEGY_EXAMPLES", "60"))
PROJECT = load_project(EXAMPLE)
EVENT_TYPES = sorted(PROJECT.event_types)
V4 = "https://api.hubapi.com/integrators/timeline/2026-03"
HEADERS = {"Authorization": "Bearer token", "Content-Type": "application/json"}
fuzz = settings(max_examples=EXAMPLES, database=None)


def post(backend: HubSpotBackend, url: str, body: object) -> tuple[int, Any]:
    response = handle(backend, FakeRequest("POST", url, HEADERS, json.dumps(body).encode()))
    return response.status, json.loads(response.body) if response.body else None


def labels(violations: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(v.rule_id, v.pointer) for v in violations]


@pytest.fixture(scope="module")
def backend() -> HubSpotBackend:
    return HubSpotBackend(PROJECT)


@pytest.mark.parametrize("uid", EVENT_TYPES)
def test_every_valid_occurrence_is_accepted(backend: HubSpotBackend, uid: str) -> None:
    @fuzz
    @given(occurrences(PROJECT.event_types[uid]))
    def check(body: dict[str, Any]) -> None:
        backend.reset()
        assert backend.validator.validate(body) == ()
        status, answer = post(backend, V4 + "/events", body)
        assert status == 200, answer

    check()


def send_invalid(backend: HubSpotBackend, case: InvalidOccurrence) -> tuple[int, Any]:
    backend.reset()
    for prior in case.prior:
        assert post(backend, V4 + "/events", prior)[0] == 200
    return post(backend, V4 + "/events", case.occurrence)


@pytest.mark.parametrize("uid", EVENT_TYPES)
def test_every_invalid_occurrence_breaks_exactly_its_rule(
    backend: HubSpotBackend, uid: str
) -> None:
    @fuzz
    @given(invalid_occurrences(PROJECT.event_types[uid]))
    def check(case: InvalidOccurrence) -> None:
        found = labels(backend.validator.validate(case.occurrence))
        stateful = case.rule_id in STATEFUL_RULES
        assert found == ([] if stateful else [(case.rule_id, case.pointer)])
        status, answer = send_invalid(backend, case)
        assert status == case.rule.status
        assert answer["context"]["rules"] == [case.rule_id]
        assert [e["context"]["pointer"] for e in answer["errors"]] == [[case.pointer]]

    check()


def test_every_occurrence_rule_has_a_generator() -> None:
    """A new HSO rule without a breaker (or a batch-level generator) fails here."""
    from pytest_hsevents._strategies.batches import BATCH_RULES
    from pytest_hsevents._strategies.breakers import BREAKERS

    occurrence_rules = {r.id for r in RULES.values() if r.family is RuleFamily.OCCURRENCE}
    assert set(BREAKERS) | set(BATCH_RULES) == occurrence_rules
    reachable = {r for et in PROJECT.event_types.values() for r in breakable_rules(et)}
    assert reachable == set(BREAKERS)


@pytest.mark.parametrize("uid", EVENT_TYPES)
def test_each_breakable_rule_is_reached_when_selected(uid: str) -> None:
    event_type = PROJECT.event_types[uid]
    validator = OccurrenceValidator(PROJECT)

    @settings(max_examples=len(breakable_rules(event_type)) * 3, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        rule_id = data.draw(st.sampled_from(breakable_rules(event_type)))
        case = data.draw(invalid_occurrences(event_type, rules=[rule_id]))
        assert case.rule_id == rule_id
        if rule_id not in STATEFUL_RULES:
            assert labels(validator.validate(case.occurrence)) == [(rule_id, case.pointer)]

    check()


SETTINGS_CHANGES = [
    {"id_required": False},
    {"extra_data_array": True},
    {"lenient_property_values": True},
    {"event_type_uid_alias": False, "portal_id": 42},
    {"id_scope": "global"},
]


def _names(changes: dict[str, Any]) -> str:
    return ",".join(changes) or "defaults"


@pytest.mark.skipif(
    hypothesis.version.__version_info__ < (6, 170, 1),
    reason="before 6.170.1 Hypothesis' mutations repeat examples, the plain ones too, so the "
    "first 100 reach most rules but not always all (docs/performance.md)",
)
@pytest.mark.parametrize("changes", [{}, *SETTINGS_CHANGES], ids=_names)
def test_the_first_100_examples_reach_every_rule(changes: dict[str, Any]) -> None:
    """Each rule's plain body comes once among the first examples, whatever the seed and the
    settings; each breaks exactly its rule."""
    chosen = Settings().replace(**changes)
    validator = OccurrenceValidator(PROJECT, chosen)
    for event_type in PROJECT.event_types.values():
        wanted = set(breakable_rules(event_type, chosen))
        for number in range(1 if changes else 3):
            seen = _rules_of_first_100(event_type, number, chosen, validator)
            assert seen == wanted, f"{event_type.uid}, seed {number}"


def _rules_of_first_100(
    event_type: EventType, number: int, chosen: Settings, validator: OccurrenceValidator
) -> set[str]:
    seen: set[str] = set()

    @seed(number)
    @settings(max_examples=100, database=None)
    @given(invalid_occurrences(event_type, settings=chosen))
    def collect(case: InvalidOccurrence) -> None:
        expected = [] if case.rule_id in STATEFUL_RULES else [(case.rule_id, case.pointer)]
        assert labels(validator.validate(case.occurrence)) == expected
        seen.add(case.rule_id)

    collect()
    return seen


def test_rules_select_by_prefix_and_name() -> None:
    deal = PROJECT.event_types["deal_stage_synced"]

    @settings(max_examples=40, database=None)
    @given(invalid_occurrences(deal, rules=["HSO01", "timestamp-format"]))
    def check(case: InvalidOccurrence) -> None:
        assert case.rule_id in {"HSO010", "HSO011", "HSO012", "HSO013", "HSO014", "HSO015"} | {
            "HSO040"
        }

    check()


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (["HSO024"], "breakable here: HSO001"),  # domain rules belong to company types
        (["HSO999"], "no rule is called"),
        (["HSD001"], "none of these can be broken"),
    ],
)
def test_rules_that_cannot_be_broken_are_a_clear_error(rules: list[str], message: str) -> None:
    strategy = invalid_occurrences(PROJECT.event_types["deal_stage_synced"], rules=rules)
    with pytest.raises(InvalidArgument, match=message):
        find(strategy, lambda _: True)


def test_overrides_fix_fields_and_single_properties() -> None:
    deal = PROJECT.event_types["deal_stage_synced"]

    @settings(max_examples=30, database=None)
    @given(
        occurrences(
            deal,
            id="deal-1",
            timestamp=OMIT,
            properties={"amount": st.sampled_from(["5", "7.5"]), "stage": OMIT},
        )
    )
    def check(body: dict[str, Any]) -> None:
        assert body["id"] == "deal-1"
        assert "timestamp" not in body
        assert body["properties"]["amount"] in {"5", "7.5"}
        assert "stage" not in body["properties"]

    check()
    with pytest.raises(InvalidArgument, match=r"unknown field.*'amount'"):
        find(occurrences(deal, amount="5"), lambda _: True)


def test_draws_replay_from_the_hypothesis_seed() -> None:
    """faker is seeded from a draw, so the same seed gives the same bodies."""
    event_type = PROJECT.event_types["webinar_attended"]

    def run() -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []

        @seed(20240501)
        @settings(max_examples=25, database=None)
        @given(occurrences(event_type))
        def collect(body: dict[str, Any]) -> None:
            seen.append(body)

        collect()
        return seen

    assert run() == run()


def test_every_form_is_drawn() -> None:
    """What the issue asks of valid bodies: every association form, optional parts present
    and absent, every accepted number and date form, unicode, nested extraData."""
    webinar = PROJECT.event_types["webinar_attended"]
    forms: set[tuple[str, ...]] = set()
    optional: dict[str, set[bool]] = {}
    numbers: set[str] = set()
    dates: set[str] = set()
    scripts: set[str] = set()
    nested: set[str] = set()

    @seed(2024)  # each form is common, but over ~20 forms one is missed in ~1 run of 200
    @settings(max_examples=400, database=None)
    @given(occurrences(webinar))
    def collect(body: dict[str, Any]) -> None:
        forms.add(tuple(f for f in ("objectId", "email", "utk") if f in body))
        for name in ("timestamp", "extraData", "timelineIFrame"):
            optional.setdefault(name, set()).add(name in body)
        for name in ("webinarName", "attendeeName", "minutesWatched", "attendedOn"):
            optional.setdefault(name, set()).add(name in body["properties"])
        number = body["properties"].get("minutesWatched", "")
        numbers.add("e" if "e" in number else "." if "." in number else "int" if number else "")
        date = body["properties"].get("attendedOn", "-")
        dates.add(re.sub(r"\d", "9", date)[:16] + ("+" if date[16:] else ""))
        text = body["properties"].get("webinarName", "")
        scripts.update(unicodedata.name(c, "?").split()[0] for c in text if ord(c) > 127)
        for value in body.get("extraData", {}).values():
            nested.add(type(value).__name__)

    collect()
    plan_forms = {("objectId",), ("email",), ("objectId", "email"), ("objectId", "utk")}
    assert forms >= plan_forms | {("email", "utk"), ("objectId", "email", "utk")}
    assert all(seen == {True, False} for seen in optional.values()), optional
    assert numbers >= {"int", ".", "e"}
    epoch = {d for d in dates if re.fullmatch(r"-?9+", d)}
    assert epoch and dates - epoch >= {"9999-99-99", "9999-99-99T99:99", "9999-99-99T99:99+"}
    assert {"CJK", "CYRILLIC", "ARABIC"} <= scripts
    assert {"list", "dict", "str", "NoneType"} <= nested


@pytest.mark.skipif(
    hypothesis.version.__version_info__ < (6, 115, 0),
    reason="older shrinkers stop before every shape byte is zero (the bodies stay valid)",
)
def test_shrinking_gives_small_bodies() -> None:
    """Shape bytes shrink to zeros: no optional part, first form, first pool entry."""
    webinar = PROJECT.event_types["webinar_attended"]
    quick = settings(database=None, max_examples=500)
    body = find(
        occurrences(webinar),
        lambda b: "timelineIFrame" in b and "T" in b["properties"].get("attendedOn", ""),
        settings=quick,
    )
    assert set(body) - {"eventTypeName", "properties", "objectId", "email", "utk"} == {
        "id",
        "timelineIFrame",
    }
    assert body["id"] == "evt-0"
    assert list(body["properties"]) == ["attendedOn"]
    assert body["properties"]["attendedOn"].startswith("1970-01-01T00:00")  # the epoch
    assert (body["timelineIFrame"]["width"], body["timelineIFrame"]["height"]) == (1, 1)
    case = find(
        invalid_occurrences(webinar, rules="HSO014"),
        lambda case: "/" in case.occurrence["properties"]["attendedOn"],
        settings=quick,
    )
    assert set(case.occurrence) - {"objectId", "email", "utk"} == {
        "eventTypeName",
        "id",
        "properties",
    }
    assert case.occurrence["properties"] == {"attendedOn": "01/01/1970"}
    plain = find(invalid_occurrences(webinar, rules="HSO013"), lambda case: True, settings=quick)
    assert plain.occurrence == {
        "eventTypeName": "ae1234567_webinar_attended",
        "id": "evt-0",
        "properties": {"minutesWatched": "0px"},
        "objectId": "1",
    }


@pytest.mark.parametrize("changes", SETTINGS_CHANGES, ids=_names)
def test_strategies_follow_the_settings(changes: dict[str, Any]) -> None:
    chosen = Settings().replace(**changes)
    validator = OccurrenceValidator(PROJECT, chosen)
    types = list(PROJECT.event_types.values())

    @settings(max_examples=60, database=None)
    @given(st.sampled_from(types).flatmap(lambda et: occurrences(et, settings=chosen)))
    def valid(body: dict[str, Any]) -> None:
        assert validator.validate(body) == ()

    @settings(max_examples=80, database=None)
    @given(st.sampled_from(types).flatmap(lambda et: invalid_occurrences(et, settings=chosen)))
    def invalid(case: InvalidOccurrence) -> None:
        expected = [] if case.rule_id in STATEFUL_RULES else [(case.rule_id, case.pointer)]
        assert labels(validator.validate(case.occurrence)) == expected

    valid()
    invalid()
    assert ("HSO004" in breakable_rules(types[0], chosen)) == chosen.id_required


def project_of(event_type: EventType) -> Project:
    return Project(root=Path("."), event_types={event_type.uid: event_type})


def test_arbitrary_event_types_get_consistent_occurrences() -> None:
    """Beyond the example: any valid definition (st.from_type(EventType) works too)."""

    @settings(max_examples=EXAMPLES, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event_type = data.draw(event_types())
        validator = OccurrenceValidator(project_of(event_type))
        assert validator.validate(data.draw(occurrences(event_type))) == ()
        case = data.draw(invalid_occurrences(event_type))
        expected = [] if case.rule_id in STATEFUL_RULES else [(case.rule_id, case.pointer)]
        assert labels(validator.validate(case.occurrence)) == expected

    check()
    assert isinstance(find(st.from_type(EventType), lambda _: True), EventType)


@pytest.mark.parametrize("mode", ["partial", "atomic"])
def test_batches_get_their_per_item_outcomes(mode: str) -> None:
    chosen = Settings().replace(batch_mode=mode)
    backend = HubSpotBackend(PROJECT, chosen)

    @settings(max_examples=EXAMPLES, database=None)
    @given(batches(PROJECT.event_types, settings=chosen))
    def check(batch: Any) -> None:
        backend.reset()
        status, answer = post(backend, V4 + "/events/batch", batch.body)
        if mode == "atomic" and batch.rejected:
            assert status in (400, 409)
            assert answer["context"]["index"] == [str(i) for i in batch.rejected]
            return
        assert status == 200, answer
        assert [r["id"] for r in answer["results"]] == [
            batch.body["inputs"][i]["id"] for i in batch.accepted
        ]
        errors = {
            int(e["context"]["index"][0]): e["context"]["rules"] for e in answer.get("errors", [])
        }
        assert errors == {i: [rule_id] for i, rule_id in batch.rejected.items()}

    check()


def test_batches_reach_the_stateful_rules() -> None:
    """HSO005 by an earlier item with the same id, HSO025 by a utk no item uses."""
    backend = HubSpotBackend(PROJECT)
    webinar = PROJECT.event_types["webinar_attended"]

    @settings(max_examples=60, database=None)
    @given(batches([webinar], rules=["HSO005", "HSO025"], min_size=3))
    def check(batch: Any) -> None:
        backend.reset()
        status, answer = post(backend, V4 + "/events/batch", batch.body)
        assert status == 200
        errors = {
            int(e["context"]["index"][0]): e["context"]["rules"] for e in answer.get("errors", [])
        }
        assert errors == {i: [rule_id] for i, rule_id in batch.rejected.items()}

    check()


def test_invalid_batches_break_the_envelope() -> None:
    backend = HubSpotBackend(PROJECT)

    @settings(max_examples=40, database=None)
    @given(invalid_batches(PROJECT.event_types))
    def check(case: Any) -> None:
        status, answer = post(backend, V4 + "/events/batch", case.body)
        assert status == 400
        assert answer["context"]["rules"] == [case.rule_id]

    check()


def test_all_valid_batches_with_no_rules() -> None:
    @settings(max_examples=20, database=None)
    @given(batches(PROJECT.event_types, rules=()))
    def check(batch: Any) -> None:
        assert not batch.rejected and len(batch.accepted) == len(batch.body["inputs"])

    check()


TEMPLATE = {
    "name": "Webinar registration",
    "objectType": "contacts",
    "headerTemplate": "Registered for {{webinar}}",
    "tokens": [
        {"name": "webinar", "label": "Webinar", "type": "string"},
        {"name": "seats", "label": "Seats", "type": "number"},
        {"name": "startsOn", "label": "Starts on", "type": "date"},
        {
            "name": "track",
            "label": "Track",
            "type": "enumeration",
            "options": [{"label": "Intro", "value": "intro"}, {"label": "Pro", "value": "pro"}],
        },
    ],
}


def test_v3_events_are_accepted() -> None:
    backend = HubSpotBackend(PROJECT)
    status, created = post(
        backend, "https://api.hubapi.com/integrators/timeline/v3/42/event-templates", TEMPLATE
    )
    assert status == 201, created

    @settings(max_examples=EXAMPLES, database=None)
    @given(v3_events(created))
    def check(event: dict[str, Any]) -> None:
        status, answer = post(
            backend, "https://api.hubapi.com/integrators/timeline/v3/events", event
        )
        assert status == 201, answer
        assert answer["eventTemplateId"] == created["id"]

    check()
    with pytest.raises(InvalidArgument, match="template_id"):
        find(v3_events(TEMPLATE), lambda _: True)


class Rejected(Exception):
    def __init__(self, status: int, rule_ids: list[str]) -> None:
        super().__init__(status, rule_ids)
        self.status, self.rule_ids = status, rule_ids


def send(session: Any, body: object) -> None:
    """The docs' client (docs/fuzzing.md): raise with the rule ids HubSpot's errors carry."""
    # Serialised by hand so that a JSON null body is sent as `null` (requests' json=None sends
    # no body at all, which HubSpot answers with a content-type error instead).
    response = session.post(
        V4 + "/events",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    if response.status_code >= 400:
        error = response.json()
        raise Rejected(response.status_code, [d.get("code", "") for d in error["errors"]])


def test_the_tutorial_client_surfaces_every_rejection_over_http() -> None:
    """docs/fuzzing.md §2, through `requests` and the in-process fake."""
    import requests

    from pytest_hsevents.fake.inprocess import FakeHubSpot

    fake = FakeHubSpot(PROJECT, base_url="https://api.hubapi.com")
    webinar = PROJECT.event_types["webinar_attended"]

    @settings(max_examples=40, database=None)
    @given(invalid_occurrences(webinar))
    def check(case: InvalidOccurrence) -> None:
        with fake:
            session = requests.Session()
            session.headers["Authorization"] = "Bearer token"
            for earlier in case.prior:
                send(session, earlier)
            with pytest.raises(Rejected) as raised:
                send(session, case.occurrence)
        assert raised.value.rule_ids == [case.rule_id]
        assert raised.value.status == case.rule.status

    check()


def test_a_cold_first_run_passes_the_health_checks(pytester: pytest.Pytester) -> None:
    """A user's first run on a fresh machine: a new process (no faker generators built) and
    a new `.hypothesis` folder (hypothesis' unicode tables not cached). The slow first-time
    work must happen when the strategy is resolved, not in a draw (found by CI: too_slow)."""
    pytester.makepyfile(
        f"""
        from hypothesis import given
        from pytest_hsevents import load_project
        from pytest_hsevents.strategies import invalid_occurrences, occurrences

        WEBINAR = load_project({str(EXAMPLE)!r}).event_types["webinar_attended"]

        @given(occurrences(WEBINAR))
        def test_valid(body):
            assert body["properties"] is not None

        @given(invalid_occurrences(WEBINAR))
        def test_invalid(case):
            assert case.rule_id.startswith("HSO")
        """
    )
    assert not (pytester.path / ".hypothesis").exists()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=2)


def test_a_failing_invalid_occurrence_reads_as_its_rule() -> None:
    """Hypothesis prints the example: the rule's slug and pointer first, not a whole Rule."""
    case = InvalidOccurrence({"id": "evt-0"}, RULES["HSO005"], "/id", ({"id": "evt-0"},))
    assert repr(case) == (
        "InvalidOccurrence(rule='HSO005/id-duplicate', pointer='/id', "
        "occurrence={'id': 'evt-0'}, prior=({'id': 'evt-0'},))"
    )
    items = (BatchItem({"id": "a"}), BatchItem({}, RULES["HSO010"], "/properties"))
    assert repr(Batch({"inputs": [{"id": "a"}, {}]}, items)) == (
        "Batch(items=(BatchItem(accepted, occurrence={'id': 'a'}), "
        "BatchItem(rule='HSO010/properties-missing', pointer='/properties', occurrence={})))"
    )
