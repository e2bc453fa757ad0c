"""Each text's most similar texts of other groups: the same-topic partners of independent pairs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from models.text import TOKEN_PATTERN


def nearest_other_group(texts: Sequence[str], groups: Sequence[str], k: int = 3, min_df: int = 1) -> list[list[int]]:
    """Indices of the ``k`` texts most similar to each (word TF-IDF cosine, English stop words out)
    among texts of other groups. Ties go to the first text: a stable sort, so every machine picks
    the same partners."""
    m = TfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, min_df=min_df, stop_words="english")
    vectors = m.fit_transform(list(texts))
    sims = (vectors @ vectors.T).toarray()
    group = np.asarray(groups)
    sims[group[:, None] == group[None, :]] = -1
    return np.argsort(-sims, axis=1, kind="stable")[:, :k].tolist()
