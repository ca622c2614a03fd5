"""`hsevents`: check a project's definitions, list the rules, serve the fake, preview cards.

Exit codes: 0 clean, 1 problems found, 2 usage error (bad option, path that is no project).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._formats import FORMATS, RENDERERS
from .loader import ProjectNotFoundError, load, load_project
from .rules import RULES, RuleFamily, Severity, UnknownRuleError, get_rule
from .settings import Settings, SettingsError, from_mapping, load_settings

__all__ = ["main"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-hsevents")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hsevents",
        description="Contract checks for HubSpot app events (timeline v4) and timeline v3.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check a project's event-type definitions")
    check.add_argument("path", nargs="?", default=".", help="project root, src/app or app folder")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--select", default=None, help="rule ids or prefixes to keep (HSP,HSD021)")
    check.add_argument("--ignore", default=None, help="rule ids or prefixes to drop")
    for flag, text in (
        ("--strict-case", "types and objectType must be upper case, as the docs' table says"),
        ("--lowercase-names", "property names must be lower case"),
        ("--lowercase-labels", "property labels must be lower case"),
    ):
        check.add_argument(flag, action="store_true", default=None, help=text)

    rules = commands.add_parser("rules", help="list the rule catalogue or explain one rule")
    rules.add_argument("rule", nargs="?", help="a rule id (HSD021) or name (name-too-long)")
    rules.add_argument("--family", choices=[f.value for f in RuleFamily], help="only this family")

    serve = commands.add_parser(
        "serve", help="serve the fake HubSpot for a project's event types over HTTP"
    )
    serve.add_argument("path", nargs="?", default=".", help="project root, src/app or app folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")

    preview = commands.add_parser(
        "preview", help="write every event type's timeline cards to one HTML page"
    )
    preview.add_argument("path", nargs="?", default=".", help="project root, src/app or app folder")
    preview.add_argument("--output", "-o", required=True, help="the HTML file to write")
    preview.add_argument("--seed", type=int, default=0, help="hypothesis seed (default: 0)")
    preview.add_argument("--open", action="store_true", help="open the page in a browser")
    return parser


def _settings(args: argparse.Namespace, base: Settings) -> Settings:
    overrides: dict[str, object] = {}
    for key in ("select", "ignore"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    for key in ("strict_case", "lowercase_names", "lowercase_labels"):
        if getattr(args, key):
            overrides[key] = True
    return from_mapping(overrides, base=base)


def _check(args: argparse.Namespace) -> int:
    from .checker import check_loaded  # pulls in the template parser; `serve` needs none of it

    loaded = load(args.path)
    settings = _settings(args, load_settings(loaded.root))
    diagnostics = check_loaded(loaded, settings)
    output = RENDERERS[args.format](diagnostics)
    if output:
        print(output)
    failing = [d for d in diagnostics if args.strict or d.severity is Severity.ERROR]
    return 1 if failing else 0


def _rules(args: argparse.Namespace) -> int:
    if args.rule:
        rule = get_rule(args.rule)
        print(f"{rule.slug} ({rule.severity.value}, {rule.family.value})")
        print(f"  {rule.summary}")
        print(f"  source: {rule.source}")
        if rule.status:
            print(f"  the fake answers: HTTP {rule.status}")
        if rule.setting:
            print(f"  setting: {rule.setting}")
        print(f"  docs: {rule.docs_url}")
        return 0
    for rule in RULES.values():
        if args.family and rule.family.value != args.family:
            continue
        print(f"{rule.id}  {rule.name:<34} {rule.severity.value:<7} {rule.summary}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from .fake.server import CONTROL_PREFIX, HubSpotServer

    project = load_project(args.path)
    settings = load_settings(project.root)
    server = HubSpotServer(project, settings=settings, host=args.host, port=args.port)
    try:
        server.start()
    except OSError as error:
        where = f"{args.host}:{args.port}"
        print(f"hsevents: error: cannot listen on {where}: {error}", file=sys.stderr)
        return 2
    log = logging.getLogger("pytest_hsevents.server")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print(f"hsevents: serving {len(project.event_types)} event types at {server.url}", flush=True)
    for uid in project.event_types:
        print(f"  {uid}: eventTypeName {server.event_type_name(uid)}", flush=True)
    print(f"  control endpoints: {server.url}{CONTROL_PREFIX}", flush=True)
    errors = sum(1 for d in project.diagnostics if d.severity is Severity.ERROR)
    if errors:
        print(f"  note: {errors} definition errors; run `hsevents check {args.path}`", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        log.removeHandler(handler)
    print("hsevents: server stopped", flush=True)
    return 0


def _preview(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .checker import check_loaded
    from .loader import build_project
    from .preview import preview_page

    loaded = load(args.path)
    settings = load_settings(loaded.root)
    diagnostics = check_loaded(loaded, settings)
    page = preview_page(build_project(loaded), diagnostics, settings=settings, seed_value=args.seed)
    output = Path(args.output)
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as error:
        print(f"hsevents: error: cannot write {output}: {error}", file=sys.stderr)
        return 2
    print(f"hsevents: wrote {output}")
    if args.open:
        import webbrowser

        webbrowser.open(output.resolve().as_uri())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "preview":
            return _preview(args)
        return _rules(args)
    except (ProjectNotFoundError, SettingsError, UnknownRuleError) as error:
        print(f"hsevents: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `hsevents rules | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
