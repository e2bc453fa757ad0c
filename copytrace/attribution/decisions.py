"""Decisions: what is stored for each document (label, source, root, evidence), when a stored document's
provenance may change (stability), and the label judged against the chain's earlier texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from copytrace.attribution.types import INDEPENDENT, Decision, Doc, Edge, PairScorer, Thresholds, best_class, p_derived

# LABELS.md: when several labels apply, spam-wrapped > rewrite > excerpt > original (a full copy).
PRECEDENCE = {"full-copy": 0, "excerpt": 1, "rewrite": 2, "spam-wrapped": 3}


def reroots(
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


@dataclass
class Compared:
    """Whom each document was compared with (``partners``, once per pair) and which documents
    derive from it (``copies``): looked up per document, not searched for in every pair."""

    partners: dict[int, list[int]]
    copies: dict[int, set[int]]

    @classmethod
    def of(cls, pairs: Sequence[tuple[int, int]], parents: dict[int, Edge]) -> Compared:
        partners: dict[int, list[int]] = {}
        for a, b in pairs:
            partners.setdefault(a, []).append(b)
            partners.setdefault(b, []).append(a)
        copies: dict[int, set[int]] = {}
        for copy, edge in parents.items():
            copies.setdefault(edge.source, set()).add(copy)
        return cls(partners, copies)


def decision(
    docs,
    i: int,
    edge: Edge | None,
    by_pair,
    compared: Compared,
    scorer: PairScorer,
    explanations: dict[tuple[int, int], dict[str, Any]],
    reason: str | None = None,
) -> Decision:
    d = docs[i]
    if edge is None:
        copies = compared.copies.get(i, set())
        others = [j for j in compared.partners.get(i, []) if j not in copies]
        # A later-dated document was never scored as this one's source: it cannot be.
        confidence = min((1.0 - p_derived(by_pair[(j, i)]) for j in others if (j, i) in by_pair), default=1.0)
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


def fill_roots(docs: Sequence[Doc], decisions: list[Decision], parents: dict[int, Edge]) -> None:
    """Root = the first original up the chain (stored documents' own parents included)."""
    parent_of = {d.id: d.parent_id for d in docs if not d.is_new}
    parent_of.update({dec.document_id: dec.derived_from_id for dec in decisions})
    for dec in decisions:
        node, seen = dec.document_id, set()
        while parent_of.get(node) is not None and node not in seen:
            seen.add(node)
            node = parent_of[node]
        dec.root_id = node


def judge_against_ancestors(
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
            if p is not None and p_derived(p) >= th.derived:
                cls, conf = best_class(p)
                if PRECEDENCE.get(cls, 0) > PRECEDENCE.get(dec.pair_class, 0):
                    reason = f"against document {node}, earlier in its chain, it is {scorer.to_label(cls)}"
                    dec.pair_class, dec.label, dec.confidence = cls, scorer.to_label(cls), conf
                    dec.evidence = {**dec.evidence, "reasons": [*dec.evidence.get("reasons", []), reason]}
            node = parent_of.get(node)
