"""What attribution passes around: the documents it is given, the directed edges between them, the
decisions it returns, its thresholds, and what the pair classifier must answer; and how much a
pair's probabilities say it is derived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from models import direction

INDEPENDENT = "independent"


class PairScorer(Protocol):
    """What attribution needs from the trained pair classifier."""

    def explain_many(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]: ...

    def similarities(self, texts: Sequence[str]) -> np.ndarray: ...

    def to_label(self, pair_class: str) -> str: ...


@dataclass
class Doc:
    id: int
    text: str
    fetched_at: datetime | None = None
    is_new: bool = True
    story_id: int | None = None
    parent_id: int | None = None  # current derived_from of a stored document
    title: str | None = None
    pair_class: str | None = None  # current pair class of a stored document
    published_at: datetime | None = None  # the page's own publication date, when it states one


@dataclass(frozen=True)
class Edge:
    """``copy`` derives from ``source`` as ``pair_class`` with probability ``confidence``."""

    source: int
    copy: int
    pair_class: str
    confidence: float
    derived: float  # 1 - P(independent)
    explained: float  # share of the copy matched to the source (verbatim counts fully)
    decided_by: str  # the signal that set the direction (``models.direction``): "published", "fetched", ...
    covers: float = 1.0  # share of the source the copy covers
    verbatim: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # copy text verbatim from the source
    direction: dict[str, Any] = field(default_factory=dict, compare=False)  # the direction's evidence

    @property
    def by_date(self) -> bool:
        return self.decided_by in direction.DATED

    @property
    def decisive(self) -> bool:
        """Set by a date or by a signal of the text that cleared its margin, not by a tie on length."""
        return self.decided_by != "fullness"


@dataclass
class Decision:
    document_id: int
    label: str
    pair_class: str
    confidence: float
    derived_from_id: int | None
    root_id: int | None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = "ingest"


@dataclass
class Attribution:
    decisions: list[Decision]
    stories: list[set[int]]  # groups of document ids belonging to one story
    pair_count: int


@dataclass(frozen=True)
class Thresholds:
    candidate_cosine: float = 0.12
    story_cosine: float = 0.30
    neighbours: int = 3  # without shared verbatim runs, a document is compared with its nearest and at most
    near_band: float = 0.1  # ... neighbours - 1 more above story_cosine and within near_band of the nearest
    derived: float = direction.DERIVED
    related: float = 0.25  # a neighbour's verbatim relatives are compared only when it looks this derived


def p_derived(p: dict[str, float]) -> float:
    return 1.0 - p.get(INDEPENDENT, 0.0)


def best_class(p: dict[str, float]) -> tuple[str, float]:
    derived = {k: v for k, v in p.items() if k != INDEPENDENT}
    cls = max(derived, key=derived.get)
    return cls, derived[cls]
