"""The command line as a user meets it: help that helps, one-line errors, JSON that parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO


def _run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "copytrace.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd or REPO,
    )


def test_help_lists_every_command() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    for command in ("ingest", "demo", "classify", "classify-batch", "show", "label", "db"):
        assert command in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "/no/such/folder", "--db", "sqlite:///:memory:"), "does not exist"),
        (("show", "x", "--db", "nosuchdb://"), "database"),
        (("classify", "/no/such/a.txt", "/no/such/b.txt"), "no such file"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message) -> None:
    proc = _run(*args)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_classify_json_gives_label_confidence_and_evidence(seeds) -> None:
    proc = _run("classify", str(seeds["000"]), str(seeds["002"]), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["label"] == "spam-wrapped"
    assert 0.5 < result["confidence"] <= 1.0
    assert result["reasons"] and result["features"]


def test_classify_batch_reads_stdin_and_skips_malformed_lines(seeds) -> None:
    src, rewrite, indep = (seeds[k].read_text(encoding="utf-8") for k in ("000", "001", "004"))
    lines = [
        json.dumps({"id": "a", "source": src, "copy": rewrite}),
        "{not json",
        json.dumps({"id": "b", "source": src, "copy": indep}),
    ]
    proc = _run("classify-batch", "-", stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(o["id"], o["label"]) for o in out] == [("a", "rewrite"), ("b", "original")]
    assert "line 2" in proc.stderr
    assert proc.returncode == 1  # a skipped line is reported in the exit status


@pytest.mark.integration
def test_db_reindex_rebuilds_every_documents_fingerprints(db_url, seeds, tmp_path) -> None:
    """Fingerprints left by an older way of choosing them are replaced; classifications stay."""
    from sqlalchemy import delete, func, select

    from copytrace.db import session_factory
    from copytrace.index.candidates import CandidateIndex
    from copytrace.index.fingerprints import fingerprint_rows
    from copytrace.orm import Classification, Document, Fingerprint
    from copytrace.pipeline.classifying import classify_documents
    from copytrace.pipeline.storing import store_files
    from copytrace.scoring import load_scorer
    from tests.index_checks import term_counts, term_postings

    landing = tmp_path / "landing"
    landing.mkdir()
    for key, path in seeds.items():
        (landing / f"{key}.txt").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    stored = store_files(sorted(str(p) for p in landing.iterdir()), str(landing), db_url, max_file_bytes=1 << 20)
    classify_documents(stored.new_document_ids, db_url, load_scorer())
    factory = session_factory(db_url)
    with factory.begin() as session:  # the index an older version left, its term counts consistent with it
        first = session.scalar(select(func.min(Document.id)))
        CandidateIndex(session).count_terms([first], sign=-1)
        session.execute(delete(Fingerprint).where(Fingerprint.document_id == first))
        session.add(Fingerprint(document_id=first, kind="term", value=12345))
        session.flush()
        CandidateIndex(session).count_terms([first])

    proc = _run("db", "reindex", "--db", db_url, "--batch-size", "2")
    assert proc.returncode == 0, proc.stderr
    assert "reindexed 5 documents" in proc.stdout
    with factory() as session:
        for doc in session.scalars(select(Document)):
            stored = set(
                session.execute(select(Fingerprint.kind, Fingerprint.value).where(Fingerprint.document_id == doc.id))
            )
            assert stored == set(fingerprint_rows(doc.text)), doc.id
        assert session.scalar(select(func.count()).select_from(Classification)) == 5
        assert term_counts(session) == term_postings(session)
        assert 12345 not in term_counts(session)


def test_a_one_shot_run_turns_heartbeats_off_only_where_no_prefect_server_is_configured() -> None:
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from copytrace.cli.runners import one_shot_run_updates

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert one_shot_run_updates() == {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        assert one_shot_run_updates() == {}
