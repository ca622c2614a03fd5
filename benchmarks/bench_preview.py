"""`hsevents preview` of a project with 750 event types (HubSpot's limit per app), timed whole.

The project is the bundled acme-app's six event types copied 125 times (uids and templates
made distinct, so no cache helps). The figure is the command end to end: load, check, draw
four occurrences per type with the strategies, render and write the page. For comparison, in
the same run: what a user would otherwise write to see occurrences outside a test, drawing
four per type with `strategy.example()` (hypothesis' interactive helper) and nothing else.
Run: `python benchmarks/bench_preview.py [--types 750]`. Target: under 5 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from pytest_hsevents.cli import main as hsevents
from pytest_hsevents.loader import load_project
from pytest_hsevents.strategies import occurrences

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme-app"


def _project(root: Path, count: int) -> Path:
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*-hsmeta.json"))
    shutil.copy(EXAMPLE / "src/app/app-hsmeta.json", root / "src/app/app-hsmeta.json")
    sources = sorted((EXAMPLE / "src/app/app-events").glob("*-hsmeta.json"))
    for n in range(count):
        source = sources[n % len(sources)]
        document = json.loads(source.read_text(encoding="utf-8"))
        document["uid"] = f"{document['uid']}_{n}"
        config = document["config"]
        config["name"] = f"{config['name']} {n}"
        config["headerTemplate"] = f"{config['headerTemplate']} ({n})"
        target = root / "src/app/app-events" / f"{n}-{source.name}"
        target.write_text(json.dumps(document), encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=750)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = _project(Path(folder) / "project", args.types)
        output = Path(folder) / "preview.html"
        started = time.perf_counter()
        assert hsevents(["preview", str(root), "--output", str(output)]) == 0
        preview = time.perf_counter() - started
        cards = output.read_text(encoding="utf-8").count('<article class="hs-card"')

        event_types = list(load_project(root).event_types.values())
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NonInteractiveExampleWarning
            for event_type in event_types:
                strategy = occurrences(event_type)
                for _ in range(4):
                    strategy.example()
        examples = time.perf_counter() - started
    print(f"hsevents preview, {args.types} event types, {cards} cards: {preview:.2f} s")
    print(f"strategy.example() x 4 per type, drawing only:     {examples:.2f} s")
    print(f"ratio (example() / preview): {examples / preview:.2f}x")


if __name__ == "__main__":
    main()
