"""What the pipeline's stages return: what storing and classifying did (summed over a run's batches)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

FINDING_LABELS = ("spam-wrapped", "rewrite")


@dataclass
class StoreResult:
    files_read: int = 0
    files_skipped: int = 0
    new_document_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def merge(self, other: StoreResult) -> StoreResult:
        """Both results' counts (a run's totals)."""
        return StoreResult(
            self.files_read + other.files_read,
            self.files_skipped + other.files_skipped,
            self.new_document_ids + other.new_document_ids,
            self.duplicates + other.duplicates,
            self.errors + other.errors,
        )


@dataclass
class ClassifyResult:
    """What classifying some batches did. A document re-rooted by a later batch of the same run
    counts with its final label, so the run's figures describe what is stored at its end."""

    classified: int = 0
    new_stories: int = 0
    pairs_scored: int = 0
    new_ids: set[int] = field(default_factory=set)  # documents first classified by this run
    redecided_ids: set[int] = field(default_factory=set)  # documents decided again (new source or root)
    final: dict[int, str] = field(default_factory=dict)  # latest label of every document decided
    finding_of: dict[int, dict] = field(default_factory=dict)  # rewrites and spam-wrapped, for operators

    def merge(self, other: ClassifyResult) -> ClassifyResult:
        final = {**self.final, **other.final}
        findings = {**self.finding_of, **other.finding_of}
        return ClassifyResult(
            self.classified + other.classified,
            self.new_stories + other.new_stories,
            self.pairs_scored + other.pairs_scored,
            self.new_ids | other.new_ids,
            self.redecided_ids | other.redecided_ids,
            final,
            {k: v for k, v in findings.items() if final[k] in FINDING_LABELS},
        )

    @property
    def rerooted(self) -> int:
        """Documents stored by earlier runs whose source or root this run's copies changed: the figure an
        operator sees. A run's own copies decided before a later batch brought their source are not
        counted (``revised``): that is batch order, and their final label is what the run reports."""
        return len(self.redecided_ids - self.new_ids)

    @property
    def revised(self) -> int:
        """This run's own documents decided again by a later batch of the same run."""
        return len(self.redecided_ids & self.new_ids)

    @property
    def labels(self) -> Counter:
        """Labels of this run's documents."""
        return Counter(self.final[i] for i in self.new_ids)

    @property
    def findings(self) -> list[dict]:
        return [f for i, f in sorted(self.finding_of.items()) if i in self.new_ids]
