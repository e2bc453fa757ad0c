"""Fingerprints keyed on (kind, value, document_id), without a surrogate id.

Every candidate lookup reads fingerprints in (kind, value, document_id) order, which 0003 gave a
covering index. The rows were then held three times on SQLite: the rowid table, the
(document_id, kind, value) unique key and that index. Here (kind, value, document_id) becomes the
primary key and ``id`` goes (nothing reads it): on SQLite the table is rebuilt ``WITHOUT ROWID``, so
the primary key's B-tree is the table and the covering index is not needed; on PostgreSQL the
primary key's index takes the covering index's place. The (document_id, kind, value) unique key
becomes a plain index (the primary key keeps the rows unique), which a backfill can drop and build
after its load. On the retrieval bench at 100k documents the SQLite file is a third smaller
(1,591 -> 1,066 MiB) and the lookups as fast.

The SQLite rebuild copies the rows in key order, so the new table is written front to back, and
builds the document index after the copy: 65 s for a store of 100k documents (14M rows), while
another job shared the machine (the downgrade took 11 min at 1M documents). The old table's pages
stay in the file, free for new rows, until a ``VACUUM`` (which cannot run inside the migration's
transaction) gives them back: that store's file grew from 1.6 to 2.1 GB and a ``VACUUM`` then took
it to 1.0 GB.

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
DOCUMENT_INDEX = "ix_fingerprints_document_id_kind_value"
UNIQUE_KEY = "uq_fingerprints_document_id_kind_value"
KEY = ["kind", "value", "document_id"]
BY_DOCUMENT = ["document_id", "kind", "value"]
COLUMNS = ", ".join(BY_DOCUMENT)


def _rebuild_sqlite(keyed: bool) -> None:
    """Copy fingerprints into a table of the other shape, in the order of its primary key."""
    op.create_table(
        "fingerprints_rebuilt",
        *([] if keyed else [sa.Column("id", sa.Integer(), nullable=False)]),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_fingerprints_document_id_documents"),
        sa.PrimaryKeyConstraint(*(KEY if keyed else ["id"]), name="pk_fingerprints"),
        *([] if keyed else [sa.UniqueConstraint(*BY_DOCUMENT, name=UNIQUE_KEY)]),
        sqlite_with_rowid=not keyed,
    )
    order = ", ".join(KEY if keyed else BY_DOCUMENT)
    op.execute(f"INSERT INTO fingerprints_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM fingerprints ORDER BY {order}")
    op.drop_table("fingerprints")  # its indexes with it
    op.rename_table("fingerprints_rebuilt", "fingerprints")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=True)  # read in key order from the covering index, not sorted
    else:
        op.drop_index(COVERING_INDEX, table_name="fingerprints")
        op.drop_constraint(UNIQUE_KEY, "fingerprints", type_="unique")
        op.drop_constraint("pk_fingerprints", "fingerprints", type_="primary")
        op.drop_column("fingerprints", "id")
        op.create_primary_key("pk_fingerprints", "fingerprints", KEY)
    op.create_index(DOCUMENT_INDEX, "fingerprints", BY_DOCUMENT, unique=False)


def downgrade() -> None:
    op.drop_index(DOCUMENT_INDEX, table_name="fingerprints")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=False)
    else:
        op.drop_constraint("pk_fingerprints", "fingerprints", type_="primary")
        op.add_column("fingerprints", sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_fingerprints", "fingerprints", ["id"])
        op.create_unique_constraint(UNIQUE_KEY, "fingerprints", BY_DOCUMENT)
    op.create_index(COVERING_INDEX, "fingerprints", KEY, unique=False)
