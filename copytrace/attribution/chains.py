"""Chains: each copy's parent among the sources its edges offer, the document that explains most of it,
with the edges kept as a DAG.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copytrace.attribution.types import Doc, Edge
from models.pairs import VERBATIM_CLASSES

CLOSE = 0.05  # parents explaining a copy within this share of each other are told apart by structure
SELECTION = 0.9  # an intermediate copy covering less of its source than this kept only a part of it


def explained_share(explanation: dict[str, Any], copy_len: int) -> float:
    if copy_len == 0:
        return 0.0
    covered = 0.0
    for span in explanation.get("spans", []):
        weight = 1.0 if span.get("kind") == "verbatim" else 0.8
        covered += weight * max(0, int(span["copy_end"]) - int(span["copy_start"]))
    return min(1.0, covered / copy_len)


def choose_parents(docs: Sequence[Doc], edges: list[Edge]) -> tuple[dict[int, Edge], dict[int, set[int]]]:
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
