"""A run's summary as plain data: its figures, its outcome and what it says of itself, for the run's
name, log, events and artifacts (``artifacts``) and for the CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from copytrace.reports.formatting import bad_inputs_in_words, count_of, labels_in_words
from models.pairs import LABELS

REROOTED_NOTE = (
    "copies stored by earlier runs whose source or root changed because this run brought an earlier or "
    "fuller version of their story (expected when a source turns up after its copies; not instability)"
)


@dataclass
class RunSummary:
    files_seen: int = 0
    files_read: int = 0
    files_skipped: int = 0
    new_documents: int = 0
    duplicates: int = 0
    classified: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    new_stories: int = 0
    rerooted: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    landing: str = ""  # the landing folder: paths are shown relative to it
    new_networks: list[dict[str, Any]] = field(default_factory=list)  # copytrace.reports.networks.new_networks

    @property
    def outcome(self) -> str:
        """``completed`` (every input read), ``partial`` (bad inputs recorded, the rest stored) or
        ``failed`` (files were there and none could be read)."""
        if self.nothing_read:
            return "failed"
        return "partial" if self.errors else "completed"

    @property
    def spam_wrapped_share(self) -> float:
        return self.labels.get("spam-wrapped", 0) / self.classified if self.classified else 0.0

    def top_sites(self, n: int = 5) -> list[tuple[str, int]]:
        """Sites carrying the most derived copies in this run."""
        return Counter(f.get("site") or "(no site)" for f in self.findings).most_common(n)

    def run_name(self, started: str) -> str:
        """What the run did, for its name in the Prefect UI."""
        errors = len(self.errors)
        if self.nothing_read:
            return f"ingest {started} · failed: nothing readable in {self.files_read} files"
        if not self.files_seen:
            return f"ingest {started} · no new files"
        return f"ingest {started} · {self.new_documents} new" + (
            f" · {errors} error{'s' if errors > 1 else ''}" if errors else ""
        )

    def counts(self) -> dict[str, Any]:
        """The run's figures as plain data, for events and notifications."""
        return {
            "files_seen": self.files_seen,
            "files_read": self.files_read,
            "files_already_ingested": self.files_skipped,
            "new_documents": self.new_documents,
            "duplicates": self.duplicates,
            "classified": self.classified,
            "labels": dict(self.labels),
            "new_stories": self.new_stories,
            "new_spam_networks": len(self.new_networks),
            "rerooted": self.rerooted,
            "errors": len(self.errors),
            "spam_wrapped": self.labels.get("spam-wrapped", 0),
            "spam_wrapped_share": round(self.spam_wrapped_share, 4),
        }

    def in_words(self) -> str:
        """One line saying what the run did, for its log."""
        line = (
            f"{count_of(self.new_documents, 'new copy', 'new copies')} ({labels_in_words(self.labels)}) "
            f"from {count_of(self.files_read, 'file', 'files')} read"
            f"{f', {self.files_skipped} already ingested' if self.files_skipped else ''}"
            f"{f', {self.duplicates} already stored' if self.duplicates else ''}"
            f", {count_of(self.new_stories, 'new story', 'new stories')}"
        )
        if self.new_networks:
            line += f", {count_of(len(self.new_networks), 'new spam network', 'new spam networks')}"
        if self.rerooted:
            line += f", {count_of(self.rerooted, 'earlier copy', 'earlier copies')} re-rooted"
        if self.errors:
            bad = count_of(len(self.errors), "bad input", "bad inputs")
            line += f"; {bad}: {bad_inputs_in_words(self.errors, self.landing)}"
        return line

    @property
    def nothing_read(self) -> bool:
        """Files were there and every one of them failed: the run has nothing to show."""
        return bool(self.errors) and self.files_read > 0 and self.new_documents == 0 and self.duplicates == 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self, escape: Callable[[str], str] = str) -> list[dict[str, Any]]:
        """The run's figures, one row per label, then the rest; ``escape`` is applied to scraped names
        (sites), which the Prefect artifact escapes as markdown and the terminal shows as they are."""
        rows = [{"item": f"label: {label}", "count": self.labels.get(label, 0)} for label in LABELS]
        rows += [
            {"item": "new stories", "count": self.new_stories},
            {"item": "new spam networks", "count": len(self.new_networks)},
            {"item": "earlier copies re-rooted", "count": self.rerooted},
            {"item": "files read", "count": self.files_read},
            {"item": "files already ingested", "count": self.files_skipped},
            {"item": "new documents", "count": self.new_documents},
            {"item": "copies already stored", "count": self.duplicates},
            {"item": "errors", "count": len(self.errors)},
        ]
        rows += [{"item": f"top copying site: {escape(site)}", "count": n} for site, n in self.top_sites()]
        return rows
