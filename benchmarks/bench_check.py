"""Benchmark `hsevents check` against HubSpot's own parser on the same generated projects.

Projects of 10, 100 and 750 event types x 50 properties, each type with its own header and
detail templates (several property references, #if/#each blocks, extraData), are timed:

- in-process `check_project` (cold: template cache cleared before every run),
- the `hsevents check` CLI in a fresh interpreter (what a pre-commit hook or CI step pays),
- `@hubspot/project-parsing-lib` 0.23.0 parsing the same tree (recipe A, tests/oracle/parse.mjs;
  skipped when Node or `npm ci --prefix tests/oracle` is missing), in-process and as a fresh
  `node` process.

Each figure is the best of `--repeat` runs, wall time and CPU time (the machine may be shared:
the load average is printed). Run: `python benchmarks/bench_check.py [--repeat 3]
[--sizes 10,100,750]`. Target: 750 types < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.3f} / {self.cpu:.3f}"


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.wall)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_in_process(root: Path, repeat: int) -> list[Run]:
    runs = []
    for _ in range(repeat):
        parse_template.cache_clear()
        start, cpu = time.perf_counter(), time.process_time()
        diagnostics = check_project(root, Settings())
        runs.append(Run(time.perf_counter() - start, time.process_time() - cpu))
        assert diagnostics == [], diagnostics[:3]
    return runs


def time_process(command: list[str], repeat: int, cwd: Path | None = None) -> list[Run]:
    """A fresh process per run, start-up included; CPU time of the process and its children."""
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        runs.append(Run(time.perf_counter() - start, children_cpu() - cpu))
    return runs


def time_cli(root: Path, repeat: int) -> list[Run]:
    return time_process([sys.executable, "-m", "pytest_hsevents", "check", str(root)], repeat)


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


def time_node_cli(root: Path, repeat: int) -> list[Run] | None:
    """The same parse as a fresh `node` process, start-up included (like our CLI figure)."""
    node = shutil.which("node")
    if node is None or not (ORACLE / "node_modules" / "@hubspot").is_dir():
        return None
    return time_process([node, "parse.mjs", "1", str(root / "src")], repeat, cwd=ORACLE)


def python_speed() -> float:
    """Seconds for a 10^7-iteration Python loop: how fast this machine runs Python today."""
    start, total = time.perf_counter(), 0
    for i in range(10**7):
        total += i
    return time.perf_counter() - start


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
            f"load average before: {os.getloadavg()[0]:.1f}; a 10^7-iteration Python loop: "
            f"{python_speed():.2f} s; figures: wall / CPU seconds"
        )
        print(
            f"{'types':>5} {'KB':>5} {'check_project':>14} {'hsevents CLI':>14} {'CLI median':>10} "
            f"{'parser (warm)':>14} {'node parse.mjs':>15} {'in-proc':>8} {'CLI':>6}"
        )
        for n, root in roots.items():
            size = sum(p.stat().st_size for p in root.rglob("*.json")) // 1024
            ours = best(time_in_process(root, args.repeat))
            cli_runs = time_cli(root, args.repeat)
            cli = best(cli_runs)
            cli_median = statistics.median(run.wall for run in cli_runs)
            theirs = min(oracle[root]) if oracle else None
            node_runs = time_node_cli(root, args.repeat)
            node = best(node_runs) if node_runs else None
            print(
                f"{n:>5} {size:>5} {ours!s:>14} {cli!s:>14} {cli_median:>10.3f} "
                + (f"{theirs:>14.3f} " if theirs else f"{'n/a':>14} ")
                + (f"{node!s:>15} " if node else f"{'n/a':>15} ")
                + (f"{ours.wall / theirs:>7.1f}x " if theirs else f"{'n/a':>8} ")
                + (f"{cli.wall / node.wall:>5.2f}x" if node else f"{'n/a':>6}")
            )
        if oracle is None:
            print("HubSpot's parser not run: install node and `npm ci --prefix tests/oracle`")
        print(
            f"ratios of wall times, ours / HubSpot parser's; best of {args.repeat} runs "
            "(and the median wall time of the CLI's runs: the machine's timings swing)"
        )
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
