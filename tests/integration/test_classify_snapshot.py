"""Classifying works out a batch's decisions on a snapshot, outside the attribution lock, and writes
them under it: what another batch classifies in between is taken into account (the batch is worked
out again), and storing is not held up while the classifier runs."""

from __future__ import annotations

import json

import pytest

from copytrace.pipeline import classifying as pipeline
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.storing import store_files
from copytrace.runtime.scoring import load_scorer
from tests.view_rows import query_rows

pytestmark = pytest.mark.integration


def _record(key: str, text: str, day: int) -> str:
    url = f"https://site-{key}.example/story"
    return json.dumps({"url": url, "fetched_at": f"2025-07-0{day}T09:00:00Z", "title": key, "text": text})


def _store(landing, name: str, records: list[str], db_url: str) -> list[int]:
    path = landing / name
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return store_files([str(path)], str(landing), db_url, max_file_bytes=1 << 20).new_document_ids


def test_a_batch_classified_by_another_worker_meanwhile_is_worked_out_again(db_url, seeds, tmp_path, monkeypatch):
    """The wrapped copy's batch is planned while its source is still unclassified (a later batch's
    document, so not a candidate); the source's batch is written before the copy's: the copy's batch
    sees that at write time, plans again and credits the source."""
    texts = {key: path.read_text(encoding="utf-8") for key, path in seeds.items()}
    landing = tmp_path / "landing"
    landing.mkdir()
    copy_ids = _store(landing, "copy.jsonl", [_record("002", texts["002"], 2)], db_url)
    source_ids = _store(landing, "source.jsonl", [_record("000", texts["000"], 1)], db_url)
    scorer = load_scorer()

    planned: list[list[int]] = []
    plan = pipeline._plan

    def plan_then_let_the_other_batch_in(session, document_ids, *args):
        planned.append(list(document_ids))
        out = plan(session, document_ids, *args)
        if len(planned) == 1:  # between the copy's snapshot and its write
            classify_documents(source_ids, db_url, scorer)
        return out

    monkeypatch.setattr(pipeline, "_plan", plan_then_let_the_other_batch_in)
    result = classify_documents(copy_ids, db_url, scorer)

    assert planned == [copy_ids, source_ids, copy_ids]  # planned again after the source's batch
    assert result.classified == 1
    rows = {r["title"]: r for r in query_rows(db_url, "SELECT * FROM copy_provenance")}
    assert rows["000"]["label"] == "original"
    assert rows["002"]["label"] == "spam-wrapped" and rows["002"]["derived_from_id"] == rows["000"]["document_id"]


def test_storing_goes_on_while_a_batch_is_being_classified(db_url, seeds, tmp_path, monkeypatch):
    """A store transaction commits while a batch's decisions are being worked out (on SQLite, while
    the classifier held the one writer lock, it waited for the whole batch); the batch is written
    without planning again, and the newly stored copy is left for a later batch."""
    texts = {key: path.read_text(encoding="utf-8") for key, path in seeds.items()}
    landing = tmp_path / "landing"
    landing.mkdir()
    first = _store(landing, "first.jsonl", [_record("000", texts["000"], 1), _record("002", texts["002"], 2)], db_url)
    scorer = load_scorer()

    planned: list[list[int]] = []
    stored_meanwhile: list[int] = []
    plan = pipeline._plan

    def plan_while_storing(session, document_ids, *args):
        planned.append(list(document_ids))
        out = plan(session, document_ids, *args)
        stored_meanwhile.extend(_store(landing, "second.jsonl", [_record("001", texts["001"], 3)], db_url))
        return out

    monkeypatch.setattr(pipeline, "_plan", plan_while_storing)
    result = classify_documents(first, db_url, scorer)

    assert planned == [first]  # a stored copy is no classification: nothing to work out again
    assert len(stored_meanwhile) == 1 and result.classified == 2
    labels = {r["title"]: r["label"] for r in query_rows(db_url, "SELECT * FROM copy_provenance")}
    assert labels == {"000": "original", "002": "spam-wrapped", "001": None}  # 001: a later batch's
