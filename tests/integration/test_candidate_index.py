"""The candidate index: term counts kept with the postings, planner statistics refreshed when it grew."""

from __future__ import annotations

import hashlib
import random
import shutil

from alembic import command
from sqlalchemy import func, insert, inspect, select, text

from copytrace.db import alembic_config, engine_for, session_factory
from copytrace.index import maintenance, writes
from copytrace.index import shingles as by_shingles
from copytrace.index import terms as by_terms
from copytrace.index.candidates import CandidateIndex, _fingerprints_query
from copytrace.index.fingerprints import fingerprint_rows
from copytrace.orm import Fingerprint
from copytrace.pipeline.storing import store_files
from copytrace.repo.documents import NewCopy, add_document, add_documents
from tests.index_checks import term_counts, term_postings


def _add_texts(session, texts: list[str], prefix: str) -> list[int]:
    """Store ``texts`` at locators ``{prefix}0``, ``{prefix}1``…: their new document ids, in order."""
    copies = [NewCopy(f"{prefix}{i}", t, hashlib.sha256(t.encode()).hexdigest()) for i, t in enumerate(texts)]
    return add_documents(session, copies, None)


def _grow_index(url: str, rows: int) -> None:
    with session_factory(url).begin() as session:
        doc_id = add_document(session, NewCopy(locator="a.txt", text="x", sha256="a" * 64), None)
        session.execute(
            insert(Fingerprint), [{"document_id": doc_id, "kind": "shingle", "value": v} for v in range(rows)]
        )
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_stat_force_next_flush()"))  # counted now, not within the second


def test_a_grown_index_is_analyzed_once_on_postgresql_and_never_on_sqlite(db_url):
    factory = session_factory(db_url)
    with factory.begin() as session:
        CandidateIndex(session).refresh_statistics()  # whatever an earlier test left behind
    _grow_index(db_url, maintenance.STALE_STATISTICS_MIN + 1000)

    with factory.begin() as session:
        first = CandidateIndex(session).refresh_statistics()
    with factory.begin() as session:
        second = CandidateIndex(session).refresh_statistics()

    assert first is db_url.startswith("postgresql")
    assert second is False  # the statistics are fresh now


def test_term_counts_follow_the_stored_documents_once_each(db_url, seeds, tmp_path):
    """Every stored document's terms are counted once; a file stored again, a duplicate text at the
    same locator, and a re-run add nothing."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for key, path in seeds.items():
        (landing / f"{key}.txt").write_bytes(path.read_bytes())
    paths = sorted(str(p) for p in landing.iterdir())

    first = store_files(paths[:3], str(landing), db_url, max_file_bytes=1 << 20)
    with session_factory(db_url)() as session:
        after_first = term_counts(session)
        assert after_first == term_postings(session) and after_first
    store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    with session_factory(db_url)() as session:
        counts = term_counts(session)
        assert counts == term_postings(session)
    assert len(first.new_document_ids) == 3
    assert max(counts.values()) <= 5 and sum(counts.values()) > sum(after_first.values())


def test_candidates_of_a_batch_are_each_documents_own_candidates(db_url, seeds, tmp_path):
    """The batch lookup the pipeline uses (shared document frequencies, fixed statements) ranks each
    document's candidates as looking it up alone does, and finds each seed's own story first."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for key, path in seeds.items():
        (landing / f"{key}.txt").write_bytes(path.read_bytes())
    filler = "Ministers met the unions on Friday to discuss pay. " * 3
    (landing / "unrelated.txt").write_text(filler + "The talks will resume in March.", encoding="utf-8")
    stored = store_files(sorted(str(p) for p in landing.iterdir()), str(landing), db_url, max_file_bytes=1 << 20)

    with session_factory(db_url)() as session:
        index = CandidateIndex(session)
        fingerprints = index.fingerprints_of(stored.new_document_ids)
        together = index.query_batch(fingerprints, 3)
        alone = {d: index.query(d, fingerprints[d], 3) for d in stored.new_document_ids}

    assert together == alone
    seeds_ids = stored.new_document_ids[:-1]  # the unrelated text sorts last
    for doc_id in seeds_ids:
        assert together[doc_id] and doc_id not in together[doc_id]
        assert set(together[doc_id][:2]) <= set(seeds_ids)  # its own story before the unrelated text


def test_counting_a_batchs_terms_reads_its_own_rows_on_sqlite(sqlite_template, tmp_path):
    """SQLite runs without planner statistics; the count must still look the batch's rows up by
    document, not walk the (kind, value) index through every term posting in the store."""
    path = tmp_path / "copytrace.db"
    shutil.copy(sqlite_template, path)
    with session_factory(f"sqlite:///{path}")() as session:
        compiled = writes.term_counts([1, 2, 3]).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "(document_id=?)" in plan, plan
    assert "kind=?" not in plan, plan


def test_a_copy_is_ranked_on_its_rare_shingles_and_still_finds_its_source(db_url, monkeypatch):
    """Page furniture that many stored pages share is left out of the ranking once the postings
    budget is spent; the copy's source, which holds its rare shingles, still comes first."""
    rng = random.Random(7)

    def prose(n: int) -> str:
        return " ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(n))

    furniture, article = prose(80), prose(120)
    texts = [f"{furniture} {prose(60)}" for _ in range(12)] + [article]
    copy = f"{furniture} {article}"
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "d")
    source = ids[-1]
    shingles = [v for kind, v in fingerprint_rows(copy) if kind == "shingle"]
    monkeypatch.setattr(by_shingles, "SHINGLE_POSTINGS", 20)
    with session_factory(db_url)() as session:
        chosen = by_shingles.rare_shingles(session, {-1: shingles})[-1]
        holders = {
            v: n
            for v, n in session.execute(
                select(Fingerprint.value, func.count()).where(Fingerprint.value.in_(chosen)).group_by(Fingerprint.value)
            )
        }
        found = CandidateIndex(session).query(-1, fingerprint_rows(copy), 3)
    assert chosen and set(holders.values()) == {1}  # only the article's shingles, each held by the source alone
    assert len(chosen) < len(shingles)
    assert found[0] == source


_WORDS = "river council budget striker vaccine harbour tariff orchestra glacier senate".split()


def test_terms_over_the_postings_budget_are_shortlisted_by_the_rarest_and_ranked_the_same(db_url, monkeypatch):
    """A rewrite shares no shingles with its source but its rare terms. When its terms hold more
    postings than the budget, its rarest shortlist the documents scored on every term: the source
    still comes first, and with a shortlist that holds them all the ranking is the exact one."""
    rng = random.Random(11)

    def terms(n: int) -> list[str]:
        return [f"{rng.choice(_WORDS)}{rng.randrange(10**6)}" for _ in range(n)]

    common, rare = terms(30), terms(10)
    distractors = [" ".join(rng.sample(common, rng.randint(2, 30)) + terms(20)) for _ in range(20)]
    source = " ".join(rare + common + terms(20))
    copy = " ".join(rng.sample(rare + common, 40))
    texts = [*distractors, source]
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "d")
        CandidateIndex(session).count_terms(ids)

    def lookup(budget: int, shortlist: int) -> list[int]:
        monkeypatch.setattr(by_terms, "TERM_POSTINGS", budget)
        monkeypatch.setattr(by_terms, "SHORTLIST", shortlist)
        with session_factory(db_url)() as session:
            return CandidateIndex(session).query(-1, fingerprint_rows(copy), 5)

    exact = lookup(10**9, 0)
    assert exact[0] == ids[-1] and len(exact) == 5 * by_terms.TERM_LIMIT_FACTOR  # terms keep more than shingles
    assert lookup(10, 5)[0] == ids[-1]  # the rare terms alone shortlist the source
    assert lookup(100, len(texts)) == exact  # some common terms too: every document is shortlisted


def test_shingles_counted_up_to_the_cap_leave_out_the_common_ones(db_url, monkeypatch):
    """Counting each shingle's postings only up to the cap: with enough rarer shingles, those at the
    cap (page furniture on many pages) are left out and the source still comes first; a text with too
    few rare shingles is counted in full and ranked as before."""
    rng = random.Random(3)

    def prose(n: int) -> str:
        return " ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(n))

    furniture, article = prose(80), prose(120)
    texts = [f"{furniture} {prose(60)}" for _ in range(12)] + [article]
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "d")
    monkeypatch.setattr(by_shingles, "SHINGLE_POSTINGS", 10**6)  # every shingle fits the budget: only the cap chooses

    def chosen(text: str, cap: int) -> list[int]:
        monkeypatch.setattr(by_shingles, "SHINGLE_COUNT_CAP", cap)
        shingles = [v for kind, v in fingerprint_rows(text) if kind == "shingle"]
        with session_factory(db_url)() as session:
            return by_shingles.rare_shingles(session, {-1: shingles})[-1]

    copy = f"{furniture} {article}"
    with session_factory(db_url)() as session:
        source_shingles = {
            v for kind, v in CandidateIndex(session).fingerprints_of([ids[-1]])[ids[-1]] if kind == "shingle"
        }
    capped, full = chosen(copy, 5), chosen(copy, 10**9)
    assert len(capped) >= by_shingles.SHINGLE_RARE_MIN and set(capped) <= source_shingles  # the article's alone
    assert set(capped) < set(full)  # counted in full, the furniture is in too
    assert chosen(furniture, 5) == chosen(furniture, 10**9)  # nothing rare: counted in full
    monkeypatch.setattr(by_shingles, "SHINGLE_COUNT_CAP", 5)
    with session_factory(db_url)() as session:
        assert CandidateIndex(session).query(-1, fingerprint_rows(copy), 3)[0] == ids[-1]


def test_shingle_postings_count_other_documents_up_to_the_cap(db_url):
    """A stored document's own postings are not counted; a text not stored counts every holder. Past
    the cap a shingle counts as the cap."""
    held, unheld = (" ".join(f"{w}{i}" for i in range(40)) for w in ("alpha", "beta"))
    with session_factory(db_url).begin() as session:
        ids = add_documents(
            session, [NewCopy(f"d{i}", held, hashlib.sha256(held.encode()).hexdigest()) for i in range(3)], None
        )
        shingles = sorted({v for kind, v in fingerprint_rows(held) if kind == "shingle"})
        others = sorted({v for kind, v in fingerprint_rows(unheld) if kind == "shingle"})
        stored = by_shingles.stored_ids(session, [ids[0], -1])
        full = by_shingles._shingle_postings(session, {ids[0]: shingles, -1: shingles + others}, stored, cap=None)
        capped = by_shingles._shingle_postings(session, {ids[0]: shingles, -1: shingles}, stored, cap=1)
    assert shingles and others
    assert full == {ids[0]: [(v, 2) for v in shingles], -1: [(v, 3) for v in shingles]}
    assert capped == {ids[0]: [(v, 1) for v in shingles], -1: [(v, 1) for v in shingles]}


def test_fingerprints_read_back_are_the_texts_own_in_order(db_url, seeds):
    """What ``fingerprints_of`` reads back is exactly ``fingerprint_rows`` of each stored text, in
    its order, whatever the database (values are 64-bit, negative ones included)."""
    texts = [path.read_text(encoding="utf-8") for path in seeds.values()]
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "s")
        read = CandidateIndex(session).fingerprints_of([*ids, 10**9])
    assert read.pop(10**9) == []
    assert read == {i: fingerprint_rows(t) for i, t in zip(ids, texts, strict=True)}
    assert any(v < 0 for rows in read.values() for _, v in rows)


def test_a_batch_ranked_on_terms_read_once_is_ranked_as_each_text_alone(db_url, monkeypatch):
    """A batch's documents ranked on their terms' postings read once give each document the ranking
    its own statement gives: ties, the two-term minimum and the postings budget included, which
    sends the documents beyond it to their statements."""
    rng = random.Random(5)
    vocabulary = [f"{rng.choice(_WORDS)}{n}" for n in range(60)]  # few terms: many shared, many ties
    texts = [" ".join(rng.sample(vocabulary, rng.randint(3, 12))) for _ in range(80)]
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "d")
        CandidateIndex(session).count_terms(ids)
    statements: list[int] = []
    ranked_by_terms = by_terms._ranked_by_terms

    def counted(session, document_id, weights, **kwargs):
        statements.append(document_id)
        return ranked_by_terms(session, document_id, weights, **kwargs)

    monkeypatch.setattr(by_terms, "_ranked_by_terms", counted)
    with session_factory(db_url)() as session:
        index = CandidateIndex(session)
        fingerprints = index.fingerprints_of(ids)
        alone = {d: index.query(d, fingerprints[d], 6) for d in ids}
        by_statement = len(statements)
        statements_at: dict[int, int] = {}
        for budget in (10**9, 150, 0):
            monkeypatch.setattr(by_terms, "BATCH_TERM_POSTINGS", budget)
            statements.clear()
            assert index.query_batch(fingerprints, 6) == alone, budget
            statements_at[budget] = len(statements)
    assert by_statement == len(ids)  # alone, every text went by its statement
    assert statements_at[10**9] == 0 and statements_at[0] == by_statement
    assert 0 < statements_at[150] < by_statement  # some read once, the rest by their statement
    assert max(len(found) for found in alone.values()) == 6 * by_terms.TERM_LIMIT_FACTOR  # rankings cut: order counts


def test_candidate_statements_key_on_the_short_side_on_sqlite(sqlite_template, tmp_path):
    """SQLite has no statistics and cannot tell a bound list's length: each statement must still seek
    the index it was written for, the postings of the text's values, or a shortlist's own rows."""
    path = tmp_path / "copytrace.db"
    shutil.copy(sqlite_template, path)
    keys = {
        by_shingles._shingle_query("sqlite"): "(kind=? AND value=?)",
        by_terms._term_query("sqlite"): "(kind=? AND value=?)",
        by_shingles._postings_count_query("sqlite", True): "(kind=? AND value=?)",
        by_terms._term_postings_query("sqlite"): "(kind=? AND value=?)",
        by_terms._shared_terms_query("sqlite"): "(document_id=? AND kind=?)",
        _fingerprints_query("sqlite"): "(document_id=?)",
    }
    with session_factory(f"sqlite:///{path}")() as session:
        for statement, key in keys.items():
            compiled = str(statement.compile(session.get_bind()))
            raw = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", (1,) * compiled.count("?"))
            plan = " ".join(row[-1] for row in raw)
            assert key in plan, (compiled, plan)


def test_migration_0005_keeps_every_fingerprint_both_ways(db_url, seeds):
    """Re-keying the index (0005) and undoing it keep every row and every lookup's answer; after the
    upgrade the key is (kind, value, document_id), with no id column and one index, by document."""
    cfg = alembic_config(db_url)

    def migrate(step, revision: str) -> None:
        with engine_for(db_url).begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)
        engine_for(db_url).dispose()

    def index() -> tuple[list, list[int]]:
        with session_factory(db_url)() as session:
            rows = sorted(session.execute(text("SELECT document_id, kind, value FROM fingerprints")).all())
            found = CandidateIndex(session).query(-1, fingerprint_rows(texts[1]), 10)
        return rows, found

    texts = [path.read_text(encoding="utf-8") for path in seeds.values()]
    # Stored at head (today's store writes today's columns), then taken down to the old key with its rows.
    with session_factory(db_url).begin() as session:
        ids = _add_texts(session, texts, "s")
        CandidateIndex(session).count_terms(ids)
    migrate(command.downgrade, "0004")
    before = index()
    assert before[0] and ids[0] in before[1]  # the rewrite 001 finds its source 000
    migrate(command.upgrade, "head")
    keyed = inspect(engine_for(db_url))
    assert keyed.get_pk_constraint("fingerprints")["constrained_columns"] == ["kind", "value", "document_id"]
    assert [c["name"] for c in keyed.get_columns("fingerprints")] == ["document_id", "kind", "value"]
    assert [i["name"] for i in keyed.get_indexes("fingerprints")] == ["ix_fingerprints_document_id_kind_value"]
    assert index() == before
    migrate(command.downgrade, "0004")
    assert index() == before
    migrate(command.upgrade, "head")
