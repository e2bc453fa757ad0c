"""Which landing files were read (``ingested_files``) and what could not be (``ingest_errors``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from copytrace.orm import IngestedFile, IngestError, utcnow
from copytrace.repo.documents import stored_path
from copytrace.repo.sql import dialect_insert, insert_ignore


def ingested_files(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (path, file sha256) pairs were ingested: one statement for a batch of files."""
    as_stored = {(stored_path(path), digest): (path, digest) for path, digest in keys}
    wanted = set(as_stored)
    paths = sorted({path for path, _ in wanted})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(paths), 1000):  # within every database's limit on bound parameters
        stmt = select(IngestedFile.path, IngestedFile.file_sha256).where(
            IngestedFile.path.in_(paths[start : start + 1000])
        )
        found.update(as_stored[(path, digest)] for path, digest in session.execute(stmt) if (path, digest) in wanted)
    return found


def record_ingested_files(session: Session, files: Sequence[dict[str, Any]], flow_run_id: str | None) -> None:
    """Record landing files read completely: each a dict of ``path``, ``file_sha256``, ``size``,
    ``n_copies`` and ``n_errors``."""
    now = utcnow()
    rows = [{**f, "path": stored_path(f["path"]), "flow_run_id": flow_run_id, "ingested_at": now} for f in files]
    insert_ignore(session, IngestedFile.__table__, rows, ["path", "file_sha256"])


def record_error(
    session: Session,
    path: str,
    reason: str,
    detail: str,
    locator: str | None = None,
    file_sha256: str | None = None,
    flow_run_id: str | None = None,
) -> None:
    """Record a bad input; the same error seen again bumps its count instead of adding a row."""
    now = utcnow()
    row = {
        "path": stored_path(path),
        "locator": stored_path(locator or ""),
        "reason": reason,
        "detail": detail,
        "file_sha256": file_sha256 or "",
        "occurrences": 1,
        "flow_run_id": flow_run_id,
        "first_seen_at": now,
        "last_seen_at": now,
    }
    stmt = dialect_insert(session, IngestError.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["path", "locator", "reason", "file_sha256"],
        set_={
            "occurrences": IngestError.__table__.c.occurrences + 1,
            "last_seen_at": now,
            "flow_run_id": flow_run_id,
        },
    )
    session.execute(stmt, [row])
