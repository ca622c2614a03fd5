"""pytest start-up with pytest-hsevents installed vs without it (`-p no:hsevents`).

The suite lives in a HubSpot project (the bundled example at its root, as in a real
repository) and never asks for a `hsevents_*` fixture: the issue's target is < 50 ms added.
Runs alternate between the two configurations; medians of wall time are printed, plus the
same pair with plugin autoload off (only our plugin loaded), which removes the noise of the
other plugins installed in the environment.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme-app"


def make_suite(root: Path, files: int = 20) -> None:
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    for n in range(files):
        (root / f"test_plain_{n}.py").write_text(
            "".join(f"def test_{k}():\n    assert {k} == {k}\n\n" for k in range(5))
        )


def run(root: Path, args: list[str], env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def measure(
    root: Path, pairs: dict[str, tuple[list[str], list[str], dict[str, str]]], runs: int
) -> None:
    for label, (with_args, without_args, env) in pairs.items():
        with_times: list[float] = []
        without_times: list[float] = []
        run(root, with_args, env)  # warm the file system cache
        for _ in range(runs):
            without_times.append(run(root, without_args, env))
            with_times.append(run(root, with_args, env))
        on, off = statistics.median(with_times), statistics.median(without_times)
        print(
            f"{label}: with plugin {on * 1000:.0f} ms, without {off * 1000:.0f} ms "
            f"(median of {runs}); added {(on - off) * 1000:+.0f} ms, ratio {on / off:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    bare = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_suite(root)
        print(f"suite: 100 tests in 20 files that use no hsevents fixture, in {EXAMPLE.name}")
        measure(
            root,
            {
                "all installed plugins": ([], ["-p", "no:hsevents"], env),
                "autoload off, only ours": (["-p", "hsevents"], [], bare),
            },
            runs,
        )


if __name__ == "__main__":
    main()
