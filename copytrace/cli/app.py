"""The ``copytrace`` Typer app and its entry point (``copytrace`` and ``python -m copytrace.cli``).

Commands are plain functions in their modules, registered here in the order ``--help`` lists them.
"""

from __future__ import annotations

import sys

import typer

from copytrace.cli.db import db_reindex, db_upgrade
from copytrace.cli.model import classify, classify_batch, evaluate, train
from copytrace.cli.provenance import label, show
from copytrace.cli.run import demo, ingest
from copytrace.cli.terminal import UserError
from copytrace.redact import first_line, redact_url

app = typer.Typer(
    help="Trace where scraped copies of news articles come from: ingest a landing folder, attribute every copy "
    "to its source, label it original / rewrite / excerpt / spam-wrapped, and store the provenance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the provenance database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

app.command()(ingest)
app.command()(demo)
app.command()(classify)
app.command("classify-batch")(classify_batch)
app.command()(show)
app.command()(label)
app.command()(train)
app.command()(evaluate)
db_app.command("upgrade")(db_upgrade)
db_app.command("reindex")(db_reindex)


def main() -> None:
    """Run the CLI; known errors become one line on stderr and exit status 1."""
    from copytrace.db import DatabaseError
    from copytrace.repo.corrections import CorrectionError

    try:
        app()
    except (UserError, DatabaseError, CorrectionError) as exc:
        sys.stderr.write(f"copytrace: error: {redact_url(first_line(exc, ''))}\n")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the user asked for one line, not a traceback
        sys.stderr.write(f"copytrace: error: {type(exc).__name__}: {redact_url(first_line(exc, ''))}\n")
        sys.exit(1)
