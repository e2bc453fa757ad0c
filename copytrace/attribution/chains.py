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
BEYOND = 0.05  # share of a copy verbatim from an upstream text and not from an intermediary that rules it out


def explained_share(explanation: dict[str, Any], copy_len: int) -> float:
    if copy_len == 0:
        return 0.0
    covered = 0.0
    for span in explanation.get("spans", []):
        weight = 1.0 if span.get("kind") == "verbatim" else 0.8
        covered += weight * max(0, int(span["copy_end"]) - int(span["copy_start"]))
    return min(1.0, covered / copy_len)


def verbatim_ranges(explanation: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    """The copy's character ranges that an explanation matched verbatim to its source."""
    return tuple(
        (int(span["copy_start"]), int(span["copy_end"]))
        for span in explanation.get("spans", [])
        if span.get("kind") == "verbatim"
    )


def _merged(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def beyond(upstream: Sequence[tuple[int, int]], intermediary: Sequence[tuple[int, int]]) -> int:
    """Characters of a copy in the ranges ``upstream`` and outside the ranges ``intermediary``."""
    mid = _merged(intermediary)
    total = 0
    for start, end in _merged(upstream):
        total += end - start
        for a, b in mid:
            if a >= end:
                break
            total -= max(0, min(b, end) - max(a, start))
    return total


def choose_parents(docs: Sequence[Doc], edges: list[Edge]) -> tuple[dict[int, Edge], dict[int, set[int]]]:
    """Keep the edges as a DAG (strongest first) and give each copy the parent that explains it best.

    Among parents that explain the copy about equally well, one that lies between the other and
    the copy is preferred only when it kept just a part of its own source (a rewrite of a wrapped
    excerpt derives from the excerpt: it has only what the excerpt kept) and the copy holds no more
    than ``BEYOND`` of verbatim text of the other that the intermediary lacks (a wrapped copy holding
    the article's first paragraph was not made from an excerpt that starts at the second; explained
    shares alone cannot tell, the excerpt's sentences match that paragraph in other words). Otherwise
    nothing tells them apart and the copy is credited to the upstream text, not to an intermediary that merely
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
        size = len(docs[copy].text)
        deeper = [e for e in close if not any(_closer(succ, into, o, e, size) for o in close if o is not e)]
        candidates = deeper or close
        upstream = [
            e for e in candidates if not any(o is not e and _reaches(succ, o.source, e.source) for o in candidates)
        ] or candidates
        parents[copy] = max(upstream, key=lambda e: (e.explained, e.derived))
        outranked[copy] = {e.source for e in options if e not in upstream}
    return parents, outranked


def _closer(succ: dict[int, set[int]], into: dict[tuple[int | None, int], Edge], o: Edge, e: Edge, size: int) -> bool:
    """``o``'s source lies between ``e``'s source and the copy (``size`` characters), kept only a part
    of what it copied, and holds nearly all the copy's verbatim text of ``e``'s source (``into`` holds
    the kept edges by (source, copy), and by (None, copy) for any source)."""
    if not _reaches(succ, e.source, o.source):
        return False
    if beyond(e.verbatim, o.verbatim) > BEYOND * size:
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
