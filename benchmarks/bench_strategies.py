"""Benchmark: pytest_hsevents.strategies against what a user would otherwise write.

Valid bodies: `occurrences(et)` vs hypothesis-jsonschema `from_schema(et.json_schema())`.
Invalid bodies: `invalid_occurrences(et)` vs the usual workaround (draw a valid body, break
one field at random, `assume` the validator rejects it), on the valid bodies a user without
this kit has (A: `from_schema`, the target's baseline) and on ours (B: `occurrences()`).
Same run, N examples per event type, sides rotated per event type; then the rules hit in the
first 100 examples of a seeded `@given` run, as a user's test would see them.

hypothesis-jsonschema 0.23.1 breaks on hypothesis >= 6.170.10, so this script runs itself in
its own venv (default `.bench-venv` in the repository, override with HSEVENTS_BENCH_VENV),
creating it with:
    python -m venv .bench-venv
    .bench-venv/bin/pip install hypothesis==6.170.9 hypothesis-jsonschema==0.23.1 -e .
Usage: python benchmarks/bench_strategies.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HSEVENTS_BENCH_VENV", ROOT / ".bench-venv"))


def ensure_venv() -> None:
    """Re-run this script inside the benchmark venv unless hypothesis-jsonschema works here."""
    try:
        import hypothesis_jsonschema  # noqa: F401
    except ImportError:
        python = VENV / "bin" / "python"
        if os.environ.get("HSEVENTS_BENCH_CHILD"):
            sys.exit("hypothesis-jsonschema is not importable in the benchmark venv")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            pip = [str(VENV / "bin" / "pip"), "install", "-q"]
            subprocess.run(
                [*pip, "hypothesis==6.170.9", "hypothesis-jsonschema==0.23.1", "-e", str(ROOT)],
                check=True,
            )
        env = {**os.environ, "HSEVENTS_BENCH_CHILD": "1"}
        sys.exit(subprocess.run([str(python), __file__, *sys.argv[1:]], env=env).returncode)


def timed(strategy: Any, n: int, record: Any = None) -> tuple[float, int]:
    """(seconds, examples) to run n generate-only examples of `strategy`."""
    from hypothesis import HealthCheck, Phase, given, settings

    count = [0]

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        count[0] += 1
        if record is not None:
            record(value)

    start = time.perf_counter()
    run()
    return time.perf_counter() - start, count[0]


def rates(strategies: dict[str, Any], n: int, first: int) -> dict[str, float]:
    """Examples per second of each strategy, run back to back; `first` rotates which one
    goes first, so a load change on this shared machine does not always hit the same side."""
    names = list(strategies)
    names = names[first % len(names) :] + names[: first % len(names)]
    found = {}
    for name in names:
        seconds, count = timed(strategies[name], n)
        found[name] = count / seconds
    return found


def first_100(strategy: Any, number: int, rule_of: Any) -> list[str]:
    """The rules of the first 100 examples of `@given(strategy)` under `@seed(number)`, with
    the settings a user's test would have (`max_examples=100`: Hypothesis runs its
    small-example phase and its mutations as usual)."""
    from hypothesis import HealthCheck, given, seed, settings

    seen: list[str] = []

    @seed(number)
    @settings(
        max_examples=100,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(strategy)
    def run(value: Any) -> None:
        seen.append(rule_of(value))

    run()
    return seen[:100]


OWN = {"HSO013", "HSO014", "HSO015"}
"""The event type's own property rules: number, date and enumeration values."""


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ensure_venv()
    import hypothesis
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis_jsonschema import from_schema

    from pytest_hsevents.loader import load_project
    from pytest_hsevents.occurrences import OccurrenceValidator
    from pytest_hsevents.strategies import breakable_rules, invalid_occurrences, occurrences

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    project = load_project(ROOT / "examples" / "acme-app")
    validator = OccurrenceValidator(project)
    print(
        f"hypothesis {hypothesis.__version__}, N={n} per event type, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {load()}"
    )
    print()
    print("valid   | event type          | ours/s | from_schema/s | ratio")
    ratios = []
    for index, (uid, et) in enumerate(sorted(project.event_types.items())):
        found = rates({"ours": occurrences(et), "base": from_schema(et.json_schema())}, n, index)
        ratio = found["ours"] / found["base"]
        ratios.append(ratio)
        print(f"        | {uid:19} | {found['ours']:6.0f} | {found['base']:13.0f} | {ratio:5.1f}x")
    print(f"valid: min ratio {min(ratios):.1f}x (target >= 10x), {load()}")
    print()

    junk = st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.just([])

    def workaround(valid: Any, tries: Counter[str]) -> Any:
        """What a user writes without invalid_occurrences: draw a valid body, overwrite one
        field or property with junk, and assume the validator rejects it."""

        @st.composite
        def broken(draw: Any) -> str:
            body = draw(valid)
            properties = body.get("properties")
            targets = [("", key) for key in body]
            if isinstance(properties, dict):
                targets += [("properties", key) for key in properties]
            place, key = draw(st.sampled_from(targets))
            (properties if place else body)[key] = draw(junk)
            tries["drawn"] += 1
            found = validator.validate(body)
            if not found:
                tries["rejected"] += 1
            assume(found)
            tries["own"] += found[0].rule_id in OWN
            return found[0].rule_id

        return broken()

    print(
        "invalid | event type          | ours/s | A: from_schema workaround/s | ratio"
        " | B: occurrences() workaround/s | ratio | assume rejections A, B"
        " | own-property rules (HSO013-015) in A, B"
    )
    inv_ratios = []
    for index, (uid, et) in enumerate(sorted(project.event_types.items())):
        tries_a: Counter[str] = Counter()
        tries_b: Counter[str] = Counter()
        base_a = workaround(from_schema(et.json_schema()), tries_a)
        base_b = workaround(occurrences(et), tries_b)
        found = rates({"ours": invalid_occurrences(et), "A": base_a, "B": base_b}, n, index)
        ratio_a, ratio_b = found["ours"] / found["A"], found["ours"] / found["B"]
        inv_ratios.append(ratio_a)
        shares = [t["own"] / max(t["drawn"] - t["rejected"], 1) for t in (tries_a, tries_b)]
        print(
            f"        | {uid:19} | {found['ours']:6.0f} | {found['A']:27.0f} | {ratio_a:4.1f}x"
            f" | {found['B']:29.0f} | {ratio_b:4.1f}x"
            f" | {tries_a['rejected']}/{tries_a['drawn']}, {tries_b['rejected']}/{tries_b['drawn']}"
            f" | {shares[0]:.1%}, {shares[1]:.1%}"
        )
    print(f"invalid: min ratio against A {min(inv_ratios):.1f}x (target >= 5x), {load()}")
    print()

    print(
        "rules hit in the first 100 examples (@seed(s), max_examples=100): "
        "min / median / runs with every rule"
    )
    seeds = range(20)
    for uid, et in sorted(project.event_types.items()):
        wanted = set(breakable_rules(et))
        ours = invalid_occurrences(et)
        hits = [len(wanted & set(first_100(ours, s, lambda case: case.rule_id))) for s in seeds]
        base = workaround(from_schema(et.json_schema()), Counter())
        base_hits = [len(wanted & set(first_100(base, s, lambda rule: rule))) for s in range(3)]
        print(
            f"        | {uid:19} | {len(wanted)} rules | ours ({len(seeds)} seeds): {min(hits)}"
            f" / {statistics.median(hits):g} / {sum(h == len(wanted) for h in hits)}"
            f" | A (3 seeds): {min(base_hits)} / {statistics.median(base_hits):g}"
            f" / {sum(h == len(wanted) for h in base_hits)}"
        )
    print(load())


if __name__ == "__main__":
    main()
