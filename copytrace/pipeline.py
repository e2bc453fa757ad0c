"""The ingest pipeline's units of work as plain functions: store a batch of files, classify a batch of documents.

Each opens one session at its boundary (``with factory.begin()``), so a batch is stored
or classified completely or not at all. Prefect tasks in ``tasks/`` wrap these.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from copytrace.attribution import Attribution, Doc, Thresholds, attribute
from copytrace.db import engine_for, session_factory
from copytrace.index.candidates import CandidateIndex
from copytrace.ingest import read_file
from copytrace.ingest.records import FileResult, printable
from copytrace.redact import first_line
from copytrace.repo import classifications, documents, ingest_log, locks, stories
from copytrace.stories import story_changes, story_pieces
from copytrace.titles import display_title

if TYPE_CHECKING:  # the classifier (scikit-learn) stays out of a storing child's imports
    from copytrace.scoring import Scorer

LOCATOR_LIMIT = documents.LOCATOR_MAX
FINDING_LABELS = ("spam-wrapped", "rewrite")


@dataclass(frozen=True)
class Candidates:
    """Candidate sources of new documents (``of``: some or all of a batch's), looked up when the
    store held documents up to ``seen_up_to``: still the right candidates when their batch is
    classified unless a document stored after that has been classified meanwhile
    (``classifications.classified_after``)."""

    seen_up_to: int
    limit: int
    of: dict[int, list[int]]


@dataclass
class StoreResult:
    files_read: int = 0
    files_skipped: int = 0
    new_document_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    candidates: Candidates | None = None  # one batch's, see store_files' candidate_limit

    def merge(self, other: StoreResult) -> StoreResult:
        """Both results' counts (a run's totals); candidates are a batch's, for classifying it, and stay out."""
        return StoreResult(
            self.files_read + other.files_read,
            self.files_skipped + other.files_skipped,
            self.new_document_ids + other.new_document_ids,
            self.duplicates + other.duplicates,
            self.errors + other.errors,
        )


@dataclass
class ClassifyResult:
    """What classifying some batches did. A document re-rooted by a later batch of the same run
    counts with its final label, so the run's figures describe what is stored at its end."""

    classified: int = 0
    new_stories: int = 0
    pairs_scored: int = 0
    new_ids: set[int] = field(default_factory=set)  # documents first classified by this run
    redecided_ids: set[int] = field(default_factory=set)  # documents decided again (new source or root)
    final: dict[int, str] = field(default_factory=dict)  # latest label of every document decided
    finding_of: dict[int, dict] = field(default_factory=dict)  # rewrites and spam-wrapped, for operators

    def merge(self, other: ClassifyResult) -> ClassifyResult:
        final = {**self.final, **other.final}
        findings = {**self.finding_of, **other.finding_of}
        return ClassifyResult(
            self.classified + other.classified,
            self.new_stories + other.new_stories,
            self.pairs_scored + other.pairs_scored,
            self.new_ids | other.new_ids,
            self.redecided_ids | other.redecided_ids,
            final,
            {k: v for k, v in findings.items() if final[k] in FINDING_LABELS},
        )

    @property
    def rerooted(self) -> int:
        """Documents stored by earlier runs whose source or root this run's copies changed: the figure an
        operator sees. A run's own copies decided before a later batch brought their source are not
        counted (``revised``): that is batch order, and their final label is what the run reports."""
        return len(self.redecided_ids - self.new_ids)

    @property
    def revised(self) -> int:
        """This run's own documents decided again by a later batch of the same run."""
        return len(self.redecided_ids & self.new_ids)

    @property
    def labels(self) -> Counter:
        """Labels of this run's documents."""
        return Counter(self.final[i] for i in self.new_ids)

    @property
    def findings(self) -> list[dict]:
        return [f for i, f in sorted(self.finding_of.items()) if i in self.new_ids]


def _file_key(path: Path, max_bytes: int) -> str | None:
    """What identifies this landing file's content, so it is read once (a bad file is recorded once,
    not on every scheduled run): sha256 of its bytes; for a symlink, of its target's name; for a file
    over the size limit, of its size and mtime (never read); for a FIFO, socket, device or folder
    (never opened), of its kind and inode: a FIFO left in the folder is recorded once, and a regular
    file put in its place is read. None when the path cannot be examined (it may be fixed)."""
    try:
        if path.is_symlink():
            return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest()
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = stat.S_IFMT(info.st_mode)
            return hashlib.sha256(f"special:{kind}:{info.st_dev}:{info.st_ino}".encode()).hexdigest()
        if info.st_size > max_bytes:
            return hashlib.sha256(f"oversize:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def left_behind(database_url: str, file_batches: Sequence[Sequence[str]]) -> list[list[int]]:
    """Documents stored but not classified (what a killed run left), grouped as a run over these file
    batches classifies them: by the batch holding their landing file, in batch order, each group in
    id (storing) order. Documents whose file is in none of the batches come first, in id order.

    A run classifies each batch against every batch classified before it, so the order decides the
    provenance: classified before the run's new batches, and batch by batch, the documents a crash
    left behind are attributed as the run the crash stopped would have attributed them, and a
    resumed run ends with the clean run's provenance instead of one that depends on where it was
    killed."""
    batch_of = {
        documents.stored_path(printable(str(Path(raw)))): k for k, batch in enumerate(file_batches) for raw in batch
    }
    with session_factory(database_url).begin() as session:
        pending = documents.pending_sources(session)
    groups: dict[int, list[int]] = {}
    for doc_id, source_path in pending:
        groups.setdefault(batch_of.get(source_path or "", -1), []).append(doc_id)
    return [groups[k] for k in sorted(groups)]


# Copies read are stored together once this many have piled up (or this many characters): few
# statements for many copies, with memory bounded however large the batch's files are.
STORE_BUFFER_COPIES = 500
STORE_BUFFER_CHARS = 32 * 2**20


@dataclass
class _ReadFile:
    """A landing file read, waiting for its copies to be stored and its errors recorded."""

    read: FileResult
    digest: str | None
    errors: list[tuple[str, str, str | None]]
    stored: int = 0


def store_files(
    paths: Sequence[str],
    landing: str,
    database_url: str,
    max_file_bytes: int,
    flow_run_id: str | None = None,
    candidate_limit: int | None = None,
    stop_lookups: Callable[[], bool] | None = None,
) -> StoreResult:
    """Read landing files and store their copies and errors in one transaction.

    A file already ingested with the same bytes is skipped. Copies are stored many at a time; if
    the database refuses some of them, they are stored again one by one, each in a savepoint, so
    the error is recorded against its own file and copy and the others are stored.

    With a ``candidate_limit``, the new copies' candidate sources are then looked up too, on SQLite,
    a few documents at a time until ``stop_lookups()`` (``result.candidates``; classifying looks up
    the rest). The storing child of a run does this with its spare time: its batches are stored
    ahead of classifying, which waits for them once it has classified the ones before, and is told
    to stop then (``copytrace.store_process``). The lookups are a third of classifying a batch, and
    which process has time for them depends on the store: in a small one, storing is the slower
    half, in a larger one, classifying. A lookup is valid for as long as no document stored after
    it has been classified; on SQLite, whose one writer numbers documents in commit order, that is
    a document with a larger id. On PostgreSQL concurrent transactions commit out of id order, so
    there classifying looks up every candidate.
    """
    result = StoreResult()
    landing_path = Path(landing)
    factory = session_factory(database_url)
    with factory.begin() as session:
        buffered: list[_ReadFile] = []
        copies = chars = 0
        keys = {raw: (printable(str(Path(raw))), _file_key(Path(raw), max_file_bytes)) for raw in paths}
        done = ingest_log.ingested_files(session, [key for key in keys.values() if key[1]])
        for raw in paths:
            path, digest = Path(raw), keys[raw][1]
            if digest and keys[raw] in done:
                result.files_skipped += 1
                continue
            read = read_file(path, landing_path, max_file_bytes)
            result.files_read += 1
            buffered.append(_ReadFile(read, digest, [(e.reason, e.detail, e.locator) for e in read.errors]))
            copies += len(read.copies)
            chars += sum(len(c.text) for c in read.copies)
            if copies >= STORE_BUFFER_COPIES or chars >= STORE_BUFFER_CHARS:
                _store_buffered(session, buffered, result, flow_run_id)
                buffered, copies, chars = [], 0, 0
        _store_buffered(session, buffered, result, flow_run_id)
        CandidateIndex(session).count_terms(result.new_document_ids)
    if candidate_limit is not None and result.new_document_ids and engine_for(database_url).dialect.name == "sqlite":
        with factory.begin() as session:
            result.candidates = _look_up(session, result.new_document_ids, candidate_limit, stop_lookups)
    return result


# Documents looked up together by storing between two checks of whether to stop: each group's
# postings and frequencies are read in a few statements, as classifying reads a whole batch's.
LOOKUP_GROUP = 100


def _look_up(session, document_ids: Sequence[int], candidate_limit: int, stop: Callable[[], bool] | None) -> Candidates:
    seen_up_to = documents.last_document_id(session)
    index = CandidateIndex(session)
    found: dict[int, list[int]] = {}
    ordered = sorted(document_ids)
    for start in range(0, len(ordered), LOOKUP_GROUP):
        if stop is not None and stop():
            break
        group = ordered[start : start + LOOKUP_GROUP]
        found |= index.query_batch(index.fingerprints_of(group), candidate_limit)
    return Candidates(seen_up_to, candidate_limit, found)


def _store_buffered(session, files: list[_ReadFile], result: StoreResult, flow_run_id: str | None) -> None:
    """Store the copies of files read, then record each file and its errors."""
    copies = []
    for f in files:
        for copy in f.read.copies:
            if len(copy.locator) > LOCATOR_LIMIT:
                f.errors.append(("locator-too-long", f"locator longer than {LOCATOR_LIMIT} characters", None))
            else:
                copies.append((f, copy))
    try:
        with session.begin_nested():
            ids = documents.add_documents(session, [_new_copy(c) for _, c in copies], flow_run_id)
    except SQLAlchemyError:
        ids = [_store_one(session, f, copy, flow_run_id) for f, copy in copies]
    for (f, _), doc_id in zip(copies, ids, strict=True):
        if doc_id is None:
            result.duplicates += 1
        elif doc_id != _REFUSED:
            result.new_document_ids.append(doc_id)
            f.stored += 1
    for f in files:
        for reason, detail, locator in f.errors:
            ingest_log.record_error(session, f.read.path, reason, detail, locator, f.digest, flow_run_id)
            result.errors.append({"path": f.read.path, "locator": locator or "", "reason": reason, "detail": detail})
    read = [
        {
            "path": f.read.path,
            "file_sha256": f.digest,
            "size": f.read.size,
            "n_copies": f.stored,
            "n_errors": len(f.errors),
        }
        for f in files
        if f.digest
    ]
    ingest_log.record_ingested_files(session, read, flow_run_id)


_REFUSED = -1  # what _store_one returns for a copy the database refused


def _store_one(session, f: _ReadFile, copy, flow_run_id: str | None) -> int | None:
    """One copy in its own savepoint; a refusal is recorded as the copy's error."""
    try:
        with session.begin_nested():
            return documents.add_document(session, _new_copy(copy), flow_run_id)
    except (IntegrityError, SQLAlchemyError) as exc:
        f.errors.append(("store-failed", first_line(exc)[:300], copy.locator))
        return _REFUSED


def _new_copy(copy) -> documents.NewCopy:
    return documents.NewCopy(
        locator=copy.locator,
        text=copy.text,
        sha256=copy.sha256,
        title=copy.title,
        url=copy.url,
        site=copy.site,
        fetched_at=copy.fetched_at,
        source_path=copy.source_path,
        published_at=copy.published_at,
    )


@dataclass
class _Plan:
    """A batch's decisions worked out on one snapshot of the store, waiting to be written."""

    marker: int | None  # the latest classification id the snapshot saw
    new_docs: list
    stored_docs: list
    docs: list[Doc]
    outcome: Attribution
    story_cosine: float


def _plan(
    session,
    document_ids: Sequence[int],
    scorer: Scorer,
    candidate_limit: int,
    story_threshold: float,
    looked_up: Candidates | None = None,
) -> _Plan | None:
    """The decisions for the batch's unclassified documents, from what ``session`` sees; None when
    every one of them is classified already. ``looked_up``: candidates found when the batch was
    stored, used where they still hold."""
    marker = classifications.last_classification_id(session)
    current = classifications.current_classifications(session, document_ids)
    new_docs = [d for d in documents.documents_by_id(session, document_ids) if d.id not in current]
    if not new_docs:
        return None
    new_ids = {d.id for d in new_docs}
    found = _candidates(session, sorted(new_ids), candidate_limit, looked_up)
    # In order of first mention (a dict: a list's membership test is quadratic in a large batch).
    candidate_ids = list(dict.fromkeys(cid for d in new_docs for cid in found[d.id] if cid not in new_ids))
    # Candidates not yet classified belong to a later batch; they see this one as stored.
    stored_cls = classifications.current_classifications(session, candidate_ids)
    # The current sources of those candidates come too: a re-attribution is weighed against them.
    parents = {c.derived_from_id for c in stored_cls.values() if c.derived_from_id is not None}
    parent_ids = [p for p in sorted(parents) if p not in new_ids and p not in stored_cls]
    if parent_ids:
        candidate_ids += parent_ids
        stored_cls.update(classifications.current_classifications(session, parent_ids))
    stored_docs = [d for d in documents.documents_by_id(session, candidate_ids) if d.id in stored_cls]

    docs = [
        Doc(d.id, d.text, d.fetched_at, True, d.story_id, None, d.title, published_at=d.published_at) for d in new_docs
    ] + [
        Doc(
            d.id,
            d.text,
            d.fetched_at,
            False,
            d.story_id,
            stored_cls[d.id].derived_from_id,
            d.title,
            stored_cls[d.id].pair_class,
            published_at=d.published_at,
        )
        for d in stored_docs
    ]
    outcome = attribute(docs, scorer, Thresholds(story_cosine=story_threshold))
    return _Plan(marker, new_docs, stored_docs, docs, outcome, story_threshold)


def _candidates(
    session, document_ids: list[int], candidate_limit: int, looked_up: Candidates | None
) -> dict[int, list[int]]:
    """Each document's candidate sources: as ``looked_up`` where that has them and no document stored
    since has been classified (a batch classified since would be missing from them), the others
    looked up now."""
    found: dict[int, list[int]] = {}
    if looked_up is not None and looked_up.limit == candidate_limit and looked_up.of:
        if not classifications.classified_after(session, looked_up.seen_up_to):
            found = {i: looked_up.of[i] for i in document_ids if i in looked_up.of}
    missing = [i for i in document_ids if i not in found]
    if missing:
        index = CandidateIndex(session)
        found |= index.query_batch(index.fingerprints_of(missing), candidate_limit)
    return found


def classify_documents(
    document_ids: Sequence[int],
    database_url: str,
    scorer: Scorer,
    *,
    candidate_limit: int = 10,
    story_threshold: float = 0.30,
    flow_run_id: str | None = None,
    looked_up: Candidates | None = None,
) -> ClassifyResult:
    """Attribute and classify a batch of stored, unclassified documents against their candidates.

    The costly part (candidate lookups, the pair classifier) works on a snapshot, outside the
    attribution lock, so that storing goes on meanwhile (on SQLite the lock is the one writer lock:
    held through the classifier, it stopped every other write for seconds). The decisions are
    written under the lock, in one transaction, and worked out again there first if any
    classification was written since the snapshot: another batch's decisions can change this one's.
    ``looked_up``: the batch's candidates as ``store_files`` found them.
    """
    factory = session_factory(database_url)
    with factory.begin() as session:  # planner statistics before the snapshot's queries
        CandidateIndex(session).refresh_statistics()
    with factory.begin() as session:
        plan = _plan(session, document_ids, scorer, candidate_limit, story_threshold, looked_up)
    with factory.begin() as session:
        locks.lock_attribution(session)
        if plan is not None and classifications.last_classification_id(session) != plan.marker:
            plan = _plan(session, document_ids, scorer, candidate_limit, story_threshold, looked_up)
        if plan is None:
            return ClassifyResult()
        return _write(session, plan, scorer, flow_run_id)


def _write(session, plan: _Plan, scorer: Scorer, flow_run_id: str | None) -> ClassifyResult:
    """Store a plan's decisions, re-rooted chains and story groups."""
    model_version_id = scorer.register(session)
    result = ClassifyResult(pairs_scored=plan.outcome.pair_count)
    by_id = {d.id: d for d in plan.docs}
    stored = [*plan.new_docs, *plan.stored_docs]
    locator = {d.id: d.locator for d in stored}
    site = {d.id: d.site for d in stored}
    title = {d.id: d.title for d in stored}
    classifications.add_classifications(
        session,
        plan.outcome.decisions,
        model_version_id=model_version_id,
        flow_run_id=flow_run_id,
    )
    for dec in plan.outcome.decisions:
        result.final[dec.document_id] = dec.label
        if by_id[dec.document_id].is_new:
            result.classified += 1
            result.new_ids.add(dec.document_id)
        else:
            result.redecided_ids.add(dec.document_id)
            result.redecided_ids.update(_reroot_descendants(session, dec.document_id, dec.root_id))
        if dec.label in FINDING_LABELS:
            result.finding_of[dec.document_id] = {
                "document_id": int(dec.document_id),
                "locator": locator[dec.document_id],
                "site": site[dec.document_id],
                "title": display_title(
                    title[dec.document_id],
                    by_id[dec.document_id].text,
                    [(int(span["copy_start"]), int(span["copy_end"])) for span in dec.evidence.get("spans", [])],
                ),
                "label": dec.label,
                "confidence": round(dec.confidence, 3),
                "source": locator.get(dec.derived_from_id, ""),
                "reasons": list(dec.evidence.get("reasons", []))[:3],
            }
        else:
            result.finding_of.pop(dec.document_id, None)

    changes = story_changes(plan.outcome.stories, {d.id: d.story_id for d in plan.docs})
    for keep, merged in changes.merges.items():
        stories.merge_stories(session, keep, merged)
    titles = [by_id[group[0]].title or _headline(by_id[group[0]].text) for group in changes.new]
    started = stories.new_stories(session, titles)
    moves = changes.joins | {i: story for group, story in zip(changes.new, started, strict=True) for i in group}
    stories.set_stories(session, moves)
    result.new_stories += len(started)
    gave_up = [
        dec.document_id
        for dec in plan.outcome.decisions
        if (doc := by_id[dec.document_id]).parent_id is not None and dec.derived_from_id != doc.parent_id
    ]
    result.new_stories += _redecide_stories(session, gave_up, scorer, plan.story_cosine)
    return result


def _redecide_stories(session, gave_up: list[int], scorer: Scorer, story_cosine: float) -> int:
    """Work out again the stories of stored copies that gave up their source for another, from their
    documents' current derivations and similar pairs (``stories.story_pieces``): a piece no longer
    joined to the rest becomes a story of its own. The number of stories started.

    The rule: a story is what the current derivations and the similar pairs join, not every
    derivation ever made. Why: a copy met before its own source is credited to the best stand-in
    its batch holds (another article's wrapped copy, an article of its beat), and that derivation
    joined their stories; when the source comes the copy is re-rooted, and as a batch only merges
    stories, the two would otherwise stay one. Which stand-in a copy meets depends on how the
    landing folder was cut into batches; what holds once its source has come does not."""
    members = stories.story_members(session, gave_up)
    if not members:
        return 0
    ids = sorted({i for group in members.values() for i in group})
    docs = {d.id: d for d in documents.documents_by_id(session, ids)}
    derived_from = {i: c.derived_from_id for i, c in classifications.current_classifications(session, ids).items()}
    started = 0
    for _, group in sorted(members.items()):
        similar = scorer.similar_pairs([docs[i].text for i in group], story_cosine)
        pieces = story_pieces(group, derived_from, [(group[a], group[b]) for a, b in similar])
        if len(pieces) < 2:
            continue
        titles = [docs[piece[0]].title or _headline(docs[piece[0]].text) for piece in pieces[1:]]
        new_ids = stories.new_stories(session, titles)
        stories.set_stories(session, {i: s for piece, s in zip(pieces[1:], new_ids, strict=True) for i in piece})
        started += len(new_ids)
    return started


def _reroot_descendants(session, document_id: int, new_root: int | None) -> list[int]:
    """Copies whose chain runs through a re-rooted document take its new root; their ids."""
    descendants, frontier = [], [document_id]
    while frontier:
        frontier = [
            c for c in classifications.children_of(session, frontier) if c not in descendants and c != document_id
        ]
        descendants.extend(frontier)
    classifications.set_root(session, descendants, new_root)
    return descendants


def _headline(text: str) -> str:
    return text.strip().split("\n", 1)[0][:200]
