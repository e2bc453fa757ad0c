"""Which of two related texts is the source: direction as its own decision, with its evidence.

The pair classifier says *how* one text derives from another; it cannot say which way a
paraphrase goes (paraphrase is symmetric). The signals, strongest first:

1. ``published``  both pages state a publication date and the dates differ: the earlier is the source.
2. ``fetched``    both copies carry a fetch time (JSONL ``fetched_at``, WARC-Date) and they differ.
3. ``classifier`` a verbatim relation (full copy, excerpt, wrapped copy) the classifier sees one way
                  only: a part of a text, or a text inside page furniture, is the copy.
4. ``style``      one text reads as more machine-rewritten than the other (``models.style``): the
                  other is the source (not read between two copies of the same words: ``same_words``).
                  Any gap decides; ``STYLE_MARGIN`` is the gap past which it is sure. Below it the
                  sign is still right far more often than the signals after it (human paraphrases
                  too read as more rewritten than their sources). Where a side carries page
                  furniture, the gap is the mean of the whole texts' gap and the gap read with that
                  side's part the other matches (``matched_text``) in place of its whole: sponsor
                  and subscribe lines read as human and would make a page around a rewrite look
                  like its source.
5. ``specifics``  information asymmetry: a source holds names, numbers and quotes a rewrite drops,
                  while a rewrite adds almost none of its own (``models.specifics``); read when no
                  style model is loaded, and always recorded in the evidence.
6. ``classifier`` the classifier's margin for a rewrite (a summary covers part of its source).
7. ``fullness``   the fuller text is the source (characters other than white space), its repeats of
                  its own passages counted once.

A date is obeyed, but when the text strongly says the other way the evidence says so
(``contradicted_by``): dates on scraped pages are sometimes the scraper site's own, or a guess.
Only a verbatim relation that holds against publication dates and not along them overrules
them (``overruled``): that a text is a part of another is read from the texts themselves. Fetch
times are obeyed: they are the scraper's own clock, and a pair they order is scored one way only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import style
from models.pairs import VERBATIM_CLASSES
from models.specifics import Specifics, own_count, specifics

INDEPENDENT = "independent"
DATED = frozenset({"published", "fetched"})
VERBATIM_CORE = 0.5  # share of the copy that must be verbatim source text for the classifier to orient first
TIE_MARGIN = 0.15  # the classifier's P(derived) must differ this much between directions to decide
STYLE_MARGIN = style.DEFAULT_MARGIN  # a machine-style log-odds gap this wide is sure (a date it opposes is flagged)
SPECIFICS_MARGIN = 0.2  # (own facts of one - own facts of the other) / (both + 2) must clear this
OVERRULE_DATES = 0.8  # P(derived) of a verbatim relation against the dates that overrules them
CONTRADICTION = 2.0  # a text signal this many times its margin against a date is flagged
DERIVED = 0.5  # P(derived) from which a pair is a derivation (the pipeline's default threshold)
SAME_WORDS = 0.9  # each text this much verbatim text of the other: copies of the same words (as ``VerbatimFloor``)
FURNITURE = 0.5  # a copy's unmatched lines reading this much like page furniture (``copy_leftover_wrapper_max``)


@dataclass(frozen=True)
class Side:
    """One text of a pair as direction sees it."""

    text: str
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    machine_score: float | None = None  # P(reads as machine-rewritten), when a style model is loaded
    matched_score: float | None = None  # the same of the part of this text the other matches (page furniture on it)
    repeated: float = 0.0  # share of this text that repeats its own passages, read as the other's copy
    tie_key: tuple = ()  # the order in which equal texts were seen (earlier first)


@dataclass(frozen=True)
class Orientation:
    """``source`` is 0 when the first text is the source, 1 when the second is."""

    source: int
    decided_by: str
    margin: float
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"decided_by": self.decided_by, "margin": round(self.margin, 4), **self.evidence}


def _derived(p: dict[str, float] | None) -> float | None:
    return None if p is None else 1.0 - p.get(INDEPENDENT, 0.0)


def best_derived_class(p: dict[str, float]) -> str:
    """The most probable of the derived classes (every class but ``independent``) in ``p``."""
    derived = {k: v for k, v in p.items() if k != INDEPENDENT}
    return max(derived, key=derived.get)


def by_dates(a: Side, b: Side) -> Orientation | None:
    """Publication dates first, then fetch times; only like with like, and only when they differ."""
    for name, ta, tb in (("published", a.published_at, b.published_at), ("fetched", a.fetched_at, b.fetched_at)):
        if ta is not None and tb is not None and ta != tb:
            hours = abs((tb - ta).total_seconds()) / 3600
            return Orientation(0 if ta < tb else 1, name, hours, {"hours_apart": round(hours, 2)})
    return None


def carries_furniture(features: dict[str, float] | None) -> bool:
    """Whether the copy of a pair scored one way holds lines that read as page furniture where the
    source does not match it (that direction's ``copy_leftover_wrapper_max``)."""
    return (features or {}).get("copy_leftover_wrapper_max", 0.0) >= FURNITURE


def matched_text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The parts of ``text`` inside ``spans`` (character ranges, in order), one per line: what style
    reads of a text that holds page furniture around what the other text matches."""
    return "\n".join(text[start:end] for start, end in spans)


def style_vote(a: Side, b: Side) -> tuple[int, float] | None:
    """(source, margin) by machine style: the text that reads less machine-written is the source; the
    margin is the gap in log-odds of "machine" (``models.style.orient``).

    When a side carries the score of its matched part (page furniture on it), the gap is the mean of
    the whole texts' gap and the gap read with that part in place of the side's whole text. The whole
    reading alone is diluted by a page's furniture; the matched parts alone are short, and a
    rewriter's own sentences around them are machine-written too, so the two readings are averaged
    (docs/accuracy.md compares them). A side without furniture is read whole both times."""
    if a.machine_score is None or b.machine_score is None:
        return None
    gap = style.log_odds(b.machine_score) - style.log_odds(a.machine_score)
    if a.matched_score is not None or b.matched_score is not None:
        ma = a.machine_score if a.matched_score is None else a.matched_score
        mb = b.machine_score if b.matched_score is None else b.matched_score
        gap = (gap + style.log_odds(mb) - style.log_odds(ma)) / 2
    return (0 if gap > 0 else 1), abs(gap)


def same_words(
    verbatim: tuple[float | None, float | None],
    proba_ab: dict[str, float] | None,
    proba_ba: dict[str, float] | None,
) -> bool:
    """Whether the two texts are copies of the same words: each is mostly verbatim text of the other
    (both ``verbatim`` shares at least ``SAME_WORDS``) and the classifier calls either a full copy of
    the other. Style reads how a text was rewritten; between two copies of the same words (re-flowed,
    a credit line more or less) its gap is noise, so it does not vote there. A light rewrite or a page
    with a few lines of furniture can be as verbatim, but the classifier tells them from a full copy."""
    if proba_ab is None or proba_ba is None:
        return False
    full = all(best_derived_class(p) == "full-copy" for p in (proba_ab, proba_ba))
    return full and all(share is not None and share >= SAME_WORDS for share in verbatim)


def specifics_vote(sa: Specifics, sb: Specifics) -> tuple[int, float, dict[str, int]]:
    """(source, margin, counts) by information asymmetry: the side holding more facts the other lacks."""
    own_a, own_b = own_count(sa, sb), own_count(sb, sa)
    margin = (own_a - own_b) / (own_a + own_b + 2)
    return (0 if margin >= 0 else 1), abs(margin), {"own_facts_first": own_a, "own_facts_second": own_b}


def content_chars(text: str) -> int:
    """The characters of ``text`` that are not white space: what fullness counts. A scraper re-flows
    what it copies (blank lines, doubled spaces), which makes a copy longer without making it fuller."""
    return sum(map(len, text.split()))


def _fullness(a: Side, b: Side) -> Orientation:
    ca, cb = content_chars(a.text), content_chars(b.text)
    fa, fb = ca * (1.0 - a.repeated), cb * (1.0 - b.repeated)
    if fa != fb:
        source = 0 if fa > fb else 1
    else:
        source = 0 if a.tie_key <= b.tie_key else 1
    margin = abs(fa - fb) / max(fa, fb, 1.0)
    return Orientation(source, "fullness", margin, {"chars_first": ca, "chars_second": cb})


def by_text(
    a: Side,
    b: Side,
    proba_ab: dict[str, float] | None,
    proba_ba: dict[str, float] | None,
    specifics_of: tuple[Specifics, Specifics] | None = None,
    verbatim: tuple[float | None, float | None] = (None, None),
) -> Orientation:
    """Direction from the texts alone (signals 3 to 7 of the module doc). ``verbatim`` is the share of
    the copy that is verbatim source text in each direction (a→b, b→a), when known: a wrapped copy
    may wrap a rewrite, and only a verbatim core says which text is the part."""
    d_ab, d_ba = _derived(proba_ab), _derived(proba_ba)
    classifier_pick = None
    if d_ab is not None and d_ba is not None and abs(d_ab - d_ba) >= TIE_MARGIN:
        pick = 0 if d_ab > d_ba else 1
        winning = proba_ab if pick == 0 else proba_ba
        classifier_pick = (pick, abs(d_ab - d_ba), best_derived_class(winning), verbatim[pick])
    evidence: dict[str, Any] = {}
    if classifier_pick is not None:
        evidence["classifier"] = {"source": classifier_pick[0], "margin": round(classifier_pick[1], 4)}
        share = classifier_pick[3]
        if classifier_pick[2] in VERBATIM_CLASSES and (share is None or share >= VERBATIM_CORE):
            return Orientation(classifier_pick[0], "classifier", classifier_pick[1], evidence)
    style = None if same_words(verbatim, proba_ab, proba_ba) else style_vote(a, b)
    sa, sb = specifics_of or (specifics(a.text), specifics(b.text))
    pick, margin, counts = specifics_vote(sa, sb)
    evidence["specifics"] = counts
    if style is not None:
        evidence["style"] = {"machine_first": round(a.machine_score, 4), "machine_second": round(b.machine_score, 4)}
        for name, side in (("matched_first", a), ("matched_second", b)):
            if side.matched_score is not None:
                evidence["style"][name] = round(side.matched_score, 4)
        if style[1] > 0:
            return Orientation(style[0], "style", style[1], evidence)
    if margin >= SPECIFICS_MARGIN:
        return Orientation(pick, "specifics", margin, evidence)
    if classifier_pick is not None:
        return Orientation(classifier_pick[0], "classifier", classifier_pick[1], evidence)
    fullness = _fullness(a, b)
    return Orientation(fullness.source, "fullness", fullness.margin, evidence | fullness.evidence)


def orient_by_dates(
    a: Side,
    b: Side,
    proba_ab: dict[str, float] | None = None,
    proba_ba: dict[str, float] | None = None,
) -> Orientation:
    """Direction of a pair both of whose texts carry dates (``by_dates`` is not None): the dates, unless
    a verbatim derivation holds only against them — a part of a text, or a text inside page furniture,
    is the copy whatever a page's (perhaps guessed) date says."""
    dated = by_dates(a, b)
    if dated is None:
        raise ValueError("orient_by_dates needs two texts with comparable dates")
    along, against = (proba_ab, proba_ba) if dated.source == 0 else (proba_ba, proba_ab)
    if (
        dated.decided_by == "published"  # a page's own date may be a guess; a fetch time is the scraper's clock
        and along is not None
        and against is not None
        and (_derived(along) or 0.0) < 0.5
        and (_derived(against) or 0.0) >= OVERRULE_DATES
        and best_derived_class(against) in VERBATIM_CLASSES
    ):
        return Orientation(
            1 - dated.source,
            "classifier",
            (_derived(against) or 0.0) - (_derived(along) or 0.0),
            {"overruled": dated.decided_by, **dated.evidence},
        )
    return dated


def orient(
    a: Side,
    b: Side,
    proba_ab: dict[str, float] | None = None,
    proba_ba: dict[str, float] | None = None,
    specifics_of: tuple[Specifics, Specifics] | None = None,
    verbatim: tuple[float | None, float | None] = (None, None),
) -> Orientation:
    """Which of ``a`` and ``b`` is the source: by dates where both carry them, else by the text.

    ``proba_ab`` is the classifier's pair-class probabilities for ``a`` as source of ``b``, and
    ``proba_ba`` the reverse; a dated pair needs neither (only its earlier → later direction is scored).
    ``specifics_of`` are the two texts' specifics when the caller has them already. A dated pair's
    text is read too, to flag a strong contradiction.
    """
    if by_dates(a, b) is None:
        return by_text(a, b, proba_ab, proba_ba, specifics_of, verbatim)
    dated = orient_by_dates(a, b, proba_ab, proba_ba)
    if dated.decided_by not in DATED:
        return dated
    # The text's own say, without the classifier (one direction is all a dated pair is scored in).
    text = by_text(a, b, None, None, specifics_of)
    threshold = {"style": STYLE_MARGIN, "specifics": SPECIFICS_MARGIN}.get(text.decided_by)
    if threshold is not None and text.source != dated.source and text.margin >= CONTRADICTION * threshold:
        return Orientation(
            dated.source,
            dated.decided_by,
            dated.margin,
            dated.evidence | {"contradicted_by": text.decided_by, "contradiction_margin": round(text.margin, 4)},
        )
    return dated


def derived_along(way: Orientation, along: dict[str, float], against: dict[str, float] | None = None) -> float:
    """P(derived) of a pair in the direction ``way`` chose: the classifier's for that direction (``along``),
    or, when a sure machine-style reading chose it, the larger of both directions'.

    A rewrite that elaborates (longer than its source, details of its own around each of the source's
    sentences) has the shape of the reverse of a partial rewrite, so the classifier may find the
    derivation only the other way round: the source, read as the copy, summarises part of it. The
    derivation the classifier found stands; a sure style reading says which text is the rewrite.
    Below the sure margin, or by any other signal, only the chosen direction's probability counts: a
    human rewrite's direction by style is right less often, and a wrong one would accuse the source."""
    derived = _derived(along) or 0.0
    if against is not None and way.decided_by == "style" and way.margin >= STYLE_MARGIN:
        return max(derived, _derived(against) or 0.0)
    return derived


def orient_texts(
    text_a: str,
    text_b: str,
    proba_ab: dict[str, float] | None = None,
    proba_ba: dict[str, float] | None = None,
    machine_scores: tuple[float, float] | None = None,
    matched_scores: tuple[float | None, float | None] | None = None,
    verbatim: tuple[float | None, float | None] = (None, None),
) -> Orientation:
    """``orient`` for two bare texts without dates (the generalisation report's figures): ``matched_scores``
    are the machine-style scores of the part of each the other matches (None for a side without page
    furniture), ``verbatim`` the share of the copy that is verbatim source text in each direction."""
    ma, mb = machine_scores if machine_scores is not None else (None, None)
    xa, xb = matched_scores if matched_scores is not None else (None, None)
    return orient(
        Side(text_a, machine_score=ma, matched_score=xa, tie_key=(0,)),
        Side(text_b, machine_score=mb, matched_score=xb, tie_key=(1,)),
        proba_ab,
        proba_ba,
        verbatim=verbatim,
    )
