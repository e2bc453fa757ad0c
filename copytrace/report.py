"""Run summaries and provenance read-backs, as plain data (rendered by the CLI and by Prefect artifacts)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from copytrace.text import clean
from models.pairs import LABELS


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

    @property
    def spam_wrapped_share(self) -> float:
        return self.labels.get("spam-wrapped", 0) / self.classified if self.classified else 0.0

    def top_sites(self, n: int = 5) -> list[tuple[str, int]]:
        """Sites carrying the most derived copies in this run."""
        return Counter(f.get("site") or "(no site)" for f in self.findings).most_common(n)

    def run_name(self, started: str) -> str:
        """What the run did, for its name in the Prefect UI."""
        errors = len(self.errors)
        return f"ingest {started} · {self.new_documents} new" + (
            f" · {errors} error{'s' if errors > 1 else ''}" if errors else ""
        )

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
            {"item": "re-rooted documents", "count": self.rerooted},
            {"item": "files read", "count": self.files_read},
            {"item": "files already ingested", "count": self.files_skipped},
            {"item": "new documents", "count": self.new_documents},
            {"item": "copies already stored", "count": self.duplicates},
            {"item": "errors", "count": len(self.errors)},
        ]
        rows += [{"item": f"top copying site: {escape(site)}", "count": n} for site, n in self.top_sites()]
        return rows


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~\"'=:/])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md_escape(value: object, limit: int = 200) -> str:
    """Scraped text made inert for a Markdown artifact: no links, HTML, emphasis or table breaks survive.

    Control characters are dropped (``copytrace.text.clean``). Angle brackets and ampersands
    become entities (no tag can open, whatever the renderer does with
    raw HTML); every other Markdown punctuation mark is backslash-escaped.
    """
    flat = " ".join(clean(str(value)).split())  # no control character (ESC …) reaches the artifact
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", flat).translate(_HTML)


def findings_markdown(summary: RunSummary, limit: int = 100) -> str:
    """The spam-wrapped copies and rewrites a run found, each with its source and the evidence."""
    if not summary.findings:
        return "# Copies found\n\nNo spam-wrapped copies or rewrites in this run.\n"
    lines = [f"# Copies found: {len(summary.findings)} spam-wrapped or rewritten", ""]
    lines += ["| label | copy | title | source | confidence | evidence |", "|---|---|---|---|---|---|"]
    for f in summary.findings[:limit]:
        reasons = "; ".join(md_escape(r, 160) for r in f.get("reasons", [])) or "\\-"
        lines.append(
            f"| {md_escape(f['label'])} | {md_escape(f['locator'])} | {md_escape(f.get('title') or '')} "
            f"| {md_escape(f['source'])} "
            f"| {f['confidence']:.2f} | {reasons} |"
        )
    if len(summary.findings) > limit:
        lines += ["", f"… and {len(summary.findings) - limit} more (see the copy_provenance view)."]
    return "\n".join(lines) + "\n"


PROVENANCE_COLUMNS = (
    "document_id",
    "locator",
    "site",
    "title",
    "label",
    "confidence",
    "derived_from_id",
    "derived_from_locator",
    "root_id",
    "root_locator",
    "story_id",
    "model_version",
    "classified_at",
    "flow_run_id",
)


def provenance_rows(session: Session, where: str = "", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of the ``copy_provenance`` view (the dashboards' contract), ordered by document id."""
    sql = f"SELECT {', '.join(PROVENANCE_COLUMNS)} FROM copy_provenance {where} ORDER BY document_id"
    return [dict(r._mapping) for r in session.execute(text(sql), params or {})]


def direction_of(session: Session, document_id: int) -> dict[str, Any] | None:
    """How the direction of a copy's current derivation was decided (``models.direction``), if it has one."""
    from copytrace.orm import Classification  # the ORM only here: the rest of this module reads views

    evidence = session.scalar(
        select(Classification.evidence).where(
            Classification.document_id == document_id, Classification.is_current.is_(True)
        )
    )
    way = (evidence or {}).get("direction")
    return way or None


def describe_direction(way: dict[str, Any]) -> str:
    """One line saying which signal oriented a derivation, with its margin and what the text said."""
    by = way.get("decided_by", "?")
    what = {
        "published": "publication dates ({hours_apart} h apart)",
        "fetched": "fetch times ({hours_apart} h apart)",
        "classifier": "the classifier (one direction only reads as derived; margin {margin})",
        "style": "machine style (the copy reads as machine-rewritten; margin {margin})",
        "specifics": "specifics (the source holds names and numbers the copy lacks; margin {margin})",
        "fullness": "fullness (the fuller text taken as the source; no other signal decided)",
    }.get(by, by + " (margin {margin})")
    line = "direction by " + what.format(**{"hours_apart": "?", "margin": "?", **way})
    if "overruled" in way:
        line += f", overruling the {way['overruled']} dates (a verbatim derivation holds only against them)"
    if "contradicted_by" in way:
        line += f"; the text says otherwise ({way['contradicted_by']}, margin {way.get('contradiction_margin')})"
    return line


def error_rows(session: Session, flow_run_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT path, locator, reason, detail, occurrences FROM ingest_errors"
    if flow_run_id:
        sql += " WHERE flow_run_id = :run"
    return [dict(r._mapping) for r in session.execute(text(sql + " ORDER BY path, reason"), {"run": flow_run_id})]
