"""The rule catalogue: stable, well-formed ids, and the docs page generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_hsevents._rules_doc import render_rules_markdown
from pytest_hsevents.rules import RULES, RuleFamily, UnknownRuleError, get_rule, select_rules

PREFIX = {
    RuleFamily.FILE: "HSF",
    RuleFamily.DEFINITION: "HSD",
    RuleFamily.PROPERTY: "HSP",
    RuleFamily.TEMPLATE: "HST",
    RuleFamily.APP: "HSA",
    RuleFamily.OCCURRENCE: "HSO",
    RuleFamily.REQUEST: "HSH",
    RuleFamily.V3: "HSV",
}


def test_ids_match_their_family_and_names_are_unique_slugs() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(set(names)) == len(names)
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert re.fullmatch(PREFIX[rule.family] + r"\d{3}", rule_id), rule_id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.summary.endswith("."), rule_id
        assert rule.docs_url.endswith("#" + rule_id.lower())


def test_request_level_rules_say_how_the_fake_answers() -> None:
    for rule in RULES.values():
        if rule.family in (RuleFamily.OCCURRENCE, RuleFamily.V3):
            assert rule.status in (400, 404, 409), rule.id


def test_lookup_by_id_or_name_and_prefix_selection() -> None:
    assert get_rule("hsd021") is get_rule("name-too-long") is RULES["HSD021"]
    with pytest.raises(UnknownRuleError, match="HSX999"):
        get_rule("HSX999")
    property_rules = select_rules(["HSP"])
    assert property_rules == {rid for rid in RULES if rid.startswith("HSP")}
    assert "HSP004" not in select_rules(["HSP"], ["property-name-lowercase"])
    assert select_rules(ignore=["HS"]) == frozenset()


def test_docs_page_is_generated_from_the_catalogue() -> None:
    page = Path(__file__).parent.parent / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: run `python -m pytest_hsevents._rules_doc > docs/rules.md`"
    )
    for rule_id in RULES:
        assert f"{{#{rule_id.lower()}}}" in page.read_text(encoding="utf-8")
