"""Field values for occurrences: realistic (faker) and hostile (unicode), valid and invalid.

Every random choice goes through hypothesis, at few draws per value (draws are what a body
costs; see docs/performance.md):

- A value `Kind` reads its small choices (which form, which pool entry, which offset) from
  `size` shape bytes. A whole body takes its shape bytes in one draw (bodies.py); a value on
  its own draws just its own. All-zero bytes give the simplest value, so shrinking works.
- Faker fills per-locale pools once, from a fixed seed, when a strategy is resolved; shape
  bytes pick the entry. Replay and shrinking see the same value for the same draw, and no
  faker call happens inside a draw.
- Numbers, moments, object ids and arbitrary unicode text stay hypothesis' own draws, which
  favour boundaries and shrink towards small values.
- Each strategy a plain example draws from declares its plain value (`with_plain`), so
  `draw_plain` builds plain examples without hypothesis (see `invalid_occurrences`).
"""

from __future__ import annotations

import functools
import string
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar, cast

from faker import Factory, Generator
from hypothesis import strategies as st

from ..model import EventProperty

T = TypeVar("T")
U = TypeVar("U")

LOCALES = ("en_US", "de_DE", "fr_FR", "ja_JP", "ru_RU", "pt_BR", "zh_CN", "ar_AA")
"""Name-bearing locales, so strings cover accents, CJK, Cyrillic and right-to-left text."""

POOL_SIZE = 1024
"""Entries per faker pool (spread over the locales): variety at ~0.2 s to build them all."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
_OFFSETS = ("Z", "+00:00", "+01:00", "-05:00", "+05:30", "-08:00", "+09:00", "+14:00")
INT32_MAX = 2**31 - 1

Decode = Callable[[st.DrawFn, bytes], Any]

_PLAIN = "_hsevents_plain"


def with_plain(strategy: st.SearchStrategy[T], plain: Callable[[], T]) -> st.SearchStrategy[T]:
    """`strategy`, declared to give `plain()` in a plain example (made by `draw_plain`).

    The declaration is kept on the strategy itself, so it lives exactly as long (a registry
    would keep every per-plan strategy alive)."""
    setattr(strategy, _PLAIN, plain)
    return strategy


def _draw_plain(strategy: st.SearchStrategy[T], label: object = None) -> T:
    plain = getattr(strategy, _PLAIN, None)
    if plain is None:
        raise LookupError(f"{strategy!r} declares no plain value (values.with_plain)")
    return plain()  # type: ignore[no-any-return]


draw_plain = cast(st.DrawFn, _draw_plain)
"""A draw function that makes no choice: each strategy's declared plain value.

A plain example draws nothing from hypothesis, so once it has run hypothesis counts it as
exhausted and never repeats it: one plain example per rule comes early.
"""


def word(raw: bytes) -> int:
    """Shape bytes as one unsigned number."""
    return int.from_bytes(raw, "big")


@functools.cache
def generator(locale: str) -> Generator:
    """The shared faker generator for `locale` (built on first use)."""
    return Factory.create(locale)


def _tagged_email(fake: Any) -> str:
    return f"{fake.user_name()}+{fake.word()}@{fake.domain_name(2)}"


_POOLS: dict[str, tuple[Callable[[Any], str], tuple[str, ...]]] = {
    "name": (lambda f: f.name(), LOCALES),
    "sentence": (lambda f: f.sentence(), LOCALES),
    "catch_phrase": (lambda f: f.catch_phrase(), ("en_US",)),
    "email": (
        lambda f: f.random_element((f.email, f.company_email, lambda: _tagged_email(f)))(),
        ("en_US",),
    ),
    "domain": (lambda f: f.domain_name(f.random_int(1, 2)), ("en_US",)),
    "url": (lambda f: f.url() + f.uri_path(), ("en_US",)),
    "word": (lambda f: f.word(), ("en_US",)),
    "slug": (lambda f: f"{f.slug()}-{f.random_int(0, 99999)}", ("en_US",)),
}


@functools.cache
def pool(kind: str) -> tuple[str, ...]:
    """POOL_SIZE faker values of one kind; entry i comes from locale i % len(locales), so
    entry 0 (the shrink target) is en_US."""
    make, locales = _POOLS[kind]
    fakers = [generator(locale) for locale in locales]
    for fake in fakers:
        fake.seed_instance(20240501)
    return tuple(make(fake) for _ in range(POOL_SIZE // len(fakers)) for fake in fakers)


@functools.cache
def warm_up() -> None:
    """Do now, when hypothesis resolves a strategy, the slow first-time work a draw would
    otherwise do, which trips hypothesis' too_slow health check on a cold machine: build
    every faker pool (a locale's first generator takes up to a second) and hypothesis' own
    unicode tables behind `st.text()` (~1.3 s until cached in `.hypothesis/unicode_data`)."""
    for kind in _POOLS:
        pool(kind)
    _TEXT.validate()


def pick(kind: str, index: int) -> str:
    values = pool(kind)
    return values[index % len(values)]


@dataclass(frozen=True)
class Kind:
    """One kind of value: `decode` makes it from `size` shape bytes (and may draw more)."""

    size: int
    decode: Decode

    @functools.cached_property
    def strategy(self) -> st.SearchStrategy[Any]:
        """The value on its own: draws its shape bytes, then decodes them."""
        return with_plain(_alone(self), lambda: self.decode(draw_plain, bytes(self.size)))


@functools.cache
def shape_bytes(size: int) -> st.SearchStrategy[bytes]:
    """`size` uniform bytes in one draw; they shrink towards zeros, the simplest shape."""
    return with_plain(st.binary(min_size=size, max_size=size), lambda: bytes(size))


@st.composite
def _alone(draw: st.DrawFn, kind: Kind) -> Any:
    return kind.decode(draw, draw(shape_bytes(kind.size)) if kind.size else b"")


def pooled(name: str, size: int = 2) -> Kind:
    return Kind(size, lambda draw, raw: pick(name, word(raw)))


names = pooled("name")
emails = pooled("email")
domains = pooled("domain")
urls = pooled("url")
words = pooled("word")

_TEXT = st.text(max_size=40)


def _text(draw: st.DrawFn, raw: bytes) -> str:
    index, form = divmod(word(raw), 4)
    if form == 3:
        return draw(_TEXT)
    return pick(("name", "sentence", "catch_phrase")[form], index)


texts = Kind(2, _text)
"""String property values: realistic text in many scripts, and arbitrary unicode."""

utks = Kind(16, lambda draw, raw: raw.hex())
"""HubSpot user tokens (the `hubspotutk` cookie): 32 hex digits."""

_OBJECT_IDS = with_plain(st.integers(min_value=1, max_value=10**12), lambda: 1)
object_ids = Kind(0, lambda draw, raw: str(draw(_OBJECT_IDS)))

_OBJECT_NAMES = ("Cats", "Devices", "Vehicles", "Subscriptions", "Assets", "Shipments", "Pets")


def _object_name(draw: st.DrawFn, raw: bytes) -> str:
    index = word(raw)
    if index % 2 == 0:
        return _OBJECT_NAMES[index // 2 % len(_OBJECT_NAMES)]
    return pick("word", index // 2).capitalize() + "s"


custom_object_names = Kind(2, _object_name)
"""The objectName part of `p{portalId}_{objectName}`."""

_ID_WORDS = ("evt", "login", "signup", "order", "sync", "scan", "webinar", "visit")


def _occurrence_id(draw: st.DrawFn, raw: bytes) -> str:
    form = raw[0] % 3
    if form == 0:
        return f"{_ID_WORDS[raw[1] % len(_ID_WORDS)]}-{word(raw[2:6]) % 10**9}"
    if form == 1:
        return str(draw(_UUIDS))
    return pick("slug", word(raw[1:3]))


_UUIDS = st.uuids()
occurrence_ids = Kind(6, _occurrence_id)
"""`evt-42`, UUIDs, faker slugs with a number."""

_INT15 = st.integers(min_value=-(10**15), max_value=10**15)
_INT9 = st.integers(min_value=-(10**9), max_value=10**9)
_SIGNS = ("", "-", "+")


def _number(draw: st.DrawFn, raw: bytes) -> str:
    rest, form = divmod(word(raw), 4)
    rest, sign = divmod(rest, 3)
    exponent, digits = divmod(rest, 10**6)
    if form == 0:
        return str(draw(_INT15))
    if form == 1:
        return f"{draw(_INT9)}.{digits}"
    if form == 2:
        return f"{_SIGNS[sign]}{digits}e{exponent % 41 - 20}"
    return f"{_SIGNS[sign % 2]}.{digits}"


numbers = Kind(4, _number)
"""Decimal number text: `42`, `-7`, `3.14`, `.5`, `+2e-3`."""

_SECONDS = st.integers(0, int((_LATEST - _EPOCH).total_seconds()))
_EPOCH_MS = st.integers(min_value=-(10**14), max_value=10**14)


def _moment(draw: st.DrawFn) -> datetime:
    return _EPOCH + timedelta(seconds=draw(_SECONDS))


def _date_time(draw: st.DrawFn, rest: int) -> str:
    rest, fraction = divmod(rest, 3)
    offset, digits = divmod(rest, 10**6)
    text = _moment(draw).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction == 1:
        text += f".{digits % 1000:03d}"
    elif fraction == 2:
        text += f".{digits:06d}"
    return text + _OFFSETS[offset % len(_OFFSETS)]


date_times = Kind(4, lambda draw, raw: _date_time(draw, word(raw)))
"""ISO 8601 date-times with a zone: `2024-05-01T09:30:00Z`, `…00.123+05:30`."""


def _date(draw: st.DrawFn, raw: bytes) -> str:
    rest, form = divmod(word(raw), 5)
    if form == 0:
        return str(draw(_EPOCH_MS))
    if form == 1:
        return _moment(draw).date().isoformat()
    if form == 2:
        return _date_time(draw, rest)
    return _moment(draw).strftime("%Y-%m-%dT%H:%M" if form == 3 else "%Y-%m-%dT%H:%M:%S")


dates = Kind(4, _date)
"""Date property values in every accepted form: epoch milliseconds, ISO date, date-time."""


class _Reader:
    """Reads shape bytes one at a time; past the end it reads zeros (the simplest choice)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.at = 0

    def byte(self) -> int:
        at = self.at
        self.at += 1
        return self.raw[at] if at < len(self.raw) else 0

    def number(self, size: int) -> int:
        return word(bytes(self.byte() for _ in range(size)))


_KEY_WORDS = ("items", "note", "code", "text", "url", "count", "tags")


def _key(reader: _Reader, keys: tuple[str, ...]) -> str:
    choice = reader.byte()
    if keys and choice % 2 == 0:
        return keys[choice // 2 % len(keys)]
    if choice % 3 != 2:
        return _KEY_WORDS[choice % len(_KEY_WORDS)]
    return pick("name" if choice % 5 else "word", reader.number(2))


def _scalar(reader: _Reader, kind: int) -> Any:
    if kind == 0:
        return None
    if kind == 1:
        return bool(reader.byte() % 2)
    if kind == 2:
        return reader.number(4) - 2**31
    if kind == 3:
        bits = reader.number(8)
        value: float = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
        return value if value - value == 0 else bits / 256  # no NaN or infinity in JSON
    return pick(("name", "sentence", "catch_phrase")[kind % 3], reader.number(2))


def _json(reader: _Reader, keys: tuple[str, ...], depth: int) -> Any:
    kind = reader.byte() % (8 if depth < 3 else 5)
    if kind < 5:
        return _scalar(reader, kind)
    if kind == 5:
        return [_json(reader, keys, depth + 1) for _ in range(reader.byte() % 4)]
    if kind == 6:
        return _object(reader, keys, depth + 1, 4)
    return [_object(reader, keys, depth + 1, 4) for _ in range(reader.byte() % 3)]


def _object(reader: _Reader, keys: tuple[str, ...], depth: int, most: int) -> dict[str, Any]:
    count = reader.byte() % most
    return {_key(reader, keys): _json(reader, keys, depth) for _ in range(count)}


def extra_data(keys: tuple[str, ...] = (), arrays: bool = False) -> Kind:
    """Nested JSON objects (lists of rows, as templates' #each read them), three levels deep;
    `keys` (what templates read) are favoured. `arrays`: a list of objects is valid too.

    Read from 32 shape bytes, not drawn piece by piece: a dictionary of hypothesis draws
    costs ten times more per body, and extraData is opaque to HubSpot."""

    def decode(draw: st.DrawFn, raw: bytes) -> Any:
        reader = _Reader(raw)
        if arrays and reader.byte() % 4 == 3:
            return [_object(reader, keys, 1, 4) for _ in range(reader.byte() % 3)]
        return _object(reader, keys, 0, 5)

    return Kind(32, decode)


def _iframe(draw: st.DrawFn, raw: bytes) -> dict[str, Any]:
    return {
        "linkLabel": f"View {pick('word', word(raw[0:2]))}",
        "headerLabel": _text(draw, raw[2:4]),
        "url": pick("url", word(raw[4:6])),
        "width": word(raw[6:8]) % 4096 + 1,
        "height": word(raw[8:10]) % 4096 + 1,
    }


iframes = Kind(10, _iframe)
"""A complete timelineIFrame (all five fields are required once the object is sent)."""


def options(values: tuple[str, ...]) -> Kind:
    return Kind(1, lambda draw, raw: values[raw[0] % len(values)])


def property_values(prop: EventProperty) -> Kind:
    """Valid wire values (always strings) for one property, by its type."""
    if prop.type == "NUMBER":
        return numbers
    if prop.type == "DATE":
        return dates
    if prop.type == "ENUMERATION" and prop.options:
        return options(tuple(sorted(prop.option_values)))
    return texts


def sampled(choices: tuple[T, ...]) -> st.SearchStrategy[T]:
    """`sampled_from(choices)`, plain value the first."""
    return with_plain(st.sampled_from(choices), lambda: choices[0])


def one_of(first: st.SearchStrategy[T], *rest: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`st.one_of`, plain value the first option's."""
    if not rest:
        return first  # st.one_of would return `first` itself
    return with_plain(st.one_of(first, *rest), lambda: draw_plain(first))


def mapped(strategy: st.SearchStrategy[T], function: Callable[[T], U]) -> st.SearchStrategy[U]:
    """`strategy.map(function)`, plain value the mapped plain value."""
    return with_plain(strategy.map(function), lambda: function(draw_plain(strategy)))


def not_in(
    taken: frozenset[str] | set[str], base: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """`base`, with any value in `taken` turned into one that is not (no filtering)."""

    def fix(value: str) -> str:
        while value in taken:
            value += "_x"
        return value

    return mapped(base, fix)


_LETTERS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
bad_numbers = with_plain(
    st.one_of(
        st.builds("{}{}".format, st.integers(0, 10**6), st.sampled_from(("px", "kg", "k", " EUR"))),
        words.strategy,
        st.builds("{},{:03d}".format, st.integers(1, 999), st.integers(0, 999)),
        _LETTERS.map(lambda text: "n/a " + text),
    ),
    lambda: "0px",
)
"""Text no reading of 'decimal number' accepts: words, units, thousands separators."""
_MOMENTS = _SECONDS.map(lambda seconds: _EPOCH + timedelta(seconds=seconds))
bad_dates = one_of(
    sampled(("yesterday", "next week", "soon")),
    words.strategy,
    _MOMENTS.map(lambda moment: moment.strftime("%d/%m/%Y")),
    _MOMENTS.map(lambda moment: moment.strftime("%B %d, %Y")),
)
"""Text that is neither epoch milliseconds nor ISO 8601."""
bad_timestamps = one_of(
    bad_dates,
    _MOMENTS.map(lambda moment: moment.strftime("%Y/%m/%d %H:%M")),
    _MOMENTS.map(lambda moment: moment.date().isoformat()),
    _MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S")),
    st.integers(min_value=0, max_value=4_102_444_799_000).map(str),
)
"""Realistic mistakes too: a bare date, no offset, epoch milliseconds as text."""
