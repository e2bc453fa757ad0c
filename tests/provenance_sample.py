"""One small, fully known provenance store, written through copytrace's own table functions (copytrace.repo).

Used by the view, corrections and schema-doc tests on SQLite and PostgreSQL alike: every timestamp
is fixed (UTC), so the two databases receive identical inputs and the views can be compared.

Two stories. Story 1: original A; B rewrites A (an operator says excerpt); C and D wrap A in spam
sharing one wrapper template on two sites (D known only by its ingestion time); E rewrites C (an
operator says spam-wrapped). Story 2: original F; G excerpts F. H is stored but not yet classified.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from copytrace.orm import Classification, Correction, Document, ModelVersion
from copytrace.repo.classifications import add_classification
from copytrace.repo.corrections import add_correction
from copytrace.repo.documents import NewCopy, add_document
from copytrace.repo.model_versions import register_model_version
from copytrace.repo.stories import new_stories, set_stories

PAR1 = "Zürich, 1 July — The two presidents spoke for ninety minutes on Tuesday about «grain and gas»."
PAR2 = "Officials said the call ended with an agreement to meet again before the autumn summit."
PAR3 = "Markets in Europe rose slightly after the news, with energy shares leading the gains."
TEMPLATE = "SUBSCRIBE NOW for full access to premium stories"
SPONSOR = "Sponsored: the best deals on garden furniture this week"

TEXTS = {
    "A": f"{PAR1}\n\n{PAR2}\n\n{PAR3}",
    "B": "On Tuesday the presidents talked for an hour and a half about grain and gas, and agreed to meet again.",
    "C": f"{SPONSOR}\n\n{PAR1}\n\n{PAR2}\n\n{TEMPLATE}",
    "D": f"{TEMPLATE.lower()}!\n\n{PAR1}",
    "E": "Grain and gas were the topic: ninety minutes of talks, and another meeting is planned before autumn.",
    "F": "Floods closed the main railway line between the two northern cities for a second day.",
    "G": "Floods closed the main railway line",
    "H": "A page the classifier has not reached yet.",
}
SITES = {
    "A": "news.example",
    "B": "rewrites.example",
    "C": "spam-one.example",
    "D": "spam-two.example",
    "E": "rewrites.example",
    "F": "other.example",
    "G": "spam-one.example",
    "H": "news.example",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


FETCHED = {
    "A": at("2025-07-01 08:00:00"),
    "B": at("2025-07-01 10:30:00"),
    "C": at("2025-07-02 09:15:00"),
    "D": None,
    "E": at("2025-07-02 18:00:00"),
    "F": at("2025-07-05 07:00:00"),
    "G": at("2025-07-05 23:59:59.500000"),
    "H": at("2025-07-06 12:00:00"),
}
INGESTED = {key: at("2025-07-03 12:00:00") for key in TEXTS}
CLASSIFIED_AT = at("2025-07-07 00:00:00")


def _spans(copy: str, source: str, *passages: str) -> list[dict[str, Any]]:
    """Verbatim spans of ``passages`` as character offsets into both texts (how the pipeline stores them)."""
    return [
        {
            "copy_start": copy.index(p),
            "copy_end": copy.index(p) + len(p),
            "source_start": source.index(p),
            "source_end": source.index(p) + len(p),
            "kind": "verbatim",
            "score": 1.0,
        }
        for p in passages
    ]


def _wrappers(copy: str, *segments: str) -> list[dict[str, Any]]:
    return [{"start": copy.index(s), "end": copy.index(s) + len(s), "text": s} for s in segments]


def fill(session: Session) -> dict[str, int]:
    """Write the sample store; returns {key: document id}. Commits nothing."""
    ids: dict[str, int] = {}
    for key, body in TEXTS.items():
        ids[key] = add_document(
            session,
            NewCopy(
                locator=locator(key),
                text=body,
                sha256=hashlib.sha256(body.encode()).hexdigest(),
                title=f"Story {key}",
                url=locator(key),
                site=SITES[key],
                fetched_at=FETCHED[key],
            ),
            flow_run_id="run-1",
        )
    common = {"path": "/models/m.joblib", "sklearn_version": "1.9.1", "params": {}, "training_data": {}}
    v1 = register_model_version(
        session, version="pairs-1", sha256="1" * 64, metrics={"macro_f1": 0.91}, activate=False, **common
    )
    v2 = register_model_version(
        session, version="pairs-2", sha256="2" * 64, metrics={"macro_f1": 0.94}, activate=True, **common
    )
    a, f = ids["A"], ids["F"]
    t = TEXTS

    def classify(key: str, label: str, source: str | None, root: int, model: int, **evidence: Any) -> None:
        add_classification(
            session,
            ids[key],
            label=label,
            pair_class=label,
            confidence=0.9,
            derived_from_id=ids[source] if source else None,
            root_id=root,
            model_version_id=model,
            evidence=evidence,
            reason="ingest",
            flow_run_id="run-1",
        )

    classify("A", "original", None, a, v2)
    classify("B", "rewrite", "A", a, v2)
    classify("C", "rewrite", "A", a, v1)  # history: replaced by the next line
    classify(
        "C",
        "spam-wrapped",
        "A",
        a,
        v2,
        spans=_spans(t["C"], t["A"], PAR1, PAR2),
        wrapper_segments=_wrappers(t["C"], SPONSOR, TEMPLATE),
    )
    classify(
        "D",
        "spam-wrapped",
        "A",
        a,
        v2,
        spans=_spans(t["D"], t["A"], PAR1),
        wrapper_segments=_wrappers(t["D"], TEMPLATE.lower()),
    )
    classify("E", "rewrite", "C", a, v1)
    classify("F", "original", None, f, v2)
    classify("G", "excerpt", "F", f, v2, spans=_spans(t["G"], t["F"], t["G"]))
    story1, story2 = new_stories(session, ["The call", "The floods"])
    set_stories(session, {ids[k]: story1 for k in "ABCDEH"} | {ids[k]: story2 for k in "FG"})

    add_correction(session, locator("B"), "original", note="first look", who="alice")
    add_correction(session, locator("B"), "excerpt", note="it only keeps the first sentence", who="bob")
    add_correction(session, locator("E"), "spam-wrapped", who="alice")

    for key, doc_id in ids.items():
        session.execute(update(Document).where(Document.id == doc_id).values(created_at=INGESTED[key]))
    session.execute(update(Classification).values(created_at=CLASSIFIED_AT))
    session.execute(update(Correction).values(created_at=at("2025-07-08 09:00:00")))
    session.execute(update(ModelVersion).values(created_at=at("2025-06-30 00:00:00")))
    session.flush()
    return ids


def locator(key: str) -> str:
    return f"https://{SITES[key]}/story-{key.lower()}"
