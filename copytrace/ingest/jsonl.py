"""JSONL landing files: one scraped record a line.

Each line is an object with ``url``, ``fetched_at`` (ISO-8601), ``title``, optionally
``published_at`` (ISO-8601: the page's publication date, when the scraper read one) and either
``text`` (already extracted) or ``html`` (extracted here). When both are given, ``text``
wins: it is what the scraper saw. Likewise a ``published_at`` given wins over the date the
``html`` states. A bad line is reported with its line number and the other lines are still
read, because one scraper bug should not cost a whole batch: whatever goes wrong in a line,
even an unexpected failure (``internal-error``), is that line's error. Blank lines are skipped.
A date without a time zone is taken as UTC (a bare date is midnight UTC); a publication date
after the fetch or before 1990 is left out (``records.plausible_publication``); a date that is
not ISO-8601 is a ``bad-date`` error of its line, which is kept without it (``records.record_date``,
as WARC does).
"""

from __future__ import annotations

import json

from copytrace.ingest.html import extract_article
from copytrace.ingest.records import (
    InputError,
    ReadError,
    ScrapedCopy,
    make_copy,
    plausible_publication,
    printable,
    record_date,
)

_FIELDS = ("url", "fetched_at", "published_at", "title", "text", "html")


def read_jsonl(text: str, path: str, resolved: str) -> tuple[list[ScrapedCopy], list[ReadError]]:
    """Every record of the decoded file ``text``; ``path`` is the landing path, ``resolved`` its real path."""
    copies: list[ScrapedCopy] = []
    errors: list[ReadError] = []
    # split on "\n" only: str.splitlines would also split on U+2028, which JSON allows inside strings
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        fallback = f"{resolved}#L{number}"
        try:
            record = _parse(line, number)
        except InputError as exc:
            errors.append(ReadError(path, fallback, exc.reason, exc.detail))
            continue
        except Exception as exc:  # noqa: BLE001 -- one line's surprise must not cost the file
            errors.append(ReadError(path, fallback, "internal-error", _unexpected(number, exc)))
            continue
        locator = record["url"] or fallback
        errors.extend(ReadError(path, locator, "bad-date", f"Line {number}: {why}") for why in record["bad_dates"])
        try:
            copies.append(_copy(record, fallback, path, number))
        except InputError as exc:
            detail = f"Line {number}: {exc.detail[:1].lower()}{exc.detail[1:]}"
            errors.append(ReadError(path, locator, exc.reason, detail))
        except Exception as exc:  # noqa: BLE001 -- as above
            errors.append(ReadError(path, locator, "internal-error", _unexpected(number, exc)))
    if not copies and not errors:  # said, not a file silently read as holding nothing
        errors.append(ReadError(path, None, "no-text", "The file holds no records, only blank lines."))
    return copies, errors


def _unexpected(number: int, exc: Exception) -> str:
    message = printable(" ".join(str(exc).split())[:200])
    return f"Line {number}: reading failed unexpectedly ({type(exc).__name__}: {message})."


def _parse(line: str, number: int) -> dict:
    """The line's fields, type-checked; raises InputError("malformed-jsonl") naming the line."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise InputError("malformed-jsonl", f"Line {number} is not valid JSON ({exc}).") from None
    if not isinstance(obj, dict):
        raise InputError("malformed-jsonl", f"Line {number} is a JSON {type(obj).__name__}, not an object.")
    record = {}
    for name in _FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError("malformed-jsonl", f"Line {number}: {name!r} is a {type(value).__name__}, not a string.")
        if value is not None and name not in ("text", "html"):
            value = value.strip()
        record[name] = value or None
    if "text" not in obj and "html" not in obj:
        raise InputError("malformed-jsonl", f"Line {number} has neither a 'text' nor an 'html' field.")
    record["bad_dates"] = []
    for name in ("fetched_at", "published_at"):
        record[name], why = record_date(record[name], name)
        if why:
            record["bad_dates"].append(why)
    return record


def _copy(record: dict, fallback: str, path: str, number: int) -> ScrapedCopy:
    title, url = record["title"], record["url"]
    published_at = plausible_publication(record["published_at"], record["fetched_at"])
    if record["text"] and record["text"].strip():
        body = record["text"]
    elif record["html"]:
        article = extract_article(record["html"], fetched_at=record["fetched_at"])
        body, title, url = article.text, title or article.title, url or article.url
        published_at = published_at or article.published_at
    else:
        raise InputError("no-text", "The record's text is empty.")
    return make_copy(
        locator=url or fallback,
        text=body,
        source_path=path,
        title=title,
        url=url,
        fetched_at=record["fetched_at"],
        published_at=published_at,
        record_index=number,
    )
