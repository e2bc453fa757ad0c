"""A landing folder of every hostile kind, ingested twice by the CLI on SQLite and on PostgreSQL:
both runs end with rc 0 in bounded memory, every bad input is recorded once, every good record is
stored, and the two databases hold the same rows."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.ingest.badinputs import write_bad_inputs
from copytrace.ingest.records import printable
from tests.integration.test_ingest_bounded import ZeroStream
from tests.paths import REPO
from tests.view_rows import query_rows

pytestmark = pytest.mark.integration

MAX_FILE_BYTES = 2 * 2**20
PEAK_RSS_LIMIT = 2**30
ARTICLE = (
    "The council confirmed on Tuesday that the harbour bridge will close for repairs until the spring, "
    "cutting the quickest route between the old town and the ferry terminal. Traders on the quay said "
    "the closure would cost them the summer's passing trade.\n"
)
# Runs the CLI as its child and reports the child's peak RSS (and its descendants' it waited for).
_MEASURED = """
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
sys.exit(rc)
"""


def _warc(records: list[tuple[str, str, object, int | None]]) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for url, mime, payload, length in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", mime)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=payload, length=length, http_headers=headers)
        )
    return buf.getvalue()


def _page(n: int, title: str = "Bridge") -> bytes:
    body = f"<body><article><p>Story {n}. {ARTICLE}</p></article></body>"
    return f"<html><head><title>{title}</title></head>{body}</html>".encode()


def _hostile(landing: Path) -> tuple[dict[str, str], int]:
    """The folder; returns {file name: a reason it must record} and the number of good records."""
    expected = write_bad_inputs(landing, max_bytes=MAX_FILE_BYTES)
    with gzip.open(landing / "zeros.warc.gz", "wb", compresslevel=9) as out:  # inflates 256 times the limit
        for _ in range(32):
            out.write(bytes(16 * 2**20))
    expected["zeros.warc.gz"] = "too-large"
    (landing / "bomb.warc.gz").write_bytes(
        _warc(
            [
                ("https://a.example/w0", "text/html", io.BytesIO(_page(0)), None),
                ("https://a.example/img", "image/png", ZeroStream(2**29), 2**29),
            ]
        )
    )
    expected["bomb.warc.gz"] = "too-large"
    big = b"<html><body><article><p>" + b"word " * (3 * MAX_FILE_BYTES // 5) + b"</p></article></body></html>"
    (landing / "big-record.warc.gz").write_bytes(
        _warc(
            [
                ("https://a.example/huge", "text/html", io.BytesIO(big), None),
                ("https://a.example/w2", "text/html", io.BytesIO(_page(2, "[/bold] \x1b[31mred")), None),
            ]
        )
    )
    expected["big-record.warc.gz"] = "too-large"
    os.mkfifo(landing / "pipe.txt")
    expected["pipe.txt"] = "not-a-file"
    records = [
        {
            "url": "https://a.example/j1",
            "title": "[/bold] [link=https://evil.example]x[/link]",
            "text": "One. " + ARTICLE,
        },
        {"url": "https://a.example/j2", "text": "Two \ud800 lone surrogate. " + ARTICLE},
        {"url": "https://a.example/j3", "text": "Three \x00 NUL. " + ARTICLE},
        {"url": "https://a.example/j4", "fetched_at": "2024-13-45", "text": "Four. " + ARTICLE},
        {"url": "https://a.example/j5", "text": 5},
    ]
    (landing / "records.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records), encoding="utf-8", errors="surrogatepass"
    )
    expected["records.jsonl"] = "malformed-jsonl"
    (landing / "utf16.txt").write_bytes(("UTF-16 without a mark. " + ARTICLE).encode("utf-16-be"))
    (landing / "good.txt").write_text("Good. " + ARTICLE, encoding="utf-8")
    # good records: w0, w2, j1-j4, utf16, good, and the badinputs' jsonl's two good lines
    return expected, 10


def _ingest(landing: Path, url: str, env: dict, cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    cmd = [sys.executable, "-m", "copytrace.cli", "ingest", str(landing), "--db", url]
    cmd += ["--max-file-bytes", str(MAX_FILE_BYTES)]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=900
    )
    return done, int(done.stdout.strip().splitlines()[-1])


def test_a_hostile_folder_ingests_twice_alike_on_both_databases(
    prefect_harness, sqlite_template, postgres_url, tmp_path
):
    from prefect.settings import PREFECT_API_URL

    landing = tmp_path / "landing"
    expected, good_records = _hostile(landing)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(landing / "sock.txt"))
    expected["sock.txt"] = "not-a-file"
    shutil.copy(sqlite_template, tmp_path / "copytrace.db")
    urls = [f"sqlite:///{tmp_path / 'copytrace.db'}", postgres_url]
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(REPO)}
    try:
        for url in urls:
            for _ in range(2):
                done, peak = _ingest(landing, url, env, tmp_path)
                assert done.returncode == 0, done.stderr[-3000:]
                assert peak < PEAK_RSS_LIMIT, peak
                print(f"ingest on {url.split(':')[0]}: peak RSS {peak / 2**20:.0f} MB")  # shown with -s
    finally:
        listener.close()

    rows = []
    for url in urls:
        errors = query_rows(url, "SELECT path, locator, reason, detail, occurrences FROM ingest_errors")
        docs = query_rows(url, "SELECT locator, title, site, fetched_at, published_at, sha256 FROM documents")
        texts = query_rows(url, "SELECT body FROM texts")
        assert all(e["occurrences"] == 1 for e in errors), errors  # recorded once, not again by the second run
        reasons = {(Path(e["path"]).name, e["reason"]) for e in errors}
        missing = {(n, reason) for name, reason in expected.items() if (n := printable(name), reason) not in reasons}
        assert not missing, (missing, reasons)
        assert len(docs) == good_records, docs
        assert all("\x00" not in t["body"] and "\x1b" not in t["body"] for t in texts)
        key = lambda r: [(v is None, str(v)) for v in r.values()]  # noqa: E731
        rows.append((sorted(errors, key=key), sorted(docs, key=key), sorted(texts, key=key)))
    assert rows[0] == rows[1]
