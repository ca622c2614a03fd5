"""Find a HubSpot project on disk and read its components the way HubSpot's CLI does.

Discovery, JSON parsing, top-level keys, uids, types and folders follow
`@hubspot/project-parsing-lib` (the parser behind `hs project upload`); the event-type and
app models are built leniently so that bad content becomes diagnostics, never exceptions.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ._pointers import json_pointer
from ._source import Source, read_source
from .model import (
    OBJECT_TYPES,
    PROPERTY_TYPES,
    App,
    EventProperty,
    EventType,
    Project,
    PropertyOption,
)

__all__ = ["ProjectNotFoundError", "load_project"]

METAFILE_SUFFIX = "-hsmeta.json"
ALLOWED_TOP_LEVEL = frozenset({"uid", "type", "config", "dependencies", "permissions"})
UID_PATTERN = re.compile(r"[a-zA-Z0-9_\-.]+")
MAX_UID_LENGTH = 64

# user-facing type -> (folder under srcDir, internal type), as in the parser's constants.
_APP_SUB_DIRS = {
    "api-client": "api-client",
    "app-object": "app-objects",
    "app-object-association": "app-object-associations",
    "page": "pages",
    "pages": "pages",
    "calling": "calling",
    "card": "cards",
    "app-function": "functions",
    "scim": "scim",
    "settings": "settings",
    "marketing-event": "marketing-events",
    "media-bridge": "media-bridge",
    "app-event": "app-events",
    "video-conferencing": "video-conferencing",
    "webhooks": "webhooks",
    "webhooks-journal": "webhooks-journal",
    "workflow-action": "workflow-actions",
    "crm-bulk-action": "actions",
    "telemetry": "telemetry",
    "mcp-client": "mcp-client",
    "mcp-server": "mcp-server",
}
_TOP_DIRS = {"app": "app", "theme": "theme", "cms-assets": "cms-assets"}
_SPECIAL_INTERNAL = {
    "app": "APPLICATION",
    "scim": "SCIM_INTEGRATION",
    "telemetry": "TELEMETRY_CONFIG",
    "cms-assets": "REACT_THEME",
    "pages": "PAGE",
}
COMPONENT_DIRS: Mapping[str, str] = {
    **{key: f"app/{folder}" for key, folder in _APP_SUB_DIRS.items()},
    **_TOP_DIRS,
}
"""Where each component type must live, relative to srcDir."""
INTERNAL_TYPES: Mapping[str, str] = {
    _SPECIAL_INTERNAL.get(key, key.upper().replace("-", "_")): key for key in COMPONENT_DIRS
}
"""The parser's internal type names, mapped back to the user-facing type."""
_KNOWN_FOLDERS = frozenset(COMPONENT_DIRS.values())


class ProjectNotFoundError(FileNotFoundError):
    """The path is neither a project root, a `src/app` folder nor an app folder."""


@dataclass
class LoadedProject:
    """A project's parsed sources, what the checker walks; `build_project` makes the model."""

    root: Path
    src_dir: Path
    config: dict[str, object] = field(default_factory=dict)
    """hsproject.json's object (empty when missing or broken)."""
    sources: list[Source] = field(default_factory=list)
    event_sources: list[Source] = field(default_factory=list)
    """Every app-event file, duplicates of a uid included (each one is checked)."""
    app_source: Source | None = None


def resolve_component_type(raw: str) -> str | None:
    """The user-facing type the parser maps `raw` to (`APP_EVENT` -> `app-event`)."""
    if raw in COMPONENT_DIRS:
        return raw
    return INTERNAL_TYPES.get(raw.upper().replace("-", "_"))


def _locate(path: Path) -> tuple[Path, Path, Source | None]:
    """(project root, srcDir, parsed hsproject.json) for any of the accepted starting points.

    An `hsproject.json` in the folder or above wins (it names srcDir and the platform version);
    without one, a folder holding `src/app` is a root and a folder called `app` is the app.
    """
    path = path.resolve()
    if not path.exists():
        raise ProjectNotFoundError(f"{path}: no such file or directory")
    if path.is_file():
        path = path.parent
    for candidate in (path, *path.parents):
        config_file = candidate / "hsproject.json"
        if config_file.is_file():
            config = read_source(config_file, _display(config_file))
            data = config.data if isinstance(config.data, dict) else {}
            if config.parsed and not isinstance(config.data, dict):
                config.report("HSF002", "hsproject.json must hold a JSON object")
            src = data.get("srcDir")
            src = src if isinstance(src, str) and src else "src"
            src_dir = candidate / src
            if not _is_folder_inside(src_dir, candidate):
                config.report(
                    "HSF010",
                    f"srcDir {src!r} is not a folder of the project; HubSpot's parser stops here",
                    "/srcDir" if "srcDir" in data else "",
                )
            return candidate, src_dir, config
    for candidate in (path, *path.parents):
        if (candidate / "src" / "app").is_dir():
            return candidate, candidate / "src", None
        if candidate.name == "app":
            src_dir = candidate.parent
            return (src_dir.parent if src_dir.name == "src" else src_dir), src_dir, None
    raise ProjectNotFoundError(
        f"{path}: not a HubSpot project (no hsproject.json, src/app folder or app folder)"
    )


def _is_folder_inside(folder: Path, root: Path) -> bool:
    """Whether `folder` is a folder within `root`, symlinks resolved: a srcDir of `/`,
    `../..` or a link to `/usr` is not read."""
    try:
        inside = folder.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
        return False
    return inside and folder.is_dir()


def _display(file: Path) -> Path:
    """How diagnostics name a file: relative to the working directory when inside it."""
    try:
        return file.relative_to(Path.cwd())
    except ValueError:
        return file


def _walk_metafiles(src_dir: Path, unreadable: list[OSError]) -> Iterable[Path]:
    """Every `*-hsmeta.json` under `src_dir` (links to folders are not followed); the folders
    that cannot be listed go to `unreadable`."""
    for folder, dirnames, filenames in os.walk(src_dir, onerror=unreadable.append):
        dirnames[:] = sorted(d for d in dirnames if d != "node_modules")
        for name in sorted(filenames):
            if name.endswith(METAFILE_SUFFIX):
                yield Path(folder) / name


def _version(text: str) -> tuple[int, int]:
    """`2025.2` -> (2025, 2); text that is no version sorts last, so it gates nothing."""
    match = re.match(r"(\d{4})\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else (9999, 0)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _canonical(value: object, known: tuple[str, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    upper = value.upper()
    return upper if upper in known else value


def _build_property(raw: object) -> EventProperty | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    options = raw.get("options")
    return EventProperty(
        name=raw["name"],
        label=_text(raw.get("label")),
        type=_canonical(raw.get("type"), PROPERTY_TYPES),
        options=tuple(
            PropertyOption(label=str(opt.get("label", "")), value=str(opt["value"]))
            for opt in (options if isinstance(options, list) else ())
            if isinstance(opt, dict) and isinstance(opt.get("value"), (str, int, float))
        ),
        object_property=_text(raw.get("objectProperty")),
    )


def build_event_type(uid: str, config: object, path: Path | None) -> EventType:
    """The lenient model of one event type's `config` (missing parts become None/empty)."""
    config = config if isinstance(config, dict) else {}
    raw_properties = config.get("properties")
    properties = tuple(
        prop
        for prop in map(_build_property, raw_properties if isinstance(raw_properties, list) else ())
        if prop is not None
    )
    custom = config.get("supportsCustomObject") is True
    return EventType(
        uid=uid,
        name=_text(config.get("name")),
        object_type=None if custom else _canonical(config.get("objectType"), OBJECT_TYPES),
        supports_custom_object=custom,
        header_template=_text(config.get("headerTemplate")),
        detail_template=_text(config.get("detailTemplate")),
        properties=properties,
        path=path,
    )


def _build_app(uid: str, config: object, path: Path) -> App:
    config = config if isinstance(config, dict) else {}
    auth = config.get("auth")
    auth = auth if isinstance(auth, dict) else {}
    scopes = auth.get("requiredScopes")
    return App(
        uid=uid,
        name=_text(config.get("name")),
        auth_type=_text(auth.get("type")),
        distribution=_text(config.get("distribution")),
        required_scopes=tuple(s for s in scopes if isinstance(s, str))
        if isinstance(scopes, list)
        else (),
        path=path,
    )


def _check_top_level(source: Source, folder: str, platform: str | None) -> str | None:
    """Parser-level checks of one component file; returns its user-facing type if known."""
    data = source.data
    if not isinstance(data, dict):
        source.report("HSF002", f"top-level value is {type(data).__name__}, not an object")
        for key, rule in (("uid", "HSD001"), ("config", "HSD008"), ("type", "HSD005")):
            source.report(rule, f"Missing required field: '{key}'")
        return None
    unexpected = [key for key in data if key not in ALLOWED_TOP_LEVEL]
    if unexpected:
        source.report(
            "HSF003",
            f"Unexpected top-level properties found: {', '.join(unexpected)}",
            json_pointer(unexpected[0]),
        )
    uid = data.get("uid")
    if uid is None or uid == "":
        source.report("HSD001", "Missing required field: 'uid'")
    elif not isinstance(uid, str):
        source.report("HSD003", f"'uid' must be a string, not {json.dumps(uid)}", "/uid")
    else:
        if len(uid) > MAX_UID_LENGTH:
            source.report(
                "HSD002",
                f"'uid' has {len(uid)} characters; the limit is {MAX_UID_LENGTH}",
                "/uid",
            )
        if not UID_PATTERN.fullmatch(uid):
            source.report(
                "HSD003",
                "'uid' should use only letters, numbers, periods, hyphens, and underscores "
                "(for example: app-id_1.2.3)",
                "/uid",
            )
    if "config" not in data:
        source.report("HSD008", "Missing required field: 'config'")
    if "permissions" in data and platform is not None and _version(platform) < (2026, 9):
        source.report(
            "HSF007",
            f'The "permissions" field is not supported on platform version "{platform}". '
            'Upgrade to "2026.09" or later to use component-level permissions.',
            "/permissions",
        )
    raw_type = data.get("type")
    if raw_type is None or raw_type == "":
        source.report("HSD005", "Missing required field: 'type'")
        return None
    kind = resolve_component_type(raw_type) if isinstance(raw_type, str) else None
    if kind is None:
        source.report("HSD006", f"Unsupported type: {raw_type}", "/type")
        return None
    if kind == "app-event" and raw_type != "app-event":
        source.report(
            "HSD007", f"type is spelt {raw_type!r}; HubSpot documents 'app-event'", "/type"
        )
    expected = COMPONENT_DIRS[kind]
    if folder != expected:
        source.report(
            "HSF004",
            f"The directory '{folder}' is incorrect for type '{kind}'. Components of this type "
            f"should only be placed in the '<srcDir>/{expected}' directory",
            "/type",
        )
    return kind


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a project is read and checked.

    Parsing JSON and building the models allocates swarms of objects that live until the
    check ends; letting the collector rescan them again and again costs a large project's
    check ~5% (it was ~20% while pybars parsed every template). Whatever is garbage is
    collected when it runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: Path | str) -> LoadedProject:
    """Read and parse every component file of the project at `path`; see `load_project`."""
    with collector_paused():
        return _read(*_locate(Path(path)))


def _read(root: Path, src_dir: Path, config_source: Source | None) -> LoadedProject:
    config = config_source.data if config_source is not None else None
    loaded = LoadedProject(root, src_dir, config if isinstance(config, dict) else {})
    platform = _text(loaded.config.get("platformVersion"))
    if config_source is not None:
        loaded.sources.append(config_source)
    unreadable: list[OSError] = []
    for file in _walk_metafiles(src_dir, unreadable) if _is_folder_inside(src_dir, root) else ():
        if not _is_inside(file, root):
            source = Source(file, _display(file))
            source.report("HSF012", "a link to a file outside the project; not read")
            loaded.sources.append(source)
            continue
        source = read_source(file, _display(file))
        loaded.sources.append(source)
        folder = file.parent.relative_to(src_dir).as_posix()
        if folder not in _KNOWN_FOLDERS:
            source.report(
                "HSF005",
                f"'{folder}' is not a component folder; HubSpot skips this file",
            )
            continue
        if not source.parsed:
            continue
        kind = _check_top_level(source, folder, platform)
        if kind == "app-event":
            loaded.event_sources.append(source)
        elif kind == "app" and loaded.app_source is not None:
            source.report(
                "HSF009",
                f"Only one app component is allowed; {loaded.app_source.display} is one already",
                "/type",
            )
        elif kind == "app":
            loaded.app_source = source
    for error in unreadable:
        listed = Path(error.filename or src_dir)
        source = Source(listed, _display(listed))
        source.report("HSF013", f"cannot list this folder: {error.strerror or error}")
        loaded.sources.append(source)
    return loaded


def _is_inside(file: Path, root: Path) -> bool:
    try:
        return file.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def _uid_and_config(source: Source) -> tuple[str, object]:
    """A component's uid (the file name's stem when it has none) and its `config`."""
    data = source.data if isinstance(source.data, dict) else {}
    uid = data.get("uid")
    uid = uid if isinstance(uid, str) and uid else source.path.name[: -len(METAFILE_SUFFIX)]
    return uid, data.get("config")


def build_project(loaded: LoadedProject) -> Project:
    """The frozen model of a read project; the first file of a uid defines it."""
    event_types: dict[str, EventType] = {}
    for source in loaded.event_sources:
        uid, config = _uid_and_config(source)
        if uid not in event_types:
            event_types[uid] = build_event_type(uid, config, source.path)
    app = None
    if loaded.app_source is not None:
        app = _build_app(*_uid_and_config(loaded.app_source), loaded.app_source.path)
    return Project(
        root=loaded.root,
        app=app,
        event_types=event_types,
        diagnostics=tuple(d for s in loaded.sources for d in s.diagnostics),
        name=_text(loaded.config.get("name")),
        platform_version=_text(loaded.config.get("platformVersion")),
        src_dir=loaded.src_dir,
    )


def load_project(path: Path | str = ".") -> Project:
    """Load the HubSpot project at `path`: a project root (`hsproject.json`), a `src/app`
    folder or an app folder. Bad content becomes `Project.diagnostics`; only a path that is
    not a project raises `ProjectNotFoundError`."""
    loaded = load(path)
    with collector_paused():
        return build_project(loaded)
