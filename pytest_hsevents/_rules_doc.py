"""Render the rule catalogue as the docs page `docs/rules.md` (kept in sync by a test).

Run `python -m pytest_hsevents._rules_doc > docs/rules.md` after changing `rules.py`.
"""

from __future__ import annotations

from .rules import RULES, RuleFamily

_TITLES = {
    RuleFamily.FILE: "Files (HSF)",
    RuleFamily.DEFINITION: "Event-type definitions (HSD)",
    RuleFamily.PROPERTY: "Event-type properties (HSP)",
    RuleFamily.TEMPLATE: "Templates (HST)",
    RuleFamily.APP: "App and project (HSA)",
    RuleFamily.OCCURRENCE: "Occurrences (HSO)",
    RuleFamily.REQUEST: "HTTP requests (HSH)",
    RuleFamily.V3: "Timeline v3 (HSV)",
}


def render_rules_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "<!-- Generated from pytest_hsevents/rules.py by "
        "`python -m pytest_hsevents._rules_doc`; do not edit by hand. -->",
        "",
        "Every rule has a stable id (never renumbered or reused), a name, a severity and the",
        "source that states it. `hsevents rules ID` prints the same. Select or ignore rules by",
        "id, id prefix (`HSP`) or name, on the command line or in `[tool.hsevents]`.",
        "",
    ]
    for family, title in _TITLES.items():
        lines += [f"## {title}", ""]
        for rule in RULES.values():
            if rule.family is not family:
                continue
            lines += [f"### {rule.id} {rule.name} {{#{rule.id.lower()}}}", "", rule.summary, ""]
            facts = [f"severity: {rule.severity.value}", f"source: {rule.source}"]
            if rule.status is not None:
                facts.append(f"the fake answers HTTP {rule.status}")
            if rule.setting is not None:
                facts.append(f"setting: `{rule.setting}`")
            lines += [f"- {fact}" for fact in facts] + [""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_rules_markdown(), end="")
