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

Here: the command and the three methods. The corpus is ``bench/retrieval_corpus.py``; re-ranking, answering
and a method's own process are ``bench/retrieval_measure.py``; keeping, tabling and plotting the results
are ``bench/retrieval_results.py``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import closing, contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fixtures import DEFAULT_DATA, fresh_postgres, machine_note, machine_seconds  # noqa: E402
from bench.retrieval_corpus import CORPUS_VERSIONS, Corpus, cached_corpus, progress  # noqa: E402
from bench.retrieval_measure import TOP, Reranker, answer, in_child, resident_kib, timed  # noqa: E402
from bench.retrieval_results import SQLITE_METHOD, Result, built_rates, code_version, save, table, write_report  # noqa: E402
from copytrace.db import engine_for, session_factory, upgrade  # noqa: E402
from copytrace.index.candidates import CandidateIndex  # noqa: E402
from copytrace.index.fingerprints import SHINGLE_WORDS, fingerprint_rows, words  # noqa: E402
from copytrace.orm import Document, Fingerprint  # noqa: E402
from copytrace.repo import documents  # noqa: E402
from copytrace.settings import DEFAULT_BATCH_SIZE  # noqa: E402
from copytrace.text import text_sha256  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
DOCUMENT_INDEX = "ix_fingerprints_document_id_kind_value"  # dropped for a bulk load, built after it
MINHASH_KIB_PER_DOC = 18  # measured at 10k documents: 180 MiB of LSH tables and signatures
METHODS = ("copytrace", "minhash", "brute")
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
                progress(f"  {label}: {start + per_transaction}/{len(corpus.texts)} stored")

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

        latencies, recall = answer(corpus, search)
        warm, _ = answer(corpus, search)
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
    progress(f"  {label}: copying the staged fingerprints in key order, then indexing them by document")
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
                    progress(f"  MinHash LSH: {i}/{len(corpus.texts)} inserted")
        return lsh

    before = resident_kib("VmRSS")
    lsh, seconds = timed(build)
    index = (resident_kib("VmRSS") - before) / 1024  # the LSH tables and signatures live in memory
    latencies, recall = answer(corpus, lambda q: reranker.top(q, sorted(lsh.query(minhash(q)))))
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

    (vectorizer, matrix), seconds = timed(build)

    def search(query: str) -> list[int]:
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        top = np.argpartition(-scores, TOP)[:TOP]
        return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]

    latencies, recall = answer(corpus, search)
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


def bench_size(size: int, args: argparse.Namespace, out: Path, postgres: str | None) -> tuple[list[Result], bool]:
    """Every method on the corpus of ``size`` documents, each in its own process; and whether the
    SQLite index was an earlier run's."""
    corpus = cached_corpus(out, Path(args.data), size, args.queries, args.corpus)
    reranker = Reranker(corpus)
    db_path = out / f"index-v{args.corpus}-{size}.db"
    built = built_rates(out, size, args.corpus) if args.reuse_index and db_path.exists() else None
    bulk = size >= args.bulk_from
    if built is not None:
        progress(f"size {size}: reusing {db_path}, built at {built[0]:,.0f} docs/s by an earlier run")
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
        progress(f"size {size}: MinHash LSH not built (over --minhash-max={args.minhash_max})")
    if "brute" in args.methods:
        methods.append(("brute force", lambda: bench_brute_force(corpus)))
    results = []
    try:
        for name, method in methods:
            progress(f"size {size}: {name}")
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
    code = f"{code_version()} (machine: {machine_note(machine_seconds())})"

    for size in sizes:
        results, reused = bench_size(size, args, out, postgres=args.postgres if size == sizes[0] else None)
        save(out, size, args.corpus, results, reused, code)
        print(table(results), flush=True)

    write_report(out, args.corpus, args.queries)


if __name__ == "__main__":
    main()
