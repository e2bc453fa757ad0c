"""The trained pair classifier as the pipeline sees it: loaded once per process, registered in the database."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from copytrace import store
from models import classifier, pairs, registry


class Scorer:
    """Adapter from the scikit-learn Pipeline in ``models/`` to what attribution needs (``PairScorer``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.metadata = registry.read_metadata(path)
        self.pipeline = registry.load_model(path)

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

    def vectors(self, texts: Sequence[str]) -> Any:
        return classifier.text_vectors(self.pipeline, list(texts))

    def to_label(self, pair_class: str) -> str:
        return pairs.to_label(pair_class)

    def register(self, session: Session) -> int:
        """The model_versions row of this model (created on first use)."""
        meta = self.metadata
        return store.register_model_version(
            session,
            version=self.version,
            sha256=str(meta["sha256"]),
            path=str(self.path),
            sklearn_version=str(meta.get("sklearn_version", "")),
            params=dict(meta.get("params", {})),
            metrics=dict(meta.get("metrics", {})),
            training_data=dict(meta.get("training_data", {})),
            activate=store.active_model_version(session) is None,
        )


def active_model_path(session: Session) -> str | None:
    """The promoted model's file, when the database has one and it is on this machine."""
    active = store.active_model_version(session)
    if active is not None and Path(active.path).is_file():
        return active.path
    return None


@lru_cache(maxsize=4)
def load_scorer(path: str | None = None) -> Scorer:
    """The scorer for ``path`` (default: the shipped model), loaded once per process."""
    return Scorer(Path(path) if path else registry.default_model_path())
