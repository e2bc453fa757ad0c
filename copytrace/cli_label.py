"""``copytrace label``: an operator corrects the label of one stored copy.

Kept out of cli.py so the corrections feature is one small module; cli.py registers the function.
Heavy imports happen inside the command, so ``copytrace --help`` stays instant.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from copytrace.orm import CORRECTION_LABELS
from copytrace.settings import DEFAULT_DATABASE_URL


def label(
    locator: Annotated[str, typer.Argument(help="landing path or URL of a stored copy")],
    label: Annotated[str, typer.Argument(help=" / ".join(CORRECTION_LABELS))],
    note: Annotated[str | None, typer.Option("--note", help="why the label is wrong (kept with it)")] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"database URL (default: $COPYTRACE_DATABASE_URL, then {DEFAULT_DATABASE_URL})",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Correct the label of LOCATOR to LABEL, as you ($USER); views and dashboards show it from now on.

    The classifier's label stays visible as model_label; a later correction replaces this one.
    """
    from copytrace.cli import UserError, existing_db, said
    from copytrace.corrections import CorrectionError, add_correction
    from copytrace.db import ensure_schema, session_factory

    url = existing_db(db)
    ensure_schema(url)
    with session_factory(url)() as session:
        try:
            row = add_correction(session, locator, label, note)
        except CorrectionError as exc:
            raise UserError(str(exc)) from exc
        session.commit()
    # the locator and the operator's name are shown as text: markup in them must not fail the command
    # after the correction is saved
    message = f"document {row.document_id} ({said(locator)}) is now [bold]{said(row.label)}[/bold], "
    Console(soft_wrap=True).print(message + f"corrected by {said(row.who)}")
