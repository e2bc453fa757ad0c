"""Fingerprints keyed on (kind, value, document_id), without a surrogate id.

Every candidate lookup reads fingerprints in (kind, value, document_id) order, which 0003 gave a
covering index. The rows were then held three times on SQLite: the rowid table, the
(document_id, kind, value) unique key and that index. Here the key becomes the primary key and
``id`` goes (nothing reads it): on SQLite the table is rebuilt ``WITHOUT ROWID``, so the primary key's
B-tree is the table and the covering index is not needed; on PostgreSQL the primary key index takes
the covering index's place. On the ingest bench's store the SQLite file is about 40% smaller, which
is what a large store's lookups need to stay in the page cache.

The SQLite rebuild copies the rows in key order, so the new table is written front to back; a store
of 1M documents (some 150M rows) takes minutes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COVERING_INDEX = "ix_fingerprints_kind_value_document_id"
COLUMNS = "document_id, kind, value"


def _rebuild_sqlite(with_rowid: bool) -> None:
    """Copy fingerprints into a table of the other shape, in the order of its key."""
    key = ["id"] if with_rowid else ["kind", "value", "document_id"]
    op.create_table(
        "fingerprints_rebuilt",
        *([sa.Column("id", sa.Integer(), nullable=False)] if with_rowid else []),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_fingerprints_document_id_documents"),
        sa.PrimaryKeyConstraint(*key, name="pk_fingerprints"),
        sa.UniqueConstraint("document_id", "kind", "value", name="uq_fingerprints_document_id_kind_value"),
        sqlite_with_rowid=with_rowid,
    )
    order = "document_id, kind, value" if with_rowid else "kind, value, document_id"
    op.execute(f"INSERT INTO fingerprints_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM fingerprints ORDER BY {order}")
    op.drop_table("fingerprints")
    op.rename_table("fingerprints_rebuilt", "fingerprints")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_rowid=False)  # read in order from the covering index, dropped with the table
    else:
        op.drop_index(COVERING_INDEX, table_name="fingerprints")
        op.drop_constraint("pk_fingerprints", "fingerprints", type_="primary")
        op.drop_column("fingerprints", "id")
        op.create_primary_key("pk_fingerprints", "fingerprints", ["kind", "value", "document_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_rowid=True)
    else:
        op.drop_constraint("pk_fingerprints", "fingerprints", type_="primary")
        op.add_column("fingerprints", sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_fingerprints", "fingerprints", ["id"])
    op.create_index(COVERING_INDEX, "fingerprints", ["kind", "value", "document_id"], unique=False)
