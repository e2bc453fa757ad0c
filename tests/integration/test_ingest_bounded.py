"""Readers are bounded whatever the input: a small archive that inflates to gigabytes, or holds one
huge record, is recorded as ``too-large`` (or damaged) and read in bounded memory.

Each file is read in a fresh interpreter that reports its own peak RSS, so the figure is that
one read's, not the test process's (Linux)."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.paths import REPO

MAX_BYTES = 1 << 20  # the file (and record) size limit the reads are given
INFLATED = 1 << 29  # what the hostile archives inflate to: 512 times the limit
# Well above an interpreter with the readers imported, far below what inflating a bomb whole takes.
PEAK_RSS_LIMIT = 400 * 2**20

# The peak is VmHWM, this process's own memory's high-water mark: getrusage's ru_maxrss would start
# from the forking process's peak (Linux carries it across exec), which here is the test runner's.
_READ = """
import json, sys
from pathlib import Path
from copytrace.ingest import read_file
path = Path(sys.argv[1])
result = read_file(path, path.parent, int(sys.argv[2]))
status = Path("/proc/self/status").read_text()
peak = next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
print(json.dumps({
    "errors": [[e.reason, e.locator, e.detail] for e in result.errors],
    "copies": [len(c.text) for c in result.copies],
    "peak": peak,
}))
"""


def _read_in_child(path: Path, max_bytes: int = MAX_BYTES) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _READ, str(path), str(max_bytes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout)


class ZeroStream(io.RawIOBase):
    """``n`` zero bytes, streamed (the test never holds what the archive inflates to)."""

    def __init__(self, n: int) -> None:
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        k = min(len(buffer), self.left)
        buffer[:k] = bytes(k)
        self.left -= k
        return k


def _record(writer: WARCWriter, url: str, payload, length: int | None, mime: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", mime)], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=payload, length=length, http_headers=headers)
    writer.write_record(record)


def _page(n: int) -> bytes:
    story = f"Story {n}: the harbour bridge will close for repairs."
    return f"<html><body><article><p>{story}</p></article></body></html>".encode()


def test_gzip_of_zeros_is_too_large_and_read_in_bounded_memory(tmp_path):
    path = tmp_path / "zeros.warc.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        for _ in range(INFLATED >> 24):
            out.write(bytes(1 << 24))
    assert path.stat().st_size < MAX_BYTES  # small on disk: the file size limit alone lets it through

    read = _read_in_child(path)

    assert [e[0] for e in read["errors"]] == ["too-large"]
    assert read["copies"] == []
    assert read["peak"] < PEAK_RSS_LIMIT
    # with a limit that lets it inflate, the first "line" (of zeros) is still read no further than LINE_LIMIT
    read = _read_in_child(path, max_bytes=INFLATED)
    assert [e[0] for e in read["errors"]] == ["malformed-warc"]
    assert read["peak"] < PEAK_RSS_LIMIT


def test_an_archive_inflating_past_its_budget_is_too_large_and_keeps_the_copies_before(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    _record(writer, "https://example.com/0", io.BytesIO(_page(0)), None, "text/html")
    _record(writer, "https://example.com/image", ZeroStream(INFLATED), INFLATED, "image/png")  # not a copy: skipped
    _record(writer, "https://example.com/2", io.BytesIO(_page(2)), None, "text/html")
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < MAX_BYTES

    read = _read_in_child(path)

    assert [e[0] for e in read["errors"]] == ["too-large"]
    assert "inflates past" in read["errors"][0][2]
    assert len(read["copies"]) == 1  # the page before the bomb; nothing after it is read
    assert read["peak"] < PEAK_RSS_LIMIT


def test_a_record_over_the_size_limit_is_too_large_and_the_others_are_kept(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    big = b"<html><body><article><p>" + b"word " * (4 * MAX_BYTES // 5) + b"</p></article></body></html>"
    _record(writer, "https://example.com/0", io.BytesIO(_page(0)), None, "text/html")
    _record(writer, "https://example.com/huge", io.BytesIO(big), None, "text/html")
    _record(writer, "https://example.com/2", io.BytesIO(_page(2)), None, "text/html")
    path = tmp_path / "huge-record.warc.gz"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < MAX_BYTES

    read = _read_in_child(path)

    assert [(e[0], e[1]) for e in read["errors"]] == [("too-large", "https://example.com/huge")]
    assert len(read["copies"]) == 2 and max(read["copies"]) < MAX_BYTES
    assert read["peak"] < PEAK_RSS_LIMIT


def test_a_header_line_past_the_line_limit_is_damage_not_a_read_to_the_next_newline(tmp_path):
    path = tmp_path / "long-line.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: " + b"x" * (MAX_BYTES - 64) + b"\r\n\r\n")

    read = _read_in_child(path)

    assert [e[0] for e in read["errors"]] == ["malformed-warc"]
