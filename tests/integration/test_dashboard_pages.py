"""Every page of the dashboard in headless Chromium over a store of more than 5,000 documents, on
SQLite and PostgreSQL: each panel and each filter, the numbers shown checked against the views.

The store is written straight through the copytrace.repo functions (tests/big_store.py), not by classifying
thousands of texts. Screenshots at 1440x900 are kept in the test's tmp dir; no page may need a
sideways scroll.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import text

from copytrace.db import engine_for, session_factory
from copytrace.reports.provenance import describe_direction
from dashboard.figures import STORY_LIMIT
from dashboard.filters import LOCAL
from dashboard.pages.networks import networks
from tests import big_store
from tests.conftest import TABLES
from tests.dashboard_page import (
    exported,
    figure_layout,
    no_sideways_scroll,
    open_page,
    serve,
    table_headers,
    table_rows,
    traces,
)
from tests.view_rows import view_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_db(request, tmp_path_factory, sqlite_template) -> tuple[str, big_store.BigStore]:
    """One store per database for the whole module: the pages only read it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("big-store") / "copytrace.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_template")
        if url is None:
            pytest.skip("no PostgreSQL configured on this machine (set COPYTRACE_TEST_POSTGRES_URL)")
        with engine_for(url).begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    with session_factory(url)() as session:
        made = big_store.build(session)
        session.commit()
    assert made.documents >= 5000
    return url, made


@pytest.fixture(scope="module")
def db(big_db) -> str:
    return big_db[0]


@pytest.fixture(scope="module")
def big(big_db) -> big_store.BigStore:
    return big_db[1]


@pytest.fixture(scope="module")
def base(db, tmp_path_factory) -> Iterator[str]:
    with serve(db, tmp_path_factory.mktemp("dashboard")) as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    yield page
    page.close()


def _kind(row: dict) -> str:
    if row["derived_from_id"] is None:
        return "originals (sources, not copies)"
    return "full copy" if row["label"] == "original" else row["label"]


def _shot(page, tmp_path, name: str) -> None:
    assert no_sideways_scroll(page), f"{name} needs a sideways scroll at 1440 px"
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def _daily(page) -> dict[tuple[str, str], int]:
    return {(t["name"], x[:10]): y for t in traces(page, "daily-chart") for x, y in zip(t["x"], t["y"], strict=True)}


def _expected_daily(rows: list[dict]) -> dict[tuple[str, str], int]:
    return dict(Counter((_kind(r), r["seen_day"]) for r in rows if r["label"] is not None))


def test_overview_and_the_shared_filters(page, base, db, tmp_path) -> None:
    provenance = view_rows(db, "copy_provenance")
    open_page(page, base + "/", "#daily-chart .main-svg")
    page.wait_for_selector("#top-sites td")
    assert _daily(page) == _expected_daily(provenance)  # originals are a line of their own, not copies
    assert figure_layout(page, "daily-chart")["xaxis"]["type"] == "date"
    assert f"of {len(provenance):,} documents" in page.text_content("#documents-count")

    sites = {r["site"] or LOCAL: r for r in view_rows(db, "copying_sites")}
    shown = table_rows(page, "top-sites")
    assert shown and "" not in {r[0] for r in shown}  # local files are named, not a blank site
    for row in shown:
        assert (int(row[1]), int(row[5])) == (sites[row[0]]["copies"], sites[row[0]]["spam_wrapped"])
    assert [int(r[1]) for r in shown] == sorted((s["copies"] for s in sites.values()), reverse=True)[: len(shown)]
    every = exported(page, "top-sites")  # the CSV holds every row, not the page shown
    assert {r["site"]: int(r["copies"]) for r in every} == {k: v["copies"] for k, v in sites.items()}
    page.click("#top-sites th:has-text('site') .column-header--sort")  # sortable: by site name
    by_name = [r[0] for r in table_rows(page, "top-sites")]
    assert by_name in (sorted(sites)[: len(by_name)], sorted(sites, reverse=True)[: len(by_name)])

    delays = sorted(r["delay_seconds"] for r in view_rows(db, "time_to_copy"))
    assert sorted(round(h * 3600) for t in traces(page, "delay-chart") for h in t["x"]) == delays
    _shot(page, tmp_path, "overview")

    # Filters in the URL: the controls show them and every panel honours them.
    site = next(s for s in sites if s.startswith("aggregator"))
    search = f"?from=2026-10-01&to=2026-10-31&label=rewrite,excerpt&site={quote(site)},{quote(LOCAL)}&conf=0.6"
    open_page(page, base + "/" + search, "#daily-chart .main-svg")
    page.wait_for_selector("#top-sites td")
    picked = [
        r
        for r in provenance
        if "2026-10-01" <= r["seen_day"] <= "2026-10-31"
        and r["label"] in ("rewrite", "excerpt")
        and r["site"] in (site, None)
        and r["confidence"] >= 0.6
    ]
    assert picked and _daily(page) == _expected_daily(picked)
    assert f"of {len(picked):,} documents" in page.text_content("#documents-count")
    assert {r[0] for r in table_rows(page, "top-sites")} <= {site, LOCAL}
    picked_ids = {r["document_id"] for r in picked}
    picked_delays = sorted(r["delay_seconds"] for r in view_rows(db, "time_to_copy") if r["document_id"] in picked_ids)
    assert sorted(round(h * 3600) for t in traces(page, "delay-chart") for h in t["x"]) == picked_delays
    assert page.locator("#f-labels").text_content().count("rewrite") == 1
    assert page.input_value("#f-conf") == "0.6"

    # Changing a control rewrites the URL (so the view can be linked) and the page follows it.
    page.fill("#f-conf", "0.9")
    page.keyboard.press("Enter")
    page.wait_for_url("**conf=0.9**")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "n => document.querySelector('#documents-count').textContent.includes(`of ${n} documents`)",
        arg=f"{sum(r['confidence'] >= 0.9 for r in picked):,}",
    )
    page.click("#f-clear")
    page.wait_for_function("() => !location.search")

    # The story filter reaches the overview too.
    story = max(Counter(r["story_id"] for r in provenance if r["story_id"]).items(), key=lambda kv: kv[1])[0]
    open_page(page, f"{base}/?story={story}", "#daily-chart .main-svg")
    assert _daily(page) == _expected_daily([r for r in provenance if r["story_id"] == story])


def _chain(provenance: dict[int, dict], doc: int) -> list[int]:
    out = [doc]
    while provenance[out[-1]]["derived_from_id"] is not None:
        out.append(provenance[out[-1]]["derived_from_id"])
    return out


def test_document_pages_for_every_label(page, base, big, db, tmp_path) -> None:
    provenance = {r["document_id"]: r for r in view_rows(db, "copy_provenance")}
    passages = Counter(r["document_id"] for r in view_rows(db, "matched_passages"))
    wrappers = Counter(r["document_id"] for r in view_rows(db, "wrapper_lines"))
    evidence = {r["document_id"]: json.loads(r["evidence"]) for r in view_rows(db, "document_evidence")}
    for key in ("first_spam-wrapped", "first_rewrite", "first_excerpt", "copy_of_copy", "local", "corrected"):
        doc = big.ids[key]
        open_page(page, f"{base}/doc/{doc}", "#doc-facts")
        row = provenance[doc]
        facts = page.text_content("#doc-facts")
        assert row["label"] in facts and f"{row['confidence']:.2f}" in facts
        chain = page.eval_on_selector_all("#doc-chain li a", "links => links.map(a => a.textContent)")
        assert chain == [f"#{d}" for d in _chain(provenance, doc)[1:]]
        assert page.text_content("#direction-line") == describe_direction(evidence[doc]["direction"])
        kinds = Counter(page.eval_on_selector_all("#alignment tbody tr", "rows => rows.map(r => r.className)"))
        assert (kinds["match"], kinds["wrapper"]) == (passages[doc], wrappers[doc]), key
        if row["label"] == "rewrite":
            assert page.locator("#alignment mark.added").count() > 0  # reworded words are marked
        if row["corrected_label"]:
            assert f"the classifier said {row['model_label']}" in facts
        _shot(page, tmp_path, f"document-{key}")

    # An original: no source, its text and the copies made from it.
    root = big.ids["markup_original"]
    open_page(page, f"{base}/doc/{root}", "#doc-facts")
    assert "no source" in page.text_content("#page")
    copies = sum(1 for r in provenance.values() if r["derived_from_id"] == root)
    assert page.text_content("#page").count(f"Copies made from this document ({copies})") == 1
    # Scraped markup is shown as text, never run or rendered.
    assert "<script>alert('x')</script>" in page.text_content("#doc-title")
    assert page.evaluate("document.querySelectorAll('#page script, #page b').length") == 0
    _shot(page, tmp_path, "document-original")

    # Found by locator (straight to the page) and by title words (a list).
    locator = provenance[big.ids["first_rewrite"]]["locator"]
    open_page(page, f"{base}/doc?q={quote(locator)}", "#doc-facts")
    assert locator in page.text_content("#doc-facts")
    open_page(page, base + "/", "#doc-search")
    page.fill("#doc-search", "story 3:")
    page.click("form.search button")
    page.wait_for_selector("#search-results td")
    story3 = [r for r in provenance.values() if "story 3:" in (r["title"] or "").lower()]
    assert page.text_content("#page").count(f"{len(story3)} found") == 1
    _shot(page, tmp_path, "search")


def test_story_view_stays_readable(page, base, big, db, tmp_path) -> None:
    provenance = view_rows(db, "copy_provenance")
    story = big.ids["largest_story"]
    members = [r for r in provenance if r["story_id"] == story]
    assert len(members) > 250
    open_page(page, f"{base}/story?story={story}", "#story-graph .main-svg")
    headline = next(
        r["title"]
        for r in members
        if r["derived_from_id"] is None
        and r["document_id"] == min(m["document_id"] for m in members if m["derived_from_id"] is None)
    )
    assert headline in page.text_content("#f-story")  # the picker names the story by its headline
    nodes = [
        (d[0], t["name"], text)
        for t in traces(page, "story-graph")
        for d, text in zip(t["customdata"], t["text"], strict=True)
    ]
    assert len(nodes) == STORY_LIMIT
    by_id = {r["document_id"]: r for r in members}
    for doc, name, node_text in nodes:
        assert name == _kind(by_id[doc]).replace("originals (sources, not copies)", "original")  # the effective label
        assert node_text == f"{by_id[doc]['site'] or LOCAL} · {name}"
    page.click("#story-more")
    page.wait_for_url("**n=80**")
    page.wait_for_function(
        "n => document.querySelector('#story-graph .js-plotly-plot').data.reduce((s, t) => s + t.x.length, 0) === n",
        arg=2 * STORY_LIMIT,
    )
    _shot(page, tmp_path, "story")

    page.click("#group-site")
    page.wait_for_url("**group=site**")
    page.wait_for_function("() => document.querySelector('#story-graph .js-plotly-plot').data[0].name === 'site'")
    groups = {d[0]: d[1] for t in traces(page, "story-graph") for d in t["customdata"]}
    assert groups == dict(Counter(r["site"] or LOCAL for r in members))
    _shot(page, tmp_path, "story-by-site")
    open_page(page, f"{base}/story?story={story}&group=label", "#story-graph .main-svg")
    groups = {d[0]: d[1] for t in traces(page, "story-graph") for d in t["customdata"]}
    assert groups == dict(Counter(_kind(r).replace("originals (sources, not copies)", "original") for r in members))

    open_page(page, f"{base}/story", "#stories-table td")
    assert len(exported(page, "stories-table")) == len({r["story_id"] for r in provenance if r["story_id"]})
    _shot(page, tmp_path, "stories")


def test_our_articles_spam_networks_corrections_and_quality(page, base, db, tmp_path) -> None:
    sources = {r["original_id"]: r for r in view_rows(db, "source_copies")}
    open_page(page, base + "/sources", "#sources td")
    assert page.text_content("#sources-count").startswith(f"{len(sources)} originals")
    for row in exported(page, "sources"):
        s = sources[int(row["original"].strip("[#]").split("]")[0])]
        assert (int(row["copies"]), int(row["sites"])) == (s["copies"], s["sites"])
    top = max(sources.values(), key=lambda s: (s["copies"], -s["original_id"]))
    spread = defaultdict(int)
    for r in view_rows(db, "copy_provenance"):
        if r["root_id"] == top["original_id"] and r["document_id"] != top["original_id"]:
            spread[(r["site"] or LOCAL, "full copy" if r["label"] == "original" else r["label"])] += 1
    assert {(r["site"], r["label"]): int(r["copies"]) for r in exported(page, "spread")} == dict(spread)
    _shot(page, tmp_path, "our-articles")

    rows = view_rows(db, "spam_networks")
    open_page(page, base + "/networks", "#networks td")
    found = networks(rows)
    assert page.text_content("#networks-count").startswith(f"{len(found)} networks")
    assert [int(r["sites"]) for r in exported(page, "networks")] == [n["sites"] for n in found]
    assert len(exported(page, "network-sites")) == len(rows)
    growth = traces(page, "network-growth")
    assert [len(t["x"]) for t in growth] == [n["sites"] for n in found]
    _shot(page, tmp_path, "spam-networks")

    open_page(page, base + "/quality", "#corrections td")
    history = view_rows(db, "correction_history")
    trail = exported(page, "corrections")
    assert sorted(int(r["correction"]) for r in trail) == sorted(r["correction_id"] for r in history)
    assert sum(r["in force"] == "yes" for r in trail) == len(view_rows(db, "latest_corrections"))
    quality = view_rows(db, "model_quality")
    assert {(r["version"], int(r["labelled"]), int(r["corrected"])) for r in exported(page, "model-quality")} == {
        (q["version"], q["labelled"], q["corrected"]) for q in quality
    }
    assert table_headers(page, "relabelled") and table_rows(page, "relabelled")
    _shot(page, tmp_path, "quality")
