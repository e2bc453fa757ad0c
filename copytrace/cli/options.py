"""Options several commands share, and the database URL a command's ``--db`` resolves to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copytrace.cli.terminal import UserError
from copytrace.settings import DEFAULT_DATABASE_URL, load_settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"database URL (default: $COPYTRACE_DATABASE_URL, then {DEFAULT_DATABASE_URL}); "
        "e.g. postgresql://user@host/dbname",
        show_default=False,
    ),
]
ModelOption = Annotated[Path | None, typer.Option(help="pair classifier .joblib (default: the shipped model)")]


def database_url(db: str | None) -> str:
    """The URL of ``--db``, else of the settings (environment, then the default)."""
    return load_settings(database_url=db).database_url


def existing_db(db: str | None) -> str:
    """The database URL of a command that reads what a run stored (show, label, reindex): a SQLite file
    that does not exist is an error, not an empty database created and migrated in the current folder
    (the default ``./copytrace.db`` is relative: from another folder it names another file)."""
    from sqlalchemy.engine import make_url

    from copytrace.db import normalise_url

    url = database_url(db)
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).exists():
            raise UserError(
                f"no database at {str(Path(parsed.database).resolve())!r}: run from the folder that holds it, "
                "or give --db (or $COPYTRACE_DATABASE_URL)"
            )
    return url
