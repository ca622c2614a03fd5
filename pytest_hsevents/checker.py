"""`check_project`: every definition rule of the catalogue, applied to a project on disk."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from ._pointers import escape_token, json_pointer
from ._source import Source
from .loader import UID_PATTERN, LoadedProject, collector_paused, load
from .model import OBJECT_TYPES, PROPERTY_TYPES, Diagnostic
from .rules import select_rules
from .settings import Settings, load_settings
from .templates import TemplateInfo, parse_templates

__all__ = ["check_loaded", "check_project"]

MAX_NAME = 50
MAX_HEADER = 1_000
MAX_DETAIL = 10_000
MAX_PROPERTIES = 500
MAX_PROPERTY_TEXT = 500
MAX_EVENT_TYPES = 750
CONFIG_KEYS = frozenset(
    {
        "name",
        "objectType",
        "supportsCustomObject",
        "headerTemplate",
        "detailTemplate",
        "properties",
    }
)
PROPERTY_KEYS = frozenset({"name", "label", "type", "options", "objectProperty"})
_JSON_TYPES = {str: "a string", bool: "true or false", list: "an array", dict: "an object"}
_TEMPLATE_CONTEXT = frozenset({"timestamp", "this"})
_HELPERS = frozenset({"if", "unless", "each", "with", "lookup", "log", "else", "formatDate"})
_LOWERCASE = re.compile(r"[^A-Z]*")


def _describe(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _typed(source: Source, value: object, expected: type, where: str, field: str) -> bool:
    """True when `value` has the JSON type; otherwise report HSD009 and return False."""
    if isinstance(value, expected) and not (expected is not bool and isinstance(value, bool)):
        return True
    source.report(
        "HSD009", f"{field} must be {_JSON_TYPES[expected]}, not {_describe(value)}", where
    )
    return False


@dataclass(frozen=True)
class _TemplateUse:
    """A template to check once every template is parsed, with what it may refer to."""

    source: Source
    text: str
    key: str
    where: str
    names: AbstractSet[str]
    """The event type's property names (a set no one changes once its config is checked)."""


def _check_config(source: Source, config: object, settings: Settings) -> list[_TemplateUse]:
    """Check an event type's config; its templates' references are checked afterwards."""
    if not _typed(source, config, dict, "/config", "config"):
        return []
    assert isinstance(config, dict)
    for key in config:
        if key not in CONFIG_KEYS:
            source.report(
                "HSD010",
                f"config has unknown key {key!r}; known keys: {', '.join(sorted(CONFIG_KEYS))}",
                json_pointer("config", key),
            )
    name = config.get("name")
    if name is None or name == "":
        source.report("HSD020", "config.name is required", "/config")
    elif _typed(source, name, str, "/config/name", "config.name") and len(name) > MAX_NAME:
        source.report(
            "HSD021",
            f"name has {len(name)} characters; the limit is {MAX_NAME}",
            "/config/name",
        )
    custom_raw = config.get("supportsCustomObject")
    custom = False
    if custom_raw is not None and _typed(
        source, custom_raw, bool, "/config/supportsCustomObject", "config.supportsCustomObject"
    ):
        custom = bool(custom_raw)
    object_type = config.get("objectType")
    if custom and object_type is not None:
        source.report(
            "HSD033",
            "objectType must be left out when supportsCustomObject is true "
            f"(found {_describe(object_type)})",
            "/config/objectType",
        )
    elif object_type is None and not custom:
        source.report(
            "HSD030",
            "config.objectType is required unless supportsCustomObject is true",
            "/config",
        )
    elif object_type is not None and _typed(
        source, object_type, str, "/config/objectType", "config.objectType"
    ):
        if object_type.upper() not in OBJECT_TYPES:
            source.report(
                "HSD031",
                f"objectType {object_type!r} is not one of {', '.join(OBJECT_TYPES)}",
                "/config/objectType",
            )
        elif settings.strict_case and object_type != object_type.upper():
            source.report(
                "HSD032",
                f"objectType {object_type!r} must be written {object_type.upper()!r}",
                "/config/objectType",
            )
    properties = config.get("properties")
    names: set[str] = set()
    uses: list[_TemplateUse] = []
    if properties is not None and _typed(
        source, properties, list, "/config/properties", "config.properties"
    ):
        assert isinstance(properties, list)
        if len(properties) > MAX_PROPERTIES:
            source.report(
                "HSD050",
                f"event type has {len(properties)} properties; the limit is {MAX_PROPERTIES}",
                "/config/properties",
            )
        _check_properties(source, properties, custom, settings, names)
    for key, limit, rule in (
        ("headerTemplate", MAX_HEADER, "HSD040"),
        ("detailTemplate", MAX_DETAIL, "HSD041"),
    ):
        template = config.get(key)
        where = json_pointer("config", key)
        if template is None or not _typed(source, template, str, where, f"config.{key}"):
            continue
        if len(template) > limit:
            source.report(
                rule, f"{key} has {len(template)} characters; the limit is {limit:,}", where
            )
        if "{{" in template:
            uses.append(_TemplateUse(source, template, key, where, names))
    return uses


def _check_template(use: _TemplateUse, info: TemplateInfo) -> None:
    source, key, where, names = use.source, use.key, use.where, use.names
    if info.error:
        what = "is not valid Handlebars" if info.rule == "HST001" else "cannot be used"
        source.report(info.rule, f"{key} {what}: {info.error}", where)
        return
    for path in info.references:
        head = path[0]
        if head == "extraData":
            if key == "headerTemplate":
                source.report(
                    "HST003",
                    f"headerTemplate uses {'.'.join(path)}; extraData is only available to "
                    "detailTemplate",
                    where,
                )
        elif not (head in names or head in _TEMPLATE_CONTEXT or head in _HELPERS or head[0] == "@"):
            source.report(
                "HST002",
                f"{key} refers to {{{{{'.'.join(path)}}}}}, which is not a property of "
                "this event type",
                where,
            )


def _check_properties(
    source: Source, properties: list[object], custom: bool, settings: Settings, names: set[str]
) -> None:
    labels: set[str] = set()
    reserved = {name.lower() for name in settings.reserved_names}
    for index, prop in enumerate(properties):
        base = f"/config/properties/{index}"
        if not (
            isinstance(prop, dict)
            or _typed(source, prop, dict, base, f"config.properties[{index}]")
        ):
            continue
        assert isinstance(prop, dict)
        if not PROPERTY_KEYS.issuperset(prop):
            for key in prop:
                if key not in PROPERTY_KEYS:
                    source.report(
                        "HSD010",
                        f"property has unknown key {key!r}; known keys: "
                        f"{', '.join(sorted(PROPERTY_KEYS))}",
                        f"{base}/{escape_token(key)}",
                    )
        # the common case (right types, no finding) formats no pointer and no field name
        name = prop.get("name")
        if name is None or name == "":
            source.report("HSP001", f"config.properties[{index}].name is required", base)
        elif isinstance(name, str) or _typed(
            source, name, str, f"{base}/name", f"config.properties[{index}].name"
        ):
            assert isinstance(name, str)
            _check_property_name(source, name, f"{base}/name", settings, reserved, names)
        label = prop.get("label")
        if label is None or label == "":
            source.report("HSP010", f"config.properties[{index}].label is required", base)
        elif isinstance(label, str) or _typed(
            source, label, str, f"{base}/label", f"config.properties[{index}].label"
        ):
            assert isinstance(label, str)
            _check_property_text(
                source, "label", label, f"{base}/label", settings.lowercase_labels, labels
            )
        kind = _check_property_type(source, prop.get("type"), base, index, settings)
        _check_options(source, prop, kind, base)
        stamped = prop.get("objectProperty")
        if (
            stamped is not None
            and _typed(source, stamped, str, f"{base}/objectProperty", "objectProperty")
            and custom
        ):
            source.report(
                "HSP040",
                "objectProperty is not available on custom-object event types (property stamping)",
                f"{base}/objectProperty",
            )


def _check_property_name(
    source: Source, name: str, where: str, settings: Settings, reserved: set[str], names: set[str]
) -> None:
    _check_property_text(source, "name", name, where, settings.lowercase_names, names)
    if not UID_PATTERN.fullmatch(name):
        source.report(
            "HSP003",
            f"property name {name!r} may only use letters, digits, '_', '-' and '.'",
            where,
        )
    lowered = name.lower()
    if lowered.startswith("hs_"):
        source.report("HSP005", f"property name {name!r} must not start with 'hs_'", where)
    if lowered in reserved:
        source.report("HSP006", f"property name {name!r} is a reserved keyword", where)


_TEXT_RULES = {"name": ("HSP002", "HSP004", "HSP007"), "label": ("HSP011", "HSP012", "HSP013")}
"""A property name's and label's rules for: too long, not lower case, used twice."""


def _check_property_text(
    source: Source, field: str, text: str, where: str, lowercase: bool, seen: set[str]
) -> None:
    too_long, not_lower, twice = _TEXT_RULES[field]
    if len(text) > MAX_PROPERTY_TEXT:
        source.report(
            too_long,
            f"property {field} has {len(text)} characters; the limit is {MAX_PROPERTY_TEXT}",
            where,
        )
    if lowercase and not _LOWERCASE.fullmatch(text):
        source.report(not_lower, f"property {field} {text!r} must be lower case", where)
    if text in seen:
        source.report(twice, f"property {field} {text!r} is used twice", where)
    seen.add(text)


def _check_property_type(
    source: Source, kind: object, base: str, index: int, settings: Settings
) -> str | None:
    if kind is None:
        source.report("HSP020", f"config.properties[{index}].type is required", base)
        return None
    if not isinstance(kind, str):
        _typed(source, kind, str, f"{base}/type", f"config.properties[{index}].type")
        return None
    upper = kind.upper()
    if upper not in PROPERTY_TYPES:
        source.report(
            "HSP021",
            f"property type {kind!r} is not one of {', '.join(PROPERTY_TYPES)}",
            f"{base}/type",
        )
        return None
    if settings.strict_case and kind != upper:
        source.report("HSP022", f"property type {kind!r} must be written {upper!r}", f"{base}/type")
    return upper


def _check_options(source: Source, prop: dict[str, object], kind: str | None, base: str) -> None:
    options = prop.get("options")
    if kind != "ENUMERATION":
        if options is not None and kind is not None:
            source.report(
                "HSP033", f"options are ignored on a {kind.lower()} property", f"{base}/options"
            )
        return
    where = f"{base}/options"
    if options is None or options == []:
        source.report("HSP030", "an enumeration property needs at least one option", base)
        return
    if not _typed(source, options, list, where, "options"):
        return
    assert isinstance(options, list)
    seen: dict[str, set[str]] = {"value": set(), "label": set()}
    for index, option in enumerate(options):
        label = option.get("label") if isinstance(option, dict) else None
        value = option.get("value") if isinstance(option, dict) else None
        if not (label and value and isinstance(label, str) and isinstance(value, str)):
            at = f"{where}/{index}"
            extra = ""
            if isinstance(option, dict) and "name" in option and "label" not in option:
                extra = " (use 'label', not 'name')"
            source.report(
                "HSP031",
                f"option {_describe(option)} needs a string label and value{extra}",
                at,
            )
            continue
        for key, text in (("value", value), ("label", label)):
            if text in seen[key]:
                source.report(
                    "HSP032", f"option {key} {text!r} is used twice", f"{where}/{index}/{key}"
                )
            seen[key].add(text)


def _check_app(loaded_app: Source, has_event_types: bool) -> None:
    data = loaded_app.data
    if not has_event_types or not isinstance(data, dict):
        return
    config = data.get("config")
    config = config if isinstance(config, dict) else {}
    auth = config.get("auth")
    auth = auth if isinstance(auth, dict) else {}
    if auth.get("type") != "oauth":
        loaded_app.report(
            "HSA001",
            f"app auth type is {_describe(auth.get('type'))}; app events need 'oauth'",
            "/config/auth/type",
        )
    if config.get("distribution") != "marketplace":
        loaded_app.report(
            "HSA002",
            f"app distribution is {_describe(config.get('distribution'))}; app events need "
            "'marketplace'",
            "/config/distribution",
        )
    scopes = auth.get("requiredScopes")
    if not isinstance(scopes, list) or "timeline" not in scopes:
        loaded_app.report(
            "HSA003",
            "config.auth.requiredScopes must include 'timeline' for app events",
            "/config/auth/requiredScopes",
        )


def _templates(configs: Iterable[object]) -> Iterator[str]:
    for config in configs:
        if isinstance(config, dict):
            for key in ("headerTemplate", "detailTemplate"):
                text = config.get(key)
                if isinstance(text, str):
                    yield text


def check_loaded(loaded: LoadedProject, settings: Settings) -> list[Diagnostic]:
    """The diagnostics of an already loaded project, filtered by `settings.select/ignore`."""
    configs = [
        (source, source.data["config"])
        for source in loaded.event_sources
        if isinstance(source.data, dict) and "config" in source.data
    ]
    uses: list[_TemplateUse] = []

    def check_configs() -> None:
        for source, config in configs:
            uses.extend(_check_config(source, config, settings))

    with collector_paused():
        parsed = parse_templates(_templates(config for _, config in configs), check_configs)
        for use in uses:
            _check_template(use, parsed[use.text])
    uids: dict[str, list[Source]] = defaultdict(list)
    for source in loaded.sources:
        if source.path.name != "hsproject.json" and isinstance(source.data, dict):
            uid = source.data.get("uid")
            if isinstance(uid, str) and uid:
                uids[uid].append(source)
    for uid, sources in uids.items():
        if len(sources) > 1:
            for source in sources:
                others = ", ".join(str(s.display) for s in sources if s is not source)
                source.report("HSD004", f"Duplicate uid '{uid}' also found in: {others}", "/uid")
    if loaded.app_source is not None:
        _check_app(loaded.app_source, bool(loaded.event_sources))
    else:
        for source in loaded.event_sources:
            source.report(
                "HSF006",
                "This 'app-event' component must be a child of the 'app' component. "
                "No *-hsmeta.json files were found with type 'app'",
                "/type",
            )
    count = len(loaded.event_sources)
    if count > MAX_EVENT_TYPES:
        target = loaded.app_source or loaded.event_sources[0]
        target.report("HSA004", f"the app has {count} event types; the limit is {MAX_EVENT_TYPES}")
    keep = select_rules(settings.select, settings.ignore)
    found = [d for s in loaded.sources for d in s.diagnostics if d.rule.id in keep]
    found.sort(key=lambda d: (str(d.path), d.line, d.column, d.rule.id))
    return found


def check_project(path: Path | str = ".", settings: Settings | None = None) -> list[Diagnostic]:
    """Every problem HubSpot would reject in the project at `path` (empty when clean).

    Settings default to the `[tool.hsevents]` table of the project's `pyproject.toml`.
    Raises `ProjectNotFoundError` only when `path` is not a project at all, and
    `SettingsError` when that table is broken.
    """
    loaded = load(path)
    if settings is None:
        settings = load_settings(loaded.root)
    return check_loaded(loaded, settings)
