"""``copytrace ingest`` and ``copytrace demo``: run the ingest-copies flow and print what it found."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from copytrace.cli.options import DbOption, database_url
from copytrace.cli.runners import run_ingest
from copytrace.cli.terminal import out, plain, said
from copytrace.redact import redact_url

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"


def ingest(
    landing: Annotated[Path, typer.Argument(help="landing folder the scrapers drop copies into")],
    db: DbOption = None,
    batch_size: Annotated[
        int | None, typer.Option(help="documents per batch task (default: $COPYTRACE_BATCH_SIZE, then 500)")
    ] = None,
    max_file_bytes: Annotated[
        int | None, typer.Option(help="larger files are recorded as errors (default 20 MB)")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="pair classifier .joblib (default: the active model)")] = None,
    task_runner: Annotated[
        str | None,
        typer.Option(
            help="where file batches run: sequential (default), threads[=N], dask (local cluster) or dask=ADDRESS"
        ),
    ] = None,
) -> None:
    """Run the ingest-copies flow once on LANDING and print what it found.

    Reads .txt, .html/.htm, .jsonl and .warc/.warc.gz files; files and records already
    stored are skipped, bad inputs are recorded with a reason and the rest is stored.
    """
    summary = run_ingest(landing, database_url(db), batch_size, max_file_bytes, model, task_runner)
    _print_summary(summary)


def demo(
    db: DbOption = None,
    landing: Annotated[Path, typer.Option(help="folder the bundled samples are copied into")] = Path(".demo/landing"),
) -> None:
    """Ingest the bundled sample copies (one story, five scraped copies) and print their provenance."""
    url = database_url(db)
    landing.mkdir(parents=True, exist_ok=True)
    for sample in sorted(SAMPLES_DIR.iterdir()):
        if sample.is_file():
            shutil.copy2(sample, landing / sample.name)
    summary = run_ingest(landing, url, None, None, None)
    _print_summary(summary)
    _print_provenance(url)
    out.print(
        f"\nDatabase: {said(redact_url(url))}   "
        "(query the view copy_provenance; `copytrace show LOCATOR` for one chain)"
    )


def _print_summary(summary) -> None:
    from copytrace.reports.formatting import relative_to, relative_to_text
    from copytrace.reports.run_summary import REROOTED_NOTE

    table = Table(
        title="ingest run", caption=f"earlier copies re-rooted: {REROOTED_NOTE}" if summary.rerooted else None
    )
    table.add_column("item")
    table.add_column("count", justify="right")
    for row in summary.table():
        table.add_row(plain(row["item"]), str(row["count"]))
    out.print(table)
    if summary.errors:
        errs = Table(title="bad inputs (recorded; the rest was stored)")
        for col in ("path", "reason", "detail"):
            errs.add_column(col, overflow="fold")
        for e in summary.errors:
            errs.add_row(
                plain(relative_to(e["path"], summary.landing)),
                plain(e["reason"]),
                plain(relative_to_text(e["detail"], summary.landing)),
            )
        out.print(errs)


def _print_provenance(url: str) -> None:
    from copytrace.db import session_factory
    from copytrace.reports.provenance import provenance_rows

    with session_factory(url)() as session:
        rows = provenance_rows(session)
    table = Table(title="copy_provenance")
    for col in ("id", "copy", "label", "conf", "derived from", "root", "story"):
        table.add_column(col, overflow="fold")
    names = {r["document_id"]: Path(r["locator"]).name for r in rows}
    for r in rows:
        table.add_row(
            str(r["document_id"]),
            plain(names[r["document_id"]]),
            plain(r["label"] or "(pending)"),
            f"{r['confidence']:.2f}" if r["confidence"] is not None else "",
            plain(names.get(r["derived_from_id"], "") if r["derived_from_id"] else ""),
            plain(names.get(r["root_id"], "") if r["root_id"] else ""),
            str(r["story_id"] or ""),
        )
    out.print(table)
