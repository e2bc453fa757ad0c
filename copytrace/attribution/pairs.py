"""Pairs: which pairs of a batch's documents reach the pair classifier, and what it says of each
direction worth scoring.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copytrace.attribution.direction import directions
from copytrace.attribution.types import Doc, PairScorer, Thresholds, p_derived
from models.text import distinct, ngram_hashes, word_hashes

VERBATIM_RUN = 8  # words in a row two texts share that make them worth comparing whatever their similarity
VERBATIM_GROUP_MAX = 50  # a run in more texts than this is a crowd: page furniture, or a burst of copies
VERBATIM_SHARE = 0.1  # of the smaller text's runs two texts must share to be compared for them
NEAR_DUPLICATE = 0.9  # in a crowd, texts this similar are copies of one text...
CROWD_ANCHORS = 3  # ...and each is compared with the first few seen of them, not with all
NEAREST_ROWS = 512
REVERSE_CHECK_DERIVED = 0.5  # a dated pair not derived earlier → later ...
REVERSE_CHECK_CONTAINED = 0.5  # ... whose later text holds this share of the earlier one's sentences verbatim


def candidate_pairs(
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
    does not need the classifier and still takes every similar pair (``story_links``).
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
    pairs += current_sources(docs, pairs, known)
    return pairs, {nb: extra for nb, extra in via.items() if extra}


def current_sources(
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
    runs = [distinct(ngram_hashes(word_hashes(t), VERBATIM_RUN)) for t in texts]
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


def explain(docs: Sequence[Doc], pairs: list[tuple[int, int]], scorer: PairScorer) -> dict[tuple[int, int], dict]:
    """The classifier's explanation of each direction worth scoring of these pairs, by (source, copy)."""
    directed = [d for a, b in pairs for d in directions(docs, a, b)]
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
        and p_derived(out[(s, c)]["probabilities"]) < REVERSE_CHECK_DERIVED
        and out[(s, c)].get("features", {}).get("source_verbatim_coverage", 0.0) >= REVERSE_CHECK_CONTAINED
    ]
    if reverse:
        out |= dict(zip(reverse, scorer.explain_many([(docs[s].text, docs[c].text) for s, c in reverse]), strict=True))
    return out


def looks_derived(explanations: dict[tuple[int, int], dict], pair: tuple[int, int]) -> float:
    """How derived the pair looks in whichever of its scored directions looks it most."""
    a, b = pair
    return max(p_derived(explanations[d]["probabilities"]) for d in ((a, b), (b, a)) if d in explanations)
