"""Run summaries and provenance read-backs, as plain data (rendered by the CLI and by Prefect artifacts)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from copytrace.links import document_url, networks_url
from copytrace.redact import redact_url
from copytrace.text import clean
from models.pairs import LABELS

# The order findings are listed in: the label an operator acts on first, first.
FINDING_ORDER = ("spam-wrapped", "rewrite", "excerpt", "original")
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
    new_networks: list[dict[str, Any]] = field(default_factory=list)  # copytrace.networks.new_networks

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


def relative_to(path: str, landing: str) -> str:
    """``path`` relative to the landing folder when it lies under it, else as it is."""
    if landing and path.startswith(landing.rstrip("/") + "/"):
        return path[len(landing.rstrip("/")) + 1 :]
    return path


def short_locator(locator: str, landing: str = "", limit: int = 48) -> str:
    """A locator short enough for a table cell: a landing path relative to the folder, a URL without
    its scheme; the middle cut when still too long (the start says where, the end which)."""
    shown = relative_to(redact_url(locator), landing)
    shown = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", shown)
    if len(shown) > limit:
        shown = shown[: limit // 2 - 1] + "…" + shown[-(limit - limit // 2) :]
    return shown


def count_of(n: int, one: str, many: str) -> str:
    """``1 new story``, ``3 new stories``."""
    return f"{n} {one if n == 1 else many}"


def labels_in_words(labels: Mapping[str, int]) -> str:
    """``3 original, 1 spam-wrapped``: the labels in LABELS order, those with none left out."""
    parts = [f"{labels[label]} {label}" for label in LABELS if labels.get(label)]
    return ", ".join(parts) or "none"


def bad_inputs_in_words(errors: Sequence[Mapping[str, str]], landing: str = "", cap: int = 5) -> str:
    """The first ``cap`` bad inputs named with their reason, the rest counted."""
    named = [f"{relative_to(e['path'], landing)} ({e['reason']})" for e in errors[:cap]]
    more = len(errors) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def _sorted_findings(findings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    rank = {label: n for n, label in enumerate(FINDING_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(f["label"], len(rank)), -float(f.get("confidence") or 0.0)))


# Characters a findings cell shows: the Prefect UI does not wrap table cells, so the row must fit
# the artifact page's content column (about 870 px at a 1440 px window, ~6.7 px a character).
FINDING_CELLS = {"site": 16, "title": 30, "source": 18, "reason": 40}


def findings_markdown(
    summary: RunSummary, limit: int = 60, heading: str = "Copies found", dashboard_url: str | None = None
) -> str:
    """The spam-wrapped copies and rewrites a run found: the new spam networks, then a section per label
    (spam-wrapped first), rows by confidence, in columns narrow enough for one screen: site (or file),
    title, source, confidence, one reason. With ``dashboard_url`` (``copytrace.links.dashboard_base``),
    each confidence links to the copy's page in the dashboard; the cell shows the same few digits."""
    lines = [f"# {heading}: {labels_in_words(Counter(f['label'] for f in summary.findings))}", ""]
    if not summary.findings:
        lines = [f"# {heading}", "", "No spam-wrapped copies or rewrites in this run.", ""]
    lines += networks_markdown(summary.new_networks, dashboard_url)
    if summary.findings:
        lines += _findings_tables(summary, limit, dashboard_url)
    return "\n".join(lines).rstrip("\n") + "\n"


def _findings_tables(summary: RunSummary, limit: int, dashboard_url: str | None) -> list[str]:
    found = Counter(f["label"] for f in summary.findings)
    lines: list[str] = []
    sites = Counter(f.get("site") or "" for f in summary.findings if f.get("site"))
    if sites:
        top = ", ".join(f"{md_escape(site, 40)} ({n})" for site, n in sites.most_common(8))
        lines += [f"Copying sites: {top}{' …' if len(sites) > 8 else ''}", ""]
    shown = _sorted_findings(summary.findings)[:limit]
    if len(summary.findings) > limit:
        lines += [f"First {limit} of {len(summary.findings)} shown; all of them: the copy_provenance view.", ""]
    if dashboard_url:
        lines += ["Each confidence opens the copy's page in the dashboard.", ""]
    width = FINDING_CELLS
    for label in dict.fromkeys(f["label"] for f in shown):
        rows = [f for f in shown if f["label"] == label]
        lines += [f"## {md_escape(label)} ({found[label]})", ""]
        lines += ["| site | title | source | conf. | reason |", "|---|---|---|---:|---|"]
        for f in rows:
            where = f.get("site") or short_locator(f.get("locator", ""), summary.landing, width["site"])
            reasons = list(f.get("reasons") or [])
            lines.append(
                f"| {md_escape(where, width['site'])} | {md_escape(f.get('title') or '', width['title'])} "
                f"| {md_escape(short_locator(f.get('source') or '', summary.landing, width['source']), 40)} "
                f"| {_confidence_cell(f, dashboard_url)} "
                f"| {md_escape(reasons[0], width['reason']) if reasons else ''} |"
            )
        lines.append("")
    return lines


def _confidence_cell(finding: Mapping[str, Any], dashboard_url: str | None) -> str:
    """The confidence, as a link to the document's dashboard page when there is a dashboard: the link
    text is digits and the target the configured base and an integer id, nothing scraped."""
    shown = f"{float(finding.get('confidence') or 0.0):.2f}"
    doc = finding.get("document_id")
    if dashboard_url and isinstance(doc, int) and not isinstance(doc, bool):
        return f"[{shown}]({document_url(dashboard_url, doc)})"
    return shown


# Networks, sites per network and characters per tell-tale line the findings artifact lists.
NETWORK_CAPS = {"networks": 10, "sites": 8, "line": 80}


def networks_markdown(networks: Sequence[Mapping[str, Any]], dashboard_url: str | None = None) -> list[str]:
    """The spam networks a run brought (``copytrace.networks.new_networks``): a list item each with
    its sites, copies and tell-tale lines, all scraped text escaped; nothing when there are none."""
    if not networks:
        return []
    caps = NETWORK_CAPS
    if dashboard_url:
        where = f"the dashboard's [spam networks page]({networks_url(dashboard_url)})"
    else:
        where = "the spam\\_networks view"
    lines = [
        f"## New spam networks ({len(networks)})",
        "",
        f"Sites sharing a wrapper template, first listed after this run (all networks: {where}).",
        "",
    ]
    for n in networks[: caps["networks"]]:
        sites = list(n["sites"].items())
        named = ", ".join(f"{md_escape(site, 40)} ({copies})" for site, copies in sites[: caps["sites"]])
        more = f" and {len(sites) - caps['sites']} more" if len(sites) > caps["sites"] else ""
        telltale = " · ".join(f"«{md_escape(line, caps['line'])}»" for line in n["telltale_lines"])
        lines.append(
            f"- {count_of(len(sites), 'site', 'sites')}, {count_of(n['copies'], 'copy', 'copies')} "
            f"({n['run_copies']} in this run): {named}{more}; tell-tale lines: {telltale}"
        )
    if len(networks) > caps["networks"]:
        lines.append(f"- and {len(networks) - caps['networks']} more")
    return [*lines, ""]


def errors_table(errors: Sequence[Mapping[str, str]], landing: str = "") -> list[dict[str, str]]:
    """Rows of the errors artifact: the file relative to the landing folder, the record inside it where
    the problem is one record (the column only when some error has one), the reason and its sentence."""
    with_records = any(e.get("locator") for e in errors)
    rows = []
    for e in errors:
        row = {"file": md_escape(relative_to(e["path"], landing), 80)}
        if with_records:
            row["record"] = md_escape(short_locator(e.get("locator") or "", landing, 40), 48)
        row["reason"] = md_escape(e["reason"])
        row["detail"] = md_escape(redact_url(relative_to_text(e["detail"], landing)), 400)
        rows.append(row)
    return rows


def relative_to_text(text: str, landing: str) -> str:
    """A sentence with the landing folder's own path left out of the paths it quotes."""
    return text.replace(landing.rstrip("/") + "/", "") if landing else text


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
