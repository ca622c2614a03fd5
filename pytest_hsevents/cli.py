"""`hsevents`: check a project's definitions, list the rules, serve the fake.

Exit codes: 0 clean, 1 problems found, 2 usage error (bad option, path that is no project).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._formats import FORMATS, RENDERERS
from .checker import check_project
from .loader import ProjectNotFoundError, load
from .rules import RULES, RuleFamily, Severity, UnknownRuleError, get_rule
from .settings import Settings, SettingsError, from_mapping, load_settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hsevents",
        description="Contract checks for HubSpot app events (timeline v4) and timeline v3.",
    )
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
    root = load(args.path).project.root
    settings = _settings(args, load_settings(root))
    diagnostics = check_project(args.path, settings)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        return _rules(args)
    except (ProjectNotFoundError, SettingsError, UnknownRuleError) as error:
        print(f"hsevents: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `hsevents rules | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
