"""``copytrace db``: manage the provenance database (migrations, the candidate index)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress
from rich.text import Text

from copytrace.cli.options import DbOption, database_url, existing_db
from copytrace.cli.terminal import err, out


def db_upgrade(db: DbOption = None) -> None:
    """Apply the Alembic migrations under sql/ (an empty database is also migrated on first use)."""
    from copytrace.db import current_revision, upgrade

    url = database_url(db)
    upgrade(url)
    out.print(Text(f"database at migration {current_revision(url)}"))


def db_reindex(
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(help="documents per transaction")] = 500,
) -> None:
    """Rebuild the candidate index (fingerprints) of every stored document.

    Needed once after an upgrade that changes how fingerprints are chosen (the release notes say
    so); safe to interrupt and run again. Classifications are not touched.
    """
    from sqlalchemy import func, select

    from copytrace.db import ensure_schema, session_factory
    from copytrace.index.candidates import CandidateIndex
    from copytrace.orm import Document

    url = existing_db(db)
    ensure_schema(url)
    factory = session_factory(url)
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(Document)) or 0
    done, last = 0, 0
    with Progress(console=err, transient=True) as progress:
        bar = progress.add_task("reindexing", total=total)
        while True:
            with factory.begin() as session:
                ids = CandidateIndex(session).reindex(last, batch_size)
            if not ids:
                break
            done, last = done + len(ids), ids[-1]
            progress.update(bar, completed=done)
    out.print(f"reindexed {done} documents")
