"""Which parts of a copy come from a source, verbatim or re-expressed, and what is left over.

The copy's units (sentences) are matched to the source's units two ways at once:
*verbatim* — most of the unit's word 4-grams occur in the source (robust to trimmed
edges, re-flowed whitespace and quote styles) — and *paraphrase* — its best TF-IDF
cosine with a source unit is high. Both are vectorised NumPy work (sorted hash
lookups, one small dense product over the pair's vocabulary), so a 600-word pair
aligns in about a millisecond. Copy text matched by neither is the candidate
wrapper (ads, paywall, navigation) and is returned as contiguous segments; the
aggregate shares (coverage, order kept, repeats, where the leftover sits) are the
features the classifier sees and the evidence ``explain`` shows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

import numpy as np

from models.text import TextView, TfidfRows, containment, distinct, ngram_hashes, tfidf_rows, view

VERBATIM_MIN = 0.5  # share of a unit's 4-grams found in the other text
PARAPHRASE_MIN = 0.3  # TF-IDF cosine of a unit with its best counterpart
PARAPHRASE_MIN_TOKENS = 4  # shorter lines ("Log in", "Iran") only count when verbatim
REPEAT_MIN = 0.9  # cosine of two copy units that makes the later one a repeat
REPEAT_MIN_TOKENS = 6
SHORT_UNIT_TOKENS = 8
SOURCE_ORDER_MIN = 0.15  # a source unit's best cosine that counts it in ``source_order_kept``
ALIGNED_NS = (2, 4)  # word n-grams the aligner reads unit by unit: bigrams of short units, 4-grams

ALIGNMENT_FEATURES = (
    "copy_matched_share",
    "copy_verbatim_share",
    "copy_paraphrase_share",
    "copy_unmatched_share",
    "unmatched_head_share",
    "unmatched_tail_share",
    "unmatched_inner_share",
    "wrapper_segments_log",
    "unmatched_short_unit_rate",
    "unmatched_unit_tokens_log",
    "source_coverage",
    "source_verbatim_coverage",
    "source_paraphrase_only_coverage",
    "order_kept",
    "order_contiguous",
    "repeated_unit_share",
    "repeated_match_share",
    "mean_best_cosine",
    "share_cosine_50",
    "share_cosine_70",
    "mean_unit_containment",
    "copy_units_log",
    "source_units_log",
    "source_mean_best_cosine",
    "source_order_kept",
)


@dataclass(frozen=True)
class Span:
    """Copy text ``[copy_start, copy_end)`` matches source text ``[source_start, source_end)``."""

    copy_start: int
    copy_end: int
    source_start: int
    source_end: int
    kind: str  # "verbatim" | "paraphrase"
    score: float


@dataclass(frozen=True)
class Segment:
    """Contiguous copy text that matches nothing in the source (candidate wrapper material)."""

    start: int
    end: int
    text: str


@dataclass
class Alignment:
    spans: list[Span]
    wrapper_segments: list[Segment]
    source_coverage: float
    copy_matched_share: float
    order_kept: float
    repeated_unit_share: float
    stats: dict[str, float] = field(default_factory=dict)  # every name in ALIGNMENT_FEATURES
    source_residual: str = ""  # source units the copy does not cover
    source_residual_spans: tuple[tuple[int, int], ...] = ()  # their character spans in the source

    def feature_vector(self) -> list[float]:
        return [self.stats[name] for name in ALIGNMENT_FEATURES]

    def to_dict(self) -> dict:
        """JSON-ready evidence (spelled out field by field: ``dataclasses.asdict`` deep-copies every
        value and was a tenth of explaining a batch)."""
        return {
            "spans": [
                {
                    "copy_start": s.copy_start,
                    "copy_end": s.copy_end,
                    "source_start": s.source_start,
                    "source_end": s.source_end,
                    "kind": s.kind,
                    "score": s.score,
                }
                for s in self.spans
            ],
            "wrapper_segments": [{"start": g.start, "end": g.end, "text": g.text} for g in self.wrapper_segments],
            **{k: float(v) for k, v in self.stats.items()},
        }


@dataclass(frozen=True)
class Prepared:
    """What aligning needs of one text, worked out once however many pairs the text is in: its
    view (offsets and units), its TF-IDF rows, its word n-gram hashes at every position for n = 2
    and 4 (``hashes``: the aligner reads units' n-grams) and distinct and sorted (``grams``) for
    those and any other n ``prepare`` was asked for.

    Held for every text of a call (``models.features``), so it holds only what is read after
    ``prepare``: the view's token strings, a fifth of a prepared news article, are dropped once the
    TF-IDF rows are built from them, as are its token ends and hashes and other n's hashes at every
    position."""

    view: TextView
    rows: TfidfRows
    hashes: dict[int, np.ndarray]
    grams: dict[int, np.ndarray]


def prepare(
    text: str, vocabulary: dict[str, int], idf: np.ndarray, ns: tuple[int, ...] = (), tokens: TextView | None = None
) -> Prepared:
    """``text`` ready to align, with the IDF of a fitted word ``TfidfVectorizer``; ``tokens``, its
    ``view`` if the caller has it."""
    v = view(text) if tokens is None else tokens
    hashes = {n: ngram_hashes(v.tok_hash, n) for n in sorted({*ALIGNED_NS, *ns})}
    grams = {n: distinct(h) for n, h in hashes.items()}
    rows = tfidf_rows(v, vocabulary, idf)
    kept = replace(v, tokens=[], tok_end=_NONE, tok_hash=_NONE)
    return Prepared(kept, rows, {n: hashes[n] for n in ALIGNED_NS}, grams)


_NONE = np.zeros(0, dtype=np.int64)


def align(source: str, copy: str, vectorizer) -> Alignment:
    """Align ``copy`` to ``source`` with the IDF of a fitted word ``TfidfVectorizer``."""
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    return align_prepared(prepare(source, vocabulary, idf), prepare(copy, vocabulary, idf))


def _unit_containment(p: Prepared, other: Prepared) -> np.ndarray:
    """Per unit of ``p``: share of its word 4-grams (bigrams for 2-3-token units) found in the other text."""
    v = p.view
    out = np.zeros(len(v.unit_start))
    if v.n_tokens == 0:
        return out
    hit = containment(p.hashes[4], other.grams[4])
    cs = np.concatenate([[0], np.cumsum(hit)])
    a, b = v.unit_tok_start, v.unit_tok_end - 3  # 4-grams wholly inside the unit
    ok = (b > a) & (v.unit_tokens >= 4)
    out[ok] = (cs[b[ok]] - cs[a[ok]]) / (b[ok] - a[ok])
    # A 2-3-token unit goes by its bigrams, and counts only when all of them are there. Only those
    # units' bigrams are looked up: most texts have few such units or none.
    short = (v.unit_tokens >= 2) & (v.unit_tokens < 4)
    if short.any():
        counts = v.unit_tokens[short] - 1
        first = np.repeat(v.unit_tok_start[short], counts)
        offsets = np.cumsum(counts) - counts
        positions = first + np.arange(counts.sum()) - np.repeat(offsets, counts)
        found = containment(p.hashes[2][positions], other.grams[2])
        out[short] = np.floor(np.add.reduceat(found.astype(np.int64), offsets) / counts)
    return out


def _common_columns(a: TfidfRows, b: TfidfRows) -> tuple[np.ndarray, np.ndarray]:
    """Both unit matrices over the union of their vocabularies (dense, small)."""
    union = distinct(np.concatenate([a.ids, b.ids]))  # np.union1d, without NumPy 2's slow unique
    return a.unit_matrix(union), b.unit_matrix(union)


def _lis_length(seq: list[int]) -> int:
    """Length of the longest non-decreasing subsequence (patience sorting)."""
    tails: list[int] = []
    for x in seq:
        i = bisect.bisect_right(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    if not mask.any():
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def align_prepared(source: Prepared, copy: Prepared) -> Alignment:
    """Align two prepared texts (``prepare``)."""
    sv, cv = source.view, copy.view
    c_cont = _unit_containment(copy, source)
    s_cont = _unit_containment(source, copy)

    nc, ns = len(cv.unit_start), len(sv.unit_start)
    su, cu = _common_columns(source.rows, copy.rows)
    sim = cu @ su.T
    c_len = cv.unit_tokens.astype(float)
    s_len = sv.unit_tokens.astype(float)
    c_long = c_len >= PARAPHRASE_MIN_TOKENS
    best = sim.max(axis=1) if ns else np.zeros(nc)
    best_idx = sim.argmax(axis=1) if ns else np.zeros(nc, dtype=int)

    verbatim = c_cont >= VERBATIM_MIN
    paraphrase = ~verbatim & c_long & (best >= PARAPHRASE_MIN)
    matched = verbatim | paraphrase
    total = max(c_len.sum(), 1.0)

    s_verbatim = s_cont >= VERBATIM_MIN
    s_sim = sim * c_long[:, None]  # copy units too short to paraphrase anything count for nothing
    col_best = s_sim.max(axis=0) if nc else np.zeros(ns)
    s_para = col_best >= PARAPHRASE_MIN
    s_total = max(s_len.sum(), 1.0)
    s_covered = s_verbatim | s_para
    # Source side, below the paraphrase bar: an elaborating rewrite spreads each source sentence over
    # copy sentences of its own, so few reach the bar, yet every source sentence has a counterpart;
    # independent coverage of the story has counterparts only where the names fall.
    s_long_w = s_len * (s_len >= PARAPHRASE_MIN_TOKENS)
    # And do the source's sentences meet their counterparts in the copy in the source's order? Read on
    # mutual best matches only: a source sentence the copy leaves out still has a faint best match
    # among the copy's sentences on the same subject, wherever they stand.
    s_best_idx = s_sim.argmax(axis=0) if nc else np.zeros(ns, dtype=int)
    mutual = best_idx[s_best_idx] == np.arange(ns) if nc else np.zeros(ns, dtype=bool)
    s_seen = np.flatnonzero((col_best >= SOURCE_ORDER_MIN) & (s_long_w > 0) & mutual)
    s_order = _lis_length(s_best_idx[s_seen].tolist()) / len(s_seen) if len(s_seen) else 0.0

    # where the unmatched copy text sits
    idx = np.flatnonzero(matched)
    unmatched = ~matched
    if len(idx):
        head = c_len[: idx[0]].sum()
        tail = c_len[idx[-1] + 1 :].sum()
    else:
        head, tail = c_len.sum(), 0.0
    unmatched_words = c_len[unmatched].sum()
    inner = unmatched_words - head - tail if len(idx) else 0.0

    # order: do matched copy units walk through the source forwards?
    order_seq = best_idx[idx].tolist()
    order_kept = _lis_length(order_seq) / len(order_seq) if order_seq else 0.0
    steps = np.diff(best_idx[idx]) if len(idx) > 1 else np.zeros(0)
    contiguous = float(np.mean((steps == 0) | (steps == 1))) if len(steps) else 0.0

    # repeats: a copy unit nearly identical to an earlier one, or matching a source unit already used
    repeated = np.zeros(nc, dtype=bool)
    if nc > 1:
        self_sim = cu @ cu.T
        big = c_len >= REPEAT_MIN_TOKENS
        tri = np.tril(self_sim, k=-1) >= REPEAT_MIN
        repeated = big & (tri & big[None, :]).any(axis=1)
    seen: dict[int, int] = {}
    rep_match = 0.0
    for i in idx.tolist():
        j = int(best_idx[i])
        if j in seen and i - seen[j] > 1:
            rep_match += c_len[i]
        seen.setdefault(j, i)

    segments = [
        Segment(int(cv.unit_start[a]), int(cv.unit_end[b - 1]), cv.text[cv.unit_start[a] : cv.unit_end[b - 1]])
        for a, b in _runs(unmatched)
    ]
    spans = _merge_spans(sv, cv, matched, verbatim, best_idx, np.where(verbatim, c_cont, best), c_len)
    unmatched_units = c_len[unmatched]
    c_long_w = c_len * c_long
    long_total = max(c_long_w.sum(), 1.0)

    stats = {
        "copy_matched_share": c_len[matched].sum() / total,
        "copy_verbatim_share": c_len[verbatim].sum() / total,
        "copy_paraphrase_share": c_len[paraphrase].sum() / total,
        "copy_unmatched_share": unmatched_words / total,
        "unmatched_head_share": head / total,
        "unmatched_tail_share": tail / total,
        "unmatched_inner_share": inner / total,
        "wrapper_segments_log": float(np.log1p(len(segments))),
        "unmatched_short_unit_rate": float(np.mean(unmatched_units <= SHORT_UNIT_TOKENS))
        if len(unmatched_units)
        else 0.0,
        "unmatched_unit_tokens_log": float(np.log1p(unmatched_units.mean())) if len(unmatched_units) else 0.0,
        "source_coverage": s_len[s_covered].sum() / s_total,
        "source_verbatim_coverage": s_len[s_verbatim].sum() / s_total,
        "source_paraphrase_only_coverage": s_len[s_para & ~s_verbatim].sum() / s_total,
        "order_kept": order_kept,
        "order_contiguous": contiguous,
        "repeated_unit_share": c_len[repeated].sum() / total,
        "repeated_match_share": rep_match / total,
        "mean_best_cosine": float((best * c_long_w).sum() / long_total),
        "share_cosine_50": float((c_long_w * (best >= 0.5)).sum() / long_total),
        "share_cosine_70": float((c_long_w * (best >= 0.7)).sum() / long_total),
        "mean_unit_containment": float((c_cont * c_len).sum() / total),
        "copy_units_log": float(np.log1p(nc)),
        "source_units_log": float(np.log1p(ns)),
        "source_mean_best_cosine": float((col_best * s_long_w).sum() / max(s_long_w.sum(), 1.0)),
        "source_order_kept": s_order,
    }
    stats = {k: float(v) for k, v in stats.items()}
    uncovered = tuple(zip(sv.unit_start[~s_covered].tolist(), sv.unit_end[~s_covered].tolist(), strict=True))
    residual = "\n".join(sv.text[a:b] for a, b in uncovered)
    return Alignment(
        spans=spans,
        wrapper_segments=segments,
        source_coverage=stats["source_coverage"],
        copy_matched_share=stats["copy_matched_share"],
        order_kept=order_kept,
        repeated_unit_share=stats["repeated_unit_share"],
        stats=stats,
        source_residual=residual,
        source_residual_spans=uncovered,
    )


def _merge_spans(sv, cv, matched, verbatim, best_idx, score, c_len) -> list[Span]:
    """Adjacent matched copy units of one kind that walk forward through the source become one span."""
    spans: list[Span] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        src = best_idx[run]
        w = c_len[run]
        spans.append(
            Span(
                int(cv.unit_start[run[0]]),
                int(cv.unit_end[run[-1]]),
                int(sv.unit_start[src].min()),
                int(sv.unit_end[src].max()),
                "verbatim" if verbatim[run[0]] else "paraphrase",
                round(float((score[run] * w).sum() / max(w.sum(), 1.0)), 4),
            )
        )
        run.clear()

    is_matched, is_verbatim, source_unit = matched.tolist(), verbatim.tolist(), best_idx.tolist()  # no NumPy scalars
    for i in range(len(is_matched)):
        if not is_matched[i]:
            flush()
            continue
        if run and (is_verbatim[i] != is_verbatim[run[-1]] or source_unit[i] - source_unit[run[-1]] not in (0, 1)):
            flush()
        run.append(i)
    flush()
    return spans
