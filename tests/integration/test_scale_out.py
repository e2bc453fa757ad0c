"""Scale-out: two ingest runs at once against one PostgreSQL, one of them spreading its file batches
over a local Dask cluster, store every copy exactly once and classify every document exactly once;
two workers attributing the same documents at the same moment classify each once (the lock)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from copytrace.db import session_factory
from copytrace.orm import Classification, Document, IngestedFile, IngestError

pytestmark = pytest.mark.integration
COPYTRACE = Path(sys.executable).with_name("copytrace")


def _landing(seeds: dict[str, Path], folder: Path) -> tuple[int, int]:
    """The seeds on two sites, lead excerpts of the two originals and a JSONL of mirrored records.

    Returns (files, copies)."""
    texts = {key: path.read_text(encoding="utf-8") for key, path in seeds.items()}
    for site in ("site-a", "site-b"):
        (folder / site).mkdir(parents=True)
        for key, path in seeds.items():
            shutil.copy(path, folder / site / f"{key}.txt")
    (folder / "excerpts").mkdir()
    for key in ("000", "004"):
        lead = "\n".join(texts[key].splitlines()[:4])
        (folder / "excerpts" / f"{key}-lead.txt").write_text(lead, encoding="utf-8")
    with (folder / "mirror.jsonl").open("w", encoding="utf-8") as fh:
        for key, text in texts.items():
            record = {"url": f"https://mirror.example/{key}", "fetched_at": None, "title": key, "text": text}
            fh.write(json.dumps(record) + "\n")
    return 2 * len(texts) + 2 + 1, 2 * len(texts) + 2 + len(texts)


def _ingest(landing: Path, url: str, runner: str) -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    cmd = [str(COPYTRACE), "ingest", str(landing), "--db", url, "--batch-size", "3", "--task-runner", runner]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_concurrent_runs_one_on_dask_store_and_classify_everything_once(
    prefect_harness, db_url, seeds, tmp_path
) -> None:
    landing = tmp_path / "landing"
    files, copies = _landing(seeds, landing)
    runs = [_ingest(landing, db_url, "dask"), _ingest(landing, db_url, "sequential")]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
    assert "distributed.scheduler" in outputs[0]  # the first run started a Dask cluster for its batches

    with session_factory(db_url)() as session:
        documents = session.scalar(select(func.count(Document.id)))
        distinct = session.scalar(
            select(func.count()).select_from(select(Document.locator, Document.sha256).distinct().subquery())
        )
        current = session.execute(
            select(Classification.document_id, func.count())
            .where(Classification.is_current)
            .group_by(Classification.document_id)
        ).all()
        ingested = session.scalar(select(func.count(IngestedFile.id)))
        errors = session.scalar(select(func.count(IngestError.id)))
        unstoried = session.scalar(select(func.count(Document.id)).where(Document.story_id.is_(None)))
    assert documents == distinct == copies
    assert len(current) == copies and {n for _, n in current} == {1}
    assert ingested == files and errors == 0 and unstoried == 0


def test_two_workers_classifying_the_same_documents_at_once_classify_each_once(db_url, seeds, tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from copytrace.pipeline.classifying import classify_documents
    from copytrace.pipeline.storing import store_files
    from copytrace.runtime.scoring import load_scorer

    landing = tmp_path / "landing"
    landing.mkdir()
    for key, path in seeds.items():
        shutil.copy(path, landing / f"{key}.txt")
    stored = store_files(sorted(str(p) for p in landing.iterdir()), str(landing), db_url, max_file_bytes=1 << 20)
    scorer = load_scorer()
    with session_factory(db_url).begin() as session:
        scorer.register(session)  # as on a running system: the model is registered already
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: classify_documents(stored.new_document_ids, db_url, scorer), range(2)))

    assert sorted(r.classified for r in results) == [0, 5]  # the second waited, then found nothing left to do
    with session_factory(db_url)() as session:
        current = session.scalar(select(func.count(Classification.id)).where(Classification.is_current))
    assert current == 5
