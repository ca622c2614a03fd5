"""Occurrence validation alone: OccurrenceValidator vs a compiled fastjsonschema validator.

The JSON Schema is the equivalent of the webinar_attended event type (required fields,
string properties with full-match patterns, enumeration, iframe shape). fastjsonschema stops
at the first error; ours reports every violation with its rule id. Target: <= 1.5x its
microseconds. Median of --runs fresh processes. Needs the `bench` extra (fastjsonschema).
"""

from __future__ import annotations

import argparse
import json
import statistics
import timeit
from pathlib import Path

from _fresh import fresh_runs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-app"
NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
DATE = (
    r"^(?:-?\d{1,15}|\d{4}-\d{2}-\d{2}"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?)$"
)
IFRAME = {
    "linkLabel": "Open",
    "headerLabel": "Card",
    "url": "https://x.example",
    "width": 3,
    "height": 2,
}


def schema(name: str) -> dict[str, object]:
    string = {"type": "string"}
    return {
        "type": "object",
        "required": ["eventTypeName", "id", "properties"],
        "additionalProperties": False,
        "anyOf": [{"required": ["objectId"]}, {"required": ["utk"]}, {"required": ["email"]}],
        "not": {
            "anyOf": [{"required": ["domain"]}, {"required": ["objectTypeFullyQualifiedName"]}]
        },
        "properties": {
            "eventTypeName": {"const": name},
            "id": string,
            "objectId": string,
            "email": string,
            "utk": string,
            "domain": string,
            "objectTypeFullyQualifiedName": string,
            "timestamp": {"type": "string", "format": "date-time"},
            "extraData": {"type": "object"},
            "timelineIFrame": {
                "type": "object",
                "required": list(IFRAME),
                "properties": {
                    "linkLabel": string,
                    "headerLabel": string,
                    "url": string,
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                },
            },
            "properties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "webinarName": string,
                    "attendeeName": string,
                    "minutesWatched": {"type": "string", "pattern": NUMBER},
                    "attendedOn": {"type": "string", "pattern": DATE},
                    "attendance": {"enum": ["live", "on_demand"]},
                },
            },
        },
    }


def bodies(name: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    valid = {
        "eventTypeName": name,
        "id": "w-1",
        "objectId": "101",
        "properties": {
            "webinarName": "Intro",
            "minutesWatched": "42.5",
            "attendedOn": "2025-01-31",
            "attendance": "live",
        },
        "timestamp": "2025-01-31T09:30:00Z",
        "extraData": {"q": 1},
        "timelineIFrame": IFRAME,
    }
    invalid = [
        {**valid, "properties": {**valid["properties"], "minutesWatched": "x"}},  # type: ignore[dict-item]
        {**valid, "properties": {**valid["properties"], "attendance": "Live"}},  # type: ignore[dict-item]
        {**valid, "properties": {**valid["properties"], "nope": "1"}},  # type: ignore[dict-item]
        {k: v for k, v in valid.items() if k != "objectId"},
        {**valid, "extraData": [1]},
    ]
    return [valid], invalid


def once(number: int) -> tuple[float, float]:
    import fastjsonschema

    from pytest_hsevents import load_project
    from pytest_hsevents.occurrences import OccurrenceValidator, fully_qualified_name

    project = load_project(EXAMPLE)
    ours = OccurrenceValidator(project)
    name = fully_qualified_name("webinar_attended", ours.settings.portal_id)
    theirs = fastjsonschema.compile(schema(name), use_formats=True)
    valid, invalid = bodies(name)
    everything = valid * len(invalid) + invalid
    for body in valid:
        assert ours.validate(body) == ()
        theirs(body)
    for body in invalid:
        assert ours.validate(body), body
        try:
            theirs(body)
        except fastjsonschema.JsonSchemaException:
            pass
        else:
            raise AssertionError(f"fastjsonschema accepted {body}")

    def run_theirs() -> None:
        for body in everything:
            try:  # noqa: SIM105 - contextlib.suppress would slow the baseline down
                theirs(body)
            except fastjsonschema.JsonSchemaException:
                pass

    def run_ours() -> None:
        for body in everything:
            ours.validate(body)

    per = number * len(everything)
    t_theirs = min(timeit.repeat(run_theirs, number=number, repeat=5)) / per * 1e6
    t_ours = min(timeit.repeat(run_ours, number=number, repeat=5)) / per * 1e6
    return t_theirs, t_ours


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        print(json.dumps(once(args.number)))
        return
    pairs = fresh_runs(__file__, ["--number", str(args.number)], args.runs)
    theirs = statistics.median(p[0] for p in pairs)
    ours = statistics.median(p[1] for p in pairs)
    print(f"fastjsonschema (first error only): {theirs:.2f} us/body (median of {args.runs})")
    print(f"OccurrenceValidator (all errors):  {ours:.2f} us/body")
    print(
        f"ratio ours/fastjsonschema: {statistics.median(p[1] / p[0] for p in pairs):.2f}x "
        "(target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
