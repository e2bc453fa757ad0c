"""A page's publication date: read from the page, carried by the scraped copy, stored, shown in
copy_provenance and handed to attribution."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.ingest.html import extract_article
from copytrace.ingest.records import plausible_publication
from copytrace.pipeline import classifying as pipeline
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.storing import store_files
from copytrace.scoring import load_scorer
from tests.test_ingest_formats import PAGE, _read
from tests.view_rows import normalise, query_rows

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BIG9 = DATA / "web-extraction-big9"

BODY = (
    "<p>The council said the harbour bridge cables were badly corroded and that repairs would start in June "
    "and last until spring, closing the crossing to all traffic.</p>"
    "<p>Caf\u00e9 owners on the quay fear a quiet summer as the ferry queues grow longer every week.</p>"
)


def _page(head: str = "", top: str = "") -> str:
    """A small article page with ``head`` inside <head> and ``top`` before the article's paragraphs."""
    return (
        f"<html><head><meta charset='utf-8'><title>Bridge | Example News</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Harbour bridge to close</h1>{top}{BODY}</article>"
        "<footer>\u00a9 Example News</footer></body></html>"
    )


def _json_ld(*objects: dict) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects)


def _published(page: str, fetched_at: datetime | None = None) -> datetime | None:
    return extract_article(page, fetched_at=fetched_at).published_at


# ------------------------------------------------------------------------------------------------ the page's date


def test_article_published_time_meta_keeps_its_time_in_utc_and_ignores_the_modified_time():
    head = (
        "<meta property='article:modified_time' content='2024-05-02T09:00:00+02:00'>"
        "<meta property='article:published_time' content='2024-05-01T08:15:00+02:00'>"
    )
    assert _published(_page(head)) == datetime(2024, 5, 1, 6, 15, tzinfo=UTC)


def test_json_ld_date_published_of_the_article_is_read_before_other_objects():
    head = _json_ld(
        {"@context": "https://schema.org", "@type": "WebSite", "datePublished": "2010-01-01"},
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "BreadcrumbList", "itemListElement": []},
                {"@type": "NewsArticle", "datePublished": "2024-05-01T22:30:00-04:00", "dateModified": "2024-05-03"},
            ],
        },
    )
    assert _published(_page(head)) == datetime(2024, 5, 2, 2, 30, tzinfo=UTC)


def test_of_the_dates_a_page_states_the_one_with_a_zone_wins():
    """nypost.com: ``sailthru.date`` in New York time without a zone, then the UTC publication time."""
    head = (
        "<meta name='sailthru.date' content='2013-10-31 19:17:49'>"
        "<meta property='article:published_time' content='2013-10-31T23:17:49+00:00'>"
    )
    assert _published(_page(head)) == datetime(2013, 10, 31, 23, 17, 49, tzinfo=UTC)
    # foxnews.com's JSON-LD: not ISO 8601, but a zone all the same
    assert _published(_page(_json_ld({"@type": "NewsArticle", "datePublished": "Thu Apr 06 01:42:00 EDT 2017"}))) == (
        datetime(2017, 4, 6, 5, 42, tzinfo=UTC)
    )


def test_a_visible_dateline_gives_the_day_at_midnight_utc():
    assert _published(_page(top="<p class='dateline'>Published 12 March 2024</p>")) == datetime(2024, 3, 12, tzinfo=UTC)


def test_a_page_without_a_date_has_none():
    assert _published(_page()) is None


def test_a_date_in_the_future_of_the_fetch_or_before_1990_is_ignored():
    future = "<meta property='article:published_time' content='2999-01-01T00:00:00Z'>"
    assert _published(_page(future)) is None
    # a later source of the page's metadata is taken instead
    stated = _json_ld({"@type": "NewsArticle", "datePublished": "2024-03-12T10:00:00Z"})
    assert _published(_page(future + stated)) == datetime(2024, 3, 12, 10, tzinfo=UTC)
    assert _published(_page("<meta name='date' content='1985-06-01'>")) is None
    # "the future" is the fetch's: a page fetched in 2020 cannot state a 2024 date
    dated = "<meta property='article:published_time' content='2024-05-01T08:00:00Z'>"
    assert _published(_page(dated), datetime(2020, 1, 1, tzinfo=UTC)) is None
    assert _published(_page(dated), datetime(2024, 5, 1, 9, tzinfo=UTC)) == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_a_bare_date_may_be_up_to_fourteen_hours_ahead_of_the_fetch():
    """A page dated 2 May in UTC+14 is on that date from 10:00 UTC on 1 May; its bare date is midnight UTC."""
    fetched = datetime(2024, 5, 1, 10, tzinfo=UTC)
    may_2 = datetime(2024, 5, 2, tzinfo=UTC)
    assert plausible_publication(may_2, fetched) == may_2
    assert plausible_publication(may_2, fetched - timedelta(minutes=1)) is None
    assert plausible_publication(datetime(1989, 12, 31, tzinfo=UTC), fetched) is None


# ------------------------------------------------------------------------------------------------ the copy's date


def test_an_html_file_carries_its_date_and_a_text_file_none(tmp_path):
    (tmp_path / "a.html").write_text(_page("<meta itemprop='datePublished' content='2024-05-01'>"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("Harbour bridge to close until spring.\n", encoding="utf-8")

    assert _read(tmp_path / "a.html").copies[0].published_at == datetime(2024, 5, 1, tzinfo=UTC)
    assert _read(tmp_path / "b.txt").copies[0].published_at is None


def test_jsonl_published_at_field_wins_over_the_html_date_and_is_checked(tmp_path):
    dated = _page("<meta property='article:published_time' content='2024-05-01T08:00:00Z'>")
    lines = [
        {"url": "https://a.example/1", "fetched_at": "2024-05-02T00:00:00Z", "html": dated},
        {"url": "https://a.example/2", "published_at": "2024-04-30T12:00:00+02:00", "html": dated},
        {"url": "https://a.example/3", "published_at": "2024-04-30", "text": "Some text of a copy."},
        {"url": "https://a.example/4", "fetched_at": "2024-04-01T00:00:00Z", "published_at": "2024-05-01", "text": "x"},
        {"url": "https://a.example/5", "published_at": "last Tuesday", "text": "Some text of a copy."},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")

    result = _read(path)

    assert [c.published_at for c in result.copies] == [
        datetime(2024, 5, 1, 8, tzinfo=UTC),  # from the page
        datetime(2024, 4, 30, 10, tzinfo=UTC),  # the field wins
        datetime(2024, 4, 30, tzinfo=UTC),  # a bare date: midnight UTC
        None,  # a month after its fetch: left out
        None,  # not a date: the record is kept without it, and the bad date recorded
    ]
    [error] = result.errors
    assert error.reason == "bad-date" and "published_at 'last Tuesday'" in error.detail
    assert error.locator == "https://a.example/5"


def test_warc_html_date_is_bounded_by_the_record_fetch_time(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    page = _page("<meta property='article:published_time' content='2024-05-03T06:00:00Z'>").encode()
    for number, fetched in enumerate(("2024-05-03T07:15:00Z", "2024-05-01T07:15:00Z")):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"https://www.example.com/bridge/{number}",
                "response",
                payload=io.BytesIO(page),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": fetched},
            )
        )
    (tmp_path / "crawl.warc").write_bytes(buf.getvalue())

    copies = _read(tmp_path / "crawl.warc").copies

    assert [c.published_at for c in copies] == [datetime(2024, 5, 3, 6, tzinfo=UTC), None]


# ------------------------------------------------------------------------------------------------ real pages


@pytest.mark.skipif(not (BIG9 / "index.csv").is_file(), reason="../shared/data/web-extraction-big9 not present")
def test_big9_pages_of_2013_and_2017_carry_a_plausible_date():
    """Every tenth page of the 2013 and 2017 snapshots: a date on each, in the snapshot's year (or the
    one before), and most with a time of day (from their meta tags or JSON-LD)."""
    rows = [r for r in csv.DictReader((BIG9 / "index.csv").open(encoding="utf-8")) if r["snapshot_year"] >= "2013"]
    dates = {}
    for row in rows[::10]:
        dates[row["html_path"]] = (
            int(row["snapshot_year"]),
            extract_article(gzip.decompress((BIG9 / row["html_path"]).read_bytes())).published_at,
        )
    assert len(dates) == 18
    found = {path: (year, when) for path, (year, when) in dates.items() if when is not None}
    assert len(found) >= 16, sorted(set(dates) - set(found))
    assert all(year - 1 <= when.year <= year for year, when in found.values()), found
    assert sum(when.time() != datetime.min.time() for _, when in found.values()) >= 8


# ------------------------------------------------------------------------------------------------ stored


@pytest.mark.integration
def test_a_page_date_is_stored_shown_in_copy_provenance_and_given_to_attribution(db_url, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    source = landing / "source.html"
    source.write_text(
        PAGE.format(charset="utf-8").replace(
            "<title>", "<meta property='article:published_time' content='2024-05-01T08:15:00+02:00'><title>"
        ),
        encoding="utf-8",
    )
    copy = landing / "copy.html"
    copy.write_text(
        PAGE.format(charset="utf-8").replace("<article>", "<article><p class='date'>3 May 2024</p>"), encoding="utf-8"
    )
    undated = landing / "undated.txt"
    undated.write_text("A plain text note about something else entirely, with no date.\n", encoding="utf-8")

    stored = store_files([str(source)], str(landing), db_url, max_file_bytes=1 << 20)
    later = store_files([str(copy), str(undated)], str(landing), db_url, max_file_bytes=1 << 20)

    rows = query_rows(db_url, "SELECT document_id, locator, published_at FROM copy_provenance ORDER BY document_id")
    assert [(r["locator"], r["published_at"]) for r in rows] == [
        (str(source.resolve()), datetime(2024, 5, 1, 6, 15)),  # view_rows' form: naive UTC
        (str(copy.resolve()), datetime(2024, 5, 3)),
        (str(undated.resolve()), None),
    ]

    given: list = []
    real_attribute = pipeline.attribute

    def attribute(docs, *args, **kwargs):
        given.extend(docs)
        return real_attribute(docs, *args, **kwargs)

    monkeypatch.setattr(pipeline, "attribute", attribute)
    scorer = load_scorer()
    classify_documents(stored.new_document_ids, db_url, scorer)
    # as fetched_at: read back naive on SQLite (the UTC wall time), aware on PostgreSQL
    given_first = {d.id: (d.is_new, normalise("published_at", d.published_at)) for d in given}
    given.clear()
    classify_documents(later.new_document_ids, db_url, scorer)  # the source is now a stored candidate

    [source_id], [copy_id, undated_id] = stored.new_document_ids, later.new_document_ids
    assert given_first == {source_id: (True, datetime(2024, 5, 1, 6, 15))}
    seen = {d.id: (d.is_new, normalise("published_at", d.published_at)) for d in given}
    assert seen[copy_id] == (True, datetime(2024, 5, 3))
    assert seen[undated_id] == (True, None)
    assert seen[source_id] == (False, datetime(2024, 5, 1, 6, 15))
