"""What a run's Prefect artifacts show, as Markdown or table rows: the copies it found (by label), the
spam networks it brought and its bad inputs. Scraped text is escaped (``formatting.md_escape``); a
link is built only by ``links``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from copytrace.redact import redact_url
from copytrace.reports.formatting import (
    count_of,
    labels_in_words,
    md_escape,
    relative_to,
    relative_to_text,
    short_locator,
)
from copytrace.reports.links import document_url, networks_url
from copytrace.reports.run_summary import RunSummary

# The order findings are listed in: the label an operator acts on first, first.
FINDING_ORDER = ("spam-wrapped", "rewrite", "excerpt", "original")


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
    title, source, confidence, one reason. With ``dashboard_url`` (``copytrace.reports.links.dashboard_base``),
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
    """The spam networks a run brought (``copytrace.reports.networks.new_networks``): a list item each with
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
