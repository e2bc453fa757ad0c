"""Fuzzing every landing-file reader: any bytes give copies or recorded errors, never an exception,
never an unexpected failure (``internal-error``), and never more text than the size limit allows.

Inputs are arbitrary bytes and, to get past the first line of each format, good files of every kind
cut, spliced and with bytes overwritten. Derandomised, so a failure reproduces; no example database
is written into the repository.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.ingest import SUPPORTED_SUFFIXES, read_file
from copytrace.ingest.decode import decode_text
from copytrace.ingest.html import extract_article
from copytrace.ingest.jsonl import read_jsonl
from copytrace.ingest.records import InputError
from copytrace.ingest.warc import read_warc
from copytrace.text import clean, normalise

MAX_BYTES = 64 * 1024
KNOWN_REASONS = {
    "empty",
    "binary",
    "too-large",
    "undecodable",
    "no-text",
    "malformed-jsonl",
    "malformed-warc",
    "bad-date",
}
ARTICLE = (
    "The council confirmed on Tuesday that the harbour bridge will close for repairs until the spring, "
    "cutting the quickest route between the old town and the ferry terminal.\n"
)
PAGE = (
    "<html><head><meta charset='utf-8'><title>Bridge [/bold]</title>"
    "<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head>"
    f"<body><article><h1>Bridge</h1><p>{ARTICLE}</p><p>{ARTICLE}</p></article></body></html>"
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _warc(gzipped: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzipped)
    for n, (mime, body) in enumerate([("text/html", PAGE.encode()), ("text/plain", ARTICLE.encode())]):
        headers = StatusAndHeaders("200 OK", [("Content-Type", f"{mime}; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://a.example/{n}", "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buf.getvalue()


def _jsonl() -> bytes:
    lines = [
        {"url": "https://a.example/1", "fetched_at": "2024-05-01T09:30:00Z", "title": "One", "text": ARTICLE},
        {"url": "https://a.example/2", "published_at": "2024-04-30", "html": PAGE},
        {"text": ARTICLE, "fetched_at": "2024-05-02"},
    ]
    return ("\n".join(json.dumps(line) for line in lines) + "\n").encode()


GOOD = {
    ".txt": ARTICLE.encode("utf-8"),
    ".html": PAGE.encode("utf-8"),
    ".htm": PAGE.encode("cp1252", errors="replace"),
    ".jsonl": _jsonl(),
    ".warc": _warc(False),
    ".warc.gz": _warc(True),
}


@st.composite
def damaged(draw, good: bytes) -> bytes:
    """``good`` cut, spliced with random bytes, and with bytes overwritten."""
    data = bytearray(good)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["cut", "insert", "overwrite", "delete"]))
        at = draw(st.integers(0, len(data)))
        if kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(max_size=64))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at : at + len(chunk)] = chunk
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _inputs(suffix: str):
    return st.one_of(st.binary(max_size=2048), damaged(GOOD[suffix]))


def _check(result) -> None:
    assert {e.reason for e in result.errors} <= KNOWN_REASONS, [(e.reason, e.detail) for e in result.errors]
    for copy in result.copies:
        copy.text.encode("utf-8")  # no lone surrogate
        assert copy.text and len(copy.text) <= MAX_BYTES
        assert clean(copy.text) == copy.text and normalise(copy.text) == copy.text
        for value in (copy.title, copy.url, copy.locator):
            assert value is None or clean(value) == value
    for error in result.errors:
        assert clean(error.detail) == error.detail and (error.locator is None or clean(error.locator) == error.locator)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_read_file_gives_copies_or_recorded_errors_for_any_bytes(tmp_path_factory, suffix):
    landing = tmp_path_factory.mktemp("fuzz")

    @FUZZ
    @given(data=_inputs(suffix))
    def read(data: bytes) -> None:
        path = landing / f"input{suffix}"
        path.write_bytes(data)
        result = read_file(path, landing, MAX_BYTES)
        _check(result)
        if data:
            assert result.copies or result.errors

    read()


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), damaged(GOOD[".txt"]), damaged(ARTICLE.encode("utf-16-le"))))
def test_decode_text_returns_text_or_raises_input_error(data):
    try:
        text = decode_text(data)
    except InputError as exc:
        assert exc.reason in {"binary", "undecodable"}
    else:
        assert isinstance(text, str)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), damaged(GOOD[".html"])))
def test_extract_article_returns_an_article_or_raises_input_error(data):
    try:
        article = extract_article(data)
    except InputError as exc:
        assert exc.reason in {"binary", "undecodable", "no-text"}
    else:
        assert article.text.strip()


@FUZZ
@given(text=st.one_of(st.text(max_size=2048), damaged(GOOD[".jsonl"]).map(lambda b: b.decode("utf-8", "replace"))))
def test_read_jsonl_never_raises(text):
    copies, errors = read_jsonl(text, "/landing/x.jsonl", "/landing/x.jsonl")
    assert {e.reason for e in errors} <= KNOWN_REASONS


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), damaged(GOOD[".warc"]), damaged(GOOD[".warc.gz"])))
def test_read_warc_never_raises(data):
    copies, errors = read_warc(data, "/landing/x.warc", MAX_BYTES)
    assert copies or errors
    assert {e.reason for e in errors} <= KNOWN_REASONS
    assert all(len(c.text) <= MAX_BYTES for c in copies)


def test_the_fuzzed_good_files_are_read_whole(tmp_path):
    """The seeds of the damaged inputs are good files: undamaged, each gives its copies."""
    for suffix, data in GOOD.items():
        path = tmp_path / f"good{suffix}"
        path.write_bytes(data)
        result = read_file(path, tmp_path, MAX_BYTES)
        assert result.errors == [] and result.copies, suffix
    assert gzip.decompress(GOOD[".warc.gz"]).startswith(b"WARC/1")
    assert Path(tmp_path / "good.warc.gz").stat().st_size == len(GOOD[".warc.gz"])
