"""End-to-end ingest throughput: a timestamped scraper feed through the pipeline's own units of work.

    python bench/ingest_bench.py [--sources 200] [--batch-size 500] [--postgres ADMIN_URL] [--rounds N]

The landing folder holds scraper records, one ``.jsonl`` file each as a scraper drops them: real BBC
articles, each followed minutes later by an excerpt and a spam-wrapped copy (real boilerplate lines),
and L2R human texts followed by one real LLM rewrite. They are stored and classified as the
``ingest-copies`` flow does it on its default runner, into a fresh database: file batches stored one
after another on a runner thread (``pipeline.storing.store_files``), each batch classified
(``pipeline.classifying.classify_documents``) as soon as it is stored. The flow's Prefect overhead is
left out (``copytrace ingest`` shows it).

Reported per database, side by side: documents/s end to end; storing's own rate (reading,
extracting, fingerprinting, writing; measured while classifying goes on beside it); classifying's,
with the classifier's share of it (the rest: candidate queries, attribution, writes); the CPU time
a document took in the run's process (on a machine whose speed drifts, a steadier figure than the
rates); classifier pairs per document; and how many documents came out with the right label and
source. A second pass over the same folder must add nothing. Below the table, how long two fixed
pure-Python workloads took before and after the runs (``bench.fixtures.machine_seconds``): the rates
are this machine's, and move with it.

``--rounds N`` runs each database N times, alternated. As in the flow, the scorer is loaded before a
run stores anything; its loading is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bench.fixtures import DEFAULT_DATA, fresh_postgres, machine_note, machine_seconds, source_material  # noqa: E402
from copytrace.db import engine_for, session_factory, upgrade  # noqa: E402
from copytrace.pipeline.classifying import classify_documents  # noqa: E402
from copytrace.pipeline.results import StoreResult  # noqa: E402
from copytrace.pipeline.storing import store_files  # noqa: E402
from copytrace.scoring import Scorer  # noqa: E402
from copytrace.settings import DEFAULT_BATCH_SIZE, load_settings  # noqa: E402
from models import registry  # noqa: E402

MAX_FILE_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Record:
    url: str
    fetched_at: datetime
    text: str
    label: str  # what it must come out as
    source: str | None  # url of the document it derives from


def build_feed(data_dir: Path, n_sources: int, seed: int = 0) -> list[Record]:
    """Three BBC articles in four carry an excerpt and a spam-wrapped copy; the rest are L2R texts
    with one rewrite. Copies are fetched 5-55 minutes after their source; sources an hour apart."""
    rng = random.Random(seed)
    bbc, l2r, lines = source_material(data_dir, rng)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    n_bbc = (3 * n_sources) // 4
    records: list[Record] = []

    def later(t: datetime) -> datetime:
        return t + timedelta(minutes=rng.randint(5, 55))

    for n, d in enumerate(bbc[:n_bbc]):
        t, url = start + timedelta(hours=n), f"https://news{n}.example/article"
        records.append(Record(url, t, d.headline + "\n\n" + "\n\n".join(d.paragraphs), "original", None))
        k = max(1, int(len(d.paragraphs) * rng.uniform(0.3, 0.7)))
        first = rng.randint(0, len(d.paragraphs) - k)
        excerpt = "\n\n".join(d.paragraphs[first : first + k])
        records.append(Record(f"https://quotes{n}.example/a", later(t), excerpt, "excerpt", url))
        head, tail = rng.sample(lines, rng.randint(3, 10)), rng.sample(lines, rng.randint(3, 10))
        wrapped = "\n".join([*head, *d.paragraphs, *tail])
        records.append(Record(f"https://spam{n}.example/a", later(t), wrapped, "spam-wrapped", url))
    for n, s in enumerate(l2r[: n_sources - n_bbc]):
        t, url = start + timedelta(hours=n_bbc + n), f"https://paper{n}.example/story"
        records.append(Record(url, t, s.human, "original", None))
        rewrite = rng.choice(sorted(s.rewrites.values()))
        records.append(Record(f"https://rewriter{n}.example/s", later(t), rewrite, "rewrite", url))
    rng.shuffle(records)
    return records


def write_landing(records: Sequence[Record], folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, r in enumerate(records):
        path = folder / f"{n:06d}.jsonl"
        line = {"url": r.url, "fetched_at": r.fetched_at.isoformat(), "title": None, "text": r.text}
        path.write_text(json.dumps(line) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


class TimedScorer(Scorer):
    """The shipped scorer, adding up the seconds its model spends (features, prediction, explanations)."""

    def __init__(self, scorer: Scorer) -> None:
        self.__dict__.update(scorer.__dict__)
        self.seconds = 0.0

    def _timed(self, fn: Callable, *args):
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.seconds += time.perf_counter() - started

    def probabilities(self, pairs_):
        return self._timed(super().probabilities, pairs_)

    def explain_many(self, pairs_):
        return self._timed(super().explain_many, pairs_)

    def similarities(self, texts):
        return self._timed(super().similarities, texts)


@dataclass
class Result:
    database: str
    round: int
    documents: int
    wall_s: float
    store_s: float
    classify_s: float
    model_s: float
    cpu_s: float
    pairs: int
    right: int
    second_pass_new: int


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def run(
    name: str,
    url: str,
    records: Sequence[Record],
    paths: list[str],
    landing: Path,
    batch_size: int,
    round_no: int,
    candidate_limit: int,
    loaded: Scorer,
) -> Result:
    """Ingest the folder as the flow does on its default runner: store batches one after another on
    one runner thread, each batch classified here as soon as it is stored. ``loaded``: the model, as
    the flow loads it before it stores anything (its loading is not timed)."""
    upgrade(url)
    scorer = TimedScorer(loaded)

    def timed_store(batch: list[str]) -> tuple[StoreResult, float]:
        started = time.perf_counter()
        return store_files(batch, str(landing), url, MAX_FILE_BYTES), time.perf_counter() - started

    stored = StoreResult()
    pairs, store_s, classify_s = 0, 0.0, 0.0
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(1) as runner:
        for future in [runner.submit(timed_store, batch) for batch in _chunks(paths, batch_size)]:
            result, seconds = future.result()
            stored, store_s = stored.merge(result), store_s + seconds
            classify_started = time.perf_counter()
            for batch in _chunks(sorted(result.new_document_ids), batch_size):
                pairs += classify_documents(batch, url, scorer, candidate_limit=candidate_limit).pairs_scored
            classify_s += time.perf_counter() - classify_started
    wall_s = time.perf_counter() - started
    cpu_s = _cpu_seconds() - cpu_before
    again = store_files(paths, str(landing), url, MAX_FILE_BYTES)
    print(
        f"  round {round_no}, {name}: {len(stored.new_document_ids)} stored, "
        f"{len(stored.errors)} errors, {len(stored.new_document_ids) / wall_s:.1f} docs/s",
        file=sys.stderr,
    )
    return Result(
        name,
        round_no,
        len(stored.new_document_ids),
        wall_s,
        store_s,
        classify_s,
        scorer.seconds,
        cpu_s,
        pairs,
        _right(url, records),
        len(again.new_document_ids),
    )


def _cpu_seconds() -> float:
    """User and system CPU seconds of this process and its live children."""
    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _right(url: str, records: Sequence[Record]) -> int:
    """Documents whose label and source, read back from ``copy_provenance``, are the expected ones."""
    with session_factory(url).begin() as session:
        rows = session.execute(text("SELECT locator, label, derived_from_locator FROM copy_provenance")).all()
    got = {locator: (label, source) for locator, label, source in rows}
    return sum(got.get(r.url) == (r.label, r.source) for r in records)


def table(results: list[Result]) -> str:
    lines = [
        "| round | database | documents | docs/s end to end | store docs/s | classify docs/s "
        "| model share of classify | CPU ms/doc | pairs/doc | right label and source | second pass adds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.round} | {r.database} | {r.documents} "
            f"| {r.documents / r.wall_s:.1f} "
            f"| {r.documents / r.store_s:.1f} "
            f"| {r.documents / r.classify_s:.1f} | {r.model_s / r.classify_s:.0%} | {1000 * r.cpu_s / r.documents:.2f} "
            f"| {r.pairs / r.documents:.2f} "
            f"| {r.right}/{r.documents} | {r.second_pass_new} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200, help="original articles in the feed (default: %(default)s)")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="the flow's batch size (default: %(default)s)"
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared data directory")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server: also ingest into a fresh database there")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run each database this many times, alternated (default: 1)"
    )
    args = parser.parse_args(argv)
    settings = load_settings()

    records = build_feed(Path(args.data), args.sources)
    results = []
    machine_before = machine_seconds()
    with tempfile.TemporaryDirectory(prefix="copytrace-ingest-bench-") as tmp:
        landing = Path(tmp) / "landing"
        paths = write_landing(records, landing)
        print(f"{len(records)} scraper records in {landing}", file=sys.stderr)
        scorer = Scorer(registry.default_model_path())

        def ingest(name: str, url: str, round_no: int) -> Result:
            limit = settings.candidate_limit
            return run(name, url, records, paths, landing, args.batch_size, round_no, limit, scorer)

        for round_no in range(1, args.rounds + 1):
            sqlite_url = f"sqlite:///{Path(tmp) / f'bench-{round_no}.db'}"
            results.append(ingest("SQLite", sqlite_url, round_no))
            engine_for(sqlite_url).dispose()
            if args.postgres:
                url, drop, _size = fresh_postgres(args.postgres)
                try:
                    results.append(ingest("PostgreSQL", url, round_no))
                finally:
                    drop()
    print(table(results))
    print(f"\nMachine, before the runs: {machine_note(machine_before)}; after: {machine_note(machine_seconds())}.")


if __name__ == "__main__":
    main()
