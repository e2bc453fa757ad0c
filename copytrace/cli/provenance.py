"""What a run stored, read and corrected: ``copytrace show`` prints one copy's provenance chain,
``copytrace label`` lets an operator correct the label of one stored copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from copytrace.cli.options import DbOption, existing_db
from copytrace.cli.terminal import UserError, out, said
from copytrace.orm import CORRECTION_LABELS
from copytrace.settings import DEFAULT_DATABASE_URL


def show(
    locator: Annotated[str, typer.Argument(help="landing path or URL of a stored copy")],
    db: DbOption = None,
) -> None:
    """Print the provenance chain of one stored document, from the copy up to its root original."""
    from copytrace.db import ensure_schema, session_factory
    from copytrace.reports.provenance import describe_direction, direction_of, provenance_rows

    url = existing_db(db)
    ensure_schema(url)
    candidates = [locator, str(Path(locator).resolve())]
    with session_factory(url)() as session:
        rows = provenance_rows(session, "WHERE locator IN (:a, :b)", {"a": candidates[0], "b": candidates[1]})
        if not rows:
            raise UserError(f"no stored document has locator {locator!r}")
        row, seen = rows[0], set()
        while row is not None and row["document_id"] not in seen:
            seen.add(row["document_id"])
            conf = f"{row['confidence']:.2f}" if row["confidence"] is not None else "-"
            out.print(
                f"{'  ' * (len(seen) - 1)}{'└ derives from ' if len(seen) > 1 else ''}"
                f"[bold]{said(row['label'] or 'pending')}[/bold] ({conf})  {said(row['locator'])}  "
                f"[dim]doc {row['document_id']}, story {row['story_id']}[/dim]"
            )
            parent = row["derived_from_id"]
            if parent and (way := direction_of(session, row["document_id"])):
                out.print(f"{'  ' * len(seen)}[dim]{said(describe_direction(way))}[/dim]")
            nxt = provenance_rows(session, "WHERE document_id = :d", {"d": parent}) if parent else []
            row = nxt[0] if nxt else None


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
    from copytrace.db import ensure_schema, session_factory
    from copytrace.repo.corrections import CorrectionError, add_correction

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
