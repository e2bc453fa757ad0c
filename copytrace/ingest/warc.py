"""WARC landing files (``.warc``, ``.warc.gz``): one scraped copy per HTML or plain-text response.

Only ``response`` records with a 2xx status and an HTML or ``text/plain`` body are copies;
requests, metadata, redirects, error pages and assets (CSS, images, scripts) are skipped
without an error, since a crawl is full of them. An archive that breaks part-way (a
truncated download, a corrupt gzip member, a garbled header) keeps the copies read before
the damage and adds one ``malformed-warc`` error saying where it stopped. A record cut
short is detected by its Content-Length and never becomes a copy of half an article.

Reading is bounded whatever the bytes, because a small compressed archive can inflate to
gigabytes: the archive may expand to ARCHIVE_EXPANSION times the file size limit once
decompressed (past that, ``too-large``, keeping the copies read before), no header line is
read past LINE_LIMIT bytes (a "line" of a million zeros is damage, not a header), and a
record whose body is over the file size limit is a ``too-large`` error for that record,
skipped without being held in memory.
"""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import datetime

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

from copytrace.ingest.decode import decode_text
from copytrace.ingest.html import extract_article
from copytrace.ingest.records import InputError, ReadError, ScrapedCopy, make_copy, printable, record_date
from copytrace.redact import first_line

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
# A compressed archive may hold this many times the file size limit: a crawl's HTML compresses
# about 5-10 to 1, and anything past this is more than one run should hold for one file.
ARCHIVE_EXPANSION = 8
# WARC and HTTP header lines are short; a longer "line" is damage, read no further than this.
LINE_LIMIT = 64 * 1024


class _Damaged(Exception):
    """warcio could not go on; it signals damage with many exception types (even AttributeError)."""


class _TooLarge(Exception):
    """The archive inflates past its budget; nothing after that point is read."""


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader of the archive, counting what it decompresses against a budget and reading
    no line past LINE_LIMIT (warcio's own readline reads up to the next newline, however far)."""

    def __init__(self, stream, budget: int) -> None:
        super().__init__(stream)
        self.budget = budget
        self.produced = 0

    def _process_read(self, data):
        super()._process_read(data)
        if data:
            self.produced += self.buff_size
            if self.produced > self.budget:
                raise _TooLarge(self.budget)

    def readline(self, length=None):
        return super().readline(min(length, LINE_LIMIT) if length else LINE_LIMIT)


def read_warc(data: bytes, source_path: str, max_bytes: int) -> tuple[list[ScrapedCopy], list[ReadError]]:
    """Copies from every readable response record of the archive ``data`` (plain or gzip; warcio detects
    which); ``max_bytes`` bounds each record's body and, times ARCHIVE_EXPANSION, the archive inflated."""
    copies: list[ScrapedCopy] = []
    errors: list[ReadError] = []
    budget = max_bytes * ARCHIVE_EXPANSION
    records = ArchiveIterator(io.BytesIO(data))
    records.reader = _BoundedReader(records.fh, budget)
    gzipped = data.startswith(b"\x1f\x8b")
    number = 0  # the record being read, 1-based
    end = 0  # where the last complete record ends
    try:
        while True:
            number += 1
            record = _warcio(next, records, None)
            if record is None:
                break
            if record.rec_headers.get_header("Content-Length") is None:  # mandatory: a header cut short
                raise _Damaged("the record's WARC header is incomplete")
            try:
                body = _wanted_body(records, record, max_bytes)
            except InputError as exc:
                body = None
                uri = record.rec_headers.get_header("WARC-Target-URI")
                errors.append(ReadError(source_path, uri, exc.reason, exc.detail))
            offset, length = records.member_info
            end = offset + length
            if not gzipped and data[end : end + 1] not in (b"\r", b"\n"):  # every record ends with CRLF CRLF
                raise _Damaged("the record is not followed by the blank lines that end a record")
            if body is None:
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            fetched_at, why = record_date(record.rec_headers.get_header("WARC-Date"), "WARC-Date")
            if why:
                errors.append(ReadError(source_path, uri, "bad-date", f"Record {number}: {why}"))
            try:
                copies.append(_copy(record, body, uri, source_path, number, fetched_at))
            except InputError as exc:
                errors.append(ReadError(source_path, uri, exc.reason, exc.detail))
            except Exception as exc:  # noqa: BLE001 -- one record's surprise must not cost the archive
                message = printable(" ".join(str(exc).split())[:200])
                detail = f"Record {number}: reading failed unexpectedly ({type(exc).__name__}: {message})."
                errors.append(ReadError(source_path, uri, "internal-error", detail))
        # warcio takes a header cut short for the end of the archive: the leftover bytes tell
        if data[end:].strip():
            raise _Damaged(f"{len(data) - end} bytes after the last complete record are not a whole record")
        if gzipped:  # warcio does not notice a gzip member that lost its trailer
            _check_gzip(data, budget)
    except _TooLarge:
        detail = (
            f"The archive inflates past {budget} bytes ({ARCHIVE_EXPANSION} times the file size limit) at record "
            f"{number}: {len(copies)} copies before it were kept."
        )
        errors.append(ReadError(source_path, None, "too-large", detail))
    except _Damaged as exc:
        detail = f"The archive is damaged at record {number}: {len(copies)} copies before it were kept ({exc.args[0]})."
        errors.append(ReadError(source_path, None, "malformed-warc", detail))
    if not copies and not errors:
        errors.append(ReadError(source_path, None, "no-text", "The archive holds no HTML or plain-text responses."))
    return copies, errors


def _warcio(call, *args):
    try:
        return call(*args)
    except _TooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 -- see _Damaged
        line = first_line(exc, "").strip()
        raise _Damaged(printable(f"{type(exc).__name__}: {line}"[:200])) from exc


def _check_gzip(data: bytes, budget: int) -> None:
    """Raise _Damaged unless every gzip member is complete, _TooLarge past ``budget`` bytes inflated
    (streamed: the archive may inflate to far more)."""
    produced = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(1 << 20):
                produced += len(chunk)
                if produced > budget:
                    raise _TooLarge(budget)
    except (EOFError, OSError, zlib.error) as exc:
        raise _Damaged(f"the gzip stream is cut short or corrupt: {exc}") from exc


def _wanted_body(records: ArchiveIterator, record, max_bytes: int) -> bytes | None:
    """The record's decoded payload if it is a copy (2xx HTML/plain-text response), else None;
    InputError("too-large") for a copy whose record or decoded body is over ``max_bytes``.

    Either way the record is read to its end first, so a record shorter than its
    Content-Length raises _Damaged instead of yielding a partial page.
    """
    wanted = (
        record.rec_type == "response"
        and record.http_headers is not None
        and record.rec_headers.get_header("WARC-Target-URI")
        and (record.http_headers.get_statuscode() or "").startswith("2")
        and _content_type(record)[0] in _HTML_TYPES | {"text/plain"}
    )
    declared = _length(record.rec_headers.get_header("Content-Length"))
    oversize = wanted and declared > max_bytes
    # de-chunked and decompressed (Content-Encoding) by warcio, read no further than the limit
    body = _warcio(lambda: record.content_stream().read(max_bytes + 1)) if wanted and not oversize else None
    _warcio(records.read_to_end)
    missing = getattr(record.raw_stream, "limit", 0)  # a LimitReader when the record has a Content-Length
    if missing > 0:
        raise _Damaged(f"the record ends {missing} bytes short of its Content-Length")
    if oversize:
        raise InputError("too-large", f"The record has {declared} bytes, over the {max_bytes}-byte limit.")
    if body is not None and len(body) > max_bytes:
        raise InputError("too-large", f"The record's body decodes to over the {max_bytes}-byte limit.")
    return body


def _length(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _copy(record, body: bytes, uri: str, source_path: str, number: int, fetched_at: datetime | None) -> ScrapedCopy:
    mime, charset = _content_type(record)
    if mime == "text/plain":
        text, title, published_at = decode_text(body, charset), None, None
    else:
        article = extract_article(body, charset, fetched_at)
        text, title, published_at = article.text, article.title, article.published_at
    return make_copy(
        locator=uri,
        text=text,
        source_path=source_path,
        title=title,
        url=uri,
        fetched_at=fetched_at,
        published_at=published_at,
        record_index=number,
    )


def _content_type(record) -> tuple[str, str | None]:
    """(media type, charset) from the HTTP Content-Type header."""
    mime, _, params = (record.http_headers.get_header("Content-Type") or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return mime.strip().lower(), charset
