"""The occurrence validator: every stateless rule, one body per rule, and nothing else reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_hsevents import Settings, load_project
from pytest_hsevents.occurrences import OccurrenceValidator, fully_qualified_name

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
PROJECT = load_project(EXAMPLE)
VALIDATOR = OccurrenceValidator(PROJECT)
IFRAME = {
    "linkLabel": "Open",
    "headerLabel": "Card",
    "url": "https://x.example",
    "width": 300,
    "height": 200,
}


def fqn(uid: str) -> str:
    return fully_qualified_name(uid, Settings().portal_id)


def webinar(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventTypeName": fqn("webinar_attended"),
        "id": "w-1",
        "objectId": "101",
        "properties": {
            "webinarName": "Intro",
            "minutesWatched": "42.5",
            "attendedOn": "2025-01-31",
            "attendance": "live",
        },
        "timestamp": "2025-01-31T09:30:00Z",
        "extraData": {"questions": [{"text": "why?"}]},
        "timelineIFrame": dict(IFRAME),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def with_property(name: str, value: object) -> dict[str, Any]:
    body = webinar()
    body["properties"] = {**body["properties"], name: value}
    return body


def other(uid: str, **fields: Any) -> dict[str, Any]:
    return {"eventTypeName": fqn(uid), "id": "o-1", "properties": {}, **fields}


def rule_ids(body: object, validator: OccurrenceValidator = VALIDATOR) -> list[str]:
    return [v.rule_id for v in validator.validate(body)]


def test_a_full_valid_body_has_no_violation() -> None:
    assert VALIDATOR.validate(webinar()) == ()


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ([], "HSO001"),
        (webinar(eventTypeName=None), "HSO002"),
        (webinar(eventTypeName="ae1_nope"), "HSO003"),
        (webinar(id=None), "HSO004"),
        (webinar(objectId=101), "HSO006"),
        (webinar(properties=["x"]), "HSO006"),
        (webinar(timelineIFrame="link"), "HSO006"),
        (webinar(colour="red"), "HSO007"),
        (webinar(properties=None), "HSO010"),
        (with_property("nope", "1"), "HSO011"),
        (with_property("webinarName", 3), "HSO012"),
        (with_property("minutesWatched", "12 minutes"), "HSO013"),
        (with_property("minutesWatched", "NaN"), "HSO013"),
        (with_property("attendedOn", "31/01/2025"), "HSO014"),
        (with_property("attendedOn", "2025-02-30"), "HSO014"),
        (with_property("attendance", "Live"), "HSO015"),
        (webinar(objectId=None), "HSO020"),
        (other("deal_stage_synced"), "HSO020"),
        (other("deal_stage_synced", objectId="1", email="a@b.example"), "HSO021"),
        (other("ticket_escalated", objectId="1", utk="abc"), "HSO022"),
        (webinar(domain="acme.example"), "HSO023"),
        (other("company_enriched", domain="acme.example"), "HSO024"),
        (other("asset_scanned", objectId="5"), "HSO030"),
        (other("asset_scanned", objectId="5", objectTypeFullyQualifiedName="Cats"), "HSO031"),
        (webinar(objectTypeFullyQualifiedName="p1_Cats"), "HSO032"),
        (webinar(timestamp="2025-01-31"), "HSO040"),
        (webinar(timestamp="2025-01-31T09:30:00"), "HSO040"),
        (webinar(extraData=[1, 2]), "HSO041"),
        (webinar(timelineIFrame={k: v for k, v in IFRAME.items() if k != "url"}), "HSO050"),
        (webinar(timelineIFrame={**IFRAME, "width": "300"}), "HSO051"),
        (webinar(timelineIFrame={**IFRAME, "height": 2**31}), "HSO051"),
    ],
)
def test_a_body_breaking_one_rule_reports_exactly_that_rule(body: object, rule: str) -> None:
    assert rule_ids(body) == [rule]


def test_every_violation_is_reported_with_a_pointer() -> None:
    body = webinar(colour="red", timestamp="yesterday", extraData="x")
    body["properties"] = {"minutesWatched": "many", "a/b": "1"}
    found = VALIDATOR.validate(body)
    assert [(v.rule_id, v.pointer) for v in found] == [
        ("HSO007", "/colour"),
        ("HSO013", "/properties/minutesWatched"),
        ("HSO011", "/properties/a~1b"),
        ("HSO040", "/timestamp"),
        ("HSO041", "/extraData"),
    ]
    assert "decimal number" in found[1].message


@pytest.mark.parametrize("text", ["0", "-12", "3.5", ".5", "1e3", "+2.0E-4"])
def test_number_text_accepted(text: str) -> None:
    assert rule_ids(with_property("minutesWatched", text)) == []


@pytest.mark.parametrize(
    "text", ["1706693400000", "2025-01-31", "2025-01-31T09:30:00Z", "2025-01-31T09:30+01:00"]
)
def test_date_text_accepted(text: str) -> None:
    assert rule_ids(with_property("attendedOn", text)) == []


def test_enumeration_message_points_from_label_to_value() -> None:
    (violation,) = VALIDATOR.validate(with_property("attendance", "On demand"))
    assert "'On demand' is the label of 'on_demand'" in violation.message


def test_contacts_may_use_utk_or_email_instead_of_object_id() -> None:
    assert rule_ids(webinar(objectId=None, email="a@b.example")) == []
    assert rule_ids(webinar(objectId=None, utk="token")) == []  # HSO025 needs state


def test_company_takes_domain_with_object_id() -> None:
    assert rule_ids(other("company_enriched", objectId="7", domain="acme.example")) == []


def test_custom_object_type_with_its_name_is_valid() -> None:
    body = other("asset_scanned", objectId="5", objectTypeFullyQualifiedName="p1234567_Cats")
    assert rule_ids(body) == []


def test_settings_change_the_reading() -> None:
    lenient = OccurrenceValidator(
        PROJECT,
        Settings(
            id_required=False,
            extra_data_array=True,
            lenient_property_values=True,
            event_type_uid_alias=False,
        ),
    )
    assert rule_ids(webinar(id=None, extraData=[1]), lenient) == []
    assert rule_ids(with_property("minutesWatched", 12), lenient) == []
    assert rule_ids(webinar(eventTypeName="webinar_attended"), lenient) == ["HSO003"]
    assert VALIDATOR.event_type_for("webinar_attended") is PROJECT.event_types["webinar_attended"]


def test_digits_of_other_scripts_are_not_numbers_or_dates() -> None:
    from pytest_hsevents.occurrences import is_date_time

    assert is_date_time("2024-01-02T00:00:00Z")
    arabic_indic = str.maketrans("0123456789", "".join(chr(0x660 + d) for d in range(10)))
    assert not is_date_time("2024-01-02T00:00:00Z".translate(arabic_indic))
    assert not is_date_time("2025-02-30T00:00:00Z")
