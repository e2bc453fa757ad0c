"""Read one landing file into scraped copies and read errors; never raise.

Checks run cheapest first and stop at the first failure, each giving one ReadError:

``bad-name``
    a name (or a folder name under the landing folder) with control characters, newlines
    or bytes that are not UTF-8. Such names break logs, CSV exports and locators, and a
    scraper that writes them is broken, so the file is not read; the error's path is an
    escaped, printable form of the name. Merely unusual names (spaces, accents, emoji) are
    read normally.
``outside-landing``
    the path, once symlinks are resolved, is not inside the landing folder: a symlink must
    not make copytrace read (and store) files from elsewhere on the machine.
``unreadable``
    the file vanished after it was listed, is a dangling symlink or a symlink loop, or
    permission is denied.
``not-a-file``
    a folder (a symlinked or unlistable one: discover does not walk those), FIFO, socket
    or device; opening a FIFO would block the run.
``unsupported-type``
    a suffix other than SUPPORTED_SUFFIXES (compared case-insensitively).
``empty`` / ``too-large``
    zero bytes, or more than ``max_bytes`` (checked with stat before reading, and again
    while reading in case the file is still growing). A WARC archive is bounded inside too:
    a record over ``max_bytes``, or an archive inflating past ``ARCHIVE_EXPANSION`` times it,
    is ``too-large`` (``copytrace.ingest.warc``).
``binary`` / ``undecodable`` / ``no-text`` / ``malformed-jsonl`` / ``malformed-warc``
    from the format readers; JSONL and WARC report bad records and keep the good ones.
``internal-error``
    an unexpected exception (a bug, or a library failing on odd input), reported against
    the file so the rest of the run goes on.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from copytrace.ingest.decode import decode_text
from copytrace.ingest.html import extract_article
from copytrace.ingest.jsonl import read_jsonl
from copytrace.ingest.records import FileResult, InputError, ReadError, make_copy, printable, unsafe_char
from copytrace.ingest.warc import read_warc

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".warc", ".warc.gz")


def read_file(path: Path, landing: Path, max_bytes: int) -> FileResult:
    """Read ``path`` (a file found under ``landing``); files over ``max_bytes`` are not read."""
    shown = printable(str(path))
    try:
        return _read(path, landing, max_bytes, shown)
    except Exception as exc:  # noqa: BLE001 -- the contract is "never raise": one odd file must not stop a run
        message = printable(" ".join(str(exc).split())[:200])
        detail = f"Reading failed unexpectedly ({type(exc).__name__}: {message})."
        return FileResult(shown, None, 0, errors=[ReadError(shown, None, "internal-error", detail)])


def _read(path: Path, landing: Path, max_bytes: int, shown: str) -> FileResult:
    def failed(reason: str, detail: str, size: int = 0) -> FileResult:
        return FileResult(shown, None, size, errors=[ReadError(shown, None, reason, detail)])

    if bad := _bad_name(path, landing):
        return failed("bad-name", f"The name '{printable(bad)}' has control characters or bytes that are not UTF-8.")
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop (Python < 3.13)
        return failed("unreadable", "The path is a symlink loop.")
    if not resolved.is_relative_to(landing.resolve()):
        target = printable(str(resolved))
        return failed("outside-landing", f"The path resolves to {target}, outside the landing folder.")
    if bad := _bad_name(resolved, landing.resolve()):  # a tidy symlink to an odd name: the locator would be odd
        return failed("bad-name", f"The path resolves to the name '{printable(bad)}', which is not printable UTF-8.")
    try:
        info = path.stat()
    except FileNotFoundError:
        return failed("unreadable", "The file no longer exists, or is a symlink to nothing.")
    except OSError as exc:
        return failed("unreadable", f"The file cannot be examined ({exc.strerror}).")
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode) and not os.access(path, os.R_OK | os.X_OK):
            return failed("unreadable", "The folder cannot be listed (permission denied).")
        return failed("not-a-file", "The path is a folder, FIFO, socket or device, not a regular file.")
    suffix = _suffix(path)
    if suffix is None:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        return failed("unsupported-type", f"The file type is not one copytrace reads ({kinds}).", info.st_size)
    if info.st_size == 0:
        return failed("empty", "The file is empty.")
    if info.st_size > max_bytes:
        return failed("too-large", f"The file has {info.st_size} bytes, over the {max_bytes}-byte limit.", info.st_size)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return failed("unreadable", f"The file cannot be read ({exc.strerror}).", info.st_size)
    if len(data) > max_bytes:
        return failed("too-large", f"The file grew past the {max_bytes}-byte limit while being read.", len(data))
    if not data:
        return failed("empty", "The file became empty before it was read.")

    result = FileResult(shown, hashlib.sha256(data).hexdigest(), len(data))
    try:
        _parse(suffix, data, shown, str(resolved), result, max_bytes)
    except InputError as exc:
        result.errors.append(ReadError(shown, None, exc.reason, exc.detail))
    return result


def _parse(suffix: str, data: bytes, shown: str, resolved: str, result: FileResult, max_bytes: int) -> None:
    """Fill ``result`` from the file's bytes; raise InputError for a file-level failure."""
    if suffix == ".txt":
        result.copies.append(make_copy(locator=resolved, text=decode_text(data), source_path=shown))
    elif suffix in (".html", ".htm"):
        article = extract_article(data)
        result.copies.append(
            make_copy(
                locator=article.url or resolved,
                text=article.text,
                source_path=shown,
                title=article.title,
                url=article.url,
                published_at=article.published_at,
            )
        )
    elif suffix == ".jsonl":
        copies, errors = read_jsonl(decode_text(data), shown, resolved)
        result.copies.extend(copies)
        result.errors.extend(errors)
    else:
        copies, errors = read_warc(data, shown, max_bytes)
        result.copies.extend(copies)
        result.errors.extend(errors)


def _suffix(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in SUPPORTED_SUFFIXES if name.endswith(s)), None)


def _bad_name(path: Path, landing: Path) -> str | None:
    """The first path part (below ``landing``) with an unsafe character, else None."""
    parts = path.relative_to(landing).parts if path.is_relative_to(landing) else (path.name,)
    return next((part for part in parts if any(unsafe_char(ch) for ch in part)), None)
