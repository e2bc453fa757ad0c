"""The dashboard views: the rows they hold for a known store, the same rows on SQLite and PostgreSQL,
and a migration that keeps copy_provenance's public columns."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from copytrace.db import alembic_config, engine_for, session_factory, upgrade
from copytrace.orm import Base
from tests.paths import REPO
from tests.provenance_sample import fill
from tests.view_rows import query_rows, view_rows

pytestmark = pytest.mark.integration

VIEWS = (
    "copy_provenance",
    "latest_corrections",
    "daily_label_counts",
    "source_copies",
    "copying_sites",
    "time_to_copy",
    "spam_networks",
    "model_quality",
    "matched_passages",
    "document_texts",
    "document_evidence",
    "wrapper_lines",
    "correction_history",
)
COLUMNS_0001 = [
    "document_id",
    "locator",
    "url",
    "site",
    "title",
    "label",
    "confidence",
    "derived_from_id",
    "derived_from_locator",
    "root_id",
    "root_locator",
    "story_id",
    "model_version",
    "classified_at",
    "flow_run_id",
    "fetched_at",
    "ingested_at",
]


def _filled(url: str) -> dict[str, int]:
    with session_factory(url)() as session:
        ids = fill(session)
        session.commit()
    return ids


def _by(rows: list[dict], key: str) -> dict:
    return {r[key]: r for r in rows}


def test_the_database_has_exactly_the_documented_views(db_url) -> None:
    assert sorted(inspect(engine_for(db_url)).get_view_names()) == sorted(VIEWS)


def test_copy_provenance_keeps_the_0001_columns_and_shows_the_effective_label(db_url) -> None:
    ids = _filled(db_url)
    rows = _by(view_rows(db_url, "copy_provenance"), "document_id")
    assert list(rows[ids["A"]])[: len(COLUMNS_0001)] == COLUMNS_0001
    b = rows[ids["B"]]  # corrected twice: the later correction wins
    assert (b["label"], b["model_label"], b["corrected_label"], b["corrected_by"]) == (
        "excerpt",
        "rewrite",
        "excerpt",
        "bob",
    )
    a = rows[ids["A"]]
    assert (a["label"], a["model_label"], a["corrected_label"]) == ("original", "original", None)
    assert rows[ids["H"]]["label"] is None  # stored, not yet classified
    assert rows[ids["D"]]["seen_at"] == rows[ids["D"]]["ingested_at"]  # no fetched_at: ingestion time
    assert rows[ids["G"]]["seen_day"] == "2025-07-05"


def test_daily_label_counts_count_effective_labels_per_utc_day_and_site(db_url) -> None:
    _filled(db_url)
    got = {(r["day"], r["site"], r["label"]): r["copies"] for r in view_rows(db_url, "daily_label_counts")}
    assert got == {
        ("2025-07-01", "news.example", "original"): 1,
        ("2025-07-01", "rewrites.example", "excerpt"): 1,
        ("2025-07-02", "rewrites.example", "spam-wrapped"): 1,
        ("2025-07-02", "spam-one.example", "spam-wrapped"): 1,
        ("2025-07-03", "spam-two.example", "spam-wrapped"): 1,
        ("2025-07-05", "other.example", "original"): 1,
        ("2025-07-05", "spam-one.example", "excerpt"): 1,
    }


def test_source_copies_and_copying_sites_aggregate_copies_by_label(db_url) -> None:
    ids = _filled(db_url)
    originals = _by(view_rows(db_url, "source_copies"), "original_id")
    assert set(originals) == {ids["A"], ids["F"]}
    a = originals[ids["A"]]
    assert (a["copies"], a["full_copies"], a["rewrites"], a["excerpts"], a["spam_wrapped"], a["sites"]) == (
        4,
        0,
        0,
        1,
        3,
        3,
    )
    assert (a["first_seen_at"], a["last_seen_at"]) == (datetime(2025, 7, 1, 10, 30), datetime(2025, 7, 3, 12))
    sites = _by(view_rows(db_url, "copying_sites"), "site")
    assert {s: (r["copies"], r["share_spam_wrapped"]) for s, r in sites.items()} == {
        "rewrites.example": (2, 0.5),
        "spam-one.example": (2, 0.5),
        "spam-two.example": (1, 1.0),
    }


def test_time_to_copy_measures_from_the_root_original(db_url) -> None:
    ids = _filled(db_url)
    rows = _by(view_rows(db_url, "time_to_copy"), "document_id")
    got = {k: (rows[ids[k]]["delay_seconds"], rows[ids[k]]["timed_by"]) for k in "BCDEG"}
    assert got == {
        "B": (9000, "fetched_at"),
        "C": (90900, "fetched_at"),
        "D": (187200, "mixed"),
        "E": (122400, "fetched_at"),  # E derives from C; the delay is from the root A
        "G": (61199, "fetched_at"),  # whole seconds: 23:59:59.5 - 07:00:00
    }
    assert set(rows) == {ids[k] for k in "BCDEG"}


def test_spam_networks_model_quality_and_matched_passages(db_url) -> None:
    ids = _filled(db_url)
    network = view_rows(db_url, "spam_networks")
    assert sorted((r["site"], r["network_sites"], r["copies"]) for r in network) == [
        ("spam-one.example", 2, 1),
        ("spam-two.example", 2, 1),
    ]
    assert {r["template_text"] for r in network} == {"SUBSCRIBE NOW for full access to premium stories"}
    quality = _by(view_rows(db_url, "model_quality"), "version")
    assert (quality["pairs-1"]["labelled"], quality["pairs-1"]["corrected"]) == (1, 1)
    assert (quality["pairs-2"]["labelled"], quality["pairs-2"]["corrected"]) == (6, 1)
    assert quality["pairs-2"]["metrics"] == '{"macro_f1": 0.94}'
    passages = view_rows(db_url, "matched_passages")
    assert {r["document_id"] for r in passages} == {ids["C"], ids["D"], ids["G"]}
    for r in passages:  # verbatim spans: the offsets cut the same characters out of both texts
        assert r["copy_passage"] == r["source_passage"] and len(r["copy_passage"]) == r["copy_end"] - r["copy_start"]
    assert any(r["copy_passage"].startswith("Zürich, 1 July") for r in passages)


def test_every_view_returns_the_same_rows_on_sqlite_and_postgresql(tmp_path, sqlite_template, postgres_url):
    shutil.copy(sqlite_template, tmp_path / "copytrace.db")
    sqlite_url = f"sqlite:///{tmp_path / 'copytrace.db'}"
    for url in (sqlite_url, postgres_url):
        _filled(url)
    for view in VIEWS:
        on_sqlite, on_postgres = view_rows(sqlite_url, view), view_rows(postgres_url, view)
        assert on_sqlite, view
        assert on_sqlite == on_postgres, view


def test_days_and_delays_do_not_depend_on_the_postgresql_session_time_zone(postgres_url) -> None:
    db_url = postgres_url  # SQLite has no session time zone
    ids = _filled(db_url)
    with engine_for(db_url).connect() as conn:
        conn.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))  # UTC+14: 23:59:59 UTC is tomorrow there
        day = conn.execute(text("SELECT seen_day FROM copy_provenance WHERE document_id = :d"), {"d": ids["G"]})
        delay = conn.execute(text("SELECT delay_seconds FROM time_to_copy WHERE document_id = :d"), {"d": ids["G"]})
        assert (day.scalar(), delay.scalar()) == ("2025-07-05", 61199)
        conn.rollback()


def test_migration_0002_goes_down_to_0001_and_up_again(db_url) -> None:
    cfg = alembic_config(db_url)
    with engine_for(db_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    engine_for(db_url).dispose()
    inspector = inspect(engine_for(db_url))
    assert inspector.get_view_names() == ["copy_provenance"] and "corrections" not in inspector.get_table_names()
    upgrade(db_url)
    engine_for(db_url).dispose()
    assert sorted(inspect(engine_for(db_url)).get_view_names()) == sorted(VIEWS)


def test_the_corrections_orm_class_matches_its_migration(db_url) -> None:
    with engine_for(db_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "corrections" in repr(d)] == []


# ------------------------------------------------------------------------------------------------ docs/schema.md

SCHEMA_DOC = REPO / "docs" / "schema.md"


def _documented_columns() -> dict[str, list[str]]:
    """{table or view: [column, …]} from the ``### `name` `` sections' column tables."""
    found: dict[str, list[str]] = {}
    current = None
    for line in SCHEMA_DOC.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"### `(\w+)`", line):
            current = heading.group(1)
            found[current] = []
        elif current and (cell := re.match(r"\| `(\w+)` \|", line)):
            found[current].append(cell.group(1))
    return found


def _example_queries() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_schema_doc_describes_every_table_and_view_column_in_order(db_url) -> None:
    inspector = inspect(engine_for(db_url))
    actual = {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}
    actual.pop("alembic_version")
    with engine_for(db_url).connect() as conn:
        for view in VIEWS:
            actual[view] = list(conn.execute(text(f"SELECT * FROM {view} WHERE 1 = 0")).keys())
    assert _documented_columns() == actual


@pytest.mark.parametrize("index", range(len(_example_queries())))
def test_schema_doc_example_query_runs_and_finds_rows(db_url, index) -> None:
    _filled(db_url)
    rows = query_rows(db_url, _example_queries()[index])
    assert rows, _example_queries()[index]
