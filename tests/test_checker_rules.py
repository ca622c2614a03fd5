"""Every definition rule (HSF, HSD, HSP, HST, HSA): a file that breaks it, a file fine at its limit.

Each broken case asserts the rule id, the message, the JSON pointer and that the line and
column point at the offending key in the file as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_hsevents.checker import check_project
from pytest_hsevents.model import Diagnostic
from pytest_hsevents.rules import RULES, RuleFamily, Severity
from pytest_hsevents.settings import Settings, SettingsError
from pytest_hsevents.templates import RENDER_RULES

from ._projects import (
    APP,
    APP_PATH,
    DELETE,
    EVENT,
    EVENT_PATH,
    HSPROJECT,
    edit,
    event,
    project_files,
    prop,
    text_at,
    write_project,
)

DEFINITION_FAMILIES = (
    RuleFamily.FILE,
    RuleFamily.DEFINITION,
    RuleFamily.PROPERTY,
    RuleFamily.TEMPLATE,
    RuleFamily.APP,
)


@dataclass(frozen=True)
class Broken:
    """A project that breaks `rule` once, in `file`, at `pointer`, with exactly `message`."""

    rule: str
    changes: Mapping[str, object]
    message: str
    pointer: str
    at: str
    """What the reported line/column points at (the start of the rest of that line)."""
    file: str = EVENT_PATH
    settings: Mapping[str, object] = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.label}" if self.label else self.rule


def ev(**changes: object) -> dict[str, object]:
    return {EVENT_PATH: event(**changes)}


def top(changes: Mapping[str, object]) -> dict[str, object]:
    return {EVENT_PATH: edit(EVENT, changes)}


def props(*entries: object, **config: object) -> dict[str, object]:
    """The event with these properties and templates that use none of them."""
    return ev(properties=list(entries), headerTemplate="Header", detailTemplate="Detail", **config)


def app(changes: Mapping[str, object]) -> dict[str, object]:
    return {APP_PATH: edit(APP, changes)}


BROKEN = [
    # --- files ---------------------------------------------------------------------------
    Broken(
        "HSF001",
        {EVENT_PATH: '{\n  "uid": "demo_event",\n  "type": \n}\n'},
        "Invalid JSON: Expecting value",
        "",
        "}",
    ),
    Broken(
        "HSF001",
        {EVENT_PATH: '{"uid": "demo\tevent"}'},
        "Invalid JSON: Invalid control character",
        "",
        '\tevent"}',
        label="control-character",
    ),
    Broken("HSF001", {EVENT_PATH: ""}, "Invalid JSON: the file is empty", "", "", label="empty"),
    Broken(
        "HSF001",
        {EVENT_PATH: '{"uid": NaN}'},
        "Invalid JSON: NaN is not a JSON value",
        "",
        '{"uid": NaN}',
        label="nan",
    ),
    Broken(
        "HSF001",
        {EVENT_PATH: "\ufeff{}"},
        "Invalid JSON: the file starts with a byte-order mark",
        "",
        "\ufeff{}",
        label="bom",
    ),
    Broken(
        "HSF010",
        {"hsproject.json": {**HSPROJECT, "srcDir": "source"}},
        "srcDir 'source' is not a folder of the project; HubSpot's parser stops here",
        "/srcDir",
        '"srcDir": "source"',
        file="hsproject.json",
    ),
    Broken(
        "HSF002", {EVENT_PATH: "[1, 2]"}, "top-level value is list, not an object", "", "[1, 2]"
    ),
    Broken(
        "HSF003",
        top({"/extra": 1, "/other": 2}),
        "Unexpected top-level properties found: extra, other",
        "/extra",
        '"extra": 1,',
    ),
    Broken(
        "HSF004",
        {EVENT_PATH: DELETE, "src/app/cards/demo-event-hsmeta.json": EVENT},
        "The directory 'app/cards' is incorrect for type 'app-event'. Components of this "
        "type should only be placed in the '<srcDir>/app/app-events' directory",
        "/type",
        '"type": "app-event",',
        file="src/app/cards/demo-event-hsmeta.json",
    ),
    Broken(
        "HSF005",
        {"src/app/events/other-hsmeta.json": event("other")},
        "'app/events' is not a component folder; HubSpot skips this file",
        "",
        "{",
        file="src/app/events/other-hsmeta.json",
    ),
    Broken(
        "HSF006",
        {APP_PATH: DELETE},
        "This 'app-event' component must be a child of the 'app' component. "
        "No *-hsmeta.json files were found with type 'app'",
        "/type",
        '"type": "app-event",',
    ),
    Broken(
        "HSF007",
        top({"/permissions": {"requiredScopes": []}}),
        'The "permissions" field is not supported on platform version "2025.2". '
        'Upgrade to "2026.09" or later to use component-level permissions.',
        "/permissions",
        '"permissions": {',
    ),
    Broken(
        "HSF008",
        {EVENT_PATH: b"\x89PNG\r\n\x1a\n\xff\xfe"},
        "file is not UTF-8 text (byte 0 is invalid)",
        "",
        "",
    ),
    Broken(
        "HSF008",
        {EVENT_PATH: " " * (3 * 1024 * 1024)},
        "file has more than 2,097,152 bytes; definition files over 2,097,152 bytes are not read",
        "",
        "",
        label="huge",
    ),
    Broken(
        "HSF009",
        {"src/app/second-hsmeta.json": edit(APP, {"/uid": "second_app"})},
        f"Only one app component is allowed; {Path('PROJECT') / APP_PATH} is one already",
        "/type",
        '"type": "app",',
        file="src/app/second-hsmeta.json",
    ),
    # --- top-level fields ----------------------------------------------------------------
    Broken("HSD001", top({"/uid": DELETE}), "Missing required field: 'uid'", "", "{"),
    Broken("HSD001", top({"/uid": ""}), "Missing required field: 'uid'", "", "{", label="empty"),
    Broken(
        "HSD002",
        top({"/uid": "u" * 65}),
        "'uid' has 65 characters; the limit is 64",
        "/uid",
        '"uid": "uuu',
    ),
    Broken(
        "HSD003",
        top({"/uid": "demo event!"}),
        "'uid' should use only letters, numbers, periods, hyphens, and underscores "
        "(for example: app-id_1.2.3)",
        "/uid",
        '"uid": "demo event!",',
    ),
    Broken(
        "HSD003",
        top({"/uid": 42}),
        "'uid' must be a string, not 42",
        "/uid",
        '"uid": 42,',
        label="number",
    ),
    Broken(
        "HSD004",
        {"src/app/app-events/copy-hsmeta.json": EVENT},
        "Duplicate uid 'demo_event' also found in: "
        f"{Path('PROJECT') / 'src/app/app-events/demo-event-hsmeta.json'}",
        "/uid",
        '"uid": "demo_event",',
        file="src/app/app-events/copy-hsmeta.json",
    ),
    Broken("HSD005", top({"/type": DELETE}), "Missing required field: 'type'", "", "{"),
    Broken(
        "HSD006",
        top({"/type": "app-events"}),
        "Unsupported type: app-events",
        "/type",
        '"type": "app-events",',
    ),
    Broken(
        "HSD007",
        top({"/type": "APP_EVENT"}),
        "type is spelt 'APP_EVENT'; HubSpot documents 'app-event'",
        "/type",
        '"type": "APP_EVENT",',
    ),
    Broken("HSD008", top({"/config": DELETE}), "Missing required field: 'config'", "", "{"),
    Broken(
        "HSD009",
        ev(name=5),
        "config.name must be a string, not 5",
        "/config/name",
        '"name": 5,',
    ),
    Broken(
        "HSD009",
        top({"/config": []}),
        "config must be an object, not []",
        "/config",
        '"config": []',
        label="config",
    ),
    Broken(
        "HSD010",
        ev(color="red"),
        "config has unknown key 'color'; known keys: detailTemplate, headerTemplate, name, "
        "objectType, properties, supportsCustomObject",
        "/config/color",
        '"color": "red"',
    ),
    Broken(
        "HSD010",
        ev(properties=[{**prop("amount"), "odd/key~": 1}]),
        "property has unknown key 'odd/key~'; known keys: label, name, objectProperty, options, "
        "type",
        "/config/properties/0/odd~1key~0",
        '"odd/key~": 1',
        label="escaped-pointer",
    ),
    Broken("HSD020", ev(name=DELETE), "config.name is required", "/config", '"config": {'),
    Broken(
        "HSD021",
        ev(name="n" * 51),
        "name has 51 characters; the limit is 50",
        "/config/name",
        '"name": "nnn',
    ),
    Broken(
        "HSD030",
        ev(objectType=DELETE),
        "config.objectType is required unless supportsCustomObject is true",
        "/config",
        '"config": {',
    ),
    Broken(
        "HSD031",
        ev(objectType="LEAD"),
        "objectType 'LEAD' is not one of COMPANY, CONTACT, DEAL, TICKET, APP_OBJECT",
        "/config/objectType",
        '"objectType": "LEAD",',
    ),
    Broken(
        "HSD032",
        ev(objectType="contact"),
        "objectType 'contact' must be written 'CONTACT'",
        "/config/objectType",
        '"objectType": "contact",',
        settings={"strict_case": True},
    ),
    Broken(
        "HSD033",
        ev(supportsCustomObject=True),
        'objectType must be left out when supportsCustomObject is true (found "CONTACT")',
        "/config/objectType",
        '"objectType": "CONTACT",',
    ),
    Broken(
        "HSD040",
        ev(headerTemplate="h" * 1001),
        "headerTemplate has 1001 characters; the limit is 1,000",
        "/config/headerTemplate",
        '"headerTemplate": "hhh',
    ),
    Broken(
        "HSD041",
        ev(detailTemplate="d" * 10_001),
        "detailTemplate has 10001 characters; the limit is 10,000",
        "/config/detailTemplate",
        '"detailTemplate": "ddd',
    ),
    Broken(
        "HSD050",
        props(*(prop(f"p{i}") for i in range(501))),
        "event type has 501 properties; the limit is 500",
        "/config/properties",
        '"properties": [',
    ),
    # --- properties ----------------------------------------------------------------------
    Broken(
        "HSP001",
        props({"label": "No name", "type": "string"}),
        "config.properties[0].name is required",
        "/config/properties/0",
        "{",
    ),
    Broken(
        "HSP002",
        props(prop("p" * 501)),
        "property name has 501 characters; the limit is 500",
        "/config/properties/0/name",
        '"name": "ppp',
    ),
    Broken(
        "HSP003",
        props(prop("customer name")),
        "property name 'customer name' may only use letters, digits, '_', '-' and '.'",
        "/config/properties/0/name",
        '"name": "customer name",',
    ),
    Broken(
        "HSP004",
        props(prop("customerName")),
        "property name 'customerName' must be lower case",
        "/config/properties/0/name",
        '"name": "customerName",',
        settings={"lowercase_names": True},
    ),
    Broken(
        "HSP005",
        props(prop("hs_score")),
        "property name 'hs_score' must not start with 'hs_'",
        "/config/properties/0/name",
        '"name": "hs_score",',
    ),
    Broken(
        "HSP006",
        props(prop("timestamp")),
        "property name 'timestamp' is a reserved keyword",
        "/config/properties/0/name",
        '"name": "timestamp",',
    ),
    Broken(
        "HSP006",
        props(prop("plan")),
        "property name 'plan' is a reserved keyword",
        "/config/properties/0/name",
        '"name": "plan",',
        settings={"reserved_names": ["plan"]},
        label="setting",
    ),
    Broken(
        "HSP007",
        props(prop("plan"), {**prop("plan"), "label": "Other"}),
        "property name 'plan' is used twice",
        "/config/properties/1/name",
        '"name": "plan",',
    ),
    Broken(
        "HSP010",
        props({"name": "plan", "type": "string"}),
        "config.properties[0].label is required",
        "/config/properties/0",
        "{",
    ),
    Broken(
        "HSP011",
        props({**prop("plan"), "label": "l" * 501}),
        "property label has 501 characters; the limit is 500",
        "/config/properties/0/label",
        '"label": "lll',
    ),
    Broken(
        "HSP012",
        props({**prop("plan"), "label": "Plan"}),
        "property label 'Plan' must be lower case",
        "/config/properties/0/label",
        '"label": "Plan",',
        settings={"lowercase_labels": True},
    ),
    Broken(
        "HSP013",
        props({**prop("a"), "label": "Same"}, {**prop("b"), "label": "Same"}),
        "property label 'Same' is used twice",
        "/config/properties/1/label",
        '"label": "Same",',
    ),
    Broken(
        "HSP020",
        props({"name": "plan", "label": "Plan"}),
        "config.properties[0].type is required",
        "/config/properties/0",
        "{",
    ),
    Broken(
        "HSP021",
        props(prop("plan", "text")),
        "property type 'text' is not one of STRING, NUMBER, DATE, ENUMERATION",
        "/config/properties/0/type",
        '"type": "text"',
    ),
    Broken(
        "HSP022",
        props(prop("plan", "string")),
        "property type 'string' must be written 'STRING'",
        "/config/properties/0/type",
        '"type": "string"',
        settings={"strict_case": True},
    ),
    Broken(
        "HSP030",
        props(prop("plan", "enumeration")),
        "an enumeration property needs at least one option",
        "/config/properties/0",
        "{",
    ),
    Broken(
        "HSP031",
        props(prop("plan", "enumeration", options=[{"name": "Free", "value": "free"}])),
        'option {"name": "Free", "value": "free"} needs a string label and value '
        "(use 'label', not 'name')",
        "/config/properties/0/options/0",
        "{",
    ),
    Broken(
        "HSP032",
        props(
            prop(
                "plan",
                "enumeration",
                options=[{"label": "Free", "value": "free"}, {"label": "Gratis", "value": "free"}],
            )
        ),
        "option value 'free' is used twice",
        "/config/properties/0/options/1/value",
        '"value": "free"',
    ),
    Broken(
        "HSP033",
        props(prop("plan", "string", options=[{"label": "Free", "value": "free"}])),
        "options are ignored on a string property",
        "/config/properties/0/options",
        '"options": [',
    ),
    Broken(
        "HSP040",
        props(prop("plan", objectProperty="plan"), objectType=DELETE, supportsCustomObject=True),
        "objectProperty is not available on custom-object event types (property stamping)",
        "/config/properties/0/objectProperty",
        '"objectProperty": "plan"',
    ),
    # --- templates -----------------------------------------------------------------------
    Broken(
        "HST001",
        ev(detailTemplate="{{#if plan}}Plan {{plan}}"),
        "detailTemplate is not valid Handlebars: unclosed or malformed tag at character 1: "
        "'{{#if plan}}Plan {{plan}}'",
        "/config/detailTemplate",
        '"detailTemplate": "{{#if plan}}',
    ),
    Broken(
        "HST004",
        ev(detailTemplate="{{plan}}" + "x" * 100_000),
        "detailTemplate cannot be used: 100,008 characters; templates over 100,000 are not parsed",
        "/config/detailTemplate",
        '"detailTemplate": "{{plan}}',
    ),
    Broken(
        "HST005",
        ev(detailTemplate="{{#if plan}}" * 33 + "{{plan}}" + "{{/if}}" * 33),
        "detailTemplate cannot be used: blocks and subexpressions nest 33 deep; the limit is 32",
        "/config/detailTemplate",
        '"detailTemplate": "{{#if plan}}',
    ),
    Broken(
        "HST002",
        ev(headerTemplate="{{customer.name}} upgraded"),
        "headerTemplate refers to {{customer.name}}, which is not a property of this event type",
        "/config/headerTemplate",
        '"headerTemplate": "{{customer.name}}',
    ),
    Broken(
        "HST003",
        ev(headerTemplate="{{customerName}} via {{extraData.source}}"),
        "headerTemplate uses extraData.source; extraData is only available to detailTemplate",
        "/config/headerTemplate",
        '"headerTemplate": "{{customerName}}',
    ),
    # --- app -----------------------------------------------------------------------------
    Broken(
        "HSA001",
        app({"/config/auth/type": "static"}),
        "app auth type is \"static\"; app events need 'oauth'",
        "/config/auth/type",
        '"type": "static",',
        file=APP_PATH,
    ),
    Broken(
        "HSA002",
        app({"/config/distribution": DELETE}),
        "app distribution is null; app events need 'marketplace'",
        "/config/distribution",
        '"config": {',
        file=APP_PATH,
    ),
    Broken(
        "HSA003",
        app({"/config/auth/requiredScopes": ["crm.objects.contacts.read"]}),
        "config.auth.requiredScopes must include 'timeline' for app events",
        "/config/auth/requiredScopes",
        '"requiredScopes": [',
        file=APP_PATH,
    ),
    Broken(
        "HSA004",
        {
            f"src/app/app-events/e{i}-hsmeta.json": event(f"e{i}", detailTemplate=DELETE)
            for i in range(751)
        },
        "the app has 752 event types; the limit is 750",
        "",
        "{",
        file=APP_PATH,
    ),
]


def _check(tmp_path: Path, changes: Mapping[str, object], **settings: object) -> list[Diagnostic]:
    write_project(tmp_path, project_files(changes))
    return check_project(tmp_path, Settings().replace(**settings))


@pytest.mark.parametrize("case", BROKEN, ids=lambda case: case.id)
def test_broken_file_reports_the_rule_where_it_is_broken(tmp_path: Path, case: Broken) -> None:
    diagnostics = _check(tmp_path, case.changes, **case.settings)
    found = [d for d in diagnostics if d.rule_id == case.rule and d.path == tmp_path / case.file]
    assert len(found) == 1, diagnostics
    (diagnostic,) = found
    assert diagnostic.message == case.message.replace("PROJECT", str(tmp_path))
    assert diagnostic.pointer == case.pointer
    assert Path(diagnostic.path) == tmp_path / case.file
    assert diagnostic.line >= 1 and diagnostic.column >= 1
    if diagnostic.path.stat().st_size < 1_000_000:
        assert text_at(tmp_path / case.file, diagnostic.line, diagnostic.column).startswith(
            case.at
        ), (diagnostic.line, diagnostic.column)
    assert str(diagnostic).startswith(
        f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}: {case.rule} "
    )


def test_every_definition_rule_has_a_broken_case() -> None:
    wanted = {rid for rid, rule in RULES.items() if rule.family in DEFINITION_FAMILIES}
    on_disk = {"HSF011", "HSF012", "HSF013"}  # tests/test_hostile_projects.py
    assert wanted - RENDER_RULES - on_disk - {case.rule for case in BROKEN} == set()


def test_the_clean_project_and_the_example_pass(tmp_path: Path) -> None:
    assert _check(tmp_path, {}) == []
    from ._projects import EXAMPLE

    assert check_project(EXAMPLE, Settings()) == []


IGNORE_HSD007 = '[tool.hsevents]\nignore = ["type-spelling"]\n'
FINE_AT_LIMIT = {
    "name-50": ev(name="n" * 50),
    "uid-64": top({"/uid": "u" * 64}),
    "header-1000": ev(headerTemplate="{{customerName}}" + "h" * 984),
    "detail-10000": ev(detailTemplate="{{plan}}" + "d" * 9992),
    "properties-500": ev(
        properties=[prop(f"p{i}") for i in range(500)],
        headerTemplate="{{p0}}",
        detailTemplate="{{p499}}",
    ),
    "property-name-500": props({**prop("p" * 500), "label": "Long"}),
    "property-label-500": props({**prop("plan"), "label": "l" * 500}),
    "event-types-750": {
        EVENT_PATH: DELETE,
        **{f"src/app/app-events/e{i}-hsmeta.json": event(f"e{i}") for i in range(750)},
    },
    "custom-object": ev(objectType=DELETE, supportsCustomObject=True),
    "type-variant-ignored": {**top({"/type": "App-Event"}), "pyproject.toml": IGNORE_HSD007},
    "permissions-2026.09": {
        "hsproject.json": {**HSPROJECT, "platformVersion": "2026.09"},
        EVENT_PATH: edit(EVENT, {"/permissions": {}, "/dependencies": {}}),
    },
    "lower-case-types": props(prop("plan", "enumeration", options=[{"label": "A", "value": "a"}])),
    "upper-case-types": props(prop("plan", "ENUMERATION", options=[{"label": "A", "value": "a"}])),
    "helpers-and-context": ev(
        detailTemplate="{{#formatDate timestamp}}{{/formatDate}} {{#each extraData.rows}}"
        "{{cell}} {{@index}}{{/each}} {{#with extraData.a}}{{b}}{{/with}}"
    ),
    "not-a-metafile": {"src/app/app-events/notes.json": "not json at all"},
}


@pytest.mark.parametrize("changes", FINE_AT_LIMIT.values(), ids=FINE_AT_LIMIT.keys())
def test_fine_at_the_limit(tmp_path: Path, changes: Mapping[str, object]) -> None:
    write_project(tmp_path, project_files(changes))
    assert check_project(tmp_path) == []


# --- settings ------------------------------------------------------------------------------


def _rules(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.rule_id for d in diagnostics]


def test_case_settings_are_off_by_default_and_on_when_asked(tmp_path: Path) -> None:
    changes = props(
        {**prop("customerName", "string"), "label": "Customer Name"},
        objectType="contact",
    )
    write_project(tmp_path, project_files(changes))
    assert check_project(tmp_path, Settings()) == []
    strict = Settings(strict_case=True, lowercase_names=True, lowercase_labels=True)
    assert sorted(_rules(check_project(tmp_path, strict))) == [
        "HSD032",
        "HSP004",
        "HSP012",
        "HSP022",
    ]


def test_reserved_names_setting_replaces_the_default_list(tmp_path: Path) -> None:
    write_project(tmp_path, project_files(props(prop("timestamp"), prop("plan"))))
    assert _rules(check_project(tmp_path, Settings())) == ["HSP006"]
    custom = check_project(tmp_path, Settings().replace(reserved_names=["PLAN"]))
    assert [(d.rule_id, d.pointer) for d in custom] == [("HSP006", "/config/properties/1/name")]


def test_select_and_ignore_filter_by_id_prefix_and_name(tmp_path: Path) -> None:
    changes = props(prop("hs_x"), prop("bad name"), name="n" * 51)
    write_project(tmp_path, project_files(changes))
    assert sorted(_rules(check_project(tmp_path, Settings()))) == ["HSD021", "HSP003", "HSP005"]
    only_properties = check_project(tmp_path, Settings().replace(select=["HSP"]))
    assert sorted(_rules(only_properties)) == ["HSP003", "HSP005"]
    ignored = check_project(tmp_path, Settings().replace(ignore=["name-too-long", "HSP005"]))
    assert _rules(ignored) == ["HSP003"]


def test_pyproject_table_is_picked_up(tmp_path: Path) -> None:
    write_project(tmp_path, project_files(props(prop("customerName"))))
    assert check_project(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text(
        '[tool.hsevents]\nlowercase-names = true\nignore = ["HSD"]\n', encoding="utf-8"
    )
    assert _rules(check_project(tmp_path)) == ["HSP004"]
    assert _rules(check_project(tmp_path / "src" / "app")) == ["HSP004"]


def test_pyproject_unknown_key_is_a_clear_error(tmp_path: Path) -> None:
    write_project(tmp_path, project_files())
    (tmp_path / "pyproject.toml").write_text(
        "[tool.hsevents]\nstrictcase = true\n", encoding="utf-8"
    )
    with pytest.raises(
        SettingsError,
        match=r"pyproject\.toml: \[tool\.hsevents\] unknown "
        r"setting 'strictcase'; known settings: .*strict_case",
    ):
        check_project(tmp_path)


def test_warnings_and_errors_keep_their_catalogue_severity(tmp_path: Path) -> None:
    changes = ev(color="red", name="n" * 51)
    diagnostics = _check(tmp_path, changes)
    assert {d.rule_id: d.severity for d in diagnostics} == {
        "HSD010": Severity.WARNING,
        "HSD021": Severity.ERROR,
    }


def test_every_copy_of_a_duplicate_uid_is_checked(tmp_path: Path) -> None:
    copy = event(name="n" * 51)
    diagnostics = _check(tmp_path, {"src/app/app-events/copy-hsmeta.json": copy})
    assert sorted(_rules(diagnostics)) == ["HSD004", "HSD004", "HSD021"]
