"""Benchmark `hsevents check` against HubSpot's own parser on the same generated projects.

Projects of 10, 100 and 750 event types x 50 properties, each type with its own header and
detail templates (several property references, #if/#each blocks, extraData), are timed:

- in-process `check_project` (cold: template cache cleared before every run),
- the `hsevents check` CLI in a fresh interpreter (what a pre-commit hook or CI step pays),
- `@hubspot/project-parsing-lib` 0.23.0 parsing the same tree (recipe A, tests/oracle/parse.mjs;
  skipped when Node or `npm ci --prefix tests/oracle` is missing).

Run: `python benchmarks/bench_check.py [--repeat 3] [--sizes 10,100,750]`. Target: 750 types < 1 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_hsevents.checker import check_project
from pytest_hsevents.settings import Settings
from pytest_hsevents.templates import parse_template

ORACLE = Path(__file__).resolve().parent.parent / "tests" / "oracle"
KINDS = ("string", "number", "date", "enumeration")
APP = {
    "uid": "bench_app",
    "type": "app",
    "config": {
        "name": "Bench app",
        "distribution": "marketplace",
        "auth": {"type": "oauth", "requiredScopes": ["timeline"]},
    },
}


def event_type(index: int, properties: int) -> dict[str, object]:
    """One realistic event type: distinct names, so no two templates share text."""
    names = [f"field{index}x{p}" for p in range(properties)]
    props: list[dict[str, object]] = []
    for p, name in enumerate(names):
        kind = KINDS[p % len(KINDS)]
        prop: dict[str, object] = {"name": name, "label": f"Field {p} of {index}", "type": kind}
        if kind == "enumeration":
            prop["options"] = [{"label": f"Option {o}", "value": f"opt{o}"} for o in range(5)]
        props.append(prop)
    a, b, c, d, e = names[0], names[1], names[2], names[3], names[7]
    return {
        "uid": f"event_type_{index}",
        "type": "app-event",
        "config": {
            "name": f"Event type {index}",
            "objectType": ("CONTACT", "COMPANY", "DEAL", "TICKET")[index % 4],
            "headerTemplate": f"{{{{{a}}}}} did **{{{{{b}}}}}** on {{{{{c}}}}} (type {index})",
            "detailTemplate": (
                f"#### Details for event type {index}\n"
                f"Status: {{{{{d}}}}}; amount {{{{{b}}}}}.\n"
                f"{{{{#if {e}}}}}Flag: {{{{{e}}}}}{{{{else}}}}No flag{{{{/if}}}}\n"
                "{{#if extraData.items}}{{#each extraData.items}}\n"
                "- **{{name}}**: {{value}}\n{{/each}}{{/if}}\n"
                f"Reported at {{{{#formatDate timestamp}}}}{{{{/formatDate}}}} by {{{{{a}}}}}."
            ),
            "properties": props,
        },
    }


def generate(root: Path, types: int, properties: int = 50) -> Path:
    (root / "src" / "app" / "app-events").mkdir(parents=True)
    (root / "hsproject.json").write_text(
        json.dumps({"name": "bench", "srcDir": "src", "platformVersion": "2025.2"})
    )
    (root / "src" / "app" / "app-hsmeta.json").write_text(json.dumps(APP, indent=2))
    for index in range(types):
        path = root / "src" / "app" / "app-events" / f"event-type-{index}-hsmeta.json"
        path.write_text(json.dumps(event_type(index, properties), indent=2))
    return root


def best(seconds: list[float]) -> float:
    return min(seconds)


def time_in_process(root: Path, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        parse_template.cache_clear()
        start = time.perf_counter()
        diagnostics = check_project(root, Settings())
        runs.append(time.perf_counter() - start)
        assert diagnostics == [], diagnostics[:3]
    return runs


def time_cli(root: Path, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest_hsevents", "check", str(root)],
            check=True,
            capture_output=True,
        )
        runs.append(time.perf_counter() - start)
    return runs


def time_oracle(roots: list[Path], repeat: int) -> dict[Path, list[float]] | None:
    """Per-tree parse times inside one Node process (its start-up is not counted)."""
    node = shutil.which("node")
    if node is None or not (ORACLE / "node_modules" / "@hubspot").is_dir():
        return None
    out = subprocess.run(
        [node, "parse.mjs", str(repeat), *(str(r / "src") for r in roots)],
        cwd=ORACLE,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    return {Path(line["srcDir"]).parent: line["seconds"] for line in lines}


def time_node_cli(root: Path, repeat: int) -> list[float] | None:
    """The same parse as a fresh `node` process, start-up included (like our CLI figure)."""
    node = shutil.which("node")
    if node is None or not (ORACLE / "node_modules" / "@hubspot").is_dir():
        return None
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [node, "parse.mjs", "1", str(root / "src")], cwd=ORACLE, check=True, capture_output=True
        )
        runs.append(time.perf_counter() - start)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="10,100,750")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        roots = {n: generate(Path(folder) / f"p{n}", n) for n in sizes}
        oracle = time_oracle(list(roots.values()), args.repeat)
        print(
            f"{'types':>5} {'files KB':>9} {'check_project':>14} {'hsevents CLI':>13} "
            f"{'parser (warm)':>14} {'node parse.mjs':>15} {'ratio in-proc':>14} {'ratio CLI':>10}"
        )
        for n, root in roots.items():
            size = sum(p.stat().st_size for p in root.rglob("*.json")) // 1024
            ours = best(time_in_process(root, args.repeat))
            cli = best(time_cli(root, args.repeat))
            theirs = best(oracle[root]) if oracle else None
            node_cli = time_node_cli(root, args.repeat)
            node_best = best(node_cli) if node_cli else None
            print(
                f"{n:>5} {size:>9} {ours:>13.3f}s {cli:>12.3f}s "
                + (f"{theirs:>13.3f}s " if theirs else f"{'n/a':>14} ")
                + (f"{node_best:>14.3f}s " if node_best else f"{'n/a':>15} ")
                + (f"{ours / theirs:>13.1f}x " if theirs else f"{'n/a':>14} ")
                + (f"{cli / node_best:>9.2f}x" if node_best else f"{'n/a':>10}")
            )
        if oracle is None:
            print("HubSpot's parser not run: install node and `npm ci --prefix tests/oracle`")
        print("ratios are ours / HubSpot parser's; best of", args.repeat, "runs")


if __name__ == "__main__":
    main()
