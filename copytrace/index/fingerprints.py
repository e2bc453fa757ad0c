"""Candidate-index fingerprints of a text, stored in the ``fingerprints`` table.

Two kinds, because copies come in two shapes:

* ``shingle`` — winnowed hashes of word 5-grams. Verbatim and near-verbatim copies
  (excerpts, wrapped copies) share many of them with their source, however much
  wrapper text surrounds them; winnowing guarantees that any shared run of
  ``window + 4`` words yields at least one shared hash.
* ``term`` — hashes of the text's signature terms (names, numbers, content words).
  Rewrites share few 5-grams with their source but keep its names, figures and
  most of its content words; the query weighs each shared term by its rarity in the
  store (``copytrace.index.terms``), so common words count for little.
"""

from __future__ import annotations

from collections import Counter
from hashlib import blake2b

import numpy as np
import regex
from numpy.lib.stride_tricks import sliding_window_view

SHINGLE_WORDS = 5
WINNOW_WINDOW = 6
SIGNATURE_TERMS = 40
CONTENT_WORD = 5  # letters from which an uncapitalised word is a content word

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'\-]*")
_STOP = frozenset(
    """a an and are as at be been but by for from had has have he her his i in is it its
    mr mrs ms not of on or our she that the their them they this to was we were which who will with
    you after also about said says would could there than then into over more most other some such""".split()
)


def _hash64(token: str) -> int:
    """Stable signed 64-bit hash (fits a BIGINT on every database)."""
    return int.from_bytes(blake2b(token.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def shingle_hashes(text: str) -> set[int]:
    """Winnowed word 5-gram hashes (Schleimer et al., 2003): the minimum of every window."""
    return _winnowed(words(text))


def _winnowed(toks: list[str]) -> set[int]:
    n = len(toks) - SHINGLE_WORDS + 1
    if n <= 0:
        return set()
    digests = b"".join(
        blake2b(" ".join(toks[i : i + SHINGLE_WORDS]).encode("utf-8"), digest_size=8).digest() for i in range(n)
    )
    grams = np.frombuffer(digests, dtype=">i8")  # the same values as _hash64 of each 5-gram
    if n <= WINNOW_WINDOW:
        return set(grams.tolist())
    return set(sliding_window_view(grams, WINNOW_WINDOW).min(axis=1).tolist())


def signature_terms(text: str, limit: int = SIGNATURE_TERMS) -> list[str]:
    """Names, numbers and content words, most frequent (then longest) first: what a rewrite keeps.

    Names and numbers alone miss many rewrites' sources; words of 5+ letters, ranked by rarity, find
    nearly all of them (figures in docs/performance.md, "Figures behind rules in the code")."""
    tokens = _WORD.findall(text)
    return _signature(tokens, [t.casefold() for t in tokens], limit)


def _signature(tokens: list[str], folded: list[str], limit: int) -> list[str]:
    counts: Counter[str] = Counter(
        low
        for token, low in zip(tokens, folded, strict=True)
        if len(low) >= 3
        and low not in _STOP
        and (len(low) >= CONTENT_WORD or token[0].isupper() or any(map(str.isdigit, token)))
    )
    return [term for term, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[:limit]]


def term_hashes(text: str) -> set[int]:
    return {_hash64("t:" + term) for term in signature_terms(text)}


def fingerprint_rows(text: str) -> list[tuple[str, int]]:
    """(kind, value) rows for the candidate index, from one tokenisation of the text."""
    tokens = _WORD.findall(text)
    folded = [t.casefold() for t in tokens]
    terms = {_hash64("t:" + term) for term in _signature(tokens, folded, SIGNATURE_TERMS)}
    return [("shingle", h) for h in sorted(_winnowed(folded))] + [("term", h) for h in sorted(terms)]
