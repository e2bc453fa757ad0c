"""End-to-end provenance on data the classifier was not trained on: folder in, ``copy_provenance`` out.

    python bench/pipeline_eval.py [--folder text|html|both] [--n 48] [--seed 1] [--material-seed 0]
                                  [--json PATH] [--keep DIR] [--flow] [--data DIR]

Builds landing folders at run time from ``../shared/data`` (``tests/generalisation_folders.py``, which
the tests of ``tests/integration/test_provenance_generalises.py`` build theirs with; only texts on the held-out
side of the shipped model's split), ingests each into a fresh SQLite database with the pipeline, reads
``copy_provenance`` back and prints, per kind of document: how many have the expected label, the
expected ``derived_from`` (none for an original) and the expected root.

* ``text`` (7n files, 336 by default): ``.txt`` files without fetch times, names shuffled: L2R human
  texts each with one LLM rewrite (``human`` → original, ``rewrite`` → rewrite of it), BBC articles
  (``article``) each with an ``excerpt`` and a ``spam-wrapped`` copy (real boilerplate lines), and
  pairs of ``independent`` same-topic BBC articles (both original, deriving from nothing).
* ``html`` (5n files, 240 by default): real publisher pages as saved (``original-page``: Big9 news pages
  and WCXB article pages; about half state a publication date), each with an ``excerpt-page`` and a
  ``spam-wrapped-page`` on other sites dated after it; and L2R pairs as pages (``human-page``, dated in
  three cases of four, and ``rewrite-page``, always dated after it). Below the table, each page kind
  split by whether its chain's original states a date.

``reversed``: documents whose expected source derives from them instead (the direction flipped).
``date read``: pages whose ``published_at`` in ``copy_provenance`` is the date the page states (when
the view has that column).

The pipeline is run as ``copytrace ingest`` runs it, without Prefect: the folder's files in name order,
batches of ``COPYTRACE_BATCH_SIZE`` stored (``pipeline.storing.store_files``) and each classified
(``pipeline.classifying.classify_documents``) as soon as it is stored, then anything left pending — the flow's
steps with storing in this process. ``--flow`` runs ``copytrace ingest`` itself instead (the
flow on a temporary Prefect server, ~20 s more a folder). ``--seed`` changes the file names, so the
order the files are stored in; ``--material-seed`` which texts go in.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from copytrace.db import engine_for, session_factory, upgrade  # noqa: E402
from copytrace.ingest import discover  # noqa: E402
from copytrace.pipeline.classifying import classify_documents  # noqa: E402
from copytrace.pipeline.storing import store_files  # noqa: E402
from copytrace.repo.documents import pending_document_ids  # noqa: E402
from copytrace.scoring import load_scorer, model_path_for  # noqa: E402
from copytrace.settings import load_settings  # noqa: E402
from tests import generalisation_folders as gf  # noqa: E402

FOLDERS = {"text": gf.text_folder, "html": gf.html_folder}


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def ingest_plain(landing: Path, url: str, batch_size: int | None = None) -> None:
    """The ``ingest-copies`` flow's steps without Prefect, storing in this process."""
    settings = load_settings(database_url=url, batch_size=batch_size)
    upgrade(url)
    paths = [str(p) for p in discover(landing)]
    scorer = load_scorer(model_path_for(url, None))

    def classify(ids: list[int]) -> None:
        for batch in _chunks(sorted(ids), settings.batch_size):
            classify_documents(
                batch,
                url,
                scorer,
                candidate_limit=settings.candidate_limit,
                story_threshold=settings.story_threshold,
            )

    for batch in _chunks(paths, settings.batch_size):
        stored = store_files(batch, str(landing), url, settings.max_file_bytes)
        if stored.errors:
            print(f"  {len(stored.errors)} read errors, e.g. {stored.errors[0]}", file=sys.stderr)
        classify(stored.new_document_ids)
    with session_factory(url).begin() as session:
        classify(pending_document_ids(session))


def ingest_flow(landing: Path, url: str, prefect_home: Path, batch_size: int | None = None) -> None:
    """``copytrace ingest LANDING --db URL``: the flow, on a temporary Prefect server."""
    env = dict(os.environ, PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    cli = Path(sys.executable).with_name("copytrace")
    batch = ["--batch-size", str(batch_size)] if batch_size else []
    subprocess.run(
        [str(cli), "ingest", str(landing), "--db", url, *batch], check=True, env=env, stdout=subprocess.DEVNULL
    )


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "-"


def figures(folder: gf.Folder, got: dict[str, gf.Got]) -> dict:
    verdicts = gf.judge(folder.expected, got)
    has_dates = any(g.published_at is not gf.MISSING for g in got.values())

    def tally(keys: list[str]) -> dict:
        dated = [k for k in keys if folder.expected[k].published_at is not None]
        return {
            "n": len(keys),
            "label": sum(verdicts[k].label for k in keys),
            "derived_from": sum(verdicts[k].source for k in keys),
            "root": sum(verdicts[k].root for k in keys),
            "all_three": sum(verdicts[k].right for k in keys),
            "reversed": sum(verdicts[k].reversed for k in keys),
            "date_read": (
                sum(got[k].published_at == folder.expected[k].published_at for k in dated) if has_dates else None
            ),
            "dated": len(dated),
            "labels_given": dict(Counter(got[k].label or "none" for k in keys).most_common()),
        }

    kinds: dict[str, list[str]] = {}
    for key, want in folder.expected.items():
        kinds.setdefault(want.kind, []).append(key)
    by_date: dict[str, dict] = {}
    for kind, keys in kinds.items():
        for dated in (True, False):
            part = [k for k in keys if folder.expected[k].dated_source is dated]
            if part:
                by_date[f"{kind}, source {'dated' if dated else 'undated'}"] = tally(part)
    wrong = [gf.describe(k, folder.expected[k], got[k]) for k in sorted(folder.expected) if not verdicts[k].right]
    return {
        "kinds": {kind: tally(keys) for kind, keys in kinds.items()},
        "by_source_date": by_date,
        "total": tally(list(folder.expected)),
        "published_at_in_view": has_dates,
        "wrong": wrong,
    }


def table(name: str, fig: dict) -> str:
    head = (
        "| kind | n | label right | derived_from right | root right | all three | reversed | date read | labels given |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]

    def row(kind: str, t: dict) -> str:
        date = "-" if t["date_read"] is None or not t["dated"] else f"{t['date_read']}/{t['dated']}"
        given = ", ".join(f"{label} {k}" for label, k in t["labels_given"].items())
        return (
            f"| {kind} | {t['n']} | {_pct(t['label'], t['n'])} | {_pct(t['derived_from'], t['n'])} "
            f"| {_pct(t['root'], t['n'])} | {_pct(t['all_three'], t['n'])} | {t['reversed']} | {date} | {given} |"
        )

    lines += [row(kind, t) for kind, t in fig["kinds"].items()]
    lines.append(row(f"**total {name}**", fig["total"]))
    if fig["by_source_date"] and name == "html":
        lines += ["", head, lines[1]]
        lines += [row(kind, t) for kind, t in fig["by_source_date"].items()]
    return "\n".join(lines)


def run_folder(name: str, args: argparse.Namespace, workdir: Path) -> dict:
    started = time.perf_counter()
    folder = FOLDERS[name](Path(args.data), args.n, args.material_seed)
    built = time.perf_counter() - started
    landing = workdir / f"landing-{name}"
    names = folder.write(landing, random.Random(f"order:{args.seed}"))
    url = f"sqlite:///{workdir / f'{name}.db'}"
    print(f"{name}: {len(names)} files in {landing} (built in {built:.1f} s), ingesting...", file=sys.stderr)
    started = time.perf_counter()
    if args.flow:
        ingest_flow(landing, url, workdir / "prefect-home", args.batch_size)
    else:
        ingest_plain(landing, url, args.batch_size)
    seconds = time.perf_counter() - started
    got = gf.read_back(url, names)
    engine_for(url).dispose()
    fig = figures(folder, got)
    fig.update(folder=name, files=len(names), ingest_seconds=round(seconds, 1), url=url if args.keep else None)
    if args.keep:
        key = {k: {"file": names[k], **_jsonable(folder.expected[k].__dict__)} for k in sorted(names)}
        (workdir / f"{name}-answer-key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    return fig


def _jsonable(d: dict) -> dict:
    return {
        k: sorted(v) if isinstance(v, frozenset) else (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in d.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", choices=["text", "html", "both"], default="both")
    parser.add_argument("--n", type=int, default=48, help="pairs (or sources) per kind (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="file names, so the order files are stored in")
    parser.add_argument(
        "--batch-size",
        type=int,
        help="files a batch (default: $COPYTRACE_BATCH_SIZE, then 500, so each default folder is one batch); "
        "smaller batches store the later files against the earlier ones' decisions",
    )
    parser.add_argument("--material-seed", type=int, default=0, help="which texts and pages go in")
    parser.add_argument("--data", default=str(gf.DATA_DIR), help="the shared data directory")
    parser.add_argument("--json", help="write the figures (and every wrong document) to this file")
    parser.add_argument("--keep", help="build the folders and databases in this directory and keep them")
    parser.add_argument("--flow", action="store_true", help="run `copytrace ingest` (the Prefect flow) instead")
    parser.add_argument("--show-wrong", type=int, default=0, help="print up to this many wrong documents per folder")
    args = parser.parse_args(argv)

    names = ["text", "html"] if args.folder == "both" else [args.folder]
    results = {}
    with tempfile.TemporaryDirectory(prefix="copytrace-pipeline-eval-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for name in names:
            results[name] = run_folder(name, args, workdir)
    for name, fig in results.items():
        how = "copytrace ingest (flow)" if args.flow else "pipeline without Prefect"
        batches = f", batches of {args.batch_size}" if args.batch_size else ""
        print(
            f"\n## {name} folder: {fig['files']} files, seed {args.seed}{batches}, {how}, "
            f"ingested in {fig['ingest_seconds']} s\n"
        )
        print(table(name, fig))
        if not fig["published_at_in_view"]:
            print("\n(copy_provenance has no published_at column: dates not read back)")
        for line in fig["wrong"][: args.show_wrong]:
            print("  wrong:", line)
    if args.json:
        meta = {
            "n": args.n,
            "seed": args.seed,
            "material_seed": args.material_seed,
            "batch_size": args.batch_size,
            "flow": args.flow,
        }
        Path(args.json).write_text(json.dumps({"run": meta, **results}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
