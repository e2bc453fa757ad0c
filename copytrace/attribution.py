"""Who copied whom: candidate pairs → directed derivations → parents, roots and stories.

Plain functions over in-memory documents, so the logic is tested without a database
or Prefect. The pair classifier is asked about both directions of every candidate
pair (only earlier → later when both carry dates); which way a derived pair goes is its
own decision (``models.direction``: dates, then the text's signals), stored with its
evidence beside the copy's label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from copytrace.disjoint import DisjointSets
from models import direction
from models.caches import Recent
from models.pairs import VERBATIM_CLASSES
from models.specifics import Specifics, specifics
from models.text import distinct, ngram_hashes, word_hashes

INDEPENDENT = "independent"
# LABELS.md: when several labels apply, spam-wrapped > rewrite > excerpt > original (a full copy).
PRECEDENCE = {"full-copy": 0, "excerpt": 1, "rewrite": 2, "spam-wrapped": 3}
CLOSE = 0.05  # parents explaining a copy within this share of each other are told apart by structure
SELECTION = 0.9  # an intermediate copy covering less of its source than this kept only a part of it
VERBATIM_RUN = 8  # words in a row two texts share that make them worth comparing whatever their similarity
VERBATIM_GROUP_MAX = 50  # a run in more texts than this is a crowd: page furniture, or a burst of copies
VERBATIM_SHARE = 0.1  # of the smaller text's runs two texts must share to be compared for them
NEAR_DUPLICATE = 0.9  # in a crowd, texts this similar are copies of one text...
CROWD_ANCHORS = 3  # ...and each is compared with the first few seen of them, not with all
NEAREST_ROWS = 512
REVERSE_CHECK_DERIVED = 0.5  # a dated pair not derived earlier → later ...
REVERSE_CHECK_CONTAINED = 0.5  # ... whose later text holds this share of the earlier one's sentences verbatim
# Each text's distinct verbatim runs, kept for the texts met recently: a stored document is a
# candidate again and again.
_RUNS: Recent[np.ndarray] = Recent(32 * 2**20, lambda runs: runs.nbytes + 64)


class PairScorer(Protocol):
    """What attribution needs from the trained pair classifier."""

    def explain_many(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]: ...

    def similarities(self, texts: Sequence[str]) -> np.ndarray: ...

    def to_label(self, pair_class: str) -> str: ...


@dataclass
class Doc:
    id: int
    text: str
    fetched_at: datetime | None = None
    is_new: bool = True
    story_id: int | None = None
    parent_id: int | None = None  # current derived_from of a stored document
    title: str | None = None
    pair_class: str | None = None  # current pair class of a stored document
    published_at: datetime | None = None  # the page's own publication date, when it states one


@dataclass(frozen=True)
class Edge:
    """``copy`` derives from ``source`` as ``pair_class`` with probability ``confidence``."""

    source: int
    copy: int
    pair_class: str
    confidence: float
    derived: float  # 1 - P(independent)
    explained: float  # share of the copy matched to the source (verbatim counts fully)
    decided_by: str  # the signal that set the direction (``models.direction``): "published", "fetched", ...
    covers: float = 1.0  # share of the source the copy covers
    direction: dict[str, Any] = field(default_factory=dict, compare=False)  # the direction's evidence

    @property
    def by_date(self) -> bool:
        return self.decided_by in direction.DATED

    @property
    def decisive(self) -> bool:
        """Set by a date or by a signal of the text that cleared its margin, not by a tie on length."""
        return self.decided_by != "fullness"


@dataclass
class Decision:
    document_id: int
    label: str
    pair_class: str
    confidence: float
    derived_from_id: int | None
    root_id: int | None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = "ingest"


@dataclass
class Attribution:
    decisions: list[Decision]
    stories: list[set[int]]  # groups of document ids belonging to one story
    pair_count: int


@dataclass(frozen=True)
class Thresholds:
    candidate_cosine: float = 0.12
    story_cosine: float = 0.30
    neighbours: int = 3  # without shared verbatim runs, a document is compared with its nearest and at most
    near_band: float = 0.1  # ... neighbours - 1 more above story_cosine and within near_band of the nearest
    derived: float = 0.5
    related: float = 0.25  # a neighbour's verbatim relatives are compared only when it looks this derived


def attribute(docs: Sequence[Doc], scorer: PairScorer, thresholds: Thresholds = Thresholds()) -> Attribution:
    """Decide the provenance of the new documents in ``docs`` (stored candidates included).

    Stored documents are re-decided only when a new document turns out to be their source, and
    re-judged when their chain gains an earlier text against which a stronger label applies.
    """
    if not docs:
        return Attribution([], [], 0)
    sims = scorer.similarities([d.text for d in docs])

    # One feature pass over every directed pair: its probabilities decide the edges, its alignment
    # measures how much of the copy the source explains, and the chosen parent's explanation is the
    # evidence stored with the copy's classification. A neighbour's verbatim relatives are compared
    # in a second pass, with the neighbours that look related.
    pairs, via = _candidate_pairs(docs, sims, thresholds)
    explanations = _explain(docs, pairs, scorer)
    related = sorted(
        {p for nb, extra in via.items() if _looks_derived(explanations, nb) >= thresholds.related for p in extra}
        - set(pairs)
    )
    if related:
        related += _current_sources(docs, related, {*pairs, *related})
        explanations |= _explain(docs, related, scorer)
        pairs += related
    by_pair = {key: ex["probabilities"] for key, ex in explanations.items()}
    repeated = {key: float(ex.get("features", {}).get("repeated_unit_share", 0.0)) for key, ex in explanations.items()}
    verbatim = {key: float(ex.get("features", {}).get("copy_verbatim_share", 0.0)) for key, ex in explanations.items()}
    texts = _TextSignals(_machine_scores(docs, by_pair, scorer, thresholds), repeated, verbatim)

    edges = [
        replace(
            e,
            explained=_explained_share(explanations[(e.source, e.copy)], len(docs[e.copy].text)),
            covers=float(explanations[(e.source, e.copy)].get("features", {}).get("source_coverage", 1.0)),
        )
        for a, b in pairs
        if (e := _decide(docs, a, b, by_pair, texts, thresholds)) is not None
    ]
    parents, outranked = _choose_parents(docs, edges)
    stories = _stories(docs, parents, _story_links(docs, sims, thresholds.story_cosine))

    compared = _Compared.of(pairs, parents)
    decisions, kept = [], []
    for i, d in enumerate(docs):
        edge = parents.get(i)
        if not d.is_new and not _reroots(docs, i, edge, parents, outranked, edges):
            if edge is not None and docs[edge.source].id == d.parent_id:
                kept.append(_decision(docs, i, edge, by_pair, compared, scorer, explanations, "re-judged"))
            continue
        decisions.append(_decision(docs, i, edge, by_pair, compared, scorer, explanations))
    _fill_roots(docs, decisions + kept, parents)
    _judge_against_ancestors(docs, decisions + kept, by_pair, scorer, thresholds)
    # A stored copy keeping its source is stored again only if the label it now gets is stronger.
    stored_class = {d.id: d.pair_class for d in docs}
    decisions += [
        dec for dec in kept if PRECEDENCE.get(dec.pair_class, 0) > PRECEDENCE.get(stored_class[dec.document_id], 0)
    ]
    return Attribution(decisions, stories, len(explanations))


def _machine_scores(docs: Sequence[Doc], by_pair, scorer: PairScorer, th: Thresholds) -> dict[int, float]:
    """The machine-style score of each document in a pair that looks derived one way or the other
    (only those need a direction); none when the scorer has no style model."""
    score = getattr(scorer, "machine_scores", None)
    if score is None:
        return {}
    needed = sorted(
        {k for key, p in by_pair.items() if _derived(p) >= th.derived and _needs_text(docs, *key) for k in key}
    )
    if not needed:
        return {}
    values = score([docs[k].text for k in needed])
    return {} if values is None else dict(zip(needed, map(float, values), strict=True))


def _needs_text(docs: Sequence[Doc], a: int, b: int) -> bool:
    """Whether direction reads the texts of this pair: undated, or dated only by the pages' own (perhaps
    guessed) publication dates, which the text may contradict. Fetch times are the scraper's own clock."""
    dated = _by_time(docs, a, b)
    return dated is None or docs[a].published_at is not None and docs[b].published_at is not None


def _explain(docs: Sequence[Doc], pairs: list[tuple[int, int]], scorer: PairScorer) -> dict[tuple[int, int], dict]:
    """The classifier's explanation of each direction worth scoring of these pairs, by (source, copy)."""
    directed = [d for a, b in pairs for d in _directions(docs, a, b)]
    explained = scorer.explain_many([(docs[s].text, docs[c].text) for s, c in directed]) if directed else []
    out = dict(zip(directed, explained, strict=True))
    # A dated pair is scored earlier → later only; where publication dates order it and that finds no
    # derivation although the later text holds most of the earlier one, the other direction is scored
    # too, so that a verbatim derivation the dates contradict (a page's guessed date) can be seen.
    reverse = [
        (c, s)
        for s, c in directed
        if (c, s) not in out
        and docs[s].published_at is not None
        and docs[c].published_at is not None
        and _derived(out[(s, c)]["probabilities"]) < REVERSE_CHECK_DERIVED
        and out[(s, c)].get("features", {}).get("source_verbatim_coverage", 0.0) >= REVERSE_CHECK_CONTAINED
    ]
    if reverse:
        out |= dict(zip(reverse, scorer.explain_many([(docs[s].text, docs[c].text) for s, c in reverse]), strict=True))
    return out


def _looks_derived(explanations: dict[tuple[int, int], dict], pair: tuple[int, int]) -> float:
    """How derived the pair looks in whichever of its scored directions looks it most."""
    a, b = pair
    return max(_derived(explanations[d]["probabilities"]) for d in ((a, b), (b, a)) if d in explanations)


def _reroots(
    docs: Sequence[Doc],
    i: int,
    edge: Edge | None,
    parents: dict[int, Edge],
    outranked: dict[int, set[int]],
    edges: list[Edge],
) -> bool:
    """A stored document changes provenance only on clear evidence, never on a near-tie, so re-runs
    and batch boundaries do not flip it back and forth: an earlier-dated source; a new original of
    its chain that the classifier (not a mere tie on length) puts first — for a stored original, such
    an edge into it from any source proves it a copy, and the best parent is then taken; or a source
    that clearly outranks its current one (explains clearly more of it, or is the closer or the
    upstream text)."""
    d = docs[i]
    if edge is None or docs[edge.source].id == d.parent_id:
        return False

    def decisive(e: Edge) -> bool:
        return e.by_date or (e.decisive and e.source not in parents)

    if decisive(edge) or (d.parent_id is None and any(decisive(e) for e in edges if e.copy == i)):
        return True
    current = next((j for j, doc in enumerate(docs) if doc.id == d.parent_id), None)
    return current in outranked.get(i, set())


def _candidate_pairs(
    docs: Sequence[Doc], sims: np.ndarray, th: Thresholds
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], set[tuple[int, int]]]]:
    """Pairs with a new document in them worth the classifier, plus the current derivation of every
    stored document they touch: a new competitor for a stored copy's source is judged against that
    source, not alone. And, by neighbour pair, the pairs its verbatim relatives would add: worth the
    classifier only if the neighbour looks related (``attribute``).

    A pair above ``candidate_cosine`` is compared when the two texts share verbatim runs of
    ``VERBATIM_RUN`` words, at least ``VERBATIM_SHARE`` of the smaller text's (every excerpt, wrapped
    or full copy and its source, and copies of one source among themselves; not two spam pages with
    a sponsor line in common), or when one is a near neighbour of the other, or a verbatim relative
    of one. A document's near neighbours are its nearest and up to ``neighbours - 1`` more above
    ``story_cosine`` and within ``near_band`` of the nearest. A heavy rewrite can share little
    vocabulary with its source (word cosine down to 0.16 in L2R), yet its source is nearly always
    among them or a verbatim copy or source of one: seed 003 rewrites the wrapped excerpt 002; its
    nearest is 001 (0.49), another rewrite of 002's article 000, then 000 (0.44), whose excerpt 002
    is, and 002 itself (0.43). A neighbour stands in for its relatives only when the classifier finds
    it related: an article's nearest is often another article of its beat, and through it came every
    copy of that one (pairs of texts from different articles). Similarity alone is not enough: two
    reports of one event are as similar as a rewrite and its source, and comparing every pair above
    story similarity costs far more classifier work and brings more false derivations. Story grouping
    does not need the classifier and still takes every similar pair (``_story_links``).
    """
    shared, crowds = _verbatim_pairs([d.text for d in docs])
    relatives: dict[int, set[int]] = {}
    # A crowd's anchors are relatives of its members, not the reverse: a text whose nearest is an
    # anchor would otherwise meet the whole crowd.
    directed = [*shared, *((b, a) for a, b in shared), *_crowd_anchors(docs, sims, crowds)]
    for a, b in directed:
        if sims[a, b] >= th.candidate_cosine:
            relatives.setdefault(a, set()).add(b)
    wanted = {(min(a, b), max(a, b)) for a, near_a in relatives.items() for b in near_a}
    through: dict[tuple[int, int], set[tuple[int, int]]] = {}
    near = _nearest(sims, th.neighbours)
    for a in range(len(docs)):
        neighbours = [
            b
            for rank, b in enumerate(near[a].tolist())
            if rank == 0 or sims[a, b] >= max(th.story_cosine, sims[a, near[a, 0]] - th.near_band)
        ]
        for b in neighbours:
            pair = (min(a, b), max(a, b))
            wanted.add(pair)
            through.setdefault(pair, set()).update((min(a, c), max(a, c)) for c in relatives.get(b, set()) if c != a)

    def worth(pair: tuple[int, int]) -> bool:
        a, b = pair
        return (docs[a].is_new or docs[b].is_new) and sims[a, b] >= th.candidate_cosine

    def brings(pair: tuple[int, int]) -> bool:
        """Whether a neighbour pair the classifier is not asked about brings its relatives at once:
        a new document's (below candidate similarity), or two stored documents of which one derives
        from the other (as classified when they were stored)."""
        a, b = (docs[i] for i in pair)
        return a.is_new or b.is_new or a.parent_id == b.id or b.parent_id == a.id

    scored = {pair for pair in wanted if worth(pair)}
    brought = {p for nb, extra in through.items() if nb not in scored and brings(nb) for p in extra}
    pairs = sorted(scored | {p for p in brought if worth(p)})
    known = set(pairs)
    via = {nb: {p for p in extra if p not in known and worth(p)} for nb, extra in through.items() if nb in scored}
    pairs += _current_sources(docs, pairs, known)
    return pairs, {nb: extra for nb, extra in via.items() if extra}


def _current_sources(
    docs: Sequence[Doc], pairs: list[tuple[int, int]], known: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The current derivation of each stored document in ``pairs`` that ``known`` lacks (added to it)."""
    index = {d.id: i for i, d in enumerate(docs)}
    touched = {i for pair in pairs for i in pair if not docs[i].is_new}
    out = []
    for i in sorted(touched):
        j = index.get(docs[i].parent_id) if docs[i].parent_id is not None else None
        if j is not None and (pair := (min(i, j), max(i, j))) not in known:
            out.append(pair)
            known.add(pair)
    return out


def _nearest(sims: np.ndarray, k: int) -> np.ndarray:
    """Each document's ``k`` most similar others (ties: the lower index), ``NEAREST_ROWS`` rows at a
    time: sorting the whole matrix held n² indices (0.2 GB for a batch meeting 5,000 documents)."""
    n = len(sims)
    k = max(0, min(k, n - 1))
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, NEAREST_ROWS):
        block = np.array(sims[start : start + NEAREST_ROWS], dtype=np.float32)
        rows = np.arange(len(block))
        block[rows, rows + start] = -np.inf
        for j in range(k):
            out[start : start + len(block), j] = best = np.argmax(block, axis=1)
            block[rows, best] = -np.inf
    return out


def _verbatim_pairs(texts: Sequence[str]) -> tuple[set[tuple[int, int]], list[tuple[int, ...]]]:
    """(i, j), i < j, of texts sharing runs of ``VERBATIM_RUN`` whitespace-separated words, at least
    ``VERBATIM_SHARE`` of the smaller text's, and the crowds: each distinct set of more than
    ``VERBATIM_GROUP_MAX`` texts sharing one run.

    All texts' distinct runs are sorted together once; texts meeting on a run are then found with a
    few vectorised passes (one per distance within a group) instead of comparing every pair. A crowd
    is not paired all with all here: it is page furniture (a sponsor line on hundreds of spam pages)
    or a burst of copies of one text, which ``_crowd_anchors`` tells apart.
    """
    runs = [_RUNS.get(t, lambda t=t: distinct(ngram_hashes(word_hashes(t), VERBATIM_RUN))) for t in texts]
    hashes = np.concatenate(runs) if runs else np.zeros(0, dtype=np.uint64)
    if len(hashes) == 0:
        return set(), []
    owner = np.repeat(np.arange(len(texts)), [len(r) for r in runs])
    # Not a stable sort (much slower): which texts share a run does not depend on their order in it.
    order = np.argsort(hashes)
    hashes, owner = hashes[order], owner[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    group = np.repeat(np.arange(len(starts)), sizes)
    keep = np.repeat((sizes >= 2) & (sizes <= VERBATIM_GROUP_MAX), sizes)
    codes = []
    for k in range(1, min(int(sizes.max()), VERBATIM_GROUP_MAX)):
        same = (group[:-k] == group[k:]) & keep[:-k]
        a, b = owner[:-k][same], owner[k:][same]
        codes.append(np.minimum(a, b) * len(texts) + np.maximum(a, b))
    pair_codes, shared = np.unique(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64), return_counts=True)
    first, second = pair_codes // len(texts), pair_codes % len(texts)
    n_runs = np.array([max(len(r), 1) for r in runs])
    enough = shared >= VERBATIM_SHARE * np.minimum(n_runs[first], n_runs[second])
    found = set(zip(first[enough].tolist(), second[enough].tolist(), strict=True))
    crowded = np.flatnonzero(sizes > VERBATIM_GROUP_MAX).tolist()
    crowds = {tuple(sorted(owner[starts[k] : starts[k] + sizes[k]].tolist())) for k in crowded}
    return found, sorted(crowds)


def _crowd_anchors(docs: Sequence[Doc], sims: np.ndarray, crowds: list[tuple[int, ...]]) -> set[tuple[int, int]]:
    """(text, anchor): in each crowd, every text paired with the first ``CROWD_ANCHORS`` seen (earliest fetched, then
    stored before new, then by id) of its near-duplicates: a burst of copies of one article reaches
    its source and root at a cost linear in the burst, and pages sharing only furniture, too
    dissimilar to be near-duplicates, pair with nothing."""

    def seen(i: int) -> tuple:
        d = docs[i]
        return (d.fetched_at is None, d.fetched_at.timestamp() if d.fetched_at else 0.0, d.is_new, d.id)

    out = set()
    for crowd in crowds:
        first_seen = sorted(crowd, key=seen)
        for a in crowd:
            anchors = [b for b in first_seen if b != a and sims[a, b] >= NEAR_DUPLICATE][:CROWD_ANCHORS]
            out.update((a, b) for b in anchors)
    return out


def _story_links(docs: Sequence[Doc], sims: np.ndarray, story_cosine: float) -> list[tuple[int, int]]:
    """Pairs with a new document in them similar enough to be about one event."""
    a, b = np.nonzero(np.triu(sims >= story_cosine, k=1))
    is_new = np.array([d.is_new for d in docs], dtype=bool)
    both_stored = ~is_new[a] & ~is_new[b]
    return list(zip(a[~both_stored].tolist(), b[~both_stored].tolist(), strict=True))


def _derived(p: dict[str, float]) -> float:
    return 1.0 - p.get(INDEPENDENT, 0.0)


def _best_class(p: dict[str, float]) -> tuple[str, float]:
    derived = {k: v for k, v in p.items() if k != INDEPENDENT}
    cls = max(derived, key=derived.get)
    return cls, derived[cls]


def _side(docs: Sequence[Doc], k: int, other: int, texts: _TextSignals) -> direction.Side:
    d = docs[k]
    return direction.Side(
        d.text,
        published_at=d.published_at,
        fetched_at=d.fetched_at,
        machine_score=texts.machine.get(k),
        repeated=texts.repeated.get((other, k), 0.0),
        tie_key=(d.is_new, d.id),
    )


def _by_time(docs: Sequence[Doc], a: int, b: int) -> tuple[int, int] | None:
    """(earlier, later) when both texts carry distinct publication dates, or else fetch times; else None."""
    sa = direction.Side("", published_at=docs[a].published_at, fetched_at=docs[a].fetched_at)
    sb = direction.Side("", published_at=docs[b].published_at, fetched_at=docs[b].fetched_at)
    dated = direction.by_dates(sa, sb)
    if dated is None:
        return None
    return (a, b) if dated.source == 0 else (b, a)


def _directions(docs: Sequence[Doc], a: int, b: int) -> list[tuple[int, int]]:
    """The directions worth scoring: only earlier → later when the dates tell (half the classifier's
    work on a timestamped feed), otherwise both."""
    order = _by_time(docs, a, b)
    return [order] if order else [(a, b), (b, a)]


@dataclass
class _TextSignals:
    """What direction reads from the texts of one ``attribute`` call, computed once per document."""

    machine: dict[int, float]  # machine-style score by document index (empty without a style model)
    repeated: dict[tuple[int, int], float]  # (s, c): share of c repeating its own passages, read as s's copy
    verbatim: dict[tuple[int, int], float]  # (s, c): share of c that is verbatim text of s
    facts: dict[int, Specifics] = field(default_factory=dict)

    def specifics_of(self, docs: Sequence[Doc], a: int, b: int) -> tuple[Specifics, Specifics]:
        for k in (a, b):
            if k not in self.facts:
                self.facts[k] = specifics(docs[k].text)
        return self.facts[a], self.facts[b]


def _decide(docs, a: int, b: int, by_pair, texts: _TextSignals, th: Thresholds) -> Edge | None:
    """One directed edge for the pair, or None when neither derives from the other.

    ``explained`` and ``covers`` are left at their defaults here: ``attribute`` fills them in from the
    pair's explanation.
    """
    p_ab, p_ba = by_pair.get((a, b)), by_pair.get((b, a))
    if max(_derived(p) for p in (p_ab, p_ba) if p is not None) < th.derived:
        return None
    if _needs_text(docs, a, b):
        way = direction.orient(
            _side(docs, a, b, texts),
            _side(docs, b, a, texts),
            p_ab,
            p_ba,
            texts.specifics_of(docs, a, b),
            (texts.verbatim.get((a, b)), texts.verbatim.get((b, a))),
        )
    else:
        way = direction.orient_by_dates(_side(docs, a, b, texts), _side(docs, b, a, texts), p_ab, p_ba)
    source, copy = (a, b) if way.source == 0 else (b, a)
    edge = _edge(source, copy, by_pair[(source, copy)], way.decided_by, th)
    return None if edge is None else replace(edge, direction=way.to_dict())


def _edge(source: int, copy: int, p: dict[str, float], decided_by: str, th: Thresholds) -> Edge | None:
    derived = _derived(p)
    if derived < th.derived:
        return None
    cls, conf = _best_class(p)
    return Edge(source, copy, cls, conf, derived, 0.0, decided_by)


def _explained_share(explanation: dict[str, Any], copy_len: int) -> float:
    if copy_len == 0:
        return 0.0
    covered = 0.0
    for span in explanation.get("spans", []):
        weight = 1.0 if span.get("kind") == "verbatim" else 0.8
        covered += weight * max(0, int(span["copy_end"]) - int(span["copy_start"]))
    return min(1.0, covered / copy_len)


def _choose_parents(docs: Sequence[Doc], edges: list[Edge]) -> tuple[dict[int, Edge], dict[int, set[int]]]:
    """Keep the edges as a DAG (strongest first) and give each copy the parent that explains it best.

    Among parents that explain the copy about equally well, one that lies between the other and
    the copy is preferred only when it kept just a part of its own source (a rewrite of a wrapped
    excerpt derives from the excerpt: it has only what the excerpt kept). Otherwise nothing tells
    them apart and the copy is credited to the upstream text, not to an intermediary that merely
    contains it (an excerpt of an article is not an excerpt of a spam page carrying all of it).

    Also returns, per copy, the sources that lost clearly (on explanation or structure) rather
    than on a near-tie: only those may be replaced in a stored copy's provenance.
    """
    ordered = sorted(edges, key=lambda e: (not e.by_date, e.pair_class not in VERBATIM_CLASSES, -e.derived))
    kept: list[Edge] = []
    succ: dict[int, set[int]] = {}
    for e in ordered:
        if _reaches(succ, e.copy, e.source):
            continue
        succ.setdefault(e.source, set()).add(e.copy)
        kept.append(e)

    by_copy: dict[int, list[Edge]] = {}
    for e in kept:
        by_copy.setdefault(e.copy, []).append(e)
    into = {(e.source, e.copy): e for e in kept} | {(None, e.copy): e for e in kept}
    parents: dict[int, Edge] = {}
    outranked: dict[int, set[int]] = {}
    for copy, options in by_copy.items():
        best = max(options, key=lambda e: e.explained)
        close = [e for e in options if e.explained >= best.explained - CLOSE]
        deeper = [e for e in close if not any(_closer(succ, into, o, e) for o in close if o is not e)]
        candidates = deeper or close
        upstream = [
            e for e in candidates if not any(o is not e and _reaches(succ, o.source, e.source) for o in candidates)
        ] or candidates
        parents[copy] = max(upstream, key=lambda e: (e.explained, e.derived))
        outranked[copy] = {e.source for e in options if e not in upstream}
    return parents, outranked


def _closer(succ: dict[int, set[int]], into: dict[tuple[int | None, int], Edge], o: Edge, e: Edge) -> bool:
    """``o``'s source lies between ``e``'s source and the copy, and kept only a part of what it copied
    (``into`` holds the kept edges by (source, copy), and by (None, copy) for any source)."""
    if not _reaches(succ, e.source, o.source):
        return False
    edge = into.get((e.source, o.source)) or into.get((None, o.source))
    return edge is not None and edge.pair_class != "full-copy" and edge.covers < SELECTION


def _reaches(succ: dict[int, set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(succ.get(node, ()))
    return False


@dataclass
class _Compared:
    """Whom each document was compared with (``partners``, once per pair) and which documents
    derive from it (``copies``): looked up per document, not searched for in every pair."""

    partners: dict[int, list[int]]
    copies: dict[int, set[int]]

    @classmethod
    def of(cls, pairs: Sequence[tuple[int, int]], parents: dict[int, Edge]) -> _Compared:
        partners: dict[int, list[int]] = {}
        for a, b in pairs:
            partners.setdefault(a, []).append(b)
            partners.setdefault(b, []).append(a)
        copies: dict[int, set[int]] = {}
        for copy, edge in parents.items():
            copies.setdefault(edge.source, set()).add(copy)
        return cls(partners, copies)


def _decision(
    docs,
    i: int,
    edge: Edge | None,
    by_pair,
    compared: _Compared,
    scorer: PairScorer,
    explanations: dict[tuple[int, int], dict[str, Any]],
    reason: str | None = None,
) -> Decision:
    d = docs[i]
    if edge is None:
        copies = compared.copies.get(i, set())
        others = [j for j in compared.partners.get(i, []) if j not in copies]
        # A later-dated document was never scored as this one's source: it cannot be.
        confidence = min((1.0 - _derived(by_pair[(j, i)]) for j in others if (j, i) in by_pair), default=1.0)
        reasons = [f"derives from none of the {len(others)} similar documents compared"] if others else []
        if not others and not copies:
            reasons.append("no similar document is stored")
        if copies:
            reasons.append(f"the source of {len(copies)} copies found so far")
        evidence = {"reasons": reasons, "candidates": len(others) + len(copies)}
        return Decision(d.id, scorer.to_label(INDEPENDENT), INDEPENDENT, confidence, None, d.id, evidence)
    evidence = {**explanations[(edge.source, i)], "direction": edge.direction}
    reason = reason or ("ingest" if d.is_new else "re-rooted")
    return Decision(
        d.id,
        scorer.to_label(edge.pair_class),
        edge.pair_class,
        edge.confidence,
        docs[edge.source].id,
        None,
        evidence,
        reason,
    )


def _fill_roots(docs: Sequence[Doc], decisions: list[Decision], parents: dict[int, Edge]) -> None:
    """Root = the first original up the chain (stored documents' own parents included)."""
    parent_of = {d.id: d.parent_id for d in docs if not d.is_new}
    parent_of.update({dec.document_id: dec.derived_from_id for dec in decisions})
    for dec in decisions:
        node, seen = dec.document_id, set()
        while parent_of.get(node) is not None and node not in seen:
            seen.add(node)
            node = parent_of[node]
        dec.root_id = node


def _judge_against_ancestors(
    docs: Sequence[Doc], decisions: list[Decision], by_pair, scorer: PairScorer, th: Thresholds
) -> None:
    """LABELS.md judges a copy against the earliest text it derives from: a verbatim part of a
    spam page that keeps its injected lines is spam-wrapped even though, against that page, it is
    an excerpt. The parent stays the parent; the label takes the strongest one up the chain."""
    index = {d.id: i for i, d in enumerate(docs)}
    parent_of = {d.id: d.parent_id for d in docs if not d.is_new}
    parent_of.update({dec.document_id: dec.derived_from_id for dec in decisions})
    for dec in decisions:
        if dec.derived_from_id is None:
            continue
        copy, node, seen = index[dec.document_id], parent_of.get(dec.derived_from_id), {dec.document_id}
        while node is not None and node not in seen:
            seen.add(node)
            p = by_pair.get((index[node], copy)) if node in index else None
            if p is not None and _derived(p) >= th.derived:
                cls, conf = _best_class(p)
                if PRECEDENCE.get(cls, 0) > PRECEDENCE.get(dec.pair_class, 0):
                    reason = f"against document {node}, earlier in its chain, it is {scorer.to_label(cls)}"
                    dec.pair_class, dec.label, dec.confidence = cls, scorer.to_label(cls), conf
                    dec.evidence = {**dec.evidence, "reasons": [*dec.evidence.get("reasons", []), reason]}
            node = parent_of.get(node)


def _stories(docs, parents: dict[int, Edge], links: list[tuple[int, int]]) -> list[set[int]]:
    """Connected groups: derivations plus underived pairs about the same event."""
    linked: DisjointSets[int] = DisjointSets()
    for copy, edge in parents.items():
        linked.union(copy, edge.source)
    for a, b in links:
        linked.union(a, b)
    first_of_story: dict[int, int] = {}
    for i, d in enumerate(docs):  # stored documents already sharing a story stay together
        if d.story_id is not None:
            linked.union(i, first_of_story.setdefault(d.story_id, i))
    groups: dict[int, set[int]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(linked.find(i), set()).add(d.id)
    return list(groups.values())
