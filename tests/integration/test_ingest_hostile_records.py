"""One bad record costs only itself, a bad date costs only the date, and what is stored is the same
text on SQLite and PostgreSQL whatever characters the scraper sent."""

from __future__ import annotations

import io
import json
import shutil

from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.db import session_factory
from copytrace.ingest import read_file
from copytrace.orm import Document, IngestError
from copytrace.pipeline.storing import store_files
from copytrace.text import clean, normalise

ARTICLE = "The harbour bridge will close for repairs until the spring, the council said on Tuesday."


def _hostile_jsonl() -> str:
    # json.dumps writes "\ud800" for a lone surrogate and "\u0000" for NUL, as a scraper's JSON would
    return "\n".join(
        [
            json.dumps({"url": "https://a.example/good", "text": ARTICLE}),  # 1
            json.dumps({"url": "https://a.example/surrogate", "text": ARTICLE + " \ud800 end"}),  # 2
            json.dumps({"url": "https://a.example/nul", "text": "NUL\x00 in " + ARTICLE}),  # 3
            json.dumps({"url": "https://a.example/field", "text": ["not", "a", "string"]}),  # 4
            json.dumps({"url": "https://a.example/date", "fetched_at": "2024-13-45", "text": "Date: " + ARTICLE}),  # 5
            json.dumps({"url": "https://a.example/esc", "title": "\x1b[31mRed\x1b[0m [/bold]", "text": "E " + ARTICLE}),
            json.dumps({"url": "https://a.example/long", "title": "t" * 5000, "text": "Long title. " + ARTICLE}),  # 7
            json.dumps({"url": "https://a.example/c1", "text": "C1\x85\x9b controls. " + ARTICLE}),  # 8
        ]
    )


def test_a_bad_record_loses_only_itself_and_every_text_is_cleaned(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(_hostile_jsonl(), encoding="utf-8", errors="surrogatepass")

    result = read_file(path, tmp_path, 1 << 20)

    assert [(e.locator, e.reason) for e in result.errors] == [
        (f"{path.resolve()}#L4", "malformed-jsonl"),
        ("https://a.example/date", "bad-date"),
    ]
    by_url = {c.url: c for c in result.copies}
    assert sorted(by_url) == sorted(
        f"https://a.example/{n}" for n in ("good", "surrogate", "nul", "date", "esc", "long", "c1")
    )
    assert by_url["https://a.example/surrogate"].text == ARTICLE + " \ufffd end"
    assert by_url["https://a.example/nul"].text == "NUL in " + ARTICLE
    assert by_url["https://a.example/date"].fetched_at is None
    assert by_url["https://a.example/esc"].title == "[31mRed[0m [/bold]"
    assert len(by_url["https://a.example/long"].title) == 1000
    assert by_url["https://a.example/c1"].text == "C1 controls. " + ARTICLE
    for copy in result.copies:  # every text encodes, and holds no control character but newline and tab
        copy.text.encode("utf-8")
        assert clean(copy.text) == copy.text and normalise(copy.text) == copy.text


def test_a_warc_record_with_a_bad_date_is_kept_and_the_date_recorded(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for n, date in enumerate(["2024-05-01T09:00:00Z", "not a date"]):
        page = f"<html><body><article><p>Story {n}. {ARTICLE}</p></article></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://a.example/{n}", "response", payload=io.BytesIO(page), http_headers=headers
        )
        record.rec_headers.replace_header("WARC-Date", date)
        writer.write_record(record)
    path = tmp_path / "crawl.warc"
    path.write_bytes(buf.getvalue())

    result = read_file(path, tmp_path, 1 << 20)

    assert [c.url for c in result.copies] == ["https://a.example/0", "https://a.example/1"]
    assert result.copies[0].fetched_at is not None and result.copies[1].fetched_at is None
    [error] = result.errors
    assert (error.locator, error.reason) == ("https://a.example/1", "bad-date")
    assert "'not a date'" in error.detail


def _stored(url: str) -> tuple[list[tuple], list[tuple]]:
    with session_factory(url).begin() as session:
        docs = [
            (d.locator, d.title, d.text, d.site, d.fetched_at)
            for d in session.scalars(select(Document).order_by(Document.locator))
        ]
        errors = [
            (e.locator, e.reason, e.detail)
            for e in session.scalars(select(IngestError).order_by(IngestError.locator, IngestError.reason))
        ]
    return docs, errors


def test_sqlite_and_postgresql_store_the_same_rows_of_hostile_records(tmp_path, sqlite_template, postgres_url):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "batch.jsonl").write_text(_hostile_jsonl(), encoding="utf-8", errors="surrogatepass")
    (landing / "utf16.txt").write_bytes(("UTF-16 without a mark. " + ARTICLE).encode("utf-16-le"))
    (landing / "nul.txt").write_bytes(b"Nul \x00 byte; " + ARTICLE.encode())  # binary: one NUL is not text
    shutil.copy(sqlite_template, tmp_path / "copytrace.db")
    sqlite_url = f"sqlite:///{tmp_path / 'copytrace.db'}"
    paths = sorted(str(p) for p in landing.iterdir())

    results = [store_files(paths, str(landing), url, max_file_bytes=1 << 20) for url in (sqlite_url, postgres_url)]

    for result in results:
        assert len(result.new_document_ids) == 8
        assert sorted(e["reason"] for e in result.errors) == ["bad-date", "binary", "malformed-jsonl"]
    on_sqlite, on_postgres = _stored(sqlite_url), _stored(postgres_url)
    assert on_sqlite == on_postgres
    assert len(on_sqlite[0]) == 8
