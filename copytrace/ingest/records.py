"""What reading a landing file produces: scraped copies, read errors, and the per-file result.

A bad input is data, not an exception: every problem becomes a :class:`ReadError` with a
short machine ``reason`` (stored and counted) and a one-sentence ``detail`` (shown to
operators), so one broken file never stops a run and the good records beside it are kept.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from copytrace.text import clean, normalise, normalised_sha256


@dataclass(frozen=True)
class ScrapedCopy:
    """One scraped copy of an article: its normalised text and where it came from."""

    locator: str  # URL when known, else the landing file's absolute resolved path (``#L<n>`` for JSONL lines)
    text: str  # normalised with copytrace.text.normalise
    title: str | None
    url: str | None
    site: str | None  # host of ``url``, lower-case, without ``www.``
    fetched_at: datetime | None  # tz-aware UTC
    published_at: datetime | None  # the page's stated publication date, tz-aware UTC (a bare date: midnight)
    source_path: str  # the landing file it was read from (absolute, not resolved)
    record_index: int | None  # JSONL line number / WARC record number (1-based); None for one-copy files
    sha256: str  # text_sha256(text): the copy's identity


@dataclass(frozen=True)
class ReadError:
    path: str
    locator: str | None  # the record inside the file, when the problem is one record
    reason: str  # short machine code, e.g. "empty", "binary", "malformed-jsonl"
    detail: str  # one readable sentence

    def __post_init__(self) -> None:
        # a locator or detail quoting a scraped value is stored and shown like the text (copytrace.text.clean)
        object.__setattr__(self, "locator", clean(self.locator) if self.locator is not None else None)
        object.__setattr__(self, "detail", clean(self.detail))


@dataclass
class FileResult:
    path: str
    file_sha256: str | None  # None when the bytes were not read (too large, outside the landing folder, ...)
    size: int
    copies: list[ScrapedCopy] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)


class InputError(Exception):
    """Raised inside the package for a bad input; read_file turns it into a ReadError.

    ``detail`` is a whole sentence that does not name the file (the ReadError carries the path).
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_utc(value: str) -> datetime:
    """An ISO-8601 date as tz-aware UTC; a date without a zone is taken as UTC. Raises ValueError."""
    when = datetime.fromisoformat(value.strip())
    try:
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved past the calendar's ends by its zone
        raise ValueError(f"{value!r} is out of range") from None


def record_date(value: str | None, name: str) -> tuple[datetime | None, str | None]:
    """(the date, None), or (None, why) for a date that is not ISO-8601.

    The one date policy of every multi-record format: a record with a bad date is kept without
    that date, and the bad date is recorded as a ``bad-date`` error of the record (``why``), so
    the scraper's bug is seen and the article is not lost over its metadata."""
    if not value:
        return None, None
    try:
        return parse_utc(value), None
    except ValueError:
        return None, f"{name} {printable(value[:100])!r} is not an ISO-8601 date; the record is kept without it."


# A publication date before this is a misreading (a copyright line, a birth date), not a web page's.
EARLIEST_PUBLICATION = datetime(1990, 1, 1, tzinfo=UTC)
# How far a publication date may lie after the fetch: the widest UTC offset. A bare date is read as
# midnight UTC, and a page dated in UTC+14 is already on that date 14 hours before it.
PUBLICATION_SLACK = timedelta(hours=14)


def plausible_publication(when: datetime | None, fetched_at: datetime | None = None) -> datetime | None:
    """``when`` (tz-aware UTC) if a page fetched at ``fetched_at`` (else now) can have been published
    then; None for a date before 1990 or after the fetch (beyond PUBLICATION_SLACK)."""
    if when is None or when < EARLIEST_PUBLICATION:
        return None
    return when if when <= (fetched_at or datetime.now(UTC)) + PUBLICATION_SLACK else None


# The longest title and host the database holds (documents.title, documents.site); SQLite would
# store longer ones, PostgreSQL refuses them, and both must store the same rows.
TITLE_MAX = 1000
SITE_MAX = 255


def site_of(url: str | None) -> str | None:
    """The host of ``url``, lower-case and without a leading ``www.``; None when there is no host."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or len(host) > SITE_MAX:  # a DNS name has at most 253 characters
        return None
    return host.removeprefix("www.")


def make_copy(
    *,
    locator: str,
    text: str,
    source_path: str,
    title: str | None = None,
    url: str | None = None,
    fetched_at: datetime | None = None,
    published_at: datetime | None = None,
    record_index: int | None = None,
) -> ScrapedCopy:
    """Normalise and hash ``text``; raise InputError("no-text") when nothing is left.

    A ``published_at`` that cannot be (``plausible_publication``) is dropped, not an error."""
    body = normalise(text)
    if not body:
        raise InputError("no-text", "There is no text left once blank space is removed.")
    url = clean(url) if url else None
    return ScrapedCopy(
        locator=clean(locator),
        text=body,
        # one line (titles are shown in tables), no longer than the column: PostgreSQL refuses a longer one
        title=(" ".join(clean(title).split())[:TITLE_MAX] or None) if title else None,
        url=url or None,
        site=site_of(url),
        fetched_at=fetched_at,
        published_at=plausible_publication(published_at, fetched_at),
        source_path=source_path,
        record_index=record_index,
        sha256=normalised_sha256(body),
    )


def unsafe_char(ch: str) -> bool:
    """A surrogate-escaped byte (name not UTF-8), a control character, or a line/paragraph separator."""
    return "\udc80" <= ch <= "\udcff" or unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def printable(text: str) -> str:
    r"""``text`` with unsafe characters escaped: ``\xNN`` for non-UTF-8 bytes and controls, ``\uNNNN`` otherwise."""
    out = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif unsafe_char(ch):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
