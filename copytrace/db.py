"""Engines, sessions and migrations. Nothing here runs at import time."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from copytrace.redact import first_line, redact_url
from sql import SQL_DIR


class DatabaseError(RuntimeError):
    """A database URL that cannot be used, with a message fit for one line of CLI output."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for bare ``postgresql://`` URLs (the project does not ship psycopg2)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {redact_url(url)!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# SQLite's page cache a connection, in KiB (larger than SQLite's default). A batch's fingerprints go
# to pages all over the candidate index (keyed on hash values), so a larger cache keeps more of those
# pages between batches (figures in docs/performance.md, "Figures behind rules in the code").
SQLITE_CACHE_KIB = 64 * 1024


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process (tasks in one worker share its pool)."""
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SQL_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    with engine_for(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    cfg = alembic_config(url)
    with engine_for(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_schema(url: str) -> None:
    """Migrate an empty or older database to head; cheap when it is already there."""
    try:
        if current_revision(url) == head_revision():
            return
    except Exception as exc:  # connection refused, bad credentials, unknown database …
        shown = redact_url(make_url(normalise_url(url)).render_as_string(hide_password=False))
        raise DatabaseError(f"cannot open database {shown!r}: {redact_url(first_line(exc))}") from exc
    upgrade(url)
