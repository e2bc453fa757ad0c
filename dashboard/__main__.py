"""``python -m dashboard [--db URL] [--host H] [--port P]``: serve the dashboard (what ``make dashboard`` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from copytrace.db import DatabaseError, ensure_schema, normalise_url
from copytrace.settings import DEFAULT_DATABASE_URL, load_settings
from dashboard.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Serve the copytrace dashboard.")
    parser.add_argument("--db", help=f"database URL (default: $COPYTRACE_DATABASE_URL, then {DEFAULT_DATABASE_URL})")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8050, help="port (default: %(default)s)")
    args = parser.parse_args(argv)
    url = load_settings(database_url=args.db).database_url
    try:
        _check_database(url)
    except DatabaseError as exc:
        sys.exit(f"dashboard: error: {exc}")
    create_app(url).run(host=args.host, port=args.port, debug=False)


def _check_database(url: str) -> None:
    """Refuse a missing SQLite file (an empty dashboard would hide the mistake); bring an old one to head."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        raise DatabaseError(f"no database at {parsed.database}: run `make demo` first, or pass --db URL")
    ensure_schema(url)


if __name__ == "__main__":
    main()
