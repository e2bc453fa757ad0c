"""Views for the dashboard's document page and corrections audit: texts, evidence, wrapper lines,
every correction.

``document_texts`` (each document's stored text), ``document_evidence`` (the current
classification's evidence as JSON text, with its direction), ``wrapper_lines`` (the injected
stretches of each copy) and ``correction_history`` (every correction, not only the one in force).
None reads ``copy_provenance``, so a later revision replacing that view need not drop these. The same
SQL runs on both databases; no table changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:15:00.000000
"""

from alembic import op

from sql import read_view

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

VIEWS = ("document_texts", "document_evidence", "wrapper_lines", "correction_history")


def upgrade() -> None:
    for name in VIEWS:
        op.execute(read_view(name))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
