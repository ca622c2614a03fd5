"""Run a benchmark script's measuring step in fresh processes (no warm caches shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def fresh_runs(script: str, args: list[str], runs: int) -> list[Any]:
    """`script --once *args` in `runs` new interpreters; each run's JSON output, in order."""
    return [
        json.loads(
            subprocess.run(
                [sys.executable, script, "--once", *args],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(runs)
    ]
