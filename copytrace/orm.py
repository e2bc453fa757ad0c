"""ORM tables of the provenance store (SQLAlchemy 2.0 typed declarative).

The schema is owned by the Alembic migrations under ``sql/``; these classes
describe it for the application. Dashboards never read these tables directly:
they read the views created by the migrations (``sql/views/*.sql``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class TextBlob(Base):
    """A normalised text, stored once however many locators carry it."""

    __tablename__ = "texts"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    n_chars: Mapped[int] = mapped_column(Integer)


class Story(Base):
    """A group of documents about one event, independent coverage included."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IngestedFile(Base):
    """A landing file read completely; a file with the same path and bytes is not read again."""

    __tablename__ = "ingested_files"
    __table_args__ = (UniqueConstraint("path", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(2000))
    file_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    n_copies: Mapped[int] = mapped_column(Integer, default=0)
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """One scraped copy: a locator (landing path or URL) carrying one text."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("locator", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locator: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("texts.id"))
    title: Mapped[str | None] = mapped_column(String(1000))
    url: Mapped[str | None] = mapped_column(String(2000))
    site: Mapped[str | None] = mapped_column(String(255), index=True)
    fetched_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]  # the date the page states (revision 0006)
    source_path: Mapped[str | None] = mapped_column(String(2000))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    text_blob: Mapped[TextBlob] = relationship(lazy="joined")

    @property
    def text(self) -> str:
        return self.text_blob.body


class ModelVersion(Base):
    """A trained pair classifier: file, checksum, metrics and what it was trained on."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(2000))
    sklearn_version: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    training_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Classification(Base):
    """A label with its provenance. History is kept; exactly one row per document is current."""

    __tablename__ = "classifications"
    __table_args__ = (
        Index(
            "uq_classifications_current_document",
            "document_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    label: Mapped[str] = mapped_column(String(32))
    pair_class: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"), index=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(String(32), default="ingest")
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchedSpan(Base):
    """A passage of the copy matched to a passage of its source (character offsets)."""

    __tablename__ = "matched_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    classification_id: Mapped[int] = mapped_column(ForeignKey("classifications.id"), index=True)
    copy_start: Mapped[int] = mapped_column(Integer)
    copy_end: Mapped[int] = mapped_column(Integer)
    source_start: Mapped[int] = mapped_column(Integer)
    source_end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)


class WrapperSegment(Base):
    """Copy text matching nothing in the source: the injected wrapper material."""

    __tablename__ = "wrapper_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    classification_id: Mapped[int] = mapped_column(ForeignKey("classifications.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)


class Fingerprint(Base):
    """Candidate index: winnowed shingle hashes and signature-term hashes of each document.

    Keyed on (kind, value, document_id), the order candidate lookups read, with no surrogate id:
    on SQLite the table is ``WITHOUT ROWID``, so the key's B-tree is the table itself and holds
    the rows once, where a rowid table kept them three times (the table, a unique key and a
    covering index). The (document_id, kind, value) index serves reading a document's own rows; it
    is a plain index, not a second unique key, so a backfill can build it after the load."""

    __tablename__ = "fingerprints"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "value", "document_id"),
        Index("ix_fingerprints_document_id_kind_value", "document_id", "kind", "value"),
        {"sqlite_with_rowid": False},
    )

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[int] = mapped_column(BigInteger)


class TermFrequency(Base):
    """How many stored documents carry each signature term: its rarity, kept with the index.

    Counting a term's postings at query time costs as much as the postings are many (the commonest
    terms most of all), and grows with the store; this row is one lookup."""

    __tablename__ = "term_frequencies"

    value: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    documents: Mapped[int] = mapped_column(Integer)


class IngestError(Base):
    """A landing file or record that could not be read, with the reason; seen again → counted, not duplicated."""

    __tablename__ = "ingest_errors"
    __table_args__ = (UniqueConstraint("path", "locator", "reason", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(2000))
    locator: Mapped[str] = mapped_column(String(2000), default="")
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


# The four labels of ../shared/LABELS.md; the database refuses any other correction.
CORRECTION_LABELS = ("original", "rewrite", "excerpt", "spam-wrapped")


class Correction(Base):
    """An operator's label for a document, overriding the classifier's; the latest row per document wins.

    Rows are never updated or deleted, so the table is also the audit trail of who changed what.
    """

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint(f"label IN ({', '.join(repr(label) for label in CORRECTION_LABELS)})", name="label"),
        Index("ix_corrections_document_id_id", "document_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    label: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
