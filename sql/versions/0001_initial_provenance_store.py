"""Initial provenance store: documents, texts, classifications (history), spans, wrapper
segments, stories, model versions, ingested files, ingest errors, the candidate index,
and the dashboard view copy_provenance.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 20:32:13.651367
"""

import sqlalchemy as sa
from alembic import op

from sql import read_view

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("locator", sa.String(length=2000), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_errors")),
        sa.UniqueConstraint(
            "path",
            "locator",
            "reason",
            "file_sha256",
            name=op.f("uq_ingest_errors_path_locator_reason_file_sha256"),
        ),
    )
    op.create_table(
        "ingested_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("n_copies", sa.Integer(), nullable=False),
        sa.Column("n_errors", sa.Integer(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_files")),
        sa.UniqueConstraint("path", "file_sha256", name=op.f("uq_ingested_files_path_file_sha256")),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("sklearn_version", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("training_data", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("sha256", name=op.f("uq_model_versions_sha256")),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_table(
        "texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("n_chars", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_texts")),
        sa.UniqueConstraint("sha256", name=op.f("uq_texts_sha256")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=2000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("site", sa.String(length=255), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_path", sa.String(length=2000), nullable=True),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_documents_story_id_stories")),
        sa.ForeignKeyConstraint(["text_id"], ["texts.id"], name=op.f("fk_documents_text_id_texts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("locator", "sha256", name=op.f("uq_documents_locator_sha256")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_site"), ["site"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_story_id"), ["story_id"], unique=False)

    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("pair_class", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("model_version_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["derived_from_id"], ["documents.id"], name=op.f("fk_classifications_derived_from_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_classifications_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name=op.f("fk_classifications_model_version_id_model_versions"),
        ),
        sa.ForeignKeyConstraint(["root_id"], ["documents.id"], name=op.f("fk_classifications_root_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifications")),
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classifications_derived_from_id"), ["derived_from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_classifications_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_classifications_root_id"), ["root_id"], unique=False)
        batch_op.create_index(
            "uq_classifications_current_document",
            ["document_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "fingerprints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_fingerprints_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fingerprints")),
        sa.UniqueConstraint("document_id", "kind", "value", name=op.f("uq_fingerprints_document_id_kind_value")),
    )
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.create_index("ix_fingerprints_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "matched_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classification_id", sa.Integer(), nullable=False),
        sa.Column("copy_start", sa.Integer(), nullable=False),
        sa.Column("copy_end", sa.Integer(), nullable=False),
        sa.Column("source_start", sa.Integer(), nullable=False),
        sa.Column("source_end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["classification_id"],
            ["classifications.id"],
            name=op.f("fk_matched_spans_classification_id_classifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matched_spans")),
    )
    with op.batch_alter_table("matched_spans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matched_spans_classification_id"), ["classification_id"], unique=False)

    op.create_table(
        "wrapper_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classification_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["classification_id"],
            ["classifications.id"],
            name=op.f("fk_wrapper_segments_classification_id_classifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wrapper_segments")),
    )
    with op.batch_alter_table("wrapper_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wrapper_segments_classification_id"), ["classification_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wrapper_segments_fingerprint"), ["fingerprint"], unique=False)

    op.execute(read_view("copy_provenance"))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS copy_provenance")
    with op.batch_alter_table("wrapper_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wrapper_segments_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_wrapper_segments_classification_id"))

    op.drop_table("wrapper_segments")
    with op.batch_alter_table("matched_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matched_spans_classification_id"))

    op.drop_table("matched_spans")
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.drop_index("ix_fingerprints_kind_value")

    op.drop_table("fingerprints")
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_classifications_current_document",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index(batch_op.f("ix_classifications_root_id"))
        batch_op.drop_index(batch_op.f("ix_classifications_document_id"))
        batch_op.drop_index(batch_op.f("ix_classifications_derived_from_id"))

    op.drop_table("classifications")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_story_id"))
        batch_op.drop_index(batch_op.f("ix_documents_site"))
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))

    op.drop_table("documents")
    op.drop_table("texts")
    op.drop_table("stories")
    op.drop_table("model_versions")
    op.drop_table("ingested_files")
    op.drop_table("ingest_errors")
