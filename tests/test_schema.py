"""EventType.json_schema() agrees with the strategies (and so with the validator)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_hsevents.loader import load_project
from pytest_hsevents.settings import Settings
from pytest_hsevents.strategies import (
    STATEFUL_RULES,
    InvalidOccurrence,
    event_types,
    invalid_occurrences,
    occurrences,
)

from ._projects import EXAMPLE

PROJECT = load_project(EXAMPLE)
SETTINGS = [
    Settings(),
    Settings().replace(id_required=False, extra_data_array=True, event_type_uid_alias=False),
    Settings().replace(lenient_property_values=True, portal_id=99),
]


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("chosen", SETTINGS, ids=["default", "loose", "lenient"])
@pytest.mark.parametrize("uid", sorted(PROJECT.event_types))
def test_schema_accepts_valid_and_rejects_invalid_draws(uid: str, chosen: Settings) -> None:
    event_type = PROJECT.event_types[uid]
    schema = validator_for(event_type.json_schema(chosen))

    @settings(max_examples=25, database=None)
    @given(occurrences(event_type, settings=chosen))
    def valid(body: dict[str, Any]) -> None:
        assert list(schema.iter_errors(body)) == []

    @settings(max_examples=60, database=None)
    @given(invalid_occurrences(event_type, settings=chosen))
    def invalid(case: InvalidOccurrence) -> None:
        errors = list(schema.iter_errors(case.occurrence))
        if case.rule_id in STATEFUL_RULES:
            assert errors == []  # a schema cannot know what the fake has stored
        else:
            assert errors, f"{case.rule_id} at {case.pointer!r} passed the schema"

    valid()
    invalid()


def test_schema_agrees_on_arbitrary_event_types() -> None:
    @settings(max_examples=40, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event_type = data.draw(event_types())
        schema = validator_for(event_type.json_schema())
        assert list(schema.iter_errors(data.draw(occurrences(event_type)))) == []
        case = data.draw(invalid_occurrences(event_type))
        assert bool(list(schema.iter_errors(case.occurrence))) != (case.rule_id in STATEFUL_RULES)

    check()


def test_schema_names_the_event_type_and_its_fields() -> None:
    deal = PROJECT.event_types["deal_stage_synced"]
    schema = deal.json_schema()
    assert schema["properties"]["eventTypeName"]["enum"] == [
        "ae1234567_deal_stage_synced",
        "deal_stage_synced",
    ]
    assert schema["properties"]["properties"]["properties"]["stage"]["enum"] == [
        "lost",
        "proposal",
        "qualified",
        "won",
    ]
    assert schema["required"] == ["eventTypeName", "id", "properties"]
    assert "email" not in schema["properties"]
