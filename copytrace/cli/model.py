"""The pair classifier's commands: ``classify``, ``classify-batch``, ``train`` and ``evaluate``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from copytrace.cli.options import DbOption, ModelOption, database_url
from copytrace.cli.runners import run_training
from copytrace.cli.terminal import UserError, err, out, plain, said
from copytrace.settings import load_settings

CLASSIFY_BATCH = 64  # pairs explained per model call: amortises its fixed cost, keeps output streaming


def _read_text(path: Path) -> str:
    from copytrace.ingest import read_file

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    result = read_file(path, path.resolve().parent, 20 * 1024 * 1024)
    if not result.copies:
        reason = result.errors[0].detail if result.errors else "no text found"
        raise UserError(f"{path}: {reason}")
    return result.copies[0].text


def _scorer(model: Path | None):
    from copytrace.scoring import load_scorer

    return load_scorer(str(model) if model else None)


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


def classify_batch(
    file: Annotated[
        str,
        typer.Argument(help='JSONL with {"id","source","copy"} per line (the texts, not file paths), or - for stdin'),
    ],
    model: ModelOption = None,
) -> None:
    """Classify many (source, copy) pairs; one JSON line per pair on stdout: id, label, confidence, evidence."""
    scorer = _scorer(model)
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
    result = run_training(str(settings.data_dir), database_url(db), str(model_dir), seed, scale)
    out.print(Text(f"{result['verdict']}\nmodel: {result['path']}"))


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
