"""Benchmark: pytest_hsevents.strategies against what a user would otherwise write.

Valid bodies: `occurrences(et)` vs hypothesis-jsonschema `from_schema(et.json_schema())`.
Invalid bodies: `invalid_occurrences(et)` vs the usual workaround (draw a valid body, break
one field at random, `assume` the validator rejects it). Same run, N examples per event type.

hypothesis-jsonschema 0.23.1 breaks on hypothesis >= 6.170.10, so this script runs itself in
its own venv (default /work/benchvenv, override with HSEVENTS_BENCH_VENV), creating it with:
    python -m venv /work/benchvenv
    /work/benchvenv/bin/pip install hypothesis==6.170.9 hypothesis-jsonschema==0.23.1 -e .
Usage: python benchmarks/bench_strategies.py [N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HSEVENTS_BENCH_VENV", "/work/benchvenv"))


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
        f"python {sys.version.split()[0]}"
    )
    print()
    print("valid   | event type          | ours/s | from_schema/s | ratio")
    ratios = []
    for uid, et in sorted(project.event_types.items()):
        ours_t, ours_n = timed(occurrences(et), n)
        base_t, base_n = timed(from_schema(et.json_schema()), n)
        ratio = (ours_n / ours_t) / (base_n / base_t)
        ratios.append(ratio)
        print(
            f"        | {uid:19} | {ours_n / ours_t:6.0f} | {base_n / base_t:13.0f} | {ratio:5.1f}x"
        )
    print(f"valid: min ratio {min(ratios):.1f}x (target >= 10x)")
    print()

    junk = st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.just([])

    print(
        "invalid | event type          | ours/s | workaround/s | ratio | ours: rules hit in"
        " first 100 | workaround: assume rejections, rules hit in first 100, own-property rules"
    )
    inv_ratios = []
    for uid, et in sorted(project.event_types.items()):
        tries: Counter[str] = Counter()

        @st.composite
        def workaround(draw: Any, et: Any = et, tries: Counter[str] = tries) -> Any:
            body = draw(occurrences(et))
            targets = [("", key) for key in body] + [
                ("properties", key) for key in body["properties"]
            ]
            place, key = draw(st.sampled_from(targets))
            (body["properties"] if place else body)[key] = draw(junk)
            tries["drawn"] += 1
            found = validator.validate(body)
            if not found:
                tries["rejected"] += 1
            assume(found)
            return found[0].rule_id

        ours_first: list[str] = []
        base_first: list[str] = []
        ours_t, ours_n = timed(
            invalid_occurrences(et), n, lambda case, seen=ours_first: seen.append(case.rule_id)
        )
        base_t, base_n = timed(workaround(), n, base_first.append)
        ratio = (ours_n / ours_t) / (base_n / base_t)
        inv_ratios.append(ratio)
        wanted = set(breakable_rules(et))
        own = {"HSO013", "HSO014", "HSO015"}
        own_share = sum(rule in own for rule in base_first) / max(len(base_first), 1)
        print(
            f"        | {uid:19} | {ours_n / ours_t:6.0f} | {base_n / base_t:12.0f} | {ratio:4.1f}x"
            f" | {len(wanted & set(ours_first[:100]))}/{len(wanted)}"
            f" | {tries['rejected']}/{tries['drawn']},"
            f" {len(wanted & set(base_first[:100]))}/{len(wanted)},"
            f" own-property rules in {own_share:.1%} of draws"
        )
    print(f"invalid: min ratio {min(inv_ratios):.1f}x (target >= 5x); ours use no assume")


if __name__ == "__main__":
    main()
