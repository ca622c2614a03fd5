"""The fast template parser answers as pybars3 does and accepts only what handlebars.js does.

pybars3's compiler is the authority on what a template refers to and whether it parses
(`_pybars_info`); lark with handlebars.lark decides the templates it accepts without pybars.
Templates are drawn from one generator, used by hypothesis and, for the handlebars.js oracle,
by a seeded random generator (one Node process for the whole fixed set). Its vocabulary holds
the constructs both parsers read and near misses: unbalanced braces, '{{{', '{{#' without a
close, mismatched closes, '{{!', '{{!--', '{{>', '~', '\\{{', stray '}}', quotes, brackets,
'{{else}}', '{{else if x}}', '{{^}}', literals, hashes, subexpressions, `as |x|`, '@index',
'../x', 'this.x', './x', paths with '/'.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest_hsevents.templates as template_module
from pytest_hsevents.templates import (
    PARALLEL_MIN_TEMPLATES,
    TemplateInfo,
    _lark_references,
    _pybars_info,
    parse_template,
    parse_templates,
    render_template,
)

T = TypeVar("T")
Choose = Callable[[Sequence[T]], T]
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ORACLE = Path(__file__).resolve().parent / "oracle"


@dataclass(frozen=True)
class Vocabulary:
    segments: tuple[str, ...]
    prefixes: tuple[str, ...]
    separators: tuple[str, ...]
    literals: tuple[str, ...]
    keys: tuple[str, ...]
    gaps: tuple[str, ...]  # before a param or hash pair
    opens: tuple[str, ...]  # those ending in '{' are closed by triple_closes
    closes: tuple[str, ...]
    triple_closes: tuple[str, ...]
    blocks: tuple[str, ...]
    inverses: tuple[str, ...]
    closers: tuple[str, ...]  # '{}' is the block's own name
    comments: tuple[str, ...]
    texts: tuple[str, ...]
    oddities: tuple[str, ...]  # anything at all, between the pieces


WELL_FORMED = Vocabulary(
    segments=("a", "b_1", "extraData", "items", "x9", "Name", "first-name", "deal"),
    prefixes=("", "", "", "../", "./", "this.", "@", "../../"),
    separators=(".", ".", "/"),
    literals=('"text"', "'x y'", '"a}}b"', '""', "12", "-1", "true", "false", "null", "undefined"),
    keys=("key", "k_1", "_x", "else"),
    gaps=(" ", " ", "  ", "\n"),
    opens=("{{", "{{~", "{{&", "{{ ", "{{~ ", "{{{", "{{~{"),
    closes=("}}", "~}}", " }}", " ~}}"),
    triple_closes=("}}}", "}~}}", " }}}"),
    blocks=("if", "each", "with", "unless", "formatDate"),
    inverses=("{{else}}", "{{^}}", "{{ else }}", "{{~else~}}", "{{^ }}"),
    closers=("{{/{}}}", "{{~/{}~}}", "{{/{}~}}"),
    comments=("{{! x }}", "{{!-- y --}}", "{{~!-- z --~}}", "{{!}}", "{{! {{a}} }}"),
    texts=("", "x", " ", "\n", "Hello **there** ", "~", '"', "'", "é", " \n ", "a}b"),
    oddities=(),
)
NEAR_MISSES = Vocabulary(
    segments=(
        *WELL_FORMED.segments,
        *("else", "this", "true", "null", "nullable", "12", "1a", "1.5", "007", "é", "[a b]"),
        *("[x]", "if", "each", "a@b", "", "0", "-1", "false", "undefined"),
    ),
    prefixes=(*WELL_FORMED.prefixes, ".", "..", "@../", "/", "...", "a."),
    separators=(*WELL_FORMED.separators, "..", "./", "/."),
    literals=(*WELL_FORMED.literals, '"a\\"b"', "'it\\'s'", "1.5", '"x"y', "(", ")", "( a)"),
    keys=(*WELL_FORMED.keys, "k", "a-b", "true", "[k]"),
    gaps=(*WELL_FORMED.gaps, "", "\t", "\f", " = ", " as |x y| ", " as |x|"),
    opens=(*WELL_FORMED.opens, "{{>", "{{*", "{{ ^", "{{#>", "\\{{", "\\\\{{", "{{{{"),
    closes=(*WELL_FORMED.closes, "}}}", "}~}}", "}", "~ }}", ""),
    triple_closes=(*WELL_FORMED.triple_closes, "}}", "} }}", "}}}}", ""),
    blocks=(*WELL_FORMED.blocks, "else", "a.b", "x-y", "@x", "[if]"),
    inverses=(
        *WELL_FORMED.inverses,
        *("{{else if b}}", "{{ ^}}", "{{else x}}", "{{elsewhere}}", "{{else}}{{else}}"),
    ),
    closers=(*WELL_FORMED.closers, "{{/ {}}}", "{{/{} }}", "{{/other}}", "", "{{/[{}]}}"),
    comments=(*WELL_FORMED.comments, "{{!-- a }} b --}}", "{{!--}}", "{{!-- {{a}} --}}"),
    texts=(
        *WELL_FORMED.texts,
        "}",
        "}}",
        "{",
        "{ ",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "=",
        "|",
        "\t",
        "\r\n",
    ),
    oddities=(
        *("{{", "}}", "{", "}", "{{{", "}}}", "{{#if ", "{{#each ", "{{/if}}", "{{/each}}"),
        *("{{else}}", "{{^}}", "{{!", "{{!--", "{{> ", "{{~", "~}}", "\\{{", "{{{{raw}}}}"),
        *("{{{{/raw}}}}", "{{&", "{{*dec}}", "@index", "..", "/", '"', "'", "[", "]"),
    ),
)


def path(choose: Choose[str], words: Vocabulary) -> str:
    text = choose(words.prefixes) + choose(words.segments)
    for _ in range(choose(range(3))):
        text += choose(words.separators) + choose(words.segments)
    return text


def argument(choose: Choose[str], words: Vocabulary, depth: int) -> str:
    kind = choose(("path", "path", "literal", "subexpression"))
    if kind == "literal":
        return choose(words.literals)
    if kind == "subexpression" and depth < 2:
        return "(" + path(choose, words) + call(choose, words, depth + 1) + ")"
    return path(choose, words)


def call(choose: Choose[str], words: Vocabulary, depth: int = 0) -> str:
    """Params then hash pairs, each after a gap."""
    text = ""
    for _ in range(choose(range(3))):
        text += choose(words.gaps) + argument(choose, words, depth)
    for _ in range(choose((0, 0, 1, 2))):
        text += choose(words.gaps) + choose(words.keys) + "=" + argument(choose, words, depth)
    return text


def mustache(choose: Choose[str], words: Vocabulary) -> str:
    opening = choose(words.opens)
    closing = choose(words.triple_closes if opening.endswith(("{{{", "~{")) else words.closes)
    return opening + path(choose, words) + call(choose, words) + closing


def block(choose: Choose[str], words: Vocabulary, depth: int) -> str:
    name = choose(words.blocks)
    text = choose(("{{#", "{{~#", "{{^", "{{# ")) + name + call(choose, words)
    text += choose(words.closes[:4]) + template(choose, words, depth + 1)
    if choose((False, True)):
        text += choose(words.inverses) + template(choose, words, depth + 1)
    return text + choose(words.closers).replace("{}", name)


def template(choose: Choose[str], words: Vocabulary, depth: int = 0) -> str:
    kinds = ("text", "text", "mustache", "mustache", "comment")
    kinds += ("block", "block") if depth < 2 else ()
    kinds += ("oddity",) if words.oddities else ()
    parts = []
    for _ in range(choose(range(5 if depth else 8))):
        kind = choose(kinds)
        if kind == "text":
            parts.append(choose(words.texts))
        elif kind == "mustache":
            parts.append(mustache(choose, words))
        elif kind == "block":
            parts.append(block(choose, words, depth))
        elif kind == "comment":
            parts.append(choose(words.comments))
        else:
            parts.append(choose(words.oddities))
    return "".join(parts)


sampled_from = lru_cache(maxsize=None)(st.sampled_from)  # one strategy per choice: faster draws


@st.composite
def templates(draw: st.DrawFn, words: Vocabulary) -> str:
    return template(lambda options: draw(sampled_from(options)), words)


def seeded(words: Vocabulary, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [template(rng.choice, words) for _ in range(count)]


@FUZZ
@given(templates(NEAR_MISSES))
def test_the_checker_answers_as_pybars_does(text: str) -> None:
    assert parse_template.__wrapped__(text) == _pybars_info(text)


@settings(FUZZ, max_examples=200)  # long templates: pybars takes ~25 ms on each
@given(templates(WELL_FORMED))
def test_well_formed_templates_are_decided_without_pybars(text: str) -> None:
    references = _lark_references(text)
    assert references is not None
    assert TemplateInfo(references=references) == _pybars_info(text)


def handlebars_js_accepts(texts: list[str]) -> list[bool]:
    """handlebars.js 4.7's verdict (parse and compile) on each text, from one Node process."""
    node = shutil.which("node")
    if node is None or not (ORACLE / "node_modules" / "handlebars").is_dir():
        pytest.skip("needs node and `npm ci --prefix tests/oracle` (handlebars 4.7.10)")
    script = (
        "const H = require('handlebars'); let s = '';"
        "process.stdin.on('data', d => s += d).on('end', () => {"
        "  const ok = t => { try { H.precompile(t); return true } catch (e) { return false } };"
        "  process.stdout.write(JSON.stringify(JSON.parse(s).map(ok))) })"
    )
    out = subprocess.run(
        [node, "-e", script], cwd=ORACLE, input=json.dumps(texts), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    verdicts: list[bool] = json.loads(out.stdout)
    return verdicts


def test_what_the_fast_path_accepts_handlebars_js_accepts() -> None:
    near = seeded(NEAR_MISSES, 3000, seed=3)
    well = seeded(WELL_FORMED, 1000, seed=4)
    verdicts = handlebars_js_accepts(near + well)
    fast = [text for text, ok in zip(near, verdicts) if _lark_references(text) is not None]
    assert len(fast) > 300  # the near misses still reach the fast path often
    rejected = [t for t, ok in zip(near, verdicts) if not ok and _lark_references(t) is not None]
    assert rejected == []
    well_rejected = [t for t, ok in zip(well, verdicts[len(near) :]) if not ok]
    assert well_rejected == []
    assert [t for t in well if parse_template(t).error] == []


FORKED_CHECK = """
import json, os, sys
import pytest_hsevents.templates as templates
from pytest_hsevents.templates import parse_template, parse_templates

texts, mode = json.load(open(sys.argv[1])), sys.argv[2]
parent, parse_all = os.getpid(), templates._parse_all


def dies_in_the_child(texts):
    if os.getpid() != parent:
        os._exit(3)  # as if killed
    return parse_all(texts)


def refused(*args, **kwargs):
    raise BlockingIOError(11, "Resource temporarily unavailable")


if mode == "child-dies":
    templates._parse_all = dies_in_the_child
elif mode == "fork-refused":
    os.fork = refused
calls = []
parsed = parse_templates(texts, meanwhile=lambda: calls.append(len(calls)))
assert calls == [0]
assert parsed == {t: parse_template.__wrapped__(t) for t in texts if "{{" in t}
print(len(parsed), parse_template.cache_info().currsize)
"""


@pytest.mark.parametrize("mode", ["forked", "child-dies", "fork-refused"])
def test_many_templates_parse_alike_in_a_forked_process(tmp_path: Path, mode: str) -> None:
    """`hsevents check` hands most of a large project's templates to a forked process; when
    no process can be forked or the child dies, they are parsed here, with the same results.

    Run in a fresh interpreter: the test runner may have threads (xdist), and the kit never
    forks a process that has them.
    """
    texts = seeded(NEAR_MISSES, 700, seed=5) + seeded(WELL_FORMED, 300, seed=6) + ["plain"]
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    done = subprocess.run(
        [sys.executable, "-c", FORKED_CHECK, str(tmp_path / "texts.json"), mode],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    distinct, cached_here = map(int, done.stdout.split())
    assert distinct == len({t for t in texts if "{{" in t}) >= PARALLEL_MIN_TEMPLATES
    if sys.platform == "linux":  # the forked share never entered the parent's cache
        assert (cached_here < distinct) is (mode == "forked")


def test_few_templates_or_threads_stay_in_process() -> None:
    texts = seeded(NEAR_MISSES, 50, seed=7)
    parse_template.cache_clear()
    calls: list[int] = []
    parsed = parse_templates(texts, meanwhile=lambda: calls.append(len(calls)))
    assert calls == [0]
    assert parsed == {text: parse_template.__wrapped__(text) for text in texts if "{{" in text}
    assert parse_template.cache_info().currsize == len(parsed)
    with ThreadPoolExecutor(1) as pool:  # another thread: no fork
        pool.submit(time.sleep, 0.5)
        assert not template_module._can_fork()


def test_whitespace_control_parses_and_renders() -> None:
    text = "Dear  {{~first_name~}} ,\n{{#if deal~}}\n  paid {{~else~}} open\n{{~/if}}!"
    assert parse_template.__wrapped__(text) == TemplateInfo(references=(("first_name",), ("deal",)))
    assert render_template(text, {"first_name": "Ada", "deal": 1}) == "DearAda,\npaid!"
    assert render_template(text, {"first_name": "Ada"}) == "DearAda,\nopen!"


def test_error_offset_points_into_the_original_text() -> None:
    text = "A long {{~a~}}   introduction {{#if a}} body text {{/unless}} trailing words"
    info = parse_template.__wrapped__(text)
    assert info == _pybars_info(text)
    assert info.error_offset == text.index("{{#if")
    assert info.error is not None and f"character {text.index('{{#if') + 1}" in info.error


def test_references_are_read_from_the_tags() -> None:
    text = (
        "Dear {{first_name}}, {{#each extraData.items}}{{name}}{{/each}} {{#if deal.amount}}"
        "paid{{else}}{{company}}{{/if}} {{formatDate ../when format=(lower this.zone)}} {{@index}}"
    )
    expected = (
        *(("first_name",), ("extraData", "items"), ("deal", "amount"), ("company",)),
        *(("@_parent", "when"), ("this", "zone"), ("@index",)),
    )
    assert _lark_references(text) == expected
    assert parse_template.__wrapped__(text) == TemplateInfo(references=expected)


def test_what_pybars_reads_its_own_way_is_left_to_pybars() -> None:
    # pybars reads `{{else if b}}` as a helper `else` called with `if` and `b`
    text = "{{#if a}}x{{else if b}}y{{/if}}"
    assert _lark_references(text) is None
    assert parse_template.__wrapped__(text).references == (("a",), ("if",), ("b",))
    for text in (
        *("{{h 1a}}", "{{h nullable}}", "{{h k=v}}", "{{> card}}", "\\{{a}}", "{ {{~a}}"),
        "{{a .a}}",  # a separator after a space: pybars reads a param `.a` (found by hypothesis)
    ):
        assert _lark_references(text) is None, text
