"""Direction: which way a derived pair goes (``models.direction`` applied to a batch's documents), and
the directed edge it makes. Dates decide when both texts carry them; otherwise the texts' signals,
read once per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from copytrace.attribution.types import Doc, Edge, PairScorer, Thresholds, best_class, p_derived
from models import direction
from models.specifics import Specifics, specifics


@dataclass
class TextSignals:
    """What direction reads from the texts of one ``attribute`` call, computed once per document."""

    machine: dict[int, float]  # machine-style score by document index (empty without a style model)
    repeated: dict[tuple[int, int], float]  # (s, c): share of c repeating its own passages, read as s's copy
    verbatim: dict[tuple[int, int], float]  # (s, c): share of c that is verbatim text of s
    facts: dict[int, Specifics] = field(default_factory=dict)
    matched: dict[tuple[int, int], float] = field(default_factory=dict)  # (s, c): machine style of c's text s matches

    def specifics_of(self, docs: Sequence[Doc], a: int, b: int) -> tuple[Specifics, Specifics]:
        for k in (a, b):
            if k not in self.facts:
                self.facts[k] = specifics(docs[k].text)
        return self.facts[a], self.facts[b]


def machine_scores(docs: Sequence[Doc], by_pair, scorer: PairScorer, th: Thresholds) -> dict[int, float]:
    """The machine-style score of each document in a pair that looks derived one way or the other
    (only those need a direction); none when the scorer has no style model."""
    score = getattr(scorer, "machine_scores", None)
    if score is None:
        return {}
    needed = sorted(
        {k for key, p in by_pair.items() if p_derived(p) >= th.derived and _needs_text(docs, *key) for k in key}
    )
    if not needed:
        return {}
    values = score([docs[k].text for k in needed])
    return {} if values is None else dict(zip(needed, map(float, values), strict=True))


def matched_scores(
    docs: Sequence[Doc], explanations: dict[tuple[int, int], dict], scorer: PairScorer, th: Thresholds
) -> dict[tuple[int, int], float]:
    """(s, c) → the machine-style score of the part of c that s matches (its alignment spans as s's
    copy) where c carries page furniture (``models.direction.carries_furniture``), for the pairs
    direction reads by text, scored both ways and derived one way or the other; none without a style
    model."""
    score = getattr(scorer, "machine_scores", None)
    if score is None:
        return {}
    wanted = []
    for a, b in explanations:
        ab, ba = explanations[(a, b)], explanations.get((b, a))
        if a > b or ba is None or not _needs_text(docs, a, b):
            continue
        if max(p_derived(ab["probabilities"]), p_derived(ba["probabilities"])) < th.derived:
            continue
        if not (ab.get("spans") and ba.get("spans")):
            continue
        wanted += [key for key in ((a, b), (b, a)) if direction.carries_furniture(explanations[key].get("features"))]
    if not wanted:
        return {}
    parts = [
        direction.matched_text(docs[c].text, [(x["copy_start"], x["copy_end"]) for x in explanations[(s, c)]["spans"]])
        for s, c in wanted
    ]
    values = score(parts)
    return {} if values is None else dict(zip(wanted, map(float, values), strict=True))


def _needs_text(docs: Sequence[Doc], a: int, b: int) -> bool:
    """Whether direction reads the texts of this pair: undated, or dated only by the pages' own (perhaps
    guessed) publication dates, which the text may contradict. Fetch times are the scraper's own clock."""
    dated = _by_time(docs, a, b)
    return dated is None or docs[a].published_at is not None and docs[b].published_at is not None


def _by_time(docs: Sequence[Doc], a: int, b: int) -> tuple[int, int] | None:
    """(earlier, later) when both texts carry distinct publication dates, or else fetch times; else None."""
    sa = direction.Side("", published_at=docs[a].published_at, fetched_at=docs[a].fetched_at)
    sb = direction.Side("", published_at=docs[b].published_at, fetched_at=docs[b].fetched_at)
    dated = direction.by_dates(sa, sb)
    if dated is None:
        return None
    return (a, b) if dated.source == 0 else (b, a)


def directions(docs: Sequence[Doc], a: int, b: int) -> list[tuple[int, int]]:
    """The directions worth scoring: only earlier → later when the dates tell (half the classifier's
    work on a timestamped feed), otherwise both."""
    order = _by_time(docs, a, b)
    return [order] if order else [(a, b), (b, a)]


def _side(docs: Sequence[Doc], k: int, other: int, texts: TextSignals) -> direction.Side:
    d = docs[k]
    return direction.Side(
        d.text,
        published_at=d.published_at,
        fetched_at=d.fetched_at,
        machine_score=texts.machine.get(k),
        matched_score=texts.matched.get((other, k)),
        repeated=texts.repeated.get((other, k), 0.0),
        tie_key=(d.is_new, d.id),
    )


def decide(docs, a: int, b: int, by_pair, texts: TextSignals, th: Thresholds) -> Edge | None:
    """One directed edge for the pair, or None when neither derives from the other.

    ``explained`` and ``covers`` are left at their defaults here: ``attribute`` fills them in from the
    pair's explanation.
    """
    p_ab, p_ba = by_pair.get((a, b)), by_pair.get((b, a))
    if max(p_derived(p) for p in (p_ab, p_ba) if p is not None) < th.derived:
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
    along = by_pair[(source, copy)]
    derived = direction.derived_along(way, along, by_pair.get((copy, source)))
    edge = _edge(source, copy, along, way.decided_by, th, derived)
    if edge is None:
        return None
    # Say so when the derivation is the one the classifier found the other way round.
    other_way = {"derived_other_way": round(derived, 4)} if derived > p_derived(along) else {}
    return replace(edge, direction=way.to_dict() | other_way)


def _edge(source: int, copy: int, p: dict[str, float], decided_by: str, th: Thresholds, derived: float) -> Edge | None:
    """The edge ``source`` → ``copy`` with the pair classes ``p`` of that direction, when the pair is
    derived that way (``derived``: its P(derived), ``models.direction.derived_along``)."""
    if derived < th.derived:
        return None
    cls, conf = best_class(p)
    return Edge(source, copy, cls, conf, derived, 0.0, decided_by)
