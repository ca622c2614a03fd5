"""Every shortcut parse_template takes must give exactly what pybars gives on the text as written.

pybars3 is the authority on what a template refers to and whether it parses; these tests draw
templates (valid ones and near-misses: unbalanced braces, '{{{', '{{#', '{{!', '{{> ', '~',
'\\{{', stray '}}', quotes, brackets, newlines) and compare each shortcut with pybars itself.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_hsevents.templates import (
    TemplateInfo,
    _parse_shrunk,
    _plain_references,
    _pybars_info,
    _shrunk,
    parse_template,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["a", "b_1", "extraData", "items", "else", "this", "x9", "Name", "é"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(".".join)
LITERAL = st.text(
    alphabet=st.sampled_from(list("ab .,*#-\n\t\r\"'[]()/^&>!=~\\{}é")), min_size=0, max_size=12
)
TAG_PIECES = st.sampled_from(
    [
        "{{",
        "}}",
        "{",
        "}",
        "{{{",
        "}}}",
        "{{#if ",
        "{{#each ",
        "{{/if}}",
        "{{/each}}",
        "{{else}}",
        "{{^}}",
        "{{!",
        "{{> ",
        "{{~",
        "~}}",
        "\\{{",
        "{{{{raw}}}}",
        "{{{{/raw}}}}",
        "{{&",
        " ",
        "\n",
        '"',
        "'",
        "[",
        "]",
        "(",
        ")",
        "=",
        "..",
        "/",
        "@index",
    ]
)
PLAIN_TAG = PATHS.map(lambda path: "{{" + path + "}}")
BLOCK = st.tuples(st.sampled_from(["if", "each", "with", "unless"]), PATHS, LITERAL, PATHS).map(
    lambda b: f"{{{{#{b[0]} {b[1]}}}}}{b[2]}{{{{{b[3]}}}}}{{{{/{b[0]}}}}}"
)
TEMPLATES = st.lists(st.one_of(LITERAL, TAG_PIECES, PATHS, PLAIN_TAG, BLOCK), max_size=14).map(
    "".join
)


@FUZZ
@given(TEMPLATES)
def test_shrunk_parse_agrees_with_pybars(text: str) -> None:
    assert _parse_shrunk(text) == _pybars_info(text)


@FUZZ
@given(st.lists(st.one_of(LITERAL, PLAIN_TAG, BLOCK), min_size=1, max_size=10).map("".join))
def test_shrunk_parse_agrees_with_pybars_on_well_formed_templates(text: str) -> None:
    assert _parse_shrunk(text) == _pybars_info(text)


@FUZZ
@given(TEMPLATES)
def test_parse_template_agrees_with_pybars(text: str) -> None:
    assert parse_template.__wrapped__(text) == _pybars_info(text)


PLAIN_NEAR_MISSES = st.lists(
    st.one_of(
        PLAIN_TAG,
        LITERAL,
        PATHS,
        st.sampled_from(["{{", "}}", "{", "}", "{{{", "{{#", "{{!", "{{> ", "~", "\\{{", "."]),
    ),
    max_size=12,
).map("".join)


@FUZZ
@given(PLAIN_NEAR_MISSES)
def test_plain_templates_are_decided_as_pybars_decides(text: str) -> None:
    references = _plain_references(text)
    if references is not None:
        assert TemplateInfo(references=references) == _pybars_info(text)


def test_plain_templates_are_decided_without_pybars() -> None:
    text = "{{a}} did **{{extraData.x.y}}** on {{a}}}, not {{ b }}"
    assert _plain_references(text[: text.index(", not")]) == (("a",), ("extraData", "x", "y"))
    assert _plain_references(text) is None  # '{{ b }}' is not plain: pybars decides
    assert _plain_references("x {{{a}}") is None
    assert _plain_references("{{a.else}}") is None


def test_literal_runs_are_shrunk_and_tags_kept() -> None:
    text = "Hello there {{#if a}}, dear {{name}}{{/if}} see you soon."
    shrunk = _shrunk(text)
    assert shrunk is not None
    assert shrunk[0] == "x{{#if a}}x{{name}}{{/if}}x"


def test_runs_next_to_braces_or_escapes_are_kept() -> None:
    text = "open {{{raw}}} then \\{{not}} tail ~ {{a}} and more"
    shrunk = _shrunk(text)
    assert shrunk is not None
    assert shrunk[0] == "x{{{raw}}} then \\{{not}} tail ~ {{a}}x"


def test_a_tag_that_may_run_past_its_braces_is_not_shrunk() -> None:
    assert _shrunk('long text {{foo "a}}b"}} more text') is None
    assert _shrunk("long text {{[a}}b{{c]}} more text") is None


def test_error_offset_points_into_the_original_text() -> None:
    text = "A long literal introduction {{#if a}} body text {{/unless}} trailing words"
    info = parse_template.__wrapped__(text)
    assert info == _pybars_info(text)
    assert info.error_offset == text.index("{{#if")
    assert info.error is not None and "character 29" in info.error


def test_references_are_read_from_the_tags() -> None:
    info = parse_template.__wrapped__(
        "Dear {{first_name}}, {{#each extraData.items}}{{name}}{{/each}} {{#if deal.amount}}"
        "paid{{else}}{{company}}{{/if}}"
    )
    assert info == TemplateInfo(
        references=(("first_name",), ("extraData", "items"), ("deal", "amount"), ("company",))
    )
