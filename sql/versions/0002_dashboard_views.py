"""Dashboard views, operator corrections, and the effective label in copy_provenance.

Adds the ``corrections`` table (the latest row per document overrides the classifier's label),
redefines ``copy_provenance`` so ``label`` is the effective label (every 0001 column kept, new
columns appended), and creates the dashboard views under ``sql/views``. The views are one SQL
text for both databases; PostgreSQL gets a ``strftime(format, timestamptz)`` with SQLite's
meaning for the two formats the views use, so days and delays are computed in UTC on both.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

from sql import read_view

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Creation order: each view reads only tables and the views listed before it.
VIEWS = (
    "latest_corrections",
    "copy_provenance",
    "daily_label_counts",
    "source_copies",
    "copying_sites",
    "time_to_copy",
    "spam_networks",
    "model_quality",
    "matched_passages",
)
# copy_provenance.sql stays as migration 0001 read it; this revision's definition has its own file.
VIEW_FILES = {"copy_provenance": "copy_provenance_v2"}

POSTGRES_STRFTIME = """
CREATE FUNCTION strftime(fmt text, ts timestamptz) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF fmt = '%Y-%m-%d' THEN
        RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD');
    ELSIF fmt = '%s' THEN
        RETURN CAST(CAST(FLOOR(EXTRACT(EPOCH FROM ts)) AS BIGINT) AS TEXT);
    END IF;
    RAISE EXCEPTION 'strftime format % is not available on PostgreSQL (only %%Y-%%m-%%d and %%s)', fmt;
END
$$
"""


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("who", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "label IN ('original', 'rewrite', 'excerpt', 'spam-wrapped')", name=op.f("ck_corrections_label")
        ),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_corrections_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    # latest_corrections looks up MAX(id) per document; model_quality counts labels per model version.
    op.create_index("ix_corrections_document_id_id", "corrections", ["document_id", "id"], unique=False)
    op.create_index(op.f("ix_classifications_model_version_id"), "classifications", ["model_version_id"], unique=False)

    if _is_postgresql():
        op.execute(POSTGRES_STRFTIME)
    op.execute("DROP VIEW copy_provenance")
    for name in VIEWS:
        op.execute(read_view(VIEW_FILES.get(name, name)))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute(read_view("copy_provenance"))
    if _is_postgresql():
        op.execute("DROP FUNCTION IF EXISTS strftime(text, timestamptz)")
    op.drop_index(op.f("ix_classifications_model_version_id"), table_name="classifications")
    op.drop_index("ix_corrections_document_id_id", table_name="corrections")
    op.drop_table("corrections")
