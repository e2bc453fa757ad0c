"""Tokens and units of a text, with character offsets into the text exactly as given.

Every comparison in ``models/`` works on the same view of a text: lower-cased word
tokens (punctuation, quotes and whitespace dropped, so curly/straight quotes and
re-flowed paragraphs do not matter) and *units* — sentences inside lines — which are
what the aligner matches. Offsets always point into the original string so that
evidence (spans, wrapper segments) can be shown to a user as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat

import numpy as np

TOKEN_RE = re.compile(r"\w+")
_SPLIT_RE = re.compile(r"(\w+)")
#: sklearn ``token_pattern`` that yields the same tokens as ``TOKEN_RE`` (lower-cased by the vectorizer).
TOKEN_PATTERN = r"(?u)\b\w+\b"
_LINE_RE = re.compile(r"[^\n]+")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital, a digit or
# an opening quote, or glued straight to the next sentence ("$10.9bn.For the full-year").
# Candidates are found by one cheap regex; abbreviations and initials are filtered in Python.
_SENT_END_RE = re.compile(r"[.!?](?:([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?=[A-Z][a-z]))")
_NO_END_BEFORE = {"mr", "mrs", "ms", "dr", "st", "no", "vs", "gen", "gov", "sen", "rep", "jr", "sr", "prof"}
MAX_UNIT_TOKENS = 60  # long unpunctuated runs (flattened menus, link farms) are cut into chunks
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


@dataclass(frozen=True)
class TextView:
    """A text's tokens (hashed, per process) and units, all with offsets into ``text``.

    A prepared text (``models.alignment.Prepared``) keeps its view without ``tokens``, ``tok_end``
    and ``tok_hash`` (empty): nothing reads them once it is prepared."""

    text: str
    tokens: list[str]  # lower-cased
    tok_start: np.ndarray  # char offset of each token
    tok_end: np.ndarray
    tok_hash: np.ndarray  # uint64 hash of each lower-cased token (process-local: never persist)
    unit_start: np.ndarray  # char offsets of each unit
    unit_end: np.ndarray
    unit_tok_start: np.ndarray  # token index range of each unit
    unit_tok_end: np.ndarray

    @property
    def n_tokens(self) -> int:
        return len(self.tok_start)

    @property
    def unit_tokens(self) -> np.ndarray:
        return self.unit_tok_end - self.unit_tok_start

    def unit_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in zip(self.unit_start.tolist(), self.unit_end.tolist(), strict=True)]


def view(text: str) -> TextView:
    """Tokenise ``text`` and cut it into units (sentences within lines, long runs chunked)."""
    tokens, tok = _ascii_tokens(text) if text.isascii() else _tokens(text)
    tok_hash = np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens)).view(np.uint64)
    starts = tok[:, 0]
    units = _unit_bounds(text)
    bounds = np.array(units, dtype=np.int64).reshape(-1, 2)
    tok_a = np.searchsorted(starts, bounds[:, 0]).tolist()
    tok_b = np.searchsorted(starts, bounds[:, 1]).tolist()
    # keep units with at least one token; chunk very long ones
    out: list[tuple[int, int, int, int]] = []
    for (a, b), ta, tb in zip(units, tok_a, tok_b, strict=True):
        if tb <= ta:
            continue
        for c in range(ta, tb, MAX_UNIT_TOKENS):
            d = min(tb, c + MAX_UNIT_TOKENS)
            if tb - d < MAX_UNIT_TOKENS // 4:  # do not leave a tiny tail chunk
                d = tb
            ca = a if c == ta else int(tok[c, 0])
            cb = b if d == tb else int(tok[d - 1, 1])
            out.append((ca, cb, c, d))
            if d == tb:
                break
    arr = np.array(out, dtype=np.int64).reshape(-1, 4)
    return TextView(text, tokens, tok[:, 0], tok[:, 1], tok_hash, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


def _tokens(text: str) -> tuple[list[str], np.ndarray]:
    """Lower-cased ``\\w+`` tokens and their (start, end) offsets."""
    parts = _SPLIT_RE.split(text)  # [gap, token, gap, token, ..., gap]: offsets by cumulative length
    if len(parts) == 1:
        return [], np.zeros((0, 2), dtype=np.int64)
    ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    return "\x00".join(parts[1::2]).lower().split("\x00"), np.stack([ends[0:-1:2], ends[1::2]], axis=1)


# On ASCII, ``\w`` is a letter, a digit or "_": these bytes are 1, the others 0.
_ASCII_WORD = np.array([chr(c).isalnum() or c == ord("_") for c in range(128)], dtype=np.int8)
#: ``bytes.translate`` table turning every byte that is not a word character into a space.
ASCII_NOT_WORD_TO_SPACE = bytes(c if _ASCII_WORD[c] else ord(" ") for c in range(128)) + b" " * 128


def _ascii_tokens(text: str) -> tuple[list[str], np.ndarray]:
    """``_tokens`` of an ASCII text, found on its bytes: a third of the time of the regex split."""
    raw = text.encode("ascii")
    word = np.zeros(len(raw) + 2, dtype=np.int8)  # a non-word byte on either side
    word[1:-1] = _ASCII_WORD[np.frombuffer(raw, dtype=np.uint8)]
    edges = word[1:] - word[:-1]  # 1 where a token starts, -1 one past where it ends
    tok = np.empty((int(np.count_nonzero(edges == 1)), 2), dtype=np.int64)
    tok[:, 0] = np.flatnonzero(edges == 1)
    tok[:, 1] = np.flatnonzero(edges == -1)
    return raw.lower().translate(ASCII_NOT_WORD_TO_SPACE).decode("ascii").split(), tok


def _unit_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence within each line."""
    cuts = []
    for m in _SENT_END_RE.finditer(text):
        i = m.start()
        before = text[max(0, i - 5) : i].split()
        word = before[-1] if before else ""
        glued = m.end() == i + 1
        if (len(word) == 1 and word.isupper()) or word.lower() in _NO_END_BEFORE:
            continue
        if glued and not (i and (text[i - 1].islower() or text[i - 1] in "%)")):
            continue
        cuts.append((i + 1 + len(m.group(1) or ""), m.end()))
    units: list[tuple[int, int]] = []
    k = 0
    for line in _LINE_RE.finditer(text):
        a, b = line.span()
        while k < len(cuts) and cuts[k][0] <= a:
            k += 1
        while k < len(cuts) and cuts[k][1] < b:
            units.append((a, cuts[k][0]))
            a = cuts[k][1]
            k += 1
        units.append((a, b))
    return units


def word_hashes(text: str) -> np.ndarray:
    """Hash of each lower-cased whitespace-separated word, as ``ngram_hashes`` takes them (Python's
    ``hash``: salted per process, so for comparisons within one process only, never stored)."""
    words = text.lower().split()
    return np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)


def ngram_hashes(tok_hash: np.ndarray, n: int) -> np.ndarray:
    """Hash of every word n-gram starting at each position (length ``len - n + 1``), vectorised."""
    m = len(tok_hash) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = tok_hash[:m].copy()
    for k in range(1, n):
        h = (h * _MIX[k % 4]) ^ tok_hash[k : k + m]
    return h


def distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)``: its sorted distinct values. For the few hundred hashes of a text, NumPy 2's
    ``unique`` (a hash table, then a sort) took four times as long as sorting and masking."""
    ordered = np.sort(a)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def containment(a: np.ndarray, b_sorted_unique: np.ndarray) -> np.ndarray:
    """Boolean mask: which of the hashes ``a`` occur in ``b_sorted_unique``."""
    if len(a) == 0 or len(b_sorted_unique) == 0:
        return np.zeros(len(a), dtype=bool)
    idx = np.searchsorted(b_sorted_unique, a)
    idx[idx == len(b_sorted_unique)] = 0
    return b_sorted_unique[idx] == a


@dataclass(frozen=True)
class TfidfRows:
    """A text's TF-IDF over its own vocabulary: ``ids`` (sorted vocabulary indices), the
    l2-normalised units x ids matrix by its non-zero entries (``unit_of``, ``unit_col``: a position
    in ``ids``, ``unit_weight``; ``unit_matrix`` makes it dense), and the whole text's l2-normalised
    ``doc`` weights over the same ids; and ``token_ids``, the vocabulary index of each of the view's
    tokens (-1 if not in it), from which a part of the text is weighed without looking its tokens up
    again.

    The units are kept by their entries because a call holds every text it prepares
    (``models.alignment``): dense, they were a third of its bytes, nine in ten of them zeros."""

    ids: np.ndarray
    n_units: int
    unit_of: np.ndarray
    unit_col: np.ndarray
    unit_weight: np.ndarray
    doc: np.ndarray
    token_ids: np.ndarray

    def unit_matrix(self, columns: np.ndarray) -> np.ndarray:
        """The units (rows) over ``columns``, sorted vocabulary indices that include ``ids``: dense, float32."""
        m = np.zeros((self.n_units, len(columns)), dtype=np.float32)
        m[self.unit_of, np.searchsorted(columns, self.ids)[self.unit_col]] = self.unit_weight
        return m


def tfidf_rows(v: TextView, vocabulary: dict[str, int], idf: np.ndarray) -> TfidfRows:
    """Sublinear TF-IDF of ``v``'s units and of the whole text.

    Same weighting as a fitted ``TfidfVectorizer(sublinear_tf=True, token_pattern=TOKEN_PATTERN)``,
    built from the tokens ``view`` already has, which is several times faster than
    re-analysing every unit.
    """
    token_ids = np.fromiter(map(vocabulary.get, v.tokens, repeat(-1)), dtype=np.int32, count=len(v.tokens))
    unit_of = np.repeat(np.arange(len(v.unit_start)), v.unit_tokens)
    known = token_ids >= 0
    ids, unit_of = token_ids[known].astype(np.int64), unit_of[known]
    local, pos = np.unique(ids, return_inverse=True)
    n_units, width = len(v.unit_start), len(local)
    counts = np.bincount(unit_of * width + pos, minlength=n_units * width).reshape(n_units, width).astype(np.float32)
    weights = idf[local].astype(np.float32)
    units = np.where(counts > 0, (1.0 + np.log(np.maximum(counts, 1.0))) * weights, 0.0).astype(np.float32)
    units /= np.maximum(np.linalg.norm(units, axis=1, keepdims=True), 1e-12)
    total = counts.sum(axis=0)
    doc = (1.0 + np.log(np.maximum(total, 1.0))) * weights
    rows, cols = np.nonzero(units)
    return TfidfRows(
        local,
        n_units,
        rows.astype(np.int32),
        cols.astype(np.int32),
        units[rows, cols],
        doc / max(float(np.linalg.norm(doc)), 1e-12),
        token_ids,
    )


def sparse_dot(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Dot product of two ``(sorted unique ids, weights)`` vectors: the shorter one's ids looked up
    in the longer one's (a binary search each), not both sorted together as ``intersect1d`` does."""
    if len(a[0]) > len(b[0]):
        a, b = b, a
    if len(a[0]) == 0:
        return 0.0
    at = np.minimum(np.searchsorted(b[0], a[0]), len(b[0]) - 1)
    hit = b[0][at] == a[0]
    return float((a[1][hit] * b[1][at[hit]]).sum())


def overlap(a_unique: np.ndarray, b_unique: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values have in common."""
    if len(a_unique) > len(b_unique):
        a_unique, b_unique = b_unique, a_unique
    return int(containment(a_unique, b_unique).sum())


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def char_grams(text: str, n_features: int, n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Distinct hashed char ``n``-grams of the case-, quote- and whitespace-normalised text, with counts.

    Deterministic (arithmetic on code points, not Python's salted ``hash``), so the IDF
    learned over these buckets can be saved with the model.
    """
    low = text.lower()
    s = " ".join((low if low.isascii() else low.translate(_QUOTES)).split())  # _QUOTES maps no ASCII
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    m = len(codes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    h = codes[:m].copy()
    for k in range(1, n):
        h = h * np.uint64(1000003) + codes[k : k + m]
    buckets = ((h * _MIX[0]) >> np.uint64(40)) % np.uint64(n_features)
    ids, counts = np.unique(buckets.astype(np.int64), return_counts=True)
    return ids, counts.astype(np.float64)
