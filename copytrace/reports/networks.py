"""Spam networks: sites tied together by the wrapper templates they share (the ``spam_networks``
view), and the networks a run brought. Reads only views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

TELLTALE_LINES = 3  # the longest templates of a network, shown as its tell-tale lines


def network_rows(session: Session) -> list[dict[str, Any]]:
    """The ``spam_networks`` view: one row per template shared by two or more sites, and per site."""
    sql = (
        "SELECT fingerprint, network_sites, site, copies, first_seen_at, last_seen_at, template_text "
        "FROM spam_networks ORDER BY fingerprint, site"
    )
    return [dict(r._mapping) for r in session.execute(text(sql))]


def template_uses(session: Session) -> list[tuple[str, str, int]]:
    """``(template, site, copy)`` for every spam-wrapped copy on a site that uses a template of a
    network: the copies the ``spam_networks`` view counts, one by one."""
    sql = (
        "SELECT DISTINCT wl.fingerprint, cp.site, cp.document_id "
        "FROM wrapper_lines AS wl JOIN copy_provenance AS cp ON cp.document_id = wl.document_id "
        "WHERE cp.label = 'spam-wrapped' AND cp.site IS NOT NULL "
        "AND wl.fingerprint IN (SELECT fingerprint FROM spam_networks)"
    )
    return [(fp, site, int(doc)) for fp, site, doc in session.execute(text(sql))]


def site_groups(rows: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows of ``spam_networks`` grouped into networks: sites are joined whenever they share a template
    (connected components), so a network is every site reachable through shared templates."""
    rows = list(rows)
    parent: dict[str, str] = {}

    def find(site: str) -> str:
        while parent.setdefault(site, site) != site:
            parent[site] = parent[parent[site]]
            site = parent[site]
        return site

    by_template: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_template[r["fingerprint"]].append(r)
    for uses in by_template.values():
        for r in uses[1:]:
            parent[find(r["site"])] = find(uses[0]["site"])
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[find(r["site"])].append(r)
    return list(groups.values())


def new_networks(session: Session, run_document_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The networks a run brought: listed now, and none of their templates shared by two sites
    without the run's copies (``run_document_ids``, the documents it classified first). A network
    an earlier run listed and this run grew is not new. Each with its sites (and their copies), its
    copies in all and in this run, and its tell-tale lines (longest templates first); most sites
    first."""
    rows = network_rows(session)
    if not rows or not run_document_ids:
        return []
    this_run = set(run_document_ids)
    earlier_sites: dict[str, set[str]] = defaultdict(set)
    copies_of: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for fingerprint, site, doc in template_uses(session):
        copies_of[fingerprint].add((site, doc))
        if doc not in this_run:
            earlier_sites[fingerprint].add(site)
    found = []
    for group in site_groups(rows):
        templates = {r["fingerprint"]: r["template_text"] for r in group}
        if any(len(earlier_sites[fp]) >= 2 for fp in templates):
            continue
        copies = set().union(*(copies_of[fp] for fp in templates))
        new = {doc for _, doc in copies if doc in this_run}
        if not new:  # a network no copy of this run made (e.g. a correction since the last run)
            continue
        per_site: dict[str, set[int]] = defaultdict(set)
        for site, doc in copies:
            per_site[site].add(doc)
        found.append(
            {
                "sites": {s: len(d) for s, d in sorted(per_site.items(), key=lambda kv: (-len(kv[1]), kv[0]))},
                "copies": len({doc for _, doc in copies}),
                "run_copies": len(new),
                "telltale_lines": sorted(templates.values(), key=lambda t: (-len(t), t))[:TELLTALE_LINES],
            }
        )
    found.sort(key=lambda n: (-len(n["sites"]), -n["copies"], list(n["sites"])))
    return found
