"""Copies are stored many at a time; a copy the database refuses is recorded against its own file and
copy, and every other copy of the batch is stored."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from copytrace.db import engine_for, session_factory
from copytrace.orm import Document, Fingerprint, IngestedFile, IngestError, TextBlob
from copytrace.pipeline.storing import store_files
from copytrace.repo.documents import NewCopy, add_documents
from copytrace.text import text_sha256

pytestmark = pytest.mark.integration

BODY = "The council voted on Tuesday to close the harbour bridge for repairs until the spring of {n}."


def _copy(locator: str, body: str) -> NewCopy:
    return NewCopy(locator=locator, text=body, sha256=text_sha256(body))


def test_add_documents_gives_ids_in_order_and_none_for_copies_already_stored(db_url):
    a, b = BODY.format(n=2027), BODY.format(n=2028)
    with session_factory(db_url).begin() as session:
        first = add_documents(session, [_copy("a.txt", a), _copy("b.txt", b), _copy("a.txt", a)], None)
    with session_factory(db_url).begin() as session:
        second = add_documents(session, [_copy("b.txt", b), _copy("c.txt", b)], None)
        texts = session.scalar(select(func.count()).select_from(TextBlob))
        rows = session.execute(select(Document.id, Document.locator).order_by(Document.id)).all()
        fingerprinted = set(session.scalars(select(Fingerprint.document_id).distinct()))

    assert first[0] is not None and first[1] is not None and first[0] < first[1]
    assert first[2] is None  # repeated within the list
    assert second[0] is None and second[1] is not None  # already stored; same text under a new locator
    assert [locator for _, locator in rows] == ["a.txt", "b.txt", "c.txt"]
    assert texts == 2  # the shared text is stored once
    assert fingerprinted == {first[0], first[1], second[1]}


@contextmanager
def _refusing(url: str, marker: str):
    """A database trigger refusing any document whose locator contains ``marker``."""
    engine = engine_for(url)
    if engine.dialect.name == "postgresql":
        create = [
            f"""CREATE FUNCTION refuse_copy() RETURNS trigger AS $$ BEGIN
                IF NEW.locator LIKE '%{marker}%' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF;
                RETURN NEW; END $$ LANGUAGE plpgsql""",
            "CREATE TRIGGER refuse_copy BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION refuse_copy()",
        ]
        drop = ["DROP TRIGGER refuse_copy ON documents", "DROP FUNCTION refuse_copy()"]
    else:
        create = [
            f"""CREATE TRIGGER refuse_copy BEFORE INSERT ON documents WHEN NEW.locator LIKE '%{marker}%'
                BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"""
        ]
        drop = ["DROP TRIGGER refuse_copy"]
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))


def test_a_copy_the_database_refuses_is_recorded_and_the_rest_of_the_batch_is_stored(db_url, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    names = ["a.txt", "refused.txt", "c.txt"]
    for n, name in enumerate(names):
        (landing / name).write_text(BODY.format(n=2030 + n), encoding="utf-8")
    paths = [str(landing / name) for name in names]

    with _refusing(db_url, "refused"):
        result = store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)

    assert len(result.new_document_ids) == 2
    assert [(e["reason"], "refused by a test trigger" in e["detail"]) for e in result.errors] == [
        ("store-failed", True)
    ]
    with session_factory(db_url)() as session:
        stored = set(session.scalars(select(Document.locator)))
        errors = session.execute(select(IngestError.path, IngestError.locator, IngestError.reason)).all()
        files = {p: n for p, n in session.execute(select(IngestedFile.path, IngestedFile.n_copies))}
    refused = str((landing / "refused.txt").resolve())
    assert {s.rsplit("/", 1)[-1] for s in stored} == {"a.txt", "c.txt"}
    assert [(path.rsplit("/", 1)[-1], reason) for path, _, reason in errors] == [("refused.txt", "store-failed")]
    assert errors[0][1] == refused
    assert {path.rsplit("/", 1)[-1]: n for path, n in files.items()} == {"a.txt": 1, "refused.txt": 0, "c.txt": 1}

    # without the trigger, a new run stores nothing twice and the refused copy is not retried
    # (its file's bytes were ingested) until the file changes
    again = store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    assert again.new_document_ids == [] and again.files_skipped == 3


def test_fifo_socket_and_folder_are_recorded_once_and_skipped_by_the_next_run(db_url, tmp_path):
    import os
    import socket

    landing = tmp_path / "landing"
    landing.mkdir()
    os.mkfifo(landing / "pipe.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(landing / "sock.txt"))
    (landing / "linked").symlink_to(landing)  # a symlinked folder: returned, never walked
    (landing / "good.txt").write_text("The harbour bridge will close for repairs until the spring.\n")
    paths = [str(landing / n) for n in ("good.txt", "linked", "pipe.txt", "sock.txt")]
    try:
        first = store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
        again = store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    finally:
        listener.close()

    assert sorted((e["path"].rsplit("/", 1)[1], e["reason"]) for e in first.errors) == [
        ("linked", "not-a-file"),
        ("pipe.txt", "not-a-file"),
        ("sock.txt", "not-a-file"),
    ]
    assert (first.files_read, len(first.new_document_ids)) == (4, 1)
    assert (again.files_read, again.files_skipped, again.errors) == (0, 4, [])
    with session_factory(db_url).begin() as session:
        assert session.scalar(select(func.count()).select_from(IngestError)) == 3
        assert session.scalar(select(func.count()).select_from(IngestedFile)) == 4
