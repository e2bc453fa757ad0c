"""Candidate retrieval at growing corpus sizes: copytrace's index beside MinHash LSH and brute-force cosine.

    python bench/retrieval_bench.py [--sizes 10000,100000,1000000] [--queries 300] [--postgres ADMIN_URL]

For each size, a corpus of distinct filler articles (sentences of real BBC texts recombined) with
real sources mixed in: BBC articles, whose excerpts and spam-wrapped copies (real boilerplate lines)
are queries, and L2R human texts, whose real LLM rewrites are queries. Queries are not in the corpus,
and fillers are recombined from the other BBC articles' sentences: a filler that happened to hold a
whole one-paragraph excerpt would be as true a source of it as the article.
Every method answers the same queries on the same corpus, and its candidates are re-ranked by the
shipped model's word TF-IDF cosine to a top 5:

* copytrace — documents stored with ``repo.documents.add_documents`` and ``CandidateIndex.count_terms``
  (fingerprints and term frequencies in the same transaction) in an SQLite file (and PostgreSQL with
  ``--postgres``), then ``CandidateIndex.query`` (limit 10) + re-rank. All but the last 5,000
  documents are loaded 500 a transaction (from ``--bulk-from`` documents on, 5,000 a transaction into
  a staging table copied into the keyed table in key order after the load, as a backfill is done);
  the last 5,000 are stored 200 a transaction, as the flow does, into the store of the rest: the
  ingest rate at that size;
* MinHash LSH — datasketch ``MinHashLSH`` over word 5-gram shingles (128 permutations) + re-rank,
  up to ``--minhash-max`` documents (its tables live in memory);
* brute force — scikit-learn TF-IDF of the whole corpus in memory, one sparse product per query.

Reported per method: recall@1 and @5 of the true source by copy type, query latency p50/p95 (ms,
candidates and re-rank together), build throughput (documents/s), index size and peak memory (how
far the resident memory of the method's own process grew). Each size's results are kept under
``--out`` with its corpus; ``retrieval.md`` and ``retrieval_latency.png`` there (``-v1`` for
``--corpus 1``) show every size measured, with the run each came from: its date, commit and how long
two fixed pure-Python workloads took on its machine (``--reuse-index`` answers the queries again on
an index an earlier run built).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import closing, contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fixtures import DEFAULT_DATA, fresh_postgres, machine_note, machine_seconds, source_material  # noqa: E402
from copytrace.db import engine_for, session_factory, upgrade  # noqa: E402
from copytrace.index.candidates import CandidateIndex  # noqa: E402
from copytrace.index.fingerprints import SHINGLE_WORDS, fingerprint_rows, words  # noqa: E402
from copytrace.orm import Document, Fingerprint  # noqa: E402
from copytrace.repo import documents  # noqa: E402
from copytrace.settings import DEFAULT_BATCH_SIZE  # noqa: E402
from copytrace.text import text_sha256  # noqa: E402
from models import classifier, registry  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
COPY_TYPES = ("excerpt", "spam-wrapped", "rewrite")
DOCUMENT_INDEX = "ix_fingerprints_document_id_kind_value"  # dropped for a bulk load, built after it
MINHASH_KIB_PER_DOC = 18  # measured at 10k documents: 180 MiB of LSH tables and signatures
TOP = 5
# 1: fillers recombine every BBC article's sentences, the sources' too (a filler may hold a whole
# excerpt: both excerpt misses at 1M are such fillers); 2: only the other articles' sentences.
CORPUS_VERSIONS = (1, 2)
METHODS = ("copytrace", "minhash", "brute")


@dataclass
class Corpus:
    texts: list[str]  # index = document number
    queries: list[tuple[str, str, int]]  # (copy type, copy text, index of its source in texts)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_corpus(data_dir: Path, size: int, n_queries: int, version: int = 2, seed: int = 0) -> Corpus:
    """Sources first (BBC and L2R), then fillers up to ``size``; queries made from the sources."""
    rng = random.Random(seed)
    bbc, l2r, lines = source_material(data_dir, rng)

    texts: list[str] = []
    queries: list[tuple[str, str, int]] = []
    n_news = (2 * n_queries) // 3
    for d in bbc[: n_news // 2]:
        texts.append(d.headline + "\n\n" + "\n\n".join(d.paragraphs))
        k = max(1, int(len(d.paragraphs) * rng.uniform(0.3, 0.7)))
        start = rng.randint(0, len(d.paragraphs) - k)
        queries.append(("excerpt", "\n\n".join(d.paragraphs[start : start + k]), len(texts) - 1))
        body = d.paragraphs if rng.random() < 0.5 else d.paragraphs[: max(2, k)]
        head, tail = rng.sample(lines, rng.randint(2, 10)), rng.sample(lines, rng.randint(2, 10))
        queries.append(("spam-wrapped", "\n".join([*head, *body, *tail]), len(texts) - 1))
    for s in l2r[: n_queries - n_news]:
        texts.append(s.human)
        queries.append(("rewrite", rng.choice(sorted(s.rewrites.values())), len(texts) - 1))

    # From version 2 not the sources' own sentences (see CORPUS_VERSIONS): at 1M documents each recurs
    # in hundreds of fillers, and a filler holding every sentence of an excerpt is a source of it too.
    fillers_from = bbc[n_news // 2 :] if version >= 2 else bbc
    sentences = [sent for d in fillers_from for p in d.paragraphs for sent in p.split(". ") if len(sent.split()) >= 6]
    seen = {text_sha256(t) for t in texts}
    while len(texts) < size:
        filler = ". ".join(rng.sample(sentences, rng.randint(8, 25)))
        digest = text_sha256(filler)
        if digest not in seen:
            seen.add(digest)
            texts.append(filler)
        if len(texts) % 20000 == 0:
            _progress(f"  corpus {len(texts)}/{size}")
    order = list(range(len(texts)))
    rng.shuffle(order)  # sources spread through the corpus, not at its start
    position = {old: new for new, old in enumerate(order)}
    return Corpus([texts[i] for i in order], [(t, q, position[i]) for t, q, i in queries])


def cached_corpus(out: Path, data_dir: Path, size: int, n_queries: int, version: int = 2) -> Corpus:
    path = out / f"corpus-v{version}-{size}-{n_queries}.json"
    if path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Corpus(raw["texts"], [tuple(q) for q in raw["queries"]])
    _progress(f"building a corpus of {size} documents")
    corpus = build_corpus(data_dir, size, n_queries, version)
    path.write_text(json.dumps({"texts": corpus.texts, "queries": corpus.queries}), encoding="utf-8")
    return corpus


class Reranker:
    """Top ``TOP`` of a candidate list by the shipped model's word TF-IDF cosine."""

    def __init__(self, corpus: Corpus) -> None:
        self.pipeline = registry.load_model(registry.default_model_path())
        self.texts = corpus.texts

    def top(self, query: str, candidates: Sequence[int]) -> list[int]:
        if not candidates:
            return []
        vectors = classifier.text_vectors(self.pipeline, [query, *(self.texts[i] for i in candidates)])
        scores = (vectors[1:] @ vectors[0].T).toarray().ravel()
        return [candidates[i] for i in np.argsort(-scores, kind="stable")[:TOP]]


@dataclass
class Result:
    method: str
    size: int
    build_docs_per_s: float
    index_mib: float
    peak_mib: float
    p50_ms: float
    p95_ms: float
    recall: dict[str, tuple[float, float]]  # copy type → (recall@1, recall@5)
    ingest_docs_per_s: float | None = None  # copytrace: the last TAIL documents, FLOW_BATCH a transaction
    # copytrace: the same queries answered again at once, from the pages the first pass read (the
    # steady state of a store in use; the first pass follows the build or other methods' work, which
    # leave little of a 16 GB store in the page cache)
    warm_p50_ms: float | None = None
    warm_p95_ms: float | None = None


def _answer(corpus: Corpus, search: Callable[[str], list[int]]) -> tuple[list[float], dict[str, tuple[float, float]]]:
    latencies, hits = [], {t: [0, 0, 0] for t in COPY_TYPES}
    for kind, query, source in corpus.queries:
        t = time.perf_counter()
        top = search(query)
        latencies.append((time.perf_counter() - t) * 1000)
        hits[kind][0] += bool(top) and top[0] == source
        hits[kind][1] += source in top
        hits[kind][2] += 1
    recall = {k: (h[0] / h[2], h[1] / h[2]) for k, h in hits.items() if h[2]}
    return latencies, recall


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def _resident_kib(field: str) -> int:
    """A line of /proc/self/status in KiB: VmRSS (resident now) or VmHWM (its high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def in_child(method: Callable[[], Result]) -> Result | None:
    """Run one method in a forked process and return its result, with ``peak_mib`` the growth of
    the process's resident memory while it built its index and answered (native allocations
    included, nothing run twice); its memory goes back to the system when it ends. None when the
    process died (e.g. killed for memory), so the other methods still run."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()

    def run() -> None:
        start = _resident_kib("VmRSS")
        result = method()
        result.peak_mib = (_resident_kib("VmHWM") - start) / 1024
        results.put(result)

    process = context.Process(target=run)
    process.start()
    process.join()
    if process.exitcode != 0:
        _progress(f"  the method's process ended with exit code {process.exitcode}: no result")
        return None
    return results.get()


SQLITE_METHOD = "copytrace index, SQLite"
TAIL = 5000  # the corpus's last documents, stored as the flow stores them into the store of the rest
FLOW_BATCH = DEFAULT_BATCH_SIZE  # the flow's default batch: one transaction each


def bench_copytrace(
    corpus: Corpus,
    url: str,
    label: str,
    reranker: Reranker,
    size_of: Callable[[], float],
    built: tuple[float, float] | None = None,
    bulk: bool = False,
) -> Result:
    """Store the corpus, then answer the queries.

    All but the last ``TAIL`` documents are loaded 500 a transaction (``bulk``: 5000, through
    ``_staged_fingerprints``, the way a backfill of a large store is done: inserting into the keyed
    table in key order rather than at random); the last ``TAIL`` are stored ``FLOW_BATCH`` a transaction
    into the store of the rest, which is the ingest rate at that store size. ``built`` — the two
    rates of an index an earlier run built — only answers the queries."""
    upgrade(url)
    engine = engine_for(url)
    factory = session_factory(url)
    ids: list[int] = []

    def store_range(first: int, last: int, per_transaction: int) -> None:
        for start in range(first, last, per_transaction):
            with factory.begin() as session:
                batch = range(start, min(start + per_transaction, last))
                copies = [
                    documents.NewCopy(f"bench://{i}", corpus.texts[i], text_sha256(corpus.texts[i])) for i in batch
                ]
                new = documents.add_documents(session, copies, None)
                CandidateIndex(session).count_terms(new)
            ids.extend(new)
            if start // 20000 != (start + per_transaction) // 20000:
                _progress(f"  {label}: {start + per_transaction}/{len(corpus.texts)} stored")

    if built is None:
        head = len(corpus.texts) - min(TAIL, len(corpus.texts) // 10)
        started = time.perf_counter()
        if bulk:
            with _staged_fingerprints(engine, label):
                store_range(0, head, 5000)
        else:
            store_range(0, head, 500)
        built_rate = head / (time.perf_counter() - started)
        _maintain(url)
        started = time.perf_counter()
        store_range(head, len(corpus.texts), FLOW_BATCH)
        built = (built_rate, (len(corpus.texts) - head) / (time.perf_counter() - started))
        number = {doc_id: i for i, doc_id in enumerate(ids)}
    else:
        with factory() as session:
            rows = session.execute(select(Document.id, Document.locator))
            number = {doc_id: int(locator.removeprefix("bench://")) for doc_id, locator in rows}
    with factory() as session:
        index = CandidateIndex(session)

        def search(query: str) -> list[int]:
            found = index.query(-1, fingerprint_rows(query), 10)
            return reranker.top(query, [number[d] for d in found])

        latencies, recall = _answer(corpus, search)
        warm, _ = _answer(corpus, search)
    return Result(
        label,
        len(corpus.texts),
        built[0],
        size_of(),
        0.0,
        float(np.percentile(latencies, 50)),
        float(np.percentile(latencies, 95)),
        recall,
        built[1],
        float(np.percentile(warm, 50)),
        float(np.percentile(warm, 95)),
    )


@contextmanager
def _staged_fingerprints(engine, label: str) -> Iterator[None]:
    """Fingerprints written inside the block go to a staging table keyed by document (whose rows
    come in that order) and are copied into the keyed table in (kind, value, document_id) order at
    the end, its document index built after the copy: both written front to back, where inserting
    150M rows at random key positions rewrites most of a tree's pages in every transaction. SQLite
    only, as the bench's bulk load is."""
    by_document = next(i for i in Fingerprint.__table__.indexes if i.name == DOCUMENT_INDEX)
    with engine.begin() as conn:
        by_document.drop(conn)
        conn.exec_driver_sql("ALTER TABLE fingerprints RENAME TO fingerprints_keyed")
        conn.exec_driver_sql(
            "CREATE TABLE fingerprints (document_id INTEGER NOT NULL, kind VARCHAR(8) NOT NULL, "
            "value BIGINT NOT NULL, UNIQUE (document_id, kind, value))"
        )
    yield
    _progress(f"  {label}: copying the staged fingerprints in key order, then indexing them by document")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO fingerprints_keyed (document_id, kind, value) "
            "SELECT document_id, kind, value FROM fingerprints ORDER BY kind, value, document_id"
        )
        conn.exec_driver_sql("DROP TABLE fingerprints")
        conn.exec_driver_sql("ALTER TABLE fingerprints_keyed RENAME TO fingerprints")
        by_document.create(conn)


def _shingles(text: str) -> set[bytes]:
    toks = words(text)
    return {" ".join(toks[i : i + SHINGLE_WORDS]).encode() for i in range(max(1, len(toks) - SHINGLE_WORDS + 1))}


def bench_minhash(corpus: Corpus, reranker: Reranker) -> Result:
    from datasketch import MinHash, MinHashLSH

    template = MinHash(num_perm=128)  # its permutations are made once, not again for every text

    def minhash(text: str) -> MinHash:
        m = MinHash(num_perm=128, permutations=template.permutations, scheme=template.scheme)
        m.update_batch(list(_shingles(text)))
        return m

    def build() -> MinHashLSH:
        # Containment of a copy in its source shows as low Jaccard for short excerpts: a low threshold.
        lsh = MinHashLSH(threshold=0.1, num_perm=128)
        with lsh.insertion_session() as session:
            for i, text in enumerate(corpus.texts):
                session.insert(i, minhash(text))
                if i and i % 100000 == 0:
                    _progress(f"  MinHash LSH: {i}/{len(corpus.texts)} inserted")
        return lsh

    before = _resident_kib("VmRSS")
    lsh, seconds = _timed(build)
    index = (_resident_kib("VmRSS") - before) / 1024  # the LSH tables and signatures live in memory
    latencies, recall = _answer(corpus, lambda q: reranker.top(q, sorted(lsh.query(minhash(q)))))
    return Result(
        "MinHash LSH (datasketch)",
        len(corpus.texts),
        len(corpus.texts) / seconds,
        index,
        0.0,
        float(np.percentile(latencies, 50)),
        float(np.percentile(latencies, 95)),
        recall,
    )


def bench_brute_force(corpus: Corpus) -> Result:
    from sklearn.feature_extraction.text import TfidfVectorizer

    def build():
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english")
        return vectorizer, vectorizer.fit_transform(corpus.texts).tocsr()

    (vectorizer, matrix), seconds = _timed(build)

    def search(query: str) -> list[int]:
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        top = np.argpartition(-scores, TOP)[:TOP]
        return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]

    latencies, recall = _answer(corpus, search)
    index = (matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20
    return Result(
        "brute-force cosine (scikit-learn)",
        len(corpus.texts),
        len(corpus.texts) / seconds,
        index,
        0.0,
        float(np.percentile(latencies, 50)),
        float(np.percentile(latencies, 95)),
        recall,
    )


def _maintain(url: str) -> None:
    """What the database does by itself soon after a bulk load, done before the queries (untimed):
    autovacuum's VACUUM ANALYZE on PostgreSQL (fresh planner statistics, and the visibility map that
    lets the covering index answer without visiting the table); ANALYZE on SQLite."""
    from sqlalchemy import text

    with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if url.startswith("postgresql"):
            conn.execute(text("VACUUM ANALYZE"))
        else:  # statistics from a sample of each index, as `PRAGMA optimize` takes them
            conn.execute(text("PRAGMA analysis_limit=1000"))
            conn.execute(text("ANALYZE"))


def table(results: list[Result]) -> str:
    head = (
        "| size | method | build docs/s | ingest docs/s | index MiB | peak MiB | p50 ms | p95 ms | warm p50 / p95 ms | "
        + " | ".join(f"{t} R@1 / R@5" for t in COPY_TYPES)
    )
    lines = [head + " |", "|---" * (9 + len(COPY_TYPES)) + "|"]
    for r in results:
        recall = " | ".join(
            f"{r.recall[t][0]:.3f} / {r.recall[t][1]:.3f}" if t in r.recall else "-" for t in COPY_TYPES
        )
        ingest = "-" if r.ingest_docs_per_s is None else f"{r.ingest_docs_per_s:,.0f}"
        warm = "-" if r.warm_p95_ms is None else f"{r.warm_p50_ms:.1f} / {r.warm_p95_ms:.1f}"
        lines.append(
            f"| {r.size:,} | {r.method} | {r.build_docs_per_s:,.0f} | {ingest} | {r.index_mib:,.1f} "
            f"| {r.peak_mib:,.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {warm} | {recall} |"
        )
    return "\n".join(lines)


def plot(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method in dict.fromkeys(r.method for r in results):
        points = sorted((r.size, r.p95_ms) for r in results if r.method == method)
        warm = sorted((r.size, r.warm_p95_ms) for r in results if r.method == method and r.warm_p95_ms is not None)
        label = method + (", first pass" if warm else "")
        line = ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)[0]
        if warm:
            style = {"marker": "o", "linestyle": "--", "color": line.get_color()}
            ax.plot(*zip(*warm, strict=True), **style, label=method + ", warm")
    ax.axhline(20, color="grey", linewidth=0.8, linestyle=":", label="target p95 at 1M: 20 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents in the corpus")
    ax.set_ylabel("p95 query latency (ms, candidates + re-rank)")
    ax.set_title("Candidate retrieval latency against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def bench_size(size: int, args: argparse.Namespace, out: Path, postgres: str | None) -> tuple[list[Result], bool]:
    """Every method on the corpus of ``size`` documents, each in its own process; and whether the
    SQLite index was an earlier run's."""
    corpus = cached_corpus(out, Path(args.data), size, args.queries, args.corpus)
    reranker = Reranker(corpus)
    db_path = out / f"index-v{args.corpus}-{size}.db"
    built = _built_rates(out, size, args.corpus) if args.reuse_index and db_path.exists() else None
    bulk = size >= args.bulk_from
    if built is not None:
        _progress(f"size {size}: reusing {db_path}, built at {built[0]:,.0f} docs/s by an earlier run")
    elif "copytrace" in args.methods:  # a run of the other methods leaves the store as it is
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    def sqlite_mib() -> float:
        """The pages the store uses, its write-ahead log checkpointed and truncated first. Free pages
        are left out: a bulk load's staging table leaves a third of the 1M file free (5 of 15 GB)
        until a VACUUM."""
        with closing(sqlite3.connect(db_path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages, free, size = (
                conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size")
            )
        return (pages - free) * size / 2**20

    sqlite_url = f"sqlite:///{db_path}"
    methods: list[tuple[str, Callable[[], Result]]] = []
    if "copytrace" in args.methods:
        methods.append(
            (
                "copytrace index on SQLite",
                lambda: bench_copytrace(corpus, sqlite_url, SQLITE_METHOD, reranker, sqlite_mib, built, bulk),
            )
        )
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if postgres and "copytrace" in args.methods:
        url, drop, pg_mib = fresh_postgres(postgres)
        methods.append(
            (
                "copytrace index on PostgreSQL",
                lambda: bench_copytrace(corpus, url, "copytrace index, PostgreSQL", reranker, pg_mib),
            )
        )
    if "minhash" in args.methods and size <= args.minhash_max:
        methods.append(("MinHash LSH", lambda: bench_minhash(corpus, reranker)))
    elif "minhash" in args.methods:
        _progress(f"size {size}: MinHash LSH not built (over --minhash-max={args.minhash_max})")
    if "brute" in args.methods:
        methods.append(("brute force", lambda: bench_brute_force(corpus)))
    results = []
    try:
        for name, method in methods:
            _progress(f"size {size}: {name}")
            result = in_child(method)
            if result is not None:
                results.append(result)
    finally:
        drop()
    return results, built is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated corpus sizes (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=300, help="copies looked up per size (default: %(default)s)")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared data directory")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="cache, table and plot (default: bench/out)")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server: also index there (smallest size)")
    parser.add_argument(
        "--minhash-max",
        type=int,
        default=200_000,
        help=f"largest size MinHash LSH is built at: its tables take ~{MINHASH_KIB_PER_DOC} KiB a document in memory"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--bulk-from",
        type=int,
        default=500_000,
        help="from this size on, the SQLite index is bulk-loaded: fingerprints staged, then copied in key "
        "order (default: %(default)s)",
    )
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="answer the queries on the SQLite index an earlier run built (its build rate is reported), "
        "to measure a query change at a size that takes long to build",
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated methods to run, of %(default)s; the results of the others saved for a size "
        "by an earlier run are kept beside them",
    )
    parser.add_argument(
        "--corpus",
        type=int,
        choices=CORPUS_VERSIONS,
        default=CORPUS_VERSIONS[-1],
        help="corpus version: 1 recombines the sources' own sentences into fillers too, so a filler can hold a "
        "whole excerpt (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    args.methods = set(args.methods.split(","))
    if args.methods - set(METHODS):
        parser.error(f"unknown methods {sorted(args.methods - set(METHODS))}: choose from {', '.join(METHODS)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    code = f"{_code_version()} (machine: {machine_note(machine_seconds())})"

    for size in sizes:
        results, reused = bench_size(size, args, out, postgres=args.postgres if size == sizes[0] else None)
        _save(out, size, args.corpus, results, reused, code)
        print(table(results), flush=True)

    results = _saved(out, args.corpus)
    text = table(results)
    note = (
        f"Corpus version {args.corpus}; {args.queries} queries per size ({', '.join(COPY_TYPES)}); "
        "latency covers candidates and TF-IDF re-rank. "
        "Each method runs in its own process: peak MiB is how far its resident memory grew while it built and "
        "answered; index MiB is the pages the database uses for copytrace (free pages left out), the memory "
        "the built index holds for the others. "
        "Runs: " + "; ".join(f"{what} on {run}" for what, run in _runs(out, args.corpus).items()) + "."
    )
    suffix = "" if args.corpus == CORPUS_VERSIONS[-1] else f"-v{args.corpus}"
    table_path, plot_path = out / f"retrieval{suffix}.md", out / f"retrieval_latency{suffix}.png"
    table_path.write_text(text + "\n\n" + note + "\n", encoding="utf-8")
    plot(results, plot_path)
    print(f"\n{text}\n\n{note}\nwritten: {table_path}, {plot_path}")


def _results_path(out: Path, size: int, version: int) -> Path:
    return out / f"results-v{version}-{size}.json"


def _code_version() -> str:
    """The commit this run's code came from (taken at start: a commit made while it runs is not it),
    marked when the work tree differed from it."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _save(out: Path, size: int, version: int, results: list[Result], reused: bool, code: str) -> None:
    """This size's results, each with the run it came from, kept so that a later run of other sizes
    or other methods reports them beside its own (a method run again replaces its earlier result)."""
    from dataclasses import asdict
    from datetime import UTC, datetime

    run = f"{datetime.now(UTC):%Y-%m-%d} at commit {code}"
    reused_note = " (SQLite index and its build rate from an earlier run)" if reused else ""
    done = {r.method for r in results}
    entries = [e for e in _entries(out, size, version) if e["result"]["method"] not in done] + [
        {"run": run + (reused_note if r.method == SQLITE_METHOD else ""), "result": asdict(r)} for r in results
    ]
    _results_path(out, size, version).write_text(json.dumps(entries, indent=1), encoding="utf-8")


def _built_rates(out: Path, size: int, version: int) -> tuple[float, float] | None:
    """The SQLite build and ingest rates an earlier run saved for this size, if it built an index."""
    for entry in _entries(out, size, version):
        r = entry["result"]
        if r["method"] == SQLITE_METHOD and r.get("ingest_docs_per_s"):
            return r["build_docs_per_s"], r["ingest_docs_per_s"]
    return None


def _entries(out: Path, size: int, version: int) -> list[dict]:
    path = _results_path(out, size, version)
    return _load(path) if path.exists() else []


def _saved(out: Path, version: int) -> list[Result]:
    found = [Result(**e["result"]) for path in out.glob(f"results-v{version}-*.json") for e in _load(path)]
    return sorted(found, key=lambda r: r.size)


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _runs(out: Path, version: int) -> dict[str, str]:
    """Which run each saved size and method came from."""
    runs: dict[str, str] = {}
    for path in sorted(out.glob(f"results-v{version}-*.json"), key=lambda p: int(p.stem.split("-")[-1])):
        for e in _load(path):
            runs[f"{e['result']['size']:,} {e['result']['method']}"] = e["run"]
    return runs


if __name__ == "__main__":
    main()
