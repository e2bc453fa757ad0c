"""End to end on both databases: landing folder → ingest-copies flow → copy_provenance."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from copytrace.cli.app import app
from copytrace.db import session_factory
from copytrace.ingest.badinputs import write_bad_inputs
from copytrace.ingest.records import printable
from copytrace.orm import Classification, Document, IngestError
from copytrace.reports.provenance import direction_of, provenance_rows
from tests.seed_checks import assert_seeds_attributed, shuffled_copy

pytestmark = pytest.mark.integration


def _provenance(url: str) -> list[dict]:
    with session_factory(url)() as session:
        return provenance_rows(session)


def _counts(url: str) -> tuple[int, int, int]:
    with session_factory(url)() as session:
        return (
            session.scalar(select(func.count(Document.id))),
            session.scalar(select(func.count(Classification.id))),
            session.scalar(select(func.count(IngestError.id))),
        )


@pytest.mark.parametrize("order_seed", [1, 2])
def test_seeds_come_out_as_labels_md_says_whatever_the_names_and_order(
    prefect_harness, db_url, seeds, tmp_path, order_seed
):
    from flows.ingest_copies import ingest_copies

    locators = shuffled_copy(seeds, tmp_path / "landing", random.Random(order_seed))
    summary = ingest_copies(landing=str(tmp_path / "landing"), database_url=db_url)
    assert summary.new_documents == 5 and summary.errors == []

    assert_seeds_attributed(db_url, locators)
    rows = {r["locator"]: r for r in _provenance(db_url)}
    assert all(rows[loc]["flow_run_id"] for loc in locators.values())
    # The rewrite's direction was decided by its text, not by a tie on length, and show says how.
    with session_factory(db_url)() as session:
        way = direction_of(session, rows[locators["001"]]["document_id"])
    assert way is not None and way["decided_by"] in ("style", "specifics"), way
    shown = CliRunner().invoke(app, ["show", locators["001"], "--db", db_url])
    said = {"style": "direction by machine style", "specifics": "direction by specifics"}[way["decided_by"]]
    assert shown.exit_code == 0 and said in shown.output, shown.output

    before = _counts(db_url)
    again = ingest_copies(landing=str(tmp_path / "landing"), database_url=db_url)
    assert again.new_documents == 0 and again.files_skipped == 5
    assert _counts(db_url) == before


def test_same_text_at_two_locators_is_two_copies_the_later_deriving_from_the_earlier(
    prefect_harness, db_url, seeds, tmp_path
):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(seeds["000"], landing / "site-a.txt")
    ingest_copies(landing=str(landing), database_url=db_url)
    shutil.copy(seeds["000"], landing / "site-b.txt")
    ingest_copies(landing=str(landing), database_url=db_url)

    rows = {Path(r["locator"]).name: r for r in _provenance(db_url)}
    assert set(rows) == {"site-a.txt", "site-b.txt"}
    assert rows["site-a.txt"]["derived_from_id"] is None
    assert rows["site-b.txt"]["derived_from_id"] == rows["site-a.txt"]["document_id"]
    assert rows["site-b.txt"]["label"] == "original"
    with session_factory(db_url)() as session:
        from copytrace.orm import TextBlob

        assert session.scalar(select(func.count(TextBlob.id))) == 1  # the text itself is stored once


def test_bad_inputs_are_recorded_and_good_files_stored(prefect_harness, db_url, seeds, tmp_path):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    expected = write_bad_inputs(landing, max_bytes=64 * 1024)
    for key in ("000", "002"):
        shutil.copy(seeds[key], landing / f"good-{key}.txt")

    summary = ingest_copies(landing=str(landing), database_url=db_url, max_file_bytes=64 * 1024)
    recorded = {(Path(e["path"]).name, e["reason"]) for e in summary.errors}
    for name, reason in expected.items():
        assert (printable(name), reason) in recorded, (name, reason, recorded)
    stored = {Path(r["locator"]).name for r in _provenance(db_url)}
    assert {"good-000.txt", "good-002.txt"} <= stored

    with session_factory(db_url)() as session:
        before_rows = provenance_rows(session)
        n_errors = session.scalar(select(func.count(IngestError.id)))
    assert n_errors >= len(expected)
    ingest_copies(landing=str(landing), database_url=db_url, max_file_bytes=64 * 1024)
    with session_factory(db_url)() as session:
        assert provenance_rows(session) == before_rows  # nothing stored is changed by bad files
        assert session.scalar(select(func.count(IngestError.id))) == n_errors  # counted again, not duplicated


def test_a_run_that_can_read_nothing_fails_with_the_reason(prefect_harness, db_url, tmp_path):
    from flows.ingest_copies import NothingReadError, ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.txt").write_bytes(b"")
    (landing / "binary.txt").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(NothingReadError, match="none of the 2 landing files"):
        ingest_copies(landing=str(landing), database_url=db_url)


def test_landing_paths_longer_than_the_tables_hold_are_read_once_on_both_databases(
    prefect_harness, db_url, seeds, tmp_path
):
    import json

    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    deep = landing.joinpath(*["d" * 240] * 9)  # over 2,000 characters, each name within the OS's limit
    deep.mkdir(parents=True)
    shutil.copy(seeds["000"], deep / "copy.txt")  # its locator is its path: too long to store
    record = {"url": "https://example.org/a", "text": seeds["002"].read_text(encoding="utf-8")}
    (deep / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    shutil.copy(seeds["004"], landing / "short.txt")

    summary = ingest_copies(landing=str(landing), database_url=db_url)
    assert [e["reason"] for e in summary.errors] == ["locator-too-long"]
    stored = {r["locator"] for r in _provenance(db_url)}
    assert stored == {"https://example.org/a", str(landing / "short.txt")}
    counts = _counts(db_url)

    again = ingest_copies(landing=str(landing), database_url=db_url)
    assert again.files_skipped == 3 and again.new_documents == 0  # every file found read, the long ones too
    assert _counts(db_url) == counts
