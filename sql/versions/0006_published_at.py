"""The publication date a page states, on documents and in copy_provenance.

Adds ``documents.published_at`` (nullable, a timestamp with time zone like ``fetched_at``): the
date the page itself gives (meta tags, JSON-LD, a dateline), which attribution weighs before fetch
times to tell a source from its copy. Existing documents keep NULL: their pages are not stored.

``copy_provenance`` is redefined with ``published_at`` appended (``sql/views/copy_provenance_v3.sql``,
every 0002 column kept in place). A view cannot be replaced on SQLite, and PostgreSQL does not drop
a view others read, so the views reading ``copy_provenance`` are dropped first and created again,
unchanged, from their files. The downgrade restores the 0002 definition the same way and drops the
column with ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or later), not a batch: a batch would copy
the documents table, and dropping the old one fails while foreign keys are enforced and other
tables refer to its rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from sql import read_view

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The views that read copy_provenance, in the order revision 0002 created them.
READERS = ("daily_label_counts", "source_copies", "copying_sites", "time_to_copy", "spam_networks", "matched_passages")


def _replace_copy_provenance(view_file: str) -> None:
    for name in reversed(READERS):
        op.execute(f"DROP VIEW {name}")
    op.execute("DROP VIEW copy_provenance")
    op.execute(read_view(view_file))
    for name in READERS:
        op.execute(read_view(name))


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:  # SQLite: ADD COLUMN, no copy
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    _replace_copy_provenance("copy_provenance_v3")


def downgrade() -> None:
    _replace_copy_provenance("copy_provenance_v2")
    op.drop_column("documents", "published_at")
