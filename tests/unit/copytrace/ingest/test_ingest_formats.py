"""Good input in every supported format is read into normalised, hashed, attributed copies."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.ingest import SUPPORTED_SUFFIXES, read_file
from copytrace.text import normalise, text_sha256
from tests.paths import REPO

FIXTURES = REPO / "tests" / "fixtures" / "ingest"
ARTICLE = (
    "Harbour bridge to close until spring\n\n"
    "The council said the bridge\u2019s cables were \u201cbadly corroded\u201d \u2014 repairs start in June.\n"
    "Caf\u00e9 owners on the quay fear a quiet summer.\n"
)
PAGE = (
    "<html><head><meta charset='{charset}'><title>Bridge | Example News</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Harbour bridge to close</h1>"
    "<p>The council said the bridge\u2019s cables were \u201cbadly corroded\u201d and that repairs would start "
    "in June and last until spring.</p><p>Sponsored: try GoldNest bullion accounts today.</p>"
    "<p>Caf\u00e9 owners on the quay fear a quiet summer as the ferry queues grow longer every week.</p>"
    "<p>Subscribe to keep reading. Already a member? Log in</p></article>"
    "<footer>\u00a9 Example News</footer></body></html>"
)


def _read(path: Path, max_bytes: int = 1 << 20):
    return read_file(path, path.parent, max_bytes)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "cp1252"]
)
def test_txt_in_any_common_encoding_gives_the_same_text_and_hash(tmp_path, encoding):
    path = tmp_path / f"copy-{encoding}.txt"
    path.write_bytes(ARTICLE.encode(encoding))

    result = _read(path)

    assert result.errors == []
    [copy] = result.copies
    assert copy.text == normalise(ARTICLE)
    assert copy.sha256 == text_sha256(ARTICLE)
    assert copy.locator == str(path.resolve())
    assert (copy.title, copy.url, copy.site, copy.fetched_at, copy.record_index) == (None, None, None, None, None)
    assert result.size == path.stat().st_size and len(result.file_sha256) == 64


def test_latin1_text_and_crlf_line_endings_hash_like_utf8(tmp_path):
    plain = "Caf\u00e9 owners on the quay fear a quiet summer.\nThe ferry queues grow longer.\n"
    (tmp_path / "a.txt").write_bytes(plain.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(plain.replace("\n", "\r\n").encode("latin-1"))

    hashes = {_read(tmp_path / name).copies[0].sha256 for name in ("a.txt", "b.txt")}

    assert hashes == {text_sha256(plain)}


def test_html_fixture_keeps_injected_sponsor_and_paywall_lines_and_drops_page_chrome():
    path = FIXTURES / "paywalled_article.html"

    result = _read(path)

    assert result.errors == []
    [copy] = result.copies
    assert "Sponsored: Earn 12% a year with GoldNest" in copy.text
    assert "Subscribe to keep reading. Already a member? Log in" in copy.text
    assert "Engineers found corrosion" in copy.text and "last winter's floods" in copy.text
    assert "Most read" not in copy.text and "All rights reserved" not in copy.text and "Weather" not in copy.text
    # a relative canonical link is resolved against og:url; site is the lower-case host without www.
    assert copy.url == "https://www.Daily-Example.co.uk/news/2024/05/harbour-bridge-closure"
    assert copy.locator == copy.url
    assert copy.site == "daily-example.co.uk"
    assert copy.title == "Harbour bridge to close until spring"


@pytest.mark.parametrize("charset", ["utf-8", "windows-1252", "iso-8859-1"])
def test_html_is_decoded_by_its_meta_charset(tmp_path, charset):
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.format(charset=charset).encode("cp1252" if charset != "utf-8" else "utf-8"))

    [copy] = _read(path).copies

    assert 'bridge\'s cables were "badly corroded"' in copy.text
    assert "Caf\u00e9 owners" in copy.text
    assert "Sponsored: try GoldNest" in copy.text and "Log in" in copy.text
    assert copy.url is None and copy.locator == str(path.resolve())
    assert copy.title == "Harbour bridge to close"


def test_jsonl_reads_text_and_html_records_with_their_metadata(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        {
            "url": "https://www.News.example.org/bridge",
            "fetched_at": "2024-05-01T11:30:00+02:00",
            "title": "Bridge",
            "text": ARTICLE,
        },
        {"url": "https://copies.example.net/b", "fetched_at": "2024-05-02T08:00:00", "html": PAGE.format(charset="x")},
        {"text": ARTICLE},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")

    result = _read(path)

    assert result.errors == []
    first, second, third = result.copies
    assert first.locator == first.url == "https://www.News.example.org/bridge"
    assert first.site == "news.example.org" and first.title == "Bridge"
    assert first.fetched_at == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert first.sha256 == text_sha256(ARTICLE) and first.record_index == 1
    assert second.fetched_at == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)  # no zone: taken as UTC
    assert "Subscribe to keep reading" in second.text and second.title == "Harbour bridge to close"
    assert second.record_index == 2 and second.site == "copies.example.net"
    assert third.locator == f"{path.resolve()}#L3" and third.url is None and third.site is None
    assert {c.source_path for c in result.copies} == {str(path)}


def _warc(gzip: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("landing.warc", {"software": "copytrace-tests"}))

    def response(uri: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2024-05-03T07:15:00Z"},
        )
        writer.write_record(record)

    response("https://www.example.com/bridge", PAGE.format(charset="utf-8").encode(), "text/html; charset=utf-8")
    response("https://mirror.example.org/bridge.txt", ARTICLE.encode("cp1252"), "text/plain; charset=windows-1252")
    response("https://www.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
    response("https://www.example.com/gone", PAGE.format(charset="utf-8").encode(), "text/html", "404 Not Found")
    return buf.getvalue()


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_and_plain_text_responses_become_copies(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_warc(gzip=name.endswith(".gz")))

    result = _read(path)

    assert result.errors == []
    html, plain = result.copies  # the image and the 404 page are skipped
    assert html.locator == html.url == "https://www.example.com/bridge" and html.site == "example.com"
    assert "Sponsored: try GoldNest" in html.text and html.title == "Harbour bridge to close"
    assert plain.locator == "https://mirror.example.org/bridge.txt"
    assert plain.sha256 == text_sha256(ARTICLE)
    assert html.fetched_at == plain.fetched_at == datetime(2024, 5, 3, 7, 15, tzinfo=UTC)
    assert (html.record_index, plain.record_index) == (2, 3)


def test_suffixes_are_matched_case_insensitively(tmp_path):
    path = tmp_path / "SHOUTING.TXT"
    path.write_text(ARTICLE, encoding="utf-8")

    assert [c.sha256 for c in _read(path).copies] == [text_sha256(ARTICLE)]
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".html", ".htm", ".jsonl", ".warc", ".warc.gz"}


@pytest.mark.parametrize("name", ["with spaces.txt", "caf\u00e9 \u2014 r\u00e9sum\u00e9.txt", "\U0001f4f0news.txt"])
def test_unusual_but_printable_names_are_read(tmp_path, name):
    path = tmp_path / name
    path.write_text(ARTICLE, encoding="utf-8")

    result = _read(path)

    assert result.errors == [] and result.copies[0].locator == str(path.resolve())


def test_short_cp1252_text_is_not_mistaken_for_a_baltic_code_page(tmp_path):
    """charset-normalizer alone reads this as cp775 and turns the curly quotes into letters."""
    text = "The minister said \u201cwe will not back down\u201d \u2014 and the crowd cheered.\n"
    (tmp_path / "short.txt").write_bytes(text.encode("cp1252"))

    [copy] = _read(tmp_path / "short.txt").copies

    assert copy.text == 'The minister said "we will not back down" \u2014 and the crowd cheered.'
