"""The trained pair classifier as the pipeline sees it: loaded once per process, registered in the database."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from copytrace.db import session_factory
from copytrace.repo import model_versions
from copytrace.runtime.process import settle_heap
from models import classifier, cosine, pairs, registry

SIMILAR_ROWS = 512  # rows of a similarity matrix worked out at once by ``Scorer.similar_pairs``


class Scorer:
    """Adapter from the scikit-learn Pipeline in ``models/`` to what attribution needs (``PairScorer``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.metadata = registry.read_metadata(path)
        self.pipeline = registry.load_model(path)
        self._style: Any = None  # found on first use: pairs alone never need it
        settle_heap()

    @property
    def version(self) -> str:
        return str(self.metadata.get("version") or self.path.stem)

    def probabilities(self, pairs_: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        proba = classifier.predict_proba(self.pipeline, list(pairs_))
        classes = [str(c) for c in self.pipeline.classes_]
        return [dict(zip(classes, map(float, row), strict=True)) for row in proba]

    def explain(self, source: str, copy: str) -> dict[str, Any]:
        return classifier.explain(self.pipeline, source, copy)

    def explain_many(self, pairs_: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        return classifier.explain_many(self.pipeline, pairs_)

    @property
    def style(self) -> Any:
        """The machine-style model that orients rewrites without dates (``models.direction``): the one
        the pair model's features read, else the shipped one, else False (direction then falls back on
        specifics and fullness)."""
        if self._style is None:
            path = registry.style_model_path()
            embedded = classifier.style_model(self.pipeline)
            if embedded is not None:
                self._style = embedded
            else:
                self._style = registry.load_model(path) if path.is_file() else False
        return self._style

    def machine_scores(self, texts: Sequence[str]) -> np.ndarray | None:
        """P(reads as machine-rewritten) of each text, or None without a style model."""
        if not self.style:
            return None
        with classifier.one_thread():
            return self.style.machine_score(list(texts))

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        return classifier.similarities(self.pipeline, list(texts))

    def similar_pairs(self, texts: Sequence[str], threshold: float) -> list[tuple[int, int]]:
        """(i, j), i < j, of the texts whose ``similarities`` reach ``threshold``, worked out a block of
        rows at a time (memory bounded however many texts)."""
        vectors = classifier.text_vectors(self.pipeline, list(texts))
        out: list[tuple[int, int]] = []
        with classifier.one_thread():
            for start in range(0, len(texts), SIMILAR_ROWS):
                block = cosine.cross_similarities(vectors[start : start + SIMILAR_ROWS], vectors)
                a, b = np.nonzero(block >= threshold)
                a += start
                out += [(i, j) for i, j in zip(a.tolist(), b.tolist(), strict=True) if i < j]
        return out

    def to_label(self, pair_class: str) -> str:
        return pairs.to_label(pair_class)

    def register(self, session: Session, activate: bool | None = None) -> int:
        """The model_versions row of this model (created on first use), made the active model when
        ``activate``; by default only when no model is active yet."""
        meta = self.metadata
        if activate is None:
            activate = model_versions.active_model_version(session) is None
        return model_versions.register_model_version(
            session,
            version=self.version,
            sha256=str(meta["sha256"]),
            path=str(self.path),
            sklearn_version=str(meta.get("sklearn_version", "")),
            params=dict(meta.get("params", {})),
            metrics=dict(meta.get("metrics", {})),
            training_data=dict(meta.get("training_data", {})),
            activate=activate,
        )


def active_model_path(session: Session) -> str | None:
    """The promoted model's file, when the database has one and it is on this machine."""
    active = model_versions.active_model_version(session)
    if active is not None and Path(active.path).is_file():
        return active.path
    return None


def model_path_for(database_url: str, model_path: str | None) -> str | None:
    """The model a run classifies with: ``model_path``, else the database's promoted model if it is
    on this machine (None: the shipped one)."""
    if model_path is not None:
        return model_path
    with session_factory(database_url).begin() as session:
        return active_model_path(session)


@lru_cache(maxsize=8)
def load_scorer(path: str | None = None) -> Scorer:
    """The scorer for ``path`` (default: the shipped model), loaded once per process.

    ``None`` and the shipped model's path are one scorer (a run's first batch registers the shipped
    model, later batches then name it): a second would load the model again.
    """
    if not path:
        return load_scorer(str(registry.default_model_path()))
    return Scorer(Path(path))
