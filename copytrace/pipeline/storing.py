"""Store a batch of landing files: read them, store their copies and errors in one transaction."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from copytrace.db import session_factory
from copytrace.index.candidates import CandidateIndex
from copytrace.ingest import read_file
from copytrace.ingest.records import FileResult, printable
from copytrace.pipeline.results import StoreResult
from copytrace.redact import first_line
from copytrace.repo import documents, ingest_log

LOCATOR_LIMIT = documents.LOCATOR_MAX


# Copies read are stored together once this many have piled up (or this many characters): few
# statements for many copies, with memory bounded however large the batch's files are.
STORE_BUFFER_COPIES = 500
STORE_BUFFER_CHARS = 32 * 2**20


@dataclass
class _ReadFile:
    """A landing file read, waiting for its copies to be stored and its errors recorded."""

    read: FileResult
    digest: str | None
    errors: list[tuple[str, str, str | None]]
    stored: int = 0


def store_files(
    paths: Sequence[str],
    landing: str,
    database_url: str,
    max_file_bytes: int,
    flow_run_id: str | None = None,
) -> StoreResult:
    """Read landing files and store their copies and errors in one transaction.

    A file already ingested with the same bytes is skipped. Copies are stored many at a time; if
    the database refuses some of them, they are stored again one by one, each in a savepoint, so
    the error is recorded against its own file and copy and the others are stored.
    """
    result = StoreResult()
    landing_path = Path(landing)
    factory = session_factory(database_url)
    with factory.begin() as session:
        buffered: list[_ReadFile] = []
        copies = chars = 0
        keys = {raw: (printable(str(Path(raw))), _file_key(Path(raw), max_file_bytes)) for raw in paths}
        done = ingest_log.ingested_files(session, [key for key in keys.values() if key[1]])
        for raw in paths:
            path, digest = Path(raw), keys[raw][1]
            if digest and keys[raw] in done:
                result.files_skipped += 1
                continue
            read = read_file(path, landing_path, max_file_bytes)
            result.files_read += 1
            buffered.append(_ReadFile(read, digest, [(e.reason, e.detail, e.locator) for e in read.errors]))
            copies += len(read.copies)
            chars += sum(len(c.text) for c in read.copies)
            if copies >= STORE_BUFFER_COPIES or chars >= STORE_BUFFER_CHARS:
                _store_buffered(session, buffered, result, flow_run_id)
                buffered, copies, chars = [], 0, 0
        _store_buffered(session, buffered, result, flow_run_id)
        CandidateIndex(session).count_terms(result.new_document_ids)
    return result


def _store_buffered(session, files: list[_ReadFile], result: StoreResult, flow_run_id: str | None) -> None:
    """Store the copies of files read, then record each file and its errors."""
    copies = []
    for f in files:
        for copy in f.read.copies:
            if len(copy.locator) > LOCATOR_LIMIT:
                f.errors.append(("locator-too-long", f"locator longer than {LOCATOR_LIMIT} characters", None))
            else:
                copies.append((f, copy))
    try:
        with session.begin_nested():
            ids = documents.add_documents(session, [_new_copy(c) for _, c in copies], flow_run_id)
    except SQLAlchemyError:
        ids = [_store_one(session, f, copy, flow_run_id) for f, copy in copies]
    for (f, _), doc_id in zip(copies, ids, strict=True):
        if doc_id is None:
            result.duplicates += 1
        elif doc_id != _REFUSED:
            result.new_document_ids.append(doc_id)
            f.stored += 1
    for f in files:
        for reason, detail, locator in f.errors:
            ingest_log.record_error(session, f.read.path, reason, detail, locator, f.digest, flow_run_id)
            result.errors.append({"path": f.read.path, "locator": locator or "", "reason": reason, "detail": detail})
    read = [
        {
            "path": f.read.path,
            "file_sha256": f.digest,
            "size": f.read.size,
            "n_copies": f.stored,
            "n_errors": len(f.errors),
        }
        for f in files
        if f.digest
    ]
    ingest_log.record_ingested_files(session, read, flow_run_id)


_REFUSED = -1  # what _store_one returns for a copy the database refused


def _store_one(session, f: _ReadFile, copy, flow_run_id: str | None) -> int | None:
    """One copy in its own savepoint; a refusal is recorded as the copy's error."""
    try:
        with session.begin_nested():
            return documents.add_document(session, _new_copy(copy), flow_run_id)
    except (IntegrityError, SQLAlchemyError) as exc:
        f.errors.append(("store-failed", first_line(exc)[:300], copy.locator))
        return _REFUSED


def _new_copy(copy) -> documents.NewCopy:
    return documents.NewCopy(
        locator=copy.locator,
        text=copy.text,
        sha256=copy.sha256,
        title=copy.title,
        url=copy.url,
        site=copy.site,
        fetched_at=copy.fetched_at,
        source_path=copy.source_path,
        published_at=copy.published_at,
    )


def _file_key(path: Path, max_bytes: int) -> str | None:
    """What identifies this landing file's content, so it is read once (a bad file is recorded once,
    not on every scheduled run): sha256 of its bytes; for a symlink, of its target's name; for a file
    over the size limit, of its size and mtime (never read); for a FIFO, socket, device or folder
    (never opened), of its kind and inode: a FIFO left in the folder is recorded once, and a regular
    file put in its place is read. None when the path cannot be examined (it may be fixed)."""
    try:
        if path.is_symlink():
            return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest()
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = stat.S_IFMT(info.st_mode)
            return hashlib.sha256(f"special:{kind}:{info.st_dev}:{info.st_ino}".encode()).hexdigest()
        if info.st_size > max_bytes:
            return hashlib.sha256(f"oversize:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
