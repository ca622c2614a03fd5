"""Field values for occurrences: realistic (faker) and hostile (unicode), valid and invalid.

Every random choice goes through hypothesis: faker is reseeded from a drawn integer, so
shrinking and replay see the same value for the same draw. One faker generator per locale
is built once and reused; reseeding costs microseconds.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from faker import Factory, Generator
from hypothesis import strategies as st

from ..model import EventProperty

LOCALES = ("en_US", "de_DE", "fr_FR", "ja_JP", "ru_RU", "pt_BR", "zh_CN", "ar_AA")
"""Name-bearing locales, so strings cover accents, CJK, Cyrillic and right-to-left text."""

_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
_OFFSETS = ("Z", "+00:00", "+01:00", "-05:00", "+05:30", "-08:00", "+09:00", "+14:00")
INT32_MAX = 2**31 - 1


@functools.cache
def generator(locale: str) -> Generator:
    """The shared faker generator for `locale` (built on first use)."""
    return Factory.create(locale)


def warm_generators() -> None:
    """Build every locale's generator now: the first build of a locale takes up to a second,
    which inside a draw would trip hypothesis' too_slow health check."""
    for locale in LOCALES:
        generator(locale)


def faked(make: Callable[[Any], str], locale: str = "en_US") -> st.SearchStrategy[str]:
    """Values from `make(faker)`, with faker seeded from a hypothesis draw.

    `make` takes Any: faker's providers add their methods at run time, unknown to mypy.
    """

    def build(seed: int) -> str:
        fake = generator(locale)
        fake.seed_instance(seed)
        return make(fake)

    return _SEEDS.map(build)


def _any_locale(make: Callable[[Any], str]) -> st.SearchStrategy[str]:
    return st.one_of([faked(make, locale) for locale in LOCALES])


names = _any_locale(lambda f: f.name())
emails = st.one_of(
    faked(lambda f: f.email()),
    faked(lambda f: f.company_email()),
    faked(lambda f: f"{f.user_name()}+{f.word()}@{f.domain_name(2)}"),
)
domains = st.one_of(faked(lambda f: f.domain_name()), faked(lambda f: f.domain_name(2)))
urls = faked(lambda f: f.url() + f.uri_path())
utks = st.integers(min_value=0, max_value=2**128 - 1).map(lambda n: f"{n:032x}")
"""HubSpot user tokens (the `hubspotutk` cookie): 32 hex digits."""
object_ids = st.integers(min_value=1, max_value=10**12).map(str)
custom_object_names = faked(lambda f: f.word().capitalize() + "s") | st.sampled_from(
    ("Cats", "Devices", "Vehicles", "Subscriptions", "Assets", "Shipments", "Pets")
)
"""The objectName part of `p{portalId}_{objectName}`."""

_ID_WORDS = ("evt", "login", "signup", "order", "sync", "scan", "webinar", "visit")
occurrence_ids = st.one_of(
    st.uuids().map(str),
    st.builds(
        "{}-{}".format, st.sampled_from(_ID_WORDS), st.integers(min_value=0, max_value=10**9)
    ),
    faked(lambda f: f"{f.slug()}-{f.random_int(0, 99999)}"),
)

texts = st.one_of(
    names,
    _any_locale(lambda f: f.sentence()),
    faked(lambda f: f.catch_phrase()),
    st.text(max_size=40),
)
"""String property values: realistic text in many scripts, and arbitrary unicode."""

_DIGITS = st.integers(min_value=0, max_value=999_999).map(str)
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.builds("{}.{}".format, st.integers(min_value=-(10**9), max_value=10**9), _DIGITS),
    st.builds("{}{}e{}".format, st.sampled_from(("", "-", "+")), _DIGITS, st.integers(-20, 20)),
    st.builds("{}.{}".format, st.sampled_from(("", "-")), _DIGITS),
)
"""Decimal number text: `42`, `-7`, `3.14`, `.5`, `+2e-3`."""


@st.composite
def _moments(draw: st.DrawFn) -> datetime:
    seconds = draw(st.integers(0, int((_LATEST - _EPOCH).total_seconds())))
    return _EPOCH + timedelta(seconds=seconds)


@st.composite
def date_times(draw: st.DrawFn) -> str:
    """ISO 8601 date-times with a zone: `2024-05-01T09:30:00Z`, `…00.123+05:30`."""
    moment = draw(_moments())
    fraction = draw(st.sampled_from(("", ".{:03d}", ".{:06d}")))
    if fraction:
        fraction = fraction.format(draw(st.integers(0, 999 if "03" in fraction else 999_999)))
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + draw(st.sampled_from(_OFFSETS))


dates = st.one_of(
    st.integers(min_value=-(10**14), max_value=10**14).map(str),
    _moments().map(lambda moment: moment.date().isoformat()),
    date_times(),
    _moments().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    _moments().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S")),
)
"""Date property values in every accepted form: epoch milliseconds, ISO date, date-time."""

_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
_KEYS = st.one_of(
    st.sampled_from(("items", "note", "code", "text", "url", "count", "tags")),
    st.text(min_size=1, max_size=12),
)
_ROWS = st.dictionaries(_KEYS, _JSON_SCALARS, max_size=3)
_NESTED = st.one_of(
    _JSON_SCALARS,
    st.lists(_JSON_SCALARS | _ROWS, max_size=3),
    _ROWS,
    st.dictionaries(_KEYS, st.lists(_ROWS, max_size=2), max_size=2),
)
"""JSON values nested up to three levels deep: lists of rows, as templates' #each read them.
(Fixed shapes rather than `st.recursive`, which costs several times more per draw.)"""


def extra_data(keys: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Nested JSON objects; `keys` (what templates read) are favoured as top-level keys."""
    top_keys = st.sampled_from(keys) | _KEYS if keys else _KEYS
    return st.dictionaries(top_keys, _NESTED, max_size=4)


iframes = st.fixed_dictionaries(
    {
        "linkLabel": faked(lambda f: f"View {f.word()}"),
        "headerLabel": texts,
        "url": urls,
        "width": st.integers(min_value=1, max_value=4096),
        "height": st.integers(min_value=1, max_value=4096),
    }
)
"""A complete timelineIFrame (all five fields are required once the object is sent)."""


def property_values(prop: EventProperty) -> st.SearchStrategy[str]:
    """Valid wire values (always strings) for one property, by its type."""
    if prop.type == "NUMBER":
        return numbers
    if prop.type == "DATE":
        return dates
    if prop.type == "ENUMERATION" and prop.options:
        return st.sampled_from(sorted(prop.option_values))
    return texts


def not_in(
    taken: frozenset[str] | set[str], base: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """`base`, with any value in `taken` turned into one that is not (no filtering)."""

    def fix(value: str) -> str:
        while value in taken:
            value += "_x"
        return value

    return base.map(fix)


_LETTERS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
bad_numbers = st.one_of(
    st.builds("{}{}".format, st.integers(0, 10**6), st.sampled_from(("px", "kg", "k", " EUR"))),
    faked(lambda f: f.word()),
    st.builds("{},{:03d}".format, st.integers(1, 999), st.integers(0, 999)),
    _LETTERS.map(lambda text: "n/a " + text),
)
"""Text no reading of 'decimal number' accepts: words, units, thousands separators."""
bad_dates = st.one_of(
    faked(lambda f: f.word()),
    _moments().map(lambda moment: moment.strftime("%d/%m/%Y")),
    _moments().map(lambda moment: moment.strftime("%B %d, %Y")),
    st.sampled_from(("yesterday", "next week", "soon")),
)
"""Text that is neither epoch milliseconds nor ISO 8601."""
bad_timestamps = st.one_of(
    bad_dates,
    _moments().map(lambda moment: moment.strftime("%Y/%m/%d %H:%M")),
    _moments().map(lambda moment: moment.date().isoformat()),
    _moments().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S")),
    st.integers(min_value=0, max_value=4_102_444_799_000).map(str),
)
"""Realistic mistakes too: a bare date, no offset, epoch milliseconds as text."""
