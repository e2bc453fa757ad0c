"""Pair features: how much of a copy comes from a source, in what form, and what surrounds it.

``X`` is always a sequence of ``(source_text, copy_text)`` tuples. ``PairFeaturizer``
does the expensive part once per pair (tokens, n-gram sets, unit alignment) and
emits a 2-D object array: the numeric features in ``PAIR_FEATURES`` order, then the
copy's unmatched text and the source's uncovered text as two string columns.
``ResidualVocabulary`` turns those two leftover texts into class evidence learned
from data — sponsor/paywall/cookie/navigation words versus ordinary article prose —
which is what separates a wrapped copy from the reverse of an excerpt.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from models import tfidf
from models.alignment import ALIGNMENT_FEATURES, Alignment, Prepared, align_prepared, prepare
from models.specifics import SPECIFICS_FEATURES, Specifics, pair_features, specifics
from models.text import TOKEN_PATTERN, char_grams, overlap, sparse_dot, view

CONTAINMENT_NS = (1, 2, 4, 8)  # 2 and 4 are also what the aligner needs
DOC_FEATURES = (
    "word_cosine",
    "char_cosine",
    *(f"copy_in_source_{n}gram" for n in CONTAINMENT_NS),
    *(f"source_in_copy_{n}gram" for n in CONTAINMENT_NS),
    "copy_tokens_log",
    "source_tokens_log",
    "length_ratio_log",
    "copy_leftover_source_cosine",
    "source_leftover_copy_cosine",
)
# Machine style (``models.style``) of the copy, and how much more machine-made it reads than the source.
# A rewriter that elaborates (longer than its source, with wording and details of its own) shares no
# more with its source than independent coverage of the subject does; what sets it apart is that it
# reads as machine-made beside a human source. An LLM rewrite of another text on the subject reads so
# too, and is kept apart by what it shares (the same-topic pairs in training teach both).
STYLE_FEATURES = ("copy_machine_log_odds", "machine_log_odds_gap")
STYLE_LOG_ODDS_CLIP = 9.21  # P(machine) 1e-4 .. 1 - 1e-4: past that the style model only repeats itself
PAIR_FEATURES = DOC_FEATURES + ALIGNMENT_FEATURES + SPECIFICS_FEATURES + STYLE_FEATURES
N_PAIR_FEATURES = len(PAIR_FEATURES)
COPY_RESIDUAL_COLUMN = N_PAIR_FEATURES
SOURCE_RESIDUAL_COLUMN = N_PAIR_FEATURES + 1
PreparedText = tuple[Prepared, tuple[np.ndarray, np.ndarray], Specifics]


class PairFeaturizer(BaseEstimator, TransformerMixin):
    """Numeric similarity/alignment features of each pair plus its two leftover texts.

    ``fit`` learns the word IDF (also used by ``text_vectors`` for candidate search
    and story grouping) and the char 4-gram IDF from every text in ``X``.

    ``style``: a fitted machine-style model (``models.style.MachineStyle``), wrapped in
    ``sklearn.frozen.FrozenEstimator`` so that fitting and cloning the pipeline leave it as it is
    (``models.classifier.with_style``); each distinct text is scored once per call. Without one the
    ``STYLE_FEATURES`` columns read 0 (a text of no style either way).
    """

    CHUNK = 256

    def __init__(self, max_vocabulary: int = 40000, min_df: int = 2, char_features: int = 2**18, style=None):
        self.max_vocabulary = max_vocabulary
        self.min_df = min_df
        self.char_features = char_features
        self.style = style

    def fit(self, X, y=None):
        texts = list(dict.fromkeys(t for pair in X for t in pair))
        self.word_vectorizer_ = tfidf.StableTfidfVectorizer(
            token_pattern=TOKEN_PATTERN,
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_vocabulary,
            dtype=np.float32,
        ).fit(texts)
        if hasattr(self.word_vectorizer_, "stop_words_"):  # the dropped terms: large, never needed
            del self.word_vectorizer_.stop_words_
        df = np.zeros(self.char_features, dtype=np.float64)
        for t in texts:
            df[char_grams(t, self.char_features)[0]] += 1
        self.char_idf_ = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        self.n_features_in_ = 2
        return self

    def _char_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids, counts = char_grams(text, self.char_features)
        w = (1.0 + np.log(counts)) * self.char_idf_[ids]
        return ids.astype(np.int32), w / max(float(np.sqrt((w * w).sum())), 1e-12)  # int32: held for every text

    def _prepare(self, text: str) -> PreparedText:
        """``text`` prepared for aligning, its char vector and its specifics."""
        vocabulary, idf = self.word_vectorizer_.vocabulary_, self.word_vectorizer_.idf_
        tokens = view(text)  # one tokenisation for the aligner and the specifics
        return prepare(text, vocabulary, idf, CONTAINMENT_NS, tokens), self._char_vector(text), specifics(text, tokens)

    def get_feature_names_out(self, input_features=None):
        return np.array([*PAIR_FEATURES, "copy_residual_text", "source_residual_text"], dtype=object)

    def machine_log_odds(self, texts: list[str]) -> list[float]:
        """The style model's log-odds of "machine" of each text (clipped), zeros without one."""
        if self.style is None or not texts:
            return [0.0] * len(texts)
        values = np.clip(self.style.decision_function(texts), -STYLE_LOG_ODDS_CLIP, STYLE_LOG_ODDS_CLIP)
        return values.astype(np.float64).tolist()

    def transform(self, X):
        """Features of every pair, computed ``CHUNK`` pairs at a time to bound memory."""
        pairs = list(X)
        out = [self.analyse(pairs[i : i + self.CHUNK])[0] for i in range(0, len(pairs), self.CHUNK)]
        return np.vstack(out) if out else np.empty((0, N_PAIR_FEATURES + 2), dtype=object)

    @staticmethod
    def _leftover_cosine(spans: list[tuple[int, int]], own: Prepared, other: Prepared, idf) -> float:
        """Word TF-IDF cosine of the text of ``own`` inside the character ``spans`` with the whole of
        ``other``; built from ``own``'s tokens that fall inside the spans (no second tokenisation).

        Copy side (the copy's unmatched text against the source): injected page material (sponsor
        lines, paywall, navigation) is off the story's topic; a rewriter's own lead or closing
        sentence is on it. Without this, a rewrite that opens with a short hook of its own can read
        as a wrapped copy. Source side (the source's uncovered text against the copy): the page
        around a wrapped article is off its topic; a headline or passage the copy left out is on
        it, and a headline alone reads much like a line of page furniture."""
        if not spans:
            return 0.0
        starts = np.array([a for a, _ in spans])
        ends = np.array([b for _, b in spans])
        tok_start, token_ids = own.view.tok_start, own.rows.token_ids
        k = np.searchsorted(starts, tok_start, side="right") - 1
        inside = (k >= 0) & (tok_start < ends[np.maximum(k, 0)]) & (token_ids >= 0)
        if not inside.any():
            return 0.0
        local, counts = np.unique(token_ids[inside], return_counts=True)
        w = (1.0 + np.log(counts)) * idf[local]
        return sparse_dot((local, w / max(float(np.linalg.norm(w)), 1e-12)), (other.rows.ids, other.rows.doc))

    def analyse(self, X) -> tuple[np.ndarray, list[Alignment]]:
        """Features (object array, see module doc) and the full ``Alignment`` of every pair; each
        distinct text prepared once, however many of the pairs it is in."""
        check_is_fitted(self, "word_vectorizer_")
        pairs = [(str(s), str(c)) for s, c in X]
        texts = list(dict.fromkeys(t for pair in pairs for t in pair))
        pos = {t: i for i, t in enumerate(texts)}
        idf = self.word_vectorizer_.idf_
        prepared, chars, facts = zip(*map(self._prepare, texts), strict=True) if texts else ((), (), ())
        machine = self.machine_log_odds(texts)

        out = np.empty((len(pairs), N_PAIR_FEATURES + 2), dtype=object)
        alignments = []
        for r, (s, c) in enumerate(pairs):
            i, j = pos[s], pos[c]
            sp, cp = prepared[i], prepared[j]
            al = align_prepared(sp, cp)
            alignments.append(al)
            shared = [overlap(sp.grams[n], cp.grams[n]) for n in CONTAINMENT_NS]
            doc = [
                sparse_dot((sp.rows.ids, sp.rows.doc), (cp.rows.ids, cp.rows.doc)),
                sparse_dot(chars[i], chars[j]),
                *(_share(k, cp.grams[n]) for k, n in zip(shared, CONTAINMENT_NS, strict=True)),
                *(_share(k, sp.grams[n]) for k, n in zip(shared, CONTAINMENT_NS, strict=True)),
                float(np.log1p(cp.view.n_tokens)),
                float(np.log1p(sp.view.n_tokens)),
                float(np.log((cp.view.n_tokens + 1) / (sp.view.n_tokens + 1))),
                self._leftover_cosine([(g.start, g.end) for g in al.wrapper_segments], cp, sp, idf),
                self._leftover_cosine(list(al.source_residual_spans), sp, cp, idf),
            ]
            style = [machine[j], machine[j] - machine[i]]
            out[r, :N_PAIR_FEATURES] = doc + al.feature_vector() + pair_features(facts[i], facts[j]) + style
            out[r, COPY_RESIDUAL_COLUMN] = "\n".join(seg.text for seg in al.wrapper_segments)
            out[r, SOURCE_RESIDUAL_COLUMN] = al.source_residual
        return out, alignments


def _share(shared: int, grams: np.ndarray) -> float:
    """Share of the distinct n-grams ``grams`` that the other text has too (``shared`` of them)."""
    return shared / len(grams) if len(grams) else 0.0


class ResidualVocabulary(BaseEstimator, TransformerMixin):
    """How much the leftover lines read like injected page furniture, learned from data.

    Input: two string columns, the copy's unmatched text and the source's uncovered
    text. A linear model on TF-IDF words scores each leftover *line*: wrapper material
    (sponsor, paywall, cookie, navigation, link lists) versus leftover prose
    (paraphrased or independent sentences). It learns from the copies' leftover lines,
    each carrying its pair's "is spam-wrapped" flag (noisy, since a wrapped rewrite
    also leaves prose over; scoring lines rather than the whole leftover is what lets a
    few wrapper lines stand out next to unmatched paraphrases). Per column it returns
    the highest line score and the word-weighted mean. A wrapper in the copy's leftover
    says spam-wrapped; one in the source's leftover says the pair is the reverse of a
    wrapped copy. The target is binary on purpose: leftover prose differs by domain
    between rewrites and independent texts in the training corpora, and the model must
    not learn that domain from it. ``fit_transform`` returns out-of-fold scores (like
    ``TargetEncoder``) so the downstream classifier is not trained on this model's
    memorised answers.
    """

    WRAPPER_CLASS = "spam-wrapped"

    # C: strong regularisation. The line labels are noisy (a wrapped rewrite leaves prose over too),
    # and weights resting on a few rare words made the scores move with any change of vocabulary.
    def __init__(self, max_features: int = 4000, min_df: int = 3, C: float = 0.5, cv: int = 5, random_state: int = 0):
        self.max_features = max_features
        self.min_df = min_df
        self.C = C
        self.cv = cv
        self.random_state = random_state

    @staticmethod
    def _lines(X, i: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Non-empty lines of column ``i``, the row each came from, and their word counts."""
        lines, rows = [], []
        for r, text in enumerate(np.asarray(X, dtype=object)[:, i]):
            for line in str(text).split("\n"):
                if line.strip():
                    lines.append(line)
                    rows.append(r)
        words = np.array([len(line.split()) for line in lines], dtype=float)
        return lines, np.array(rows, dtype=np.int64), words

    def _model(self):
        return LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")

    @staticmethod
    def _aggregate(scores: np.ndarray, rows: np.ndarray, words: np.ndarray, n: int) -> np.ndarray:
        """Per row: (max line score, word-weighted mean line score); 0 when nothing is left over."""
        top = np.zeros(n)
        np.maximum.at(top, rows, scores)
        total = np.bincount(rows, weights=words, minlength=n)
        mean = np.bincount(rows, weights=scores * words, minlength=n) / np.maximum(total, 1.0)
        return np.stack([top, mean], axis=1)

    def fit(self, X, y):
        self._fit(X, y)
        return self

    def _fit(self, X, y):
        copy_lines, copy_rows, _ = self._lines(X, 0)
        source_lines, _, _ = self._lines(X, 1)
        self.vectorizer_ = tfidf.StableTfidfVectorizer(
            token_pattern=TOKEN_PATTERN,
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            dtype=np.float32,
        ).fit(copy_lines + source_lines + ["_nothing_"])
        if hasattr(self.vectorizer_, "stop_words_"):
            del self.vectorizer_.stop_words_
        target = np.asarray(y) == self.WRAPPER_CLASS
        self.model_ = self._model().fit(self.vectorizer_.transform(copy_lines), target[copy_rows])
        self.n_features_in_ = 2
        return target

    def fit_transform(self, X, y=None, **fit_params):
        target = self._fit(X, y)
        n = len(target)
        cols = [self._lines(X, i) for i in (0, 1)]
        mats = [self.vectorizer_.transform(lines or ["_nothing_"])[: len(lines)] for lines, _, _ in cols]
        out = np.zeros((n, 4))
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        copy_rows = cols[0][1]
        for train, held in folds.split(np.zeros(n), target):
            in_train = np.isin(copy_rows, train)
            model = clone(self._model()).fit(mats[0][in_train], target[copy_rows[in_train]])
            for k, ((_, rows, words), m) in enumerate(zip(cols, mats, strict=True)):
                keep = np.isin(rows, held)
                scores = model.predict_proba(m[keep])[:, 1] if keep.any() else np.zeros(0)
                agg = self._aggregate(scores, rows[keep], words[keep], n)
                out[held, 2 * k : 2 * k + 2] = agg[held]
        return out

    def transform(self, X):
        check_is_fitted(self, "model_")
        n = len(np.asarray(X, dtype=object))
        columns = [self._lines(X, i) for i in (0, 1)]
        scores = self._line_scores([line for lines, _, _ in columns for line in lines])
        parts, start = [], 0
        for lines, rows, words in columns:
            parts.append(self._aggregate(scores[start : start + len(lines)], rows, words, n))
            start += len(lines)
        return np.hstack(parts)

    def _line_scores(self, lines: list[str]) -> np.ndarray:
        """The wrapper score of each line, each distinct line scored once (the copies' and the
        sources' lines together): page furniture recurs on copy after copy, a source's lines in pair
        after pair. A line's score does not depend on the lines scored with it."""
        distinct = list(dict.fromkeys(lines))
        if not distinct:
            return np.zeros(0, dtype=np.float64)
        scores = self.model_.predict_proba(tfidf.transform(self.vectorizer_, distinct))[:, 1]
        at = {line: k for k, line in enumerate(distinct)}
        return np.asarray(scores, dtype=np.float64)[[at[line] for line in lines]]

    def get_feature_names_out(self, input_features=None):
        return np.array(
            [
                "copy_leftover_wrapper_max",
                "copy_leftover_wrapper_mean",
                "source_leftover_wrapper_max",
                "source_leftover_wrapper_mean",
            ],
            dtype=object,
        )
