"""Where each plugin setting comes from: marker, then command line, then ini, then default.

Every key exists in all three places: `@pytest.mark.hsevents(key=...)`, `--hsevents-key=...`
and the ini name `hsevents_key`. The keys are the `Settings` fields (the contract's contested
readings) plus seven plugin keys. Kept free of heavy imports: pytest loads it at start-up.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from .settings import Settings, SettingsError, from_mapping

__all__ = [
    "PLUGIN_KEYS",
    "SETTING_HELP",
    "SessionOptions",
    "TestOptions",
    "add_options",
    "marker_values",
    "parse_text",
]

PLUGIN_KEYS: Mapping[str, tuple[object, str]] = {
    "project": (None, "the HubSpot project (root, src/app or app folder); default: from rootdir"),
    "strict": (True, "a rejection the test did not declare with expect_rejection() fails it"),
    "check": (True, "run `hsevents check` on the project first; errors stop the run"),
    "token": (None, "the bearer token the fake requires (default: any token)"),
    "base_url": ("https://api.hubapi.com", "the HubSpot address hsevents_fake answers on"),
    "allow_hosts": ((), "comma-separated hosts the fake's network guard lets through"),
    "block_network": (False, "the guard stops every host but loopback, not only HubSpot's"),
}
"""Plugin keys: name -> (default, help)."""

SETTING_HELP: Mapping[str, str] = {
    "strict_case": "types and objectType must be upper case, as the docs' table says",
    "lowercase_names": "property names must be lower case",
    "lowercase_labels": "property labels must be lower case",
    "reserved_names": "comma-separated property names that templates reserve",
    "select": "comma-separated rule ids or prefixes to keep (HSO,HSH005)",
    "ignore": "comma-separated rule ids or prefixes to drop",
    "id_required": "an occurrence without an id is rejected (HSO004)",
    "id_scope": "where an occurrence id must be unique: event-type or global",
    "extra_data_array": "extraData may be a JSON array as well as an object",
    "lenient_property_values": "property values may be numbers and booleans, not only strings",
    "event_type_uid_alias": "eventTypeName may be the bare uid as well as ae<portal>_<uid>",
    "max_batch_size": "the most inputs one batch request may carry",
    "max_body_bytes": "the largest request body the fake takes",
    "batch_mode": "a batch with bad inputs: partial (keep the good ones) or atomic",
    "partial_batch_status": "the status of a partly accepted batch: 200 or 207",
    "single_success_status": "the status of an accepted single occurrence: 200 or 201",
    "portal_id": "the portal (hub) id the fake answers as",
}
"""Help for every `Settings` field, as `--help`, the ini list and the docs show it."""

_SETTING_DEFAULTS: Mapping[str, object] = {
    f.name: getattr(Settings(), f.name) for f in dataclasses.fields(Settings)
}
KNOWN_KEYS = tuple(sorted({*PLUGIN_KEYS, *_SETTING_DEFAULTS}))
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _default(key: str) -> object:
    return PLUGIN_KEYS[key][0] if key in PLUGIN_KEYS else _SETTING_DEFAULTS[key]


def add_options(parser: pytest.Parser) -> None:
    """One `--hsevents-*` option and one `hsevents_*` ini name per key, plus the report's."""
    group = parser.getgroup("hsevents", "HubSpot timeline events (pytest-hsevents)")
    helps = {**{key: text for key, (_, text) in PLUGIN_KEYS.items()}, **SETTING_HELP}
    for key, text in helps.items():
        default = _default(key)
        shown = "" if default is None else f" (default: {_show(default)})"
        group.addoption(
            f"--hsevents-{key.replace('_', '-')}",
            dest=f"hsevents_{key}",
            metavar="PATH" if key == "project" else "VALUE",
            help=text + shown,
        )
        parser.addini(f"hsevents_{key}", text + shown, type="string", default="")
    group.addoption(
        "--hsevents-report",
        dest="hsevents_report",
        action="append",
        metavar="TYPE",
        help="contract-coverage report: term (the default), json:PATH, html:PATH (with the "
        "timeline cards of what the fakes accepted), or none; repeatable",
    )
    parser.addini(
        "hsevents_report", "contract-coverage reports (term, json:PATH, html:PATH, none)", "args"
    )
    group.addoption(
        "--hsevents-fail-under",
        dest="hsevents_fail_under",
        metavar="PERCENT",
        help="fail the run when fewer than PERCENT of the fake's rules were exercised",
    )
    parser.addini("hsevents_fail_under", "see --hsevents-fail-under", type="string", default="")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    return str(value)


def parse_text(key: str, text: str) -> object:
    """The typed value of `text` for `key`, as given on the command line or in the ini file."""
    default = _default(key)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    if isinstance(default, bool):
        word = text.strip().lower()
        if word not in _TRUE | _FALSE:
            raise SettingsError(f"{key}={text!r}: expected true or false")
        return word in _TRUE
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{key}={text!r}: expected a whole number") from None
    return text


def _check_layer(values: Mapping[str, object], where: str) -> dict[str, object]:
    """`values` with keys checked and typed; errors name `where` the value came from."""
    checked: dict[str, object] = {}
    for key, value in values.items():
        if key not in _SETTING_DEFAULTS and key not in PLUGIN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SettingsError(
                f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(KNOWN_KEYS)}"
            )
        if key == "allow_hosts":
            value = _hosts(value, where)
        if key in ("strict", "check", "block_network") and not isinstance(value, bool):
            raise SettingsError(f"{where}: {key}={value!r}: expected True or False")
        if key in ("token", "base_url") and not isinstance(value, str):
            raise SettingsError(f"{where}: {key}={value!r}: expected a string")
        if key == "project" and not isinstance(value, (str, os.PathLike)):
            raise SettingsError(f"{where}: project={value!r}: expected a path")
        checked[key] = value
    settings_part = {k: v for k, v in checked.items() if k in _SETTING_DEFAULTS}
    try:
        from_mapping(settings_part)
    except SettingsError as error:
        raise SettingsError(f"{where}: {error}") from None
    return checked


def _hosts(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(
        isinstance(host, str) for host in value
    ):
        raise SettingsError(f"{where}: allow_hosts={value!r}: expected a list of host names")
    return tuple(value)


def marker_values(item: pytest.Item) -> dict[str, object]:
    """The `hsevents` markers of `item` merged key by key, the closest one winning."""
    merged: dict[str, object] = {}
    for mark in reversed(list(item.iter_markers("hsevents"))):
        if mark.args:
            raise SettingsError(
                f"@pytest.mark.hsevents takes keyword arguments only, got {mark.args!r}"
            )
        merged.update(mark.kwargs)
    return _check_layer(merged, "@pytest.mark.hsevents")


@dataclass(frozen=True)
class TestOptions:
    """What one test runs with, every layer applied."""

    __test__ = False  # not a test class, whatever pytest's python_classes say

    project: Path | None
    """The project path asked for, or None to discover it from rootdir."""
    strict: bool
    check: bool
    token: str | None
    base_url: str
    setting_changes: Mapping[str, object]
    """`Settings` fields to apply over the project's `[tool.hsevents]`."""
    allow_hosts: tuple[str, ...] = ()
    """Hosts the fake's network guard lets through."""
    block_network: bool = False


@dataclass(frozen=True)
class SessionOptions:
    """The command-line and ini layers, read and checked once at start-up."""

    rootdir: Path
    layers: tuple[dict[str, object], ...]
    """Lowest precedence first: ini, then command line; `project` already a Path."""
    reports: tuple[str, ...]
    """As given; empty means the default (the terminal report, when the fixtures were used)."""
    fail_under: float | None

    @classmethod
    def from_config(cls, config: pytest.Config) -> SessionOptions:
        """Read and check every option and ini value; raise `pytest.UsageError` on bad ones."""
        ini: dict[str, object] = {}
        cli: dict[str, object] = {}
        ini_base = config.inipath.parent if config.inipath else config.rootpath
        try:
            for key in KNOWN_KEYS:
                name = f"hsevents_{key}"
                text = str(config.getini(name) or "").strip()
                if text:
                    ini[key] = _typed_text(key, text, ini_base, f"ini {name}")
                option = config.getoption(name)
                if option is not None:
                    where = f"--hsevents-{key.replace('_', '-')}"
                    cli[key] = _typed_text(key, option, config.invocation_params.dir, where)
            fail_under = _fail_under(config)
        except SettingsError as error:
            raise pytest.UsageError(f"pytest-hsevents: {error}") from None
        reports = tuple(config.getoption("hsevents_report") or config.getini("hsevents_report"))
        for report in reports:
            if report not in ("term", "none") and not report.startswith(("json:", "html:")):
                raise pytest.UsageError(
                    f"pytest-hsevents: --hsevents-report={report!r}: "
                    "expected term, json:PATH, html:PATH or none"
                )
        return cls(config.rootpath, (ini, cli), reports, fail_under)

    def for_item(self, item: pytest.Item) -> TestOptions:
        """The options of one test: markers over command line over ini over defaults."""
        marks = marker_values(item)
        if "project" in marks:
            marks["project"] = self.rootdir / Path(marks["project"])  # type: ignore[arg-type]
        return self.merge(marks)

    def merge(self, top: Mapping[str, object] | None = None) -> TestOptions:
        """Every layer, `top` (a test's markers) highest."""
        values: dict[str, object] = {}
        for layer in (*self.layers, top or {}):
            values.update(layer)
        project = values.get("project")
        token = values.get("token")
        base_url = values.get("base_url", PLUGIN_KEYS["base_url"][0])
        return TestOptions(
            project=project if isinstance(project, Path) else None,
            strict=bool(values.get("strict", True)),
            check=bool(values.get("check", True)),
            token=token if isinstance(token, str) else None,
            base_url=str(base_url),
            setting_changes={k: v for k, v in values.items() if k in _SETTING_DEFAULTS},
            allow_hosts=_hosts(values.get("allow_hosts", ()), "allow_hosts"),
            block_network=bool(values.get("block_network", False)),
        )


def _typed_text(key: str, text: str, base: Path, where: str) -> object:
    if key == "project":
        path = base / Path(text)
        if not path.exists():
            raise SettingsError(f"{where}: {path}: no such file or directory")
        return path
    try:
        value = parse_text(key, text)
    except SettingsError as error:
        raise SettingsError(f"{where}: {error}") from None
    return _check_layer({key: value}, where)[key]


def _fail_under(config: pytest.Config) -> float | None:
    text = config.getoption("hsevents_fail_under") or config.getini("hsevents_fail_under")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise SettingsError(f"--hsevents-fail-under={text!r}: expected a percentage, 0 to 100")
    return value
