"""The rule catalogue: the one list of everything HubSpot accepts or rejects.

The definition checker, the fake HubSpot, the strategies and the docs all name rules from
here, so a rule id seen in a diagnostic, a rejected request or a generated invalid case
always means the same thing. Ids are stable: never renumber or reuse one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "DOCS_URL",
    "RULES",
    "Rule",
    "RuleFamily",
    "Severity",
    "UnknownRuleError",
    "get_rule",
    "select_rules",
]

DOCS_URL = "https://pytest-hsevents.readthedocs.io/en/latest/rules/"


class Severity(str, enum.Enum):
    """How bad a finding is; only errors fail `hsevents check` unless `--strict`."""

    ERROR = "error"
    WARNING = "warning"


class RuleFamily(str, enum.Enum):
    """What a rule applies to; the id prefix says the same."""

    FILE = "file"  # HSF: discovery, JSON, top-level shape
    DEFINITION = "definition"  # HSD: event-type `config`
    PROPERTY = "property"  # HSP: `config.properties[]`
    TEMPLATE = "template"  # HST: header/detail templates
    APP = "app"  # HSA: the app file and project-wide limits
    OCCURRENCE = "occurrence"  # HSO: an app-event occurrence body
    REQUEST = "request"  # HSH: HTTP-level checks of the fake
    V3 = "v3"  # HSV: timeline v3 templates, tokens and events


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id, a slug, what it checks and where HubSpot says so."""

    id: str
    name: str
    family: RuleFamily
    severity: Severity
    summary: str
    source: str
    status: int | None = None
    """The HTTP status the fake answers with when a request breaks the rule."""
    setting: str | None = None
    """The setting that switches the rule on or changes it, if any."""

    @property
    def docs_url(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}"

    @property
    def slug(self) -> str:
        """`HSD021/name-too-long`: id and name together, as messages show them."""
        return f"{self.id}/{self.name}"


E, W = Severity.ERROR, Severity.WARNING
F, D, P, T, A, OC, H, V = (
    RuleFamily.FILE,
    RuleFamily.DEFINITION,
    RuleFamily.PROPERTY,
    RuleFamily.TEMPLATE,
    RuleFamily.APP,
    RuleFamily.OCCURRENCE,
    RuleFamily.REQUEST,
    RuleFamily.V3,
)
LIB = "@hubspot/project-parsing-lib (HubSpot's CLI parser)"
DOC = "HubSpot docs: App events reference"
SEND = "HubSpot docs: Send event occurrences"
SPEC26 = "HubSpot OpenAPI timeline 2026-03"
SPEC3 = "HubSpot OpenAPI timeline v3"
KIT = "pytest-hsevents (HubSpot never reports this; it shows up as a broken timeline card)"
GUARD = "pytest-hsevents network guard (the request would leave the test for a real host)"

_ALL: tuple[Rule, ...] = (
    # --- files -------------------------------------------------------------------------
    Rule("HSF001", "invalid-json", F, E, "The file is not valid JSON.", LIB),
    Rule("HSF002", "not-an-object", F, E, "The file's top-level JSON value is not an object.", LIB),
    Rule(
        "HSF003",
        "unexpected-top-level-key",
        F,
        E,
        "Only uid, type, config, dependencies and permissions may appear at the top level.",
        LIB,
    ),
    Rule(
        "HSF004",
        "wrong-directory",
        F,
        E,
        "An app-event file must sit in <srcDir>/app/app-events.",
        LIB,
    ),
    Rule(
        "HSF005",
        "skipped-file",
        F,
        W,
        "A *-hsmeta.json file outside any component folder is silently ignored by HubSpot.",
        LIB,
    ),
    Rule(
        "HSF006",
        "missing-app",
        F,
        E,
        "An app-event component needs an app component (type 'app') in the project.",
        LIB,
    ),
    Rule(
        "HSF007",
        "permissions-unsupported",
        F,
        E,
        "A top-level permissions block needs platform version 2026.09 or later.",
        LIB,
    ),
    Rule(
        "HSF008",
        "unreadable-file",
        F,
        E,
        "The file cannot be read as UTF-8 text of a sensible size.",
        KIT,
    ),
    Rule(
        "HSF009",
        "duplicate-app",
        F,
        E,
        "A project has one app component; HubSpot's parser refuses a second.",
        LIB,
    ),
    Rule(
        "HSF010",
        "src-dir-missing",
        F,
        E,
        "hsproject.json's srcDir (default src) names a folder of the project.",
        f"{LIB}: it stops with a FileSystemError",
    ),
    Rule(
        "HSF011",
        "not-a-regular-file",
        F,
        E,
        "A *-hsmeta.json is a regular file (not a FIFO, device or socket); others are not read.",
        "pytest-hsevents (a bound on what the checker opens)",
    ),
    Rule(
        "HSF012",
        "link-outside-project",
        F,
        E,
        "A *-hsmeta.json that links outside the project is not read.",
        "pytest-hsevents (the checker never reads outside the project)",
    ),
    Rule(
        "HSF013",
        "unreadable-folder",
        F,
        E,
        "Every folder under srcDir can be listed; an unreadable one would hide components.",
        "pytest-hsevents (HubSpot's upload would fail)",
    ),
    # --- event-type definition ---------------------------------------------------------
    Rule("HSD001", "uid-missing", D, E, "Every component needs a non-empty uid.", LIB),
    Rule("HSD002", "uid-too-long", D, E, "A uid has at most 64 characters.", LIB),
    Rule(
        "HSD003",
        "uid-pattern",
        D,
        E,
        "A uid uses only letters, digits, periods, hyphens and underscores.",
        LIB,
    ),
    Rule("HSD004", "uid-duplicate", D, E, "A uid is unique across the project.", LIB),
    Rule("HSD005", "type-missing", D, E, "Every component needs a type.", LIB),
    Rule("HSD006", "type-unsupported", D, E, "The component type is not one HubSpot knows.", LIB),
    Rule(
        "HSD007",
        "type-spelling",
        D,
        W,
        "The type is spelt 'app-event'; HubSpot's parser also takes variants like APP_EVENT.",
        DOC,
    ),
    Rule("HSD008", "config-missing", D, E, "Every component needs a config object.", LIB),
    Rule("HSD009", "config-field-type", D, E, "A config field has the wrong JSON type.", DOC),
    Rule(
        "HSD010",
        "unknown-config-key",
        D,
        W,
        "The config has a key the app-event schema does not define.",
        DOC,
    ),
    Rule("HSD020", "name-missing", D, E, "An event type needs a name.", DOC),
    Rule("HSD021", "name-too-long", D, E, "An event type name has at most 50 characters.", DOC),
    Rule(
        "HSD030",
        "object-type-missing",
        D,
        E,
        "An event type needs objectType unless supportsCustomObject is true.",
        DOC,
    ),
    Rule(
        "HSD031",
        "object-type-invalid",
        D,
        E,
        "objectType is one of COMPANY, CONTACT, DEAL, TICKET, APP_OBJECT.",
        DOC,
    ),
    Rule(
        "HSD032",
        "object-type-case",
        D,
        E,
        "objectType is written in upper case (only with strict_case).",
        DOC,
        setting="strict_case",
    ),
    Rule(
        "HSD033",
        "custom-object-with-object-type",
        D,
        E,
        "supportsCustomObject and objectType are mutually exclusive.",
        DOC,
    ),
    Rule(
        "HSD040",
        "header-template-too-long",
        D,
        E,
        "headerTemplate has at most 1,000 characters.",
        DOC,
    ),
    Rule(
        "HSD041",
        "detail-template-too-long",
        D,
        E,
        "detailTemplate has at most 10,000 characters.",
        DOC,
    ),
    Rule("HSD050", "too-many-properties", D, E, "An event type has at most 500 properties.", DOC),
    # --- properties --------------------------------------------------------------------
    Rule("HSP001", "property-name-missing", P, E, "Every property needs a name.", DOC),
    Rule(
        "HSP002", "property-name-too-long", P, E, "A property name has at most 500 characters.", DOC
    ),
    Rule(
        "HSP003",
        "property-name-pattern",
        P,
        E,
        "A property name uses only letters, digits, '_', '-' and '.'.",
        DOC,
    ),
    Rule(
        "HSP004",
        "property-name-lowercase",
        P,
        E,
        "A property name is lower case (only with lowercase_names).",
        DOC,
        setting="lowercase_names",
    ),
    Rule(
        "HSP005", "property-name-hs-prefix", P, E, "A property name must not start with hs_.", DOC
    ),
    Rule(
        "HSP006",
        "property-name-reserved",
        P,
        E,
        "A property name must not be a reserved keyword.",
        DOC,
        setting="reserved_names",
    ),
    Rule(
        "HSP007",
        "property-name-duplicate",
        P,
        E,
        "Property names are unique within the event type.",
        DOC,
    ),
    Rule("HSP010", "property-label-missing", P, E, "Every property needs a label.", DOC),
    Rule(
        "HSP011",
        "property-label-too-long",
        P,
        E,
        "A property label has at most 500 characters.",
        DOC,
    ),
    Rule(
        "HSP012",
        "property-label-lowercase",
        P,
        E,
        "A property label is lower case (only with lowercase_labels).",
        DOC,
        setting="lowercase_labels",
    ),
    Rule(
        "HSP013",
        "property-label-duplicate",
        P,
        W,
        "Property labels are unique within the event type.",
        DOC,
    ),
    Rule("HSP020", "property-type-missing", P, E, "Every property needs a type.", DOC),
    Rule(
        "HSP021",
        "property-type-invalid",
        P,
        E,
        "A property type is one of string, number, date, enumeration.",
        DOC,
    ),
    Rule(
        "HSP022",
        "property-type-case",
        P,
        E,
        "A property type is written in upper case (only with strict_case).",
        DOC,
        setting="strict_case",
    ),
    Rule(
        "HSP030",
        "options-missing",
        P,
        E,
        "An enumeration property needs at least one option.",
        DOC,
    ),
    Rule(
        "HSP031",
        "option-shape",
        P,
        E,
        "Each option is an object with a string label and a string value.",
        SPEC3,
    ),
    Rule(
        "HSP032",
        "option-duplicate",
        P,
        E,
        "Option values and labels are unique within the property.",
        DOC,
    ),
    Rule(
        "HSP033",
        "options-not-enumeration",
        P,
        W,
        "Options only mean something on an enumeration property.",
        SPEC3,
    ),
    Rule(
        "HSP040",
        "stamping-on-custom-object",
        P,
        E,
        "objectProperty (property stamping) is not available on custom-object event types.",
        DOC,
    ),
    # --- templates ---------------------------------------------------------------------
    Rule("HST001", "template-syntax", T, E, "The template is not valid Handlebars.", KIT),
    Rule(
        "HST002",
        "template-unknown-reference",
        T,
        W,
        "The template refers to a property the event type does not define.",
        KIT,
    ),
    Rule(
        "HST003",
        "extra-data-in-header",
        T,
        W,
        "extraData is only available to detailTemplate.",
        DOC,
    ),
    Rule(
        "HST004",
        "template-too-large-to-parse",
        T,
        E,
        "A template over 100,000 characters is not parsed (HubSpot's own limits are far lower).",
        "pytest-hsevents (a bound on the cost of checking a template)",
    ),
    Rule(
        "HST005",
        "template-nesting",
        T,
        E,
        "Blocks and subexpressions nest at most 32 deep.",
        "pytest-hsevents (a bound on the cost of rendering a template)",
        400,
    ),
    Rule(
        "HST006",
        "render-iterations",
        T,
        E,
        "One render loops (#each, blocks over lists) at most 10,000 times.",
        "pytest-hsevents (a bound on the cost of rendering a template)",
        400,
    ),
    Rule(
        "HST007",
        "render-output-size",
        T,
        E,
        "One render writes at most 100,000 characters.",
        "pytest-hsevents (a bound on the cost of rendering a template)",
        400,
    ),
    # --- app and project ---------------------------------------------------------------
    Rule(
        "HSA001",
        "app-oauth-required",
        A,
        E,
        "An app with event types uses OAuth (config.auth.type 'oauth').",
        DOC,
    ),
    Rule(
        "HSA002",
        "app-marketplace-required",
        A,
        E,
        "An app with event types is distributed on the App Marketplace.",
        DOC,
    ),
    Rule(
        "HSA003",
        "app-timeline-scope",
        A,
        E,
        "An app with event types lists 'timeline' in config.auth.requiredScopes.",
        DOC,
    ),
    Rule("HSA004", "too-many-event-types", A, E, "An app has at most 750 event types.", DOC),
    # --- occurrences -------------------------------------------------------------------
    Rule("HSO001", "body-not-object", OC, E, "An occurrence is a JSON object.", SPEC26, 400),
    Rule(
        "HSO002",
        "event-type-name-missing",
        OC,
        E,
        "An occurrence names its event type in eventTypeName.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO003",
        "event-type-unknown",
        OC,
        E,
        "eventTypeName is the fully qualified name of an existing event type.",
        SEND,
        400,
    ),
    Rule(
        "HSO004",
        "id-missing",
        OC,
        E,
        "An occurrence carries an id (required by the OpenAPI; the docs call it optional).",
        SPEC26,
        400,
        setting="id_required",
    ),
    Rule(
        "HSO005",
        "id-duplicate",
        OC,
        E,
        "An occurrence id is unique within its event type; the first one wins.",
        SPEC26,
        409,
        setting="id_scope",
    ),
    Rule(
        "HSO006",
        "field-type",
        OC,
        E,
        "A top-level occurrence field has the wrong JSON type.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO007",
        "unknown-field",
        OC,
        E,
        "An occurrence has a field the API does not define.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO010",
        "properties-missing",
        OC,
        E,
        "An occurrence carries a properties object.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO011",
        "property-unknown",
        OC,
        E,
        "Every property sent is defined on the event type.",
        SEND,
        400,
    ),
    Rule(
        "HSO012",
        "property-not-string",
        OC,
        E,
        "Property values are sent as strings.",
        SPEC26,
        400,
        setting="lenient_property_values",
    ),
    Rule(
        "HSO013",
        "property-number",
        OC,
        E,
        "A number property's value is a decimal number.",
        SEND,
        400,
    ),
    Rule(
        "HSO014",
        "property-date",
        OC,
        E,
        "A date property's value is epoch milliseconds or an ISO 8601 date or date-time.",
        SEND,
        400,
    ),
    Rule(
        "HSO015",
        "property-enumeration",
        OC,
        E,
        "An enumeration property's value is one of its option values (not labels).",
        DOC,
        400,
    ),
    Rule(
        "HSO020",
        "association-missing",
        OC,
        E,
        "An occurrence identifies its CRM record (objectId; utk or email for contacts).",
        SEND,
        400,
    ),
    Rule(
        "HSO021",
        "email-wrong-object",
        OC,
        E,
        "email identifies contacts only.",
        SEND,
        400,
    ),
    Rule("HSO022", "utk-wrong-object", OC, E, "utk identifies contacts only.", SEND, 400),
    Rule(
        "HSO023",
        "domain-wrong-object",
        OC,
        E,
        "domain applies to companies only.",
        SEND,
        400,
    ),
    Rule(
        "HSO024",
        "domain-needs-object-id",
        OC,
        E,
        "domain accompanies objectId; it cannot identify a company by itself.",
        SEND,
        400,
    ),
    Rule(
        "HSO025",
        "utk-cannot-create-contact",
        OC,
        E,
        "utk alone only finds an existing contact; send email too to create one.",
        SEND,
        400,
    ),
    Rule(
        "HSO030",
        "custom-object-name-missing",
        OC,
        E,
        "A custom-object event type needs objectTypeFullyQualifiedName.",
        SEND,
        400,
    ),
    Rule(
        "HSO031",
        "custom-object-name-format",
        OC,
        E,
        "objectTypeFullyQualifiedName has the form p{accountId}_{objectName}.",
        SEND,
        400,
    ),
    Rule(
        "HSO032",
        "custom-object-name-not-allowed",
        OC,
        E,
        "Only custom-object event types accept objectTypeFullyQualifiedName.",
        SEND,
        400,
    ),
    Rule(
        "HSO040",
        "timestamp-format",
        OC,
        E,
        "timestamp is an ISO 8601 date-time.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO041",
        "extra-data-type",
        OC,
        E,
        "extraData is a JSON object.",
        SPEC26,
        400,
        setting="extra_data_array",
    ),
    Rule(
        "HSO050",
        "iframe-field-missing",
        OC,
        E,
        "timelineIFrame has linkLabel, headerLabel, url, width and height.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO051",
        "iframe-field-type",
        OC,
        E,
        "timelineIFrame labels and url are strings; width and height are 32-bit integers.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO060",
        "batch-inputs",
        OC,
        E,
        "A batch body is an object with an inputs array.",
        SPEC26,
        400,
    ),
    Rule(
        "HSO061",
        "batch-too-large",
        OC,
        E,
        "A batch holds at most max_batch_size occurrences (100 by default).",
        "HubSpot docs: legacy timeline batch limit",
        400,
        setting="max_batch_size",
    ),
    # --- HTTP --------------------------------------------------------------------------
    Rule(
        "HSH001",
        "auth-missing",
        H,
        E,
        "Requests carry Authorization: Bearer <token>.",
        SPEC26,
        401,
    ),
    Rule(
        "HSH002",
        "auth-invalid",
        H,
        E,
        "The bearer token is not the one the test requires.",
        SPEC26,
        401,
    ),
    Rule("HSH003", "malformed-json", H, E, "The request body is valid JSON.", SPEC26, 400),
    Rule(
        "HSH004",
        "content-type",
        H,
        E,
        "The request body is sent as application/json.",
        SPEC26,
        400,
    ),
    Rule(
        "HSH005",
        "body-too-large",
        H,
        E,
        "The request body is at most max_body_bytes long.",
        KIT,
        400,
        setting="max_body_bytes",
    ),
    Rule("HSH006", "unknown-endpoint", H, E, "HubSpot has no such endpoint.", SPEC26, 404),
    Rule(
        "HSH007",
        "method-not-allowed",
        H,
        E,
        "The endpoint does not take this HTTP method.",
        SPEC26,
        405,
    ),
    Rule(
        "HSH008",
        "injected-fault",
        H,
        E,
        "The test asked the fake to fail this request (fail_next).",
        KIT,
    ),
    Rule(
        "HSH009",
        "event-type-not-found",
        H,
        E,
        "No event type matches the developerSymbol and projectName given.",
        SPEC26,
        404,
    ),
    Rule(
        "HSH020",
        "not-served",
        H,
        E,
        "A request to a HubSpot host goes to an API the fake serves, or to an allowed host.",
        GUARD,
    ),
    Rule(
        "HSH021",
        "network-blocked",
        H,
        E,
        "With block_network, a request goes to the fake, to loopback or to an allowed host.",
        GUARD,
    ),
    # --- timeline v3 -------------------------------------------------------------------
    Rule(
        "HSV001",
        "v3-template-id-missing",
        V,
        E,
        "A v3 event names its eventTemplateId.",
        SPEC3,
        400,
    ),
    Rule(
        "HSV002",
        "v3-template-unknown",
        V,
        E,
        "eventTemplateId names an existing event template.",
        SPEC3,
        404,
    ),
    Rule("HSV003", "v3-tokens-missing", V, E, "A v3 event carries a tokens object.", SPEC3, 400),
    Rule(
        "HSV004",
        "v3-token-unknown",
        V,
        E,
        "Every token sent is defined on the event template.",
        SPEC3,
        400,
    ),
    Rule(
        "HSV005",
        "v3-token-value",
        V,
        E,
        "A token value matches the token's type (number, date, enumeration option).",
        SPEC3,
        400,
    ),
    Rule(
        "HSV006",
        "v3-event-not-found",
        V,
        E,
        "No event with that template and id has been stored.",
        SPEC3,
        404,
    ),
    Rule(
        "HSV010",
        "v3-template-shape",
        V,
        E,
        "A template has a name, an objectType of contacts, companies, deals or tickets, "
        "and tokens.",
        SPEC3,
        400,
    ),
    Rule(
        "HSV011",
        "v3-token-shape",
        V,
        E,
        "A token has a valid name, a label and a type of date, enumeration, number or "
        "string; enumerations have options.",
        SPEC3,
        400,
    ),
    Rule(
        "HSV012",
        "v3-token-duplicate",
        V,
        E,
        "Token names are unique within a template.",
        SPEC3,
        400,
    ),
    Rule(
        "HSV013",
        "v3-too-many-templates",
        V,
        E,
        "An app has at most 750 event templates.",
        "HubSpot docs: Timeline events",
        400,
    ),
    Rule(
        "HSV014",
        "v3-template-too-long",
        V,
        E,
        "headerTemplate has at most 1,000 characters and detailTemplate at most 10,000, as "
        "for app events; a template nests blocks at most 32 deep.",
        "pytest-hsevents (v3 states no limit; the app-events limits apply)",
        400,
    ),
)
del E, W, F, D, P, T, A, OC, H, V

RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _ALL})
"""Every rule by id, in catalogue order."""

_BY_NAME: Mapping[str, Rule] = MappingProxyType({rule.name: rule for rule in _ALL})


class UnknownRuleError(ValueError):
    """A rule id, name or prefix that matches nothing in the catalogue."""


def get_rule(key: str) -> Rule:
    """The rule with this id (`HSD021`) or name (`name-too-long`)."""
    rule = RULES.get(key.upper()) or _BY_NAME.get(key.lower())
    if rule is None:
        raise UnknownRuleError(f"no rule is called {key!r}; `hsevents rules` lists them all")
    return rule


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> frozenset[str]:
    """Ids of the rules a run keeps: ruff-style prefixes (`HSP`, `HSP00`) or exact names."""

    def expand(keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for key in keys:
            matches = {rid for rid in RULES if rid.startswith(key.upper())}
            if not matches:
                matches = {get_rule(key).id}
            found |= matches
        return found

    selected = expand(select) if select else set(RULES)
    return frozenset(selected - expand(ignore))
