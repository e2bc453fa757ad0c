"""``copytrace`` command line. Heavy imports (Prefect, the model) happen inside the commands, so --help is instant."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from copytrace.cli_label import label
from copytrace.redact import first_line, redact_url
from copytrace.settings import DEFAULT_DATABASE_URL, load_settings

app = typer.Typer(
    help="Trace where scraped copies of news articles come from: ingest a landing folder, attribute every copy "
    "to its source, label it original / rewrite / excerpt / spam-wrapped, and store the provenance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the provenance database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"database URL (default: $COPYTRACE_DATABASE_URL, then {DEFAULT_DATABASE_URL}); "
        "e.g. postgresql://user@host/dbname",
        show_default=False,
    ),
]
ModelWorkersOption = Annotated[
    int | None,
    typer.Option(
        "--model-workers",
        min=1,
        help="processes the pair classifier spreads a large batch of pairs over (this one and N-1 started for "
        "it; 1: this process only); default: $COPYTRACE_MODEL_WORKERS, then the number of CPUs",
        show_default=False,
    ),
]
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
CLASSIFY_BATCH = 64  # pairs explained per model call: amortises its fixed cost, keeps output streaming


class UserError(Exception):
    """An error to show as one line, without a traceback."""


def _db(db: str | None) -> str:
    return load_settings(database_url=db).database_url


def existing_db(db: str | None) -> str:
    """The database URL of a command that reads what a run stored (show, label, reindex): a SQLite file
    that does not exist is an error, not an empty database created and migrated in the current folder
    (the default ``./copytrace.db`` is relative: from another folder it names another file)."""
    from sqlalchemy.engine import make_url

    from copytrace.db import normalise_url

    url = _db(db)
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).exists():
            raise UserError(
                f"no database at {str(Path(parsed.database).resolve())!r}: run from the folder that holds it, "
                "or give --db (or $COPYTRACE_DATABASE_URL)"
            )
    return url


def plain(value: object) -> Text:
    """Scraped text (a title, URL, file name, detail) as terminal text: Rich reads no markup in it
    (a stray ``[/bold]`` would crash the print, ``[link=…]`` change what is shown) and control
    characters (ESC and its sequences) are dropped."""
    from copytrace.text import clean

    return Text(clean(str(value)))


def said(value: object) -> str:
    """``plain`` inside a markup string: the value escaped, its control characters dropped."""
    from copytrace.text import clean

    return escape(clean(str(value)))


# ------------------------------------------------------------------------------------------------ ingest


@app.command()
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
    model_workers: ModelWorkersOption = None,
) -> None:
    """Run the ingest-copies flow once on LANDING and print what it found.

    Reads .txt, .html/.htm, .jsonl and .warc/.warc.gz files; files and records already
    stored are skipped, bad inputs are recorded with a reason and the rest is stored.
    """
    summary = _run_ingest(landing, _db(db), batch_size, max_file_bytes, model, task_runner, model_workers)
    _print_summary(summary)


def _run_ingest(
    landing: Path,
    url: str,
    batch_size: int | None,
    max_file_bytes: int | None,
    model: Path | None,
    task_runner: str | None = None,
    model_workers: int | None = None,
):
    if not landing.is_dir():
        raise UserError(f"landing folder {str(landing)!r} does not exist or is not a folder")
    from copytrace.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from prefect.settings import temporary_settings

    from flows.ingest_copies import ingest_copies
    from flows.task_runners import TaskRunnerSpecError, task_runner_from_spec

    try:
        runner = task_runner_from_spec(task_runner)
    except TaskRunnerSpecError as exc:
        raise UserError(str(exc)) from exc
    from pydantic import SecretStr

    model_path = str(model) if model else None
    _start_run_helpers(url, model_path, model_workers)
    updates = one_shot_run_updates()
    if updates:  # no Prefect server configured: the run starts a temporary one, which must not outlive it
        tie_prefect_server()
    with temporary_settings(updates=updates):
        return ingest_copies.with_options(task_runner=runner)(
            landing=str(landing.resolve()),
            database_url=SecretStr(url),  # stored and shown masked by Prefect
            batch_size=batch_size,
            max_file_bytes=max_file_bytes,
            model_path=model_path,
            model_workers=model_workers,
        )


def _start_run_helpers(url: str, model_path: str | None, model_workers: int | None) -> None:
    """Start the processes the run's flow will use, its storing child and the classifier's workers,
    before the flow: they then start up while Prefect's server does,
    instead of while the first batch waits for them, and the flow finds them started (both are one
    a process: ``store_process``, ``load_scorer``).

    Only a head start: what fails here is left for the flow, which makes the same calls and reports
    a failure as a failed task. A database without a schema yet (the flow migrates it first) has no
    promoted model, so the run's model is the one given or the shipped one."""
    from copytrace.db import current_revision
    from copytrace.scoring import load_scorer, model_path_for
    from copytrace.store_process import store_process

    settings = load_settings(database_url=url, model_path=model_path, model_workers=model_workers)
    if settings.store_process:
        store_process()
    try:
        path = model_path_for(url, model_path) if current_revision(url) else model_path
        load_scorer(path, settings.model_workers)
    except Exception:  # a database or model file the flow will report on: the head start is lost, no more
        logging.getLogger(__name__).debug("classifier not started ahead of the run", exc_info=True)


def tie_prefect_server() -> None:
    """Make the temporary Prefect server of a run (no Prefect API URL configured) die with the run.

    Prefect starts it with ``subprocess.Popen`` and stops it when the process exits normally; a run
    killed with SIGKILL left it running, listening, re-parented to init. Prefect offers no hook for
    its arguments, so its server module is given a ``subprocess`` whose Popen arms the kernel's
    parent-death signal in the child (``copytrace.children.die_with_parent``; Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server as prefect_server

    from copytrace.children import subprocess_dying_with_parent

    if prefect_server.subprocess.Popen.__module__ != "copytrace.children":
        prefect_server.subprocess = subprocess_dying_with_parent()


def one_shot_run_updates() -> dict:
    """Prefect settings to change for one flow run called from the CLI.

    With no Prefect API URL configured, Prefect serves the run from a temporary server that stops
    with it. Flow-run heartbeats exist so that a lasting server can mark a run whose process died
    as crashed; on a temporary server nothing is left to read them, and joining their thread made
    every run wait up to a second at its end (Prefect sleeps between heartbeats a second at a
    time). Against a configured server the run keeps its heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings

    return {} if get_current_settings().api.url else {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}


def _print_summary(summary) -> None:
    from copytrace.report import REROOTED_NOTE, relative_to, relative_to_text

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


@app.command()
def demo(
    db: DbOption = None,
    landing: Annotated[Path, typer.Option(help="folder the bundled samples are copied into")] = Path(".demo/landing"),
) -> None:
    """Ingest the bundled sample copies (one story, five scraped copies) and print their provenance."""
    url = _db(db)
    landing.mkdir(parents=True, exist_ok=True)
    for sample in sorted(SAMPLES_DIR.iterdir()):
        if sample.is_file():
            shutil.copy2(sample, landing / sample.name)
    summary = _run_ingest(landing, url, None, None, None)
    _print_summary(summary)
    _print_provenance(url)
    out.print(
        f"\nDatabase: {said(redact_url(url))}   "
        "(query the view copy_provenance; `copytrace show LOCATOR` for one chain)"
    )


def _print_provenance(url: str) -> None:
    from copytrace.db import session_factory
    from copytrace.report import provenance_rows

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


# ------------------------------------------------------------------------------------------------ classify


def _read_text(path: Path) -> str:
    from copytrace.ingest import read_file

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    result = read_file(path, path.resolve().parent, 20 * 1024 * 1024)
    if not result.copies:
        reason = result.errors[0].detail if result.errors else "no text found"
        raise UserError(f"{path}: {reason}")
    return result.copies[0].text


def _scorer(model: Path | None, workers: int = 1):
    from copytrace.scoring import load_scorer

    return load_scorer(str(model) if model else None, workers)


ModelOption = Annotated[Path | None, typer.Option(help="pair classifier .joblib (default: the shipped model)")]


@app.command()
def classify(
    source_file: Annotated[Path, typer.Argument(help="the source text (.txt, .html, …)")],
    copy_file: Annotated[Path, typer.Argument(help="the copy to classify against it")],
    as_json: Annotated[bool, typer.Option("--json", help="print label, confidence and evidence as JSON")] = False,
    model: ModelOption = None,
) -> None:
    """Classify COPY_FILE against SOURCE_FILE as original, rewrite, excerpt or spam-wrapped, and say why."""
    evidence = _scorer(model).explain(_read_text(source_file), _read_text(copy_file))
    if as_json:
        out.print_json(json.dumps(evidence))
        return
    out.print(f"[bold]{said(evidence['label'])}[/bold]  (confidence {evidence['confidence']:.2f})")
    for reason in evidence.get("reasons", []):
        out.print(Text("  - ") + plain(reason))


def _jsonl_lines(file: str) -> Iterator[tuple[int, str]]:
    if file == "-":
        yield from enumerate(sys.stdin, 1)
        return
    path = Path(file)
    if not path.is_file():
        raise UserError(f"{file}: no such file")
    with path.open(encoding="utf-8", errors="replace") as fh:
        yield from enumerate(fh, 1)


def _names_a_file(text: str) -> bool:
    """A one-line "text" that is the path of an existing file: a caller who meant the file's content."""
    if "\n" in text or len(text) > 4096 or not text.strip():
        return False
    try:
        return Path(text.strip()).expanduser().is_file()
    except (OSError, ValueError):
        return False


@app.command("classify-batch")
def classify_batch(
    file: Annotated[
        str,
        typer.Argument(help='JSONL with {"id","source","copy"} per line (the texts, not file paths), or - for stdin'),
    ],
    model: ModelOption = None,
    model_workers: ModelWorkersOption = None,
) -> None:
    """Classify many (source, copy) pairs; one JSON line per pair on stdout: id, label, confidence, evidence."""
    scorer = _scorer(model, load_settings(model_workers=model_workers).model_workers)
    failed = 0
    batch: list[tuple[Any, str, str]] = []

    def flush() -> None:
        for (pair_id, _, _), ev in zip(batch, scorer.explain_many([(s, c) for _, s, c in batch]), strict=True):
            evidence = {k: v for k, v in ev.items() if k not in ("label", "confidence")}
            record = {"id": pair_id, "label": ev["label"], "confidence": ev["confidence"], "evidence": evidence}
            sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        batch.clear()

    for lineno, line in _jsonl_lines(file):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            pair_id, source, copy = record["id"], record["source"], record["copy"]
            if not isinstance(source, str) or not isinstance(copy, str):
                raise TypeError("source and copy must be strings")
            if path := next((t for t in (source, copy) if _names_a_file(t)), None):
                raise ValueError(
                    f"{path!r} is the path of a file: classify-batch takes the texts (classify takes files)"
                )
        except (ValueError, KeyError, TypeError) as exc:
            failed += 1
            err.print(Text(f"line {lineno}: skipped: ") + plain(exc))
            continue
        batch.append((pair_id, source, copy))
        if len(batch) >= CLASSIFY_BATCH:
            flush()
    flush()
    if failed:
        raise UserError(f"{failed} malformed lines skipped")


# ------------------------------------------------------------------------------------------------ show, db


@app.command()
def show(
    locator: Annotated[str, typer.Argument(help="landing path or URL of a stored copy")],
    db: DbOption = None,
) -> None:
    """Print the provenance chain of one stored document, from the copy up to its root original."""
    from copytrace.db import ensure_schema, session_factory
    from copytrace.report import describe_direction, direction_of, provenance_rows

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


app.command()(label)


@app.command()
def train(
    data: Annotated[
        Path | None, typer.Option(help="public corpora folder (default $COPYTRACE_DATA_DIR, ../shared/data)")
    ] = None,
    db: DbOption = None,
    model_dir: Annotated[Path, typer.Option(help="where candidate models are written")] = Path("model-store"),
    seed: Annotated[int, typer.Option(help="seed of the data builder and the split")] = 0,
    scale: Annotated[float, typer.Option(help="pairs per document multiplier")] = 1.0,
) -> None:
    """Run the train-classifier flow: build the data, fit, evaluate, promote the model if it is not worse."""
    settings = load_settings(data_dir=data)
    if not settings.data_dir.is_dir():
        raise UserError(f"training data folder {str(settings.data_dir)!r} does not exist (use --data)")
    from copytrace.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from pydantic import SecretStr

    from flows.train_classifier import train_classifier

    result = train_classifier(
        data_dir=str(settings.data_dir),
        database_url=SecretStr(_db(db)),
        model_dir=str(model_dir),
        seed=seed,
        scale=scale,
    )
    out.print(Text(f"{result['verdict']}\nmodel: {result['path']}"))


@app.command()
def evaluate(
    file: Annotated[Path, typer.Argument(help='labelled JSONL: {"id","source","copy","label"} per line')],
    model: ModelOption = None,
) -> None:
    """Print precision, recall, F1 and the confusion matrix per label for a labelled JSONL file."""
    from copytrace.evaluation import NoLabelledPairsError, evaluate_file

    if not file.is_file():
        raise UserError(f"{file}: no such file")
    try:
        report = evaluate_file(file, _scorer(model))
    except NoLabelledPairsError as exc:
        raise UserError(str(exc)) from exc
    table = Table(title=plain(f"{file.name}: {report['pairs']} pairs, macro-F1 {report['macro_f1']:.3f}"))
    for col in ("label", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="right" if col != "label" else "left")
    for name, row in report["per_class"].items():
        scores = (f"{row[k]:.3f}" for k in ("precision", "recall", "f1"))
        table.add_row(plain(name), *scores, str(row["support"]))
    out.print(table)
    cm = Table(title="confusion matrix (rows: true, columns: predicted)")
    cm.add_column("")
    for name in report["labels"]:
        cm.add_column(plain(name), justify="right")
    for name, row in zip(report["labels"], report["confusion"], strict=True):
        cm.add_row(plain(name), *map(str, row))
    out.print(cm)
    if report["skipped"]:
        err.print(f"{report['skipped']} malformed lines skipped")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply the Alembic migrations under sql/ (an empty database is also migrated on first use)."""
    from copytrace.db import current_revision, upgrade

    url = _db(db)
    upgrade(url)
    out.print(Text(f"database at migration {current_revision(url)}"))


@db_app.command("reindex")
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


# ------------------------------------------------------------------------------------------------ entry point


def main() -> None:
    """Run the CLI; known errors become one line on stderr and exit status 1."""
    from copytrace.corrections import CorrectionError
    from copytrace.db import DatabaseError

    try:
        app()
    except (UserError, DatabaseError, CorrectionError) as exc:
        sys.stderr.write(f"copytrace: error: {redact_url(first_line(exc, ''))}\n")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the user asked for one line, not a traceback
        sys.stderr.write(f"copytrace: error: {type(exc).__name__}: {redact_url(first_line(exc, ''))}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
