"""The specifics of a text — names, numbers, dates and quotes — and what two texts share of them.

LABELS.md separates a rewrite from independent coverage of one story by its facts: a rewrite
brings no facts of its own and keeps the source's order of facts; independent coverage brings
names, numbers, quotes and dates the other text lacks, in its own order. The same asymmetry
orients a rewrite: its source holds specifics the rewrite drops, while a rewrite adds almost
none of its own.

Names are capitalised words that do not open a sentence (a cheap stand-in for named entities
that needs no model and works in any Latin-script language); numbers are digit runs with their
separators removed ("1,200" and "1200" are one number); quotes are runs of at least four words
between quotation marks, compared by their word 3-grams so a re-punctuated quote still counts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from models.text import TextView, containment, distinct, ngram_hashes, view

_OPENERS = frozenset(".!?…:;\n\r\"“”'‘’([-–—•|")  # after these (and spaces), a capital opens a sentence
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*\b|\b[A-Z]{2,}\b")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_QUOTE = re.compile(r"[\"“]([^\"“”]{12,600}?)[\"”]")
_POSSESSIVE = re.compile(r"['’]s?$")
# Capitalised function words and calendar words that say nothing about which facts a text holds.
_COMMON = frozenset(
    """a an and as at but by for from he her his i if in it its mr mrs ms dr of on or she so the their
    then there these they this those to we when where which while who with you your our us it's
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
QUOTE_SHARED = 0.5  # of a quote's word 3-grams the other text must hold for the quote to count as shared


@dataclass(frozen=True)
class Specifics:
    """A text's specifics in order of first appearance, and its quotes' word 3-grams."""

    facts: tuple[str, ...]  # names and numbers, lower-cased, each once, in order of first appearance
    quotes: tuple[np.ndarray, ...]  # each quote's distinct word 3-gram hashes
    grams: np.ndarray  # the text's distinct word 3-gram hashes, sorted (to find the other's quotes in it);
    # like every token hash, process-local: compared within one process only

    @property
    def fact_set(self) -> frozenset[str]:
        return frozenset(self.facts)


def specifics(text: str, tokens: TextView | None = None) -> Specifics:
    """Names, numbers and quotes of ``text``; ``tokens``, its ``view`` if the caller has it (word
    3-grams of the text and of its quotes are read off its tokens, not tokenised again)."""
    found: list[tuple[int, str]] = []
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        if _opens_sentence(text, start):
            continue
        word = _POSSESSIVE.sub("", match.group().lower())
        if word not in _COMMON:
            found.append((start, word))
    found += [(m.start(), "#" + m.group().replace(",", "").rstrip(".")) for m in _NUMBER.finditer(text)]
    found.sort()
    ordered = tuple(dict.fromkeys(f for _, f in found))
    v = view(text) if tokens is None else tokens
    trigrams = ngram_hashes(v.tok_hash, 3)  # trigrams[i]: the 3-gram that starts at token i
    quotes = []
    for q in _QUOTE.finditer(text):
        # a quotation mark is not a word character, so no token straddles the quote's ends
        first, end = np.searchsorted(v.tok_start, q.span(1)).tolist()
        if end - first >= 4:
            quotes.append(distinct(trigrams[first : end - 2]))
    return Specifics(ordered, tuple(quotes), distinct(trigrams))


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a line, a sentence or a quotation."""
    k = start - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    if k < 0:
        return True
    return text[k] in _OPENERS


def own_share(a: Specifics, b: Specifics) -> float:
    """Share of ``a``'s names and numbers that ``b`` lacks (0 when ``a`` has none)."""
    if not a.facts:
        return 0.0
    other = b.fact_set
    return sum(f not in other for f in a.facts) / len(a.facts)


def own_count(a: Specifics, b: Specifics) -> int:
    """How many of ``a``'s names and numbers ``b`` lacks."""
    other = b.fact_set
    return sum(f not in other for f in a.facts)


def own_quote_share(a: Specifics, b: Specifics) -> float:
    """Share of ``a``'s quotes that ``b`` does not carry (0 when ``a`` quotes nobody)."""
    if not a.quotes:
        return 0.0
    sizes = np.array([len(q) for q in a.quotes])
    found = containment(np.concatenate(a.quotes), b.grams)  # one lookup for every quote's 3-grams
    held = np.add.reduceat(found.astype(np.int64), np.r_[0, np.cumsum(sizes)[:-1]]) if sizes.sum() else sizes
    held = np.where(sizes > 0, held, 0)  # reduceat reads an empty quote's slot from the next one
    return float(np.count_nonzero(held < QUOTE_SHARED * sizes)) / len(a.quotes)


def order_kept(a: Specifics, b: Specifics) -> float:
    """Share of consecutive shared facts (in ``a``'s order) that ``b`` has in the same order.

    1.0 when fewer than three facts are shared: too few to say the order was changed."""
    rank = {f: i for i, f in enumerate(b.facts)}
    shared = [rank[f] for f in a.facts if f in rank]
    if len(shared) < 3:
        return 1.0
    return sum(x < y for x, y in zip(shared, shared[1:], strict=False)) / (len(shared) - 1)


def shared_count(a: Specifics, b: Specifics) -> int:
    return len(a.fact_set & b.fact_set)


SPECIFICS_FEATURES = (
    "copy_own_facts_share",
    "source_own_facts_share",
    "copy_own_quotes_share",
    "source_own_quotes_share",
    "shared_facts_order_kept",
    "shared_facts_log",
)


def pair_features(source: Specifics, copy: Specifics) -> list[float]:
    """The ``SPECIFICS_FEATURES`` of a (source, copy) pair."""
    return [
        own_share(copy, source),
        own_share(source, copy),
        own_quote_share(copy, source),
        own_quote_share(source, copy),
        order_kept(source, copy),
        math.log1p(shared_count(source, copy)),
    ]
