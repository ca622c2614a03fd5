"""Render timeline cards with the kit's Handlebars interpreter against pybars3, in one run.

pybars3 (`pip install -e .[bench]`) was the kit's renderer until 0.1: it compiles each template
to Python source and runs it. Both render the same cards: a template with property references,
`#if`/`else`, `#each` over extraData and a helper, over realistic contexts. Two figures each:
cold (a distinct template every time: parse/compile + render, what a fuzzing session pays) and
warm (one template rendered again and again: the compiled form cached). Run:
`python benchmarks/bench_render.py [--count 2000]`. Target: >= 1x pybars3.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

from pytest_hsevents.templates import _compiled, render_template

TEMPLATE = (
    "{{{{customer}}}} moved **{{{{deal}}}}** to {{{{stage}}}} {n}\n"
    "{{{{#if amount}}}}Amount: {{{{amount}}}}{{{{else}}}}No amount{{{{/if}}}}\n"
    "{{{{#each extraData.lines}}}}- {{{{name}}}} x {{{{qty}}}}"
    "{{{{#if @last}}}}.{{{{/if}}}}\n{{{{/each}}}}"
    "{{{{formatDate closed}}}}"
)
CONTEXT: dict[str, Any] = {
    "customer": "Ada <Lovelace>",
    "deal": "Analytical Engine",
    "stage": "won",
    "amount": 1200.5,
    "closed": "2026-12-04",
    "extraData": {"lines": [{"name": f"part {i}", "qty": i} for i in range(8)]},
}


def _pybars() -> Callable[[str, dict[str, Any]], str]:
    from pybars import Compiler

    compiler = Compiler()
    helpers = {"formatDate": lambda this, value=None, *args: "" if value is None else str(value)}
    cache: dict[str, Any] = {}

    def render(text: str, context: dict[str, Any]) -> str:
        template = cache.get(text)
        if template is None:
            template = cache[text] = compiler.compile(text)
        return str(template(context, helpers=helpers))

    return render


def _time(render: Callable[[str, dict[str, Any]], Any], texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        render(text, CONTEXT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    count = parser.parse_args().count
    cold = [TEMPLATE.format(n=n) for n in range(count)]
    warm = [TEMPLATE.format(n=0)] * count
    pybars = _pybars()
    assert render_template(cold[0], CONTEXT) is not None
    print(f"{count} renders; seconds (renders per second)")
    for label, texts in (("cold", cold), ("warm", warm)):
        _compiled.cache_clear()
        kit = _time(render_template, texts)
        theirs = _time(pybars, texts)
        print(
            f"{label}: kit {kit:.3f} ({count / kit:,.0f}/s)  pybars3 {theirs:.3f} "
            f"({count / theirs:,.0f}/s)  kit/pybars3 speed {theirs / kit:.2f}x"
        )


if __name__ == "__main__":
    main()
