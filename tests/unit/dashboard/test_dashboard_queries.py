"""The dashboard's contract: every query it runs reads views only (each runs on both databases:
tests/integration/test_dashboard_queries.py)."""

from __future__ import annotations

import re

import pytest

from dashboard.alignment import align, diff
from dashboard.figures import grouped_story_figure, shown_documents, story_figure
from dashboard.filters import LOCAL, Filters, parse, to_search
from dashboard.pages.networks import networks
from dashboard.queries import FILTERED, QUERIES, where
from sql import VIEWS_DIR
from tests.paths import REPO

VIEW_NAMES = {
    m.group(1) for f in VIEWS_DIR.glob("*.sql") if (m := re.search(r"CREATE VIEW (\w+)", f.read_text("utf-8")))
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_dashboard_queries_read_only_views(name) -> None:
    everything = Filters("2026-01-01", "2026-12-31", ("rewrite",), ("a.example", LOCAL), 3, 0.5)
    sql = QUERIES[name].replace("{where}", where(name, everything)[0])
    sources = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql, flags=re.IGNORECASE))
    assert sources and sources <= VIEW_NAMES, sources - VIEW_NAMES


def test_filters_round_trip_through_the_query_string_and_keep_page_keys() -> None:
    f = Filters("2026-11-01", "2026-12-06", ("rewrite", "excerpt"), ("a.example", LOCAL), 17, 0.75)
    search = to_search(f, keep={"n": "80", "story": "3"})
    assert parse(search) == f and "n=80" in search
    assert parse("?from=yesterday&label=bogus,rewrite&story=x&conf=7") == Filters(labels=("rewrite",))
    assert to_search(Filters()) == ""


def test_the_filtered_queries_are_those_with_a_place_for_the_filters() -> None:
    assert {name for name, sql in QUERIES.items() if "{where}" in sql} == set(FILTERED)


def test_filters_become_conditions_only_on_the_columns_a_query_has() -> None:
    f = Filters(start="2026-11-01", labels=("rewrite",), sites=(LOCAL,), min_confidence=0.5)
    condition, params = where("documents", f)
    assert "cp.label IN (:f_label0)" in condition and "cp.site IS NULL" in condition
    assert params == {"f_start": "2026-11-01", "f_label0": "rewrite", "f_confidence": 0.5}
    condition, params = where("networks", f)
    assert "label" not in condition and "confidence" not in condition and params["f_start"] == "2026-11-01"
    assert where("model_quality", f) == ("1 = 1", {})


def test_alignment_puts_every_character_of_the_copy_in_one_row_in_order() -> None:
    source = "Alpha beta gamma.\n\nDelta epsilon zeta."
    copy = "BUY NOW\n\nAlpha beta gamma.\n\nsome stray text\n\nDelta EPSILON eta."
    passages = [
        {"copy_start": 9, "copy_end": 26, "source_passage": source[:17], "kind": "verbatim", "score": 1.0},
        {"copy_start": 45, "copy_end": 63, "source_passage": source[19:], "kind": "paraphrase", "score": 0.7},
    ]
    wrappers = [{"segment_start": 0, "segment_end": 7}]
    rows = align(copy, passages, wrappers)
    assert [r.kind for r in rows] == ["wrapper", "match", "unmatched", "match"]
    assert "".join(r.copy for r in rows).replace("\n", "") == copy.replace("\n", "")
    copy_runs, source_runs = diff(rows[-1].copy, rows[-1].source)
    assert [t.strip() for t, changed in copy_runs if changed] == ["eta."]  # EPSILON differs only in case
    assert [t.strip() for t, changed in source_runs if changed] == ["zeta."]


def test_spam_networks_join_sites_sharing_any_template() -> None:
    rows = [
        {"fingerprint": f, "site": s, "copies": 1, "first_seen_at": d, "last_seen_at": d, "template_text": f}
        for f, s, d in [("t1", "a", 1), ("t1", "b", 2), ("t2", "b", 3), ("t2", "c", 4), ("t3", "x", 1), ("t3", "y", 9)]
    ]
    found = networks(rows)
    assert [(n["site_names"], n["templates"]) for n in found] == [("a, b, c", 2), ("x, y", 1)]
    assert found[0]["site_first_seen"] == {"a": 1, "b": 2, "c": 4}


def test_the_dashboard_package_runs_no_sql_outside_queries_py() -> None:
    package = REPO / "dashboard"
    others = [p for p in package.glob("*.py") if p.name != "queries.py"]
    assert others and not [p.name for p in others if re.search(r"\bSELECT\b|\btext\(", p.read_text("utf-8"))]


def test_story_graph_places_copies_right_of_their_sources() -> None:
    edges = {1: None, 2: 1, 3: 2, 4: 99}
    rows = [
        {"document_id": d, "derived_from_id": src, "label": "rewrite", "site": "s", "locator": "", "model_label": "x"}
        for d, src in edges.items()
    ]
    fig = story_figure(rows)
    x = {d[0]: xv for t in fig.data for d, xv in zip(t.customdata, t.x, strict=True)}
    assert x == {1: 0, 2: 1, 3: 2, 4: 0}  # 4's source is outside the story: it starts its own column
    assert len(fig.layout.annotations) == 2


def test_a_large_story_draws_its_largest_chain_first_sources_before_copies() -> None:
    edges = {1: None, **{d: 1 for d in range(2, 30)}, 30: 2, 31: 30, 40: None, 41: 40}
    rows = [
        {
            "document_id": d,
            "derived_from_id": s,
            "label": "excerpt" if s else "original",
            "site": f"s{d % 3}",
            "locator": "",
            "model_label": "x",
            "seen_at": d,
        }
        for d, s in edges.items()
    ]
    drawn = [r["document_id"] for r in shown_documents(rows, 5)]
    assert drawn == [1, 2, 3, 4, 5]  # 2 has the longest chain below it among 1's copies
    assert [r["document_id"] for r in shown_documents(rows, 40)][-2:] == [40, 41]
    by_site = grouped_story_figure(rows, "site")
    assert sorted(d[0] for d in by_site.data[0].customdata) == ["s0", "s1", "s2"]
    assert sum(d[1] for d in by_site.data[0].customdata) == len(rows)
