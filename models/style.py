"""Which of two texts reads as machine-rewritten: a style score that orients LLM rewrites.

A paraphrase relation is symmetric: given a text and its LLM rewrite, the alignment
cannot say which came first. Style can. ``MachineStyle`` scores P(machine) for one
text at a time, and ``orient`` calls the text that reads clearly more machine-like the
rewrite — or declines when the two are too close to call.

    normalise  FunctionTransformer   typography and encoding residue removed, first ``max_chars`` kept
    features   FeatureUnion          word 1-2-gram TF-IDF | char_wb 3-5-gram TF-IDF (both sublinear, l2)
    classify   LogisticRegression    class-balanced, 1 = machine, 0 = human

Normalisation is there so that the model learns wording rather than how a text was
stored: curly vs straight quotes, cp1252 bytes read as Latin-1, UTF-8 read as cp1252,
HTML line-break tags and whitespace layout are all properties of the corpus a text came
from (the L2R human texts carry them, their LLM rewrites do not), not of who wrote it.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from models.text import TOKEN_PATTERN
from models.tfidf import StableTfidfVectorizer

# ``orient`` decides only when the two texts' log-odds of "machine" differ by at least this much.
# Chosen with ``python -m models.fit_style --report``: the smallest gap at which the pairs of every
# held-out LLM and every held-out domain family, taken one by one, are oriented right at least
# ``TARGET_DECIDED_ACCURACY`` of the time when decided. The worst fold sets it, not the average:
# the rewriters and registers met in use are new ones.
DEFAULT_MARGIN = 1.75
TARGET_DECIDED_ACCURACY = 0.98
_SEPARATOR = "\x00"  # between the terms of a pickled vocabulary (no term holds it; checked when pickling)
_EPS = 1e-9  # probabilities are clipped to [eps, 1 - eps] before taking log-odds
SCORE_CHUNK = 256  # texts scored at once: bounds the n-gram lists held in memory

# cp1252 bytes 0x80-0x9f that a Latin-1 reader turned into C1 control characters.
_C1 = {c: bytes([c]).decode("cp1252", "ignore") or " " for c in range(0x80, 0xA0)}
_C1_RE = re.compile("[\x80-\x9f]")


def _decoded(b: int) -> str:
    """The character a cp1252 reader makes of byte ``b`` (Latin-1's for cp1252's five holes)."""
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([b]).decode("latin-1")


_BYTE_OF = {_decoded(b): b for b in range(0x80, 0x100)}
# UTF-8 multi-byte sequences that were decoded one byte at a time as cp1252 ("Â£", "â€™").
_CONT = "".join(re.escape(_decoded(b)) for b in range(0x80, 0xC0))
_MOJIBAKE = re.compile(f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,40}>")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'}  # fmt: skip


def _unmojibake(match: re.Match[str]) -> str:
    try:
        return bytes(_BYTE_OF[ch] for ch in match.group()).decode("utf-8")
    except (UnicodeDecodeError, KeyError):
        return match.group()


def normalise(text: str, max_chars: int | None = None) -> str:
    """``text`` as the model reads it: encoding residue repaired, HTML tags and curly quotes gone,
    whitespace collapsed, then cut to its first ``max_chars`` characters at a word boundary.

    The cut keeps scoring time flat for very long texts; the l2-normalised TF-IDF rows already
    make the score independent of length, so a long prefix carries the same style evidence."""
    if max_chars is not None:  # twice the room, for the whitespace and tags that go; no work on the rest
        text = text[: max_chars * 2]
    if "\x00" in text:  # the scorer joins texts with NUL
        text = text.replace("\x00", " ")
    if _C1_RE.search(text):
        text = text.translate(_C1)
    if "\u00c2" in text or "\u00c3" in text or "\u00e2" in text:
        text = _MOJIBAKE.sub(_unmojibake, text)
    text = unicodedata.normalize("NFKC", _TAG.sub(" ", text))
    for curly, straight in _QUOTES.items():  # str.replace per quote: far quicker than str.translate
        if curly in text:
            text = text.replace(curly, straight)
    text = " ".join(text.split())
    if max_chars is not None and len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def normalise_texts(texts: Iterable[str], max_chars: int | None = None) -> list[str]:
    """``normalise`` of each text (the pipeline's first step)."""
    return [normalise(t, max_chars) for t in texts]


class MachineStyle(BaseEstimator, ClassifierMixin):
    """P(text reads as machine-rewritten), from word and character n-gram style.

    ``fit(texts, y)`` with ``y`` 1 for machine (LLM) text and 0 for human text. After fitting,
    ``pipeline_`` is the one scikit-learn ``Pipeline`` that does the work and ``classes_`` is
    ``[0, 1]``. Parameters:

    - ``max_chars``: characters of each (normalised) text that are read; ``None`` reads all.
    - ``word_min_df`` / ``word_max_features``: word 1-2-gram vocabulary (a gram must occur in
      ``word_min_df`` training texts; the most frequent ``word_max_features`` are kept).
    - ``char_min_df`` / ``char_max_features``: the same for char_wb 3-5-grams.
    - ``C``: inverse L2 regularisation strength of the logistic regression.
    """

    def __init__(
        self,
        max_chars: int | None = 3000,
        word_min_df: int = 3,
        word_max_features: int | None = 100_000,
        char_min_df: int = 3,
        char_max_features: int | None = 150_000,
        C: float = 4.0,
        max_iter: int = 2000,
    ) -> None:
        self.max_chars = max_chars
        self.word_min_df = word_min_df
        self.word_max_features = word_max_features
        self.char_min_df = char_min_df
        self.char_max_features = char_max_features
        self.C = C
        self.max_iter = max_iter

    def _build(self) -> Pipeline:
        word = StableTfidfVectorizer(
            token_pattern=TOKEN_PATTERN,  # keeps one-letter words ("a", "I"): they are style too
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=self.word_min_df,
            max_features=self.word_max_features,
            dtype=np.float32,
        )
        char = StableTfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=self.char_min_df,
            max_features=self.char_max_features,
            dtype=np.float32,
        )
        return Pipeline(
            [
                ("normalise", FunctionTransformer(normalise_texts, kw_args={"max_chars": self.max_chars})),
                ("features", FeatureUnion([("word", word), ("char", char)])),
                ("classify", LogisticRegression(C=self.C, class_weight="balanced", max_iter=self.max_iter)),
            ]
        )

    def fit(self, X: Sequence[str], y: Sequence[int]) -> MachineStyle:
        """Fit on texts ``X`` with labels ``y`` (1 machine, 0 human); returns ``self``."""
        texts = _as_texts(X)
        labels = np.asarray(y, dtype=np.int64)
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        if set(np.unique(labels).tolist()) != {0, 1}:
            raise ValueError("y must hold both labels: 1 (machine) and 0 (human)")
        self.pipeline_ = self._build().fit(texts, labels)
        self.classes_ = self.pipeline_.classes_
        char = self.pipeline_.named_steps["features"].transformer_list[1][1]
        self.char_keys_, self.char_columns_ = _char_table(char)
        return self

    # Pickled, each vectorizer's vocabulary (hundreds of thousands of terms) is one string of its terms
    # in column order: a dict of that size is rebuilt by joblib's pure-Python unpickler one item at a
    # time, which is slow to load; splitting one string and enumerating it is fast.
    def __getstate__(self):
        # A copy: ``object.__getstate__`` hands back the instance's own ``__dict__``, so packing into
        # it would strip the vocabularies of the model being pickled, not only of its pickle.
        state = dict(super().__getstate__())
        if "pipeline_" in state:
            state["pipeline_"] = pipeline = copy.deepcopy(state["pipeline_"])
            packed = []
            for _, vectorizer in pipeline.named_steps["features"].transformer_list:
                terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
                if any(_SEPARATOR in t for t in terms):
                    packed.append(None)
                    continue
                packed.append(_SEPARATOR.join(terms))
                del vectorizer.vocabulary_
            state["_packed_vocabularies"] = packed
        return state

    def __setstate__(self, state):
        packed = state.pop("_packed_vocabularies", None)
        super().__setstate__(state)
        if packed is not None:
            for (_, vectorizer), terms in zip(
                self.pipeline_.named_steps["features"].transformer_list, packed, strict=True
            ):
                if terms is not None:
                    vectorizer.vocabulary_ = {t: i for i, t in enumerate(terms.split(_SEPARATOR))}

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Log-odds of "machine" per text.

        The same number as ``pipeline_.decision_function`` (to float32 rounding), computed without
        scikit-learn's per-n-gram Python loops, which were nearly all of the scoring time: word
        n-grams are looked up in one pass per batch, char n-grams are found by hashing every window
        of the text in NumPy and looked up in the hash table ``char_keys_``, and each text's l2-normalised
        TF-IDF row is dotted with the coefficients without building the sparse matrix."""
        check_is_fitted(self, "pipeline_")
        normalise_step, features, classify = (step for _, step in self.pipeline_.steps)
        texts = normalise_step.transform(_as_texts(X))
        (_, word), (_, char) = features.transformer_list
        coef = classify.coef_[0].astype(np.float64)
        word_coef, char_coef = coef[: len(word.idf_)], coef[len(word.idf_) :]
        out = np.empty(len(texts), dtype=np.float64)
        for start in range(0, len(texts), SCORE_CHUNK):
            chunk = texts[start : start + SCORE_CHUNK]
            word_hits = _word_occurrences(word, chunk)
            char_hits = _char_occurrences(self.char_keys_, self.char_columns_, char.ngram_range, chunk)
            out[start : start + len(chunk)] = (
                _linear_score(word_hits, len(chunk), word.idf_, word_coef)
                + _linear_score(char_hits, len(chunk), char.idf_, char_coef)
                + float(classify.intercept_[0])
            )
        return out

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """``(n, 2)`` array: P(human), P(machine) per text (the logistic of ``decision_function``)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """1 where a text more likely reads as machine than as human, else 0."""
        return (self.machine_score(X) > 0.5).astype(np.int64)

    def machine_score(self, texts: Sequence[str]) -> np.ndarray:
        """P(machine) per text, a float array of ``len(texts)``."""
        return self.predict_proba(texts)[:, 1]

    def orient_pair(self, text_a: str, text_b: str, margin: float = DEFAULT_MARGIN) -> int | None:
        """``orient`` of the two texts' machine scores: 0 if A reads as the rewrite, 1 if B, else None."""
        score_a, score_b = self.machine_score([text_a, text_b]).tolist()
        return orient(score_a, score_b, margin)


def _word_occurrences(vectorizer: TfidfVectorizer, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(text row, vocabulary column) of every known word 1-2-gram occurrence in ``texts``."""
    find = re.compile(vectorizer.token_pattern).findall
    grams: list[str] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        tokens = find(text.lower())
        grams += tokens
        grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        lengths[row] = 2 * len(tokens) - 1 if tokens else 0
    ids = np.fromiter(map(vectorizer.vocabulary_.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    known = ids >= 0
    return rows[known], ids[known]


# Odd 64-bit multipliers of the char n-gram hash (one per position in the n-gram).
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x94D049BB133111EB,
     0xBF58476D1CE4E5B9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)  # fmt: skip


def _codepoints(strings: list[str]) -> np.ndarray:
    """The strings' code points, NUL between two strings (no vocabulary n-gram holds a NUL)."""
    return np.frombuffer("\x00".join(strings).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _window_hashes(points: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit hash of every window of ``n`` code points (the same for the same n-gram anywhere)."""
    m = len(points) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = points[:m] * _MIX[0]
    for k in range(1, n):
        h = (h ^ points[k : k + m]) * _MIX[k]
    return h ^ np.uint64(n)


def _char_table(vectorizer: TfidfVectorizer) -> tuple[np.ndarray, np.ndarray]:
    """The char vocabulary as an open-addressing hash table: (n-gram hash per slot, 0 when empty;
    the n-gram's column per slot). Linear probing, at most a quarter of the slots taken."""
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)  # column of a term == its index
    hashes = np.zeros(len(terms), dtype=np.uint64)
    for n in {len(t) for t in terms}:
        idx = [i for i, t in enumerate(terms) if len(t) == n]
        windows = _window_hashes(_codepoints([terms[i] for i in idx]), n)
        hashes[idx] = windows[np.arange(len(idx)) * (n + 1)]  # each term starts n + 1 points after the last
    if len(np.unique(hashes)) != len(hashes) or not hashes.all():
        raise RuntimeError("two char n-grams of the vocabulary share a hash, or one hashes to 0")
    bits = max(int(len(terms) * 4 - 1).bit_length(), 4)
    keys = np.zeros(1 << bits, dtype=np.uint64)
    columns = np.full(1 << bits, -1, dtype=np.int32)
    mask = (1 << bits) - 1
    for column, (h, slot) in enumerate(zip(hashes.tolist(), (hashes >> np.uint64(64 - bits)).tolist(), strict=True)):
        while keys[slot]:
            slot = (slot + 1) & mask
        keys[slot] = h
        columns[slot] = column
    return keys, columns


def _char_occurrences(
    keys: np.ndarray, columns: np.ndarray, ngram_range: tuple[int, int], texts: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(text row, vocabulary column) of every known char_wb n-gram occurrence in ``texts``.

    scikit-learn takes the n-grams of each word padded with one space either side. Here every
    window of `` word word … `` (words one space apart, a space at both ends) is hashed: those
    windows are the padded words' n-grams plus windows with a space inside, which no char_wb
    vocabulary holds. The known n-grams and their counts are therefore the same, provided the
    smallest n is 2 or 3 (a padded word is never shorter than 3 characters)."""
    low, high = ngram_range
    if not 2 <= low <= 3:
        raise ValueError(f"char_wb n-grams from {low} are not supported here")
    padded = [f" {' '.join(t.lower().split())} " for t in texts]
    points = _codepoints(padded)
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), [len(p) + 1 for p in padded])
    bits = len(keys).bit_length() - 1
    rows, cols = [], []
    for n in range(low, high + 1):
        h = _window_hashes(points, n)
        pending = np.arange(len(h))
        slot = (h >> np.uint64(64 - bits)).astype(np.int64)
        while len(pending):  # probe the next slot for the windows whose slot holds another n-gram
            held = keys[slot]
            found = held == h[pending]
            rows.append(row_of[pending[found]])
            cols.append(columns[slot[found]])
            more = ~found & (held != 0)
            pending, slot = pending[more], (slot[more] + 1) & (len(keys) - 1)
    return np.concatenate(rows), np.concatenate(cols).astype(np.int64)


def _linear_score(hits: tuple[np.ndarray, np.ndarray], n_texts: int, idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Per text: its l2-normalised sublinear TF-IDF row, from its n-gram ``hits``, dotted with ``coef``."""
    rows, columns = hits
    width = len(idf)
    keys, counts = np.unique(rows * width + columns, return_counts=True)
    rows, columns = np.divmod(keys, width)
    weights = (np.log(counts) + 1.0) * idf[columns]
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n_texts))
    dots = np.bincount(rows, weights=weights * coef[columns], minlength=n_texts)
    return dots / np.maximum(norms, 1e-300)  # an empty row scores 0, as its all-zero TF-IDF row does


def _as_texts(X: Sequence[str] | str) -> list[str]:
    if isinstance(X, str):  # a bare string would be read as a sequence of one-letter texts
        raise TypeError("expected a sequence of texts, got a single string")
    return [str(t) for t in X]


def log_odds(score: float) -> float:
    """log(p / (1 - p)) of a machine score, clipped away from 0 and 1."""
    p = min(max(float(score), _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


def orient(score_a: float, score_b: float, margin: float = DEFAULT_MARGIN) -> int | None:
    """Which of two texts, one a rewrite of the other, reads as the (machine) rewrite.

    ``score_a`` and ``score_b`` are ``machine_score`` values (P(machine)). Returns 0 when A
    reads as the rewrite (B as its source), 1 when B does, and ``None`` when their log-odds
    differ by less than ``margin``: the scores are then too close to say, and a caller
    should fall back on other evidence (dates, site order). Log-odds rather than raw
    probabilities because the model is linear in them: a gap means the same amount of
    style evidence wherever on the scale the two texts sit.
    """
    if margin < 0:
        raise ValueError("margin must be >= 0")
    gap = log_odds(score_a) - log_odds(score_b)
    if abs(gap) < margin or gap == 0:
        return None
    return 0 if gap > 0 else 1
