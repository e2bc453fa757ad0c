"""What the store's statements share on both databases: the dialect, its INSERT with ON CONFLICT,
and a bound list of integers that keeps a statement's text the same whatever the list's length."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Table, Text, TypeDecorator, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Bulk UPDATEs in the store skip the ORM's in-memory sync: callers work from ids, not loaded objects,
# and evaluating the criterion over every Document in the session costs time on every call for nothing.
NO_SYNC = {"synchronize_session": False}


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def supported_dialect(session: Session) -> str:
    """``postgresql`` or ``sqlite``, the databases copytrace writes to; any other is refused."""
    name = dialect_name(session)
    if name not in ("postgresql", "sqlite"):
        raise RuntimeError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")
    return name


def dialect_insert(session: Session, table: Table):
    """The dialect's INSERT, so ON CONFLICT clauses are available on SQLite and PostgreSQL alike."""
    return postgresql.insert(table) if supported_dialect(session) == "postgresql" else sqlite.insert(table)


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert rows, silently skipping those that hit the unique key (idempotent, race-safe)."""
    if rows:
        session.execute(dialect_insert(session, table).on_conflict_do_nothing(index_elements=list(keys)), list(rows))


class IntegerList(TypeDecorator):
    """A list of integers bound as one JSON text, which SQLite's ``json_each`` turns back into rows."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps([int(v) for v in value])


def one_of(column, name: str, dialect: str):
    """``column`` equal to one of the bound list ``name``, in one statement text whatever the list's
    length. An expanding IN is rendered again for every length and the driver prepares every
    rendering anew, a large share of a lookup's time on both databases. PostgreSQL compares with
    ``= ANY`` of an array, which psycopg prepares once; SQLite
    reads the list from one JSON parameter through ``json_each`` and still seeks the primary key
    once a value."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(BigInteger)))
    values = func.json_each(bindparam(name, type_=IntegerList())).table_valued("value")
    return column.in_(select(values.c.value))
