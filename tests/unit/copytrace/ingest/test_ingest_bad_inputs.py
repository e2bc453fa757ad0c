"""Every bad input becomes a ReadError with its reason; nothing raises, and good records beside it survive."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from copytrace.ingest import discover, read_file
from copytrace.ingest.badinputs import write_bad_inputs
from copytrace.text import text_sha256

ARTICLE = "The harbour bridge will close for repairs until the spring, the council said on Tuesday.\n"


def _reasons(result) -> list[str]:
    return [e.reason for e in result.errors]


def test_write_bad_inputs_yields_each_expected_reason_and_no_copies(tmp_path):
    landing = tmp_path / "landing"
    expected = write_bad_inputs(landing, max_bytes=4096)
    (landing / "good.txt").write_text(ARTICLE, encoding="utf-8")

    results = {p.name: read_file(p, landing, 4096) for p in discover(landing)}

    assert set(expected) | {"good.txt"} == set(results)
    assert set(expected.values()) == {
        "empty",
        "binary",
        "too-large",
        "undecodable",
        "malformed-jsonl",
        "no-text",
        "outside-landing",
        "bad-name",
    }
    for name, reason in expected.items():
        assert reason in _reasons(results[name]), (name, results[name].errors)
        assert all(e.detail.endswith(".") and "\n" not in e.detail for e in results[name].errors)
    assert [c.sha256 for c in results["good.txt"].copies] == [text_sha256(ARTICLE)]
    # the JSONL file keeps its two good lines around the broken one
    jsonl = results["malformed.jsonl"]
    assert [c.record_index for c in jsonl.copies] == [1, 3]
    assert [e.locator for e in jsonl.errors] == [f"{(landing / 'malformed.jsonl').resolve()}#L2"]
    assert "Line 2" in jsonl.errors[0].detail
    # the odd name is reported under a printable form, and nothing else in the folder had copies
    assert results["odd\nname.txt"].path == str(landing / "odd\\x0aname.txt")
    assert all(not r.copies for n, r in results.items() if n not in ("good.txt", "malformed.jsonl"))


def test_too_large_is_decided_by_size_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text(ARTICLE * 10, encoding="utf-8")
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("a too-large file must not be opened"))

    result = read_file(path, tmp_path, 100)

    assert _reasons(result) == ["too-large"] and result.size == path.stat().st_size and result.file_sha256 is None


def test_a_symlink_inside_the_landing_folder_is_read_but_one_leading_out_is_not(tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "elsewhere"
    landing.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    (landing / "real.txt").write_text(ARTICLE, encoding="utf-8")
    (landing / "inside.txt").symlink_to(landing / "real.txt")
    (landing / "out.txt").symlink_to(outside / "secret.txt")
    (landing / "outdir").symlink_to(outside, target_is_directory=True)

    results = {p.name: read_file(p, landing, 1 << 20) for p in discover(landing)}

    assert _reasons(results["out.txt"]) == ["outside-landing"] and not results["out.txt"].copies
    assert _reasons(results["outdir"]) == ["outside-landing"]
    assert results["inside.txt"].copies[0].locator == str((landing / "real.txt").resolve())


def test_a_path_outside_the_landing_folder_is_rejected(tmp_path):
    (tmp_path / "a").mkdir()
    path = tmp_path / "b.txt"
    path.write_text(ARTICLE, encoding="utf-8")

    assert _reasons(read_file(path, tmp_path / "a", 1 << 20)) == ["outside-landing"]
    assert _reasons(read_file(tmp_path / "a" / ".." / "b.txt", tmp_path / "a", 1 << 20)) == ["outside-landing"]


def test_dangling_symlink_and_vanished_file_are_unreadable(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")

    assert _reasons(read_file(tmp_path / "dangling.txt", tmp_path, 1 << 20)) == ["unreadable"]
    assert _reasons(read_file(tmp_path / "never-there.txt", tmp_path, 1 << 20)) == ["unreadable"]


def test_permission_denied_is_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text(ARTICLE, encoding="utf-8")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)  # root ignores chmod, so deny at the call instead
    result = read_file(path, tmp_path, 1 << 20)

    assert _reasons(result) == ["unreadable"] and "Permission denied" in result.errors[0].detail


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_chmod_000_is_unreadable(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    path.chmod(0)

    assert _reasons(read_file(path, tmp_path, 1 << 20)) == ["unreadable"]


def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)

    assert _reasons(read_file(fifo, tmp_path, 1 << 20)) == ["not-a-file"]  # opening it would block forever


def test_unsupported_suffix(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))

    assert _reasons(read_file(tmp_path / "photo.jpg", tmp_path, 1 << 20)) == ["unsupported-type"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_name_that_is_not_utf8_is_a_bad_name_shown_escaped(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(ARTICLE.encode())
    [path] = discover(tmp_path)

    result = read_file(path, tmp_path, 1 << 20)

    assert _reasons(result) == ["bad-name"]
    assert result.path == str(tmp_path / "caf\\xe9.txt")
    result.path.encode("utf-8")  # printable and storable


def test_a_control_character_in_a_folder_name_is_a_bad_name(tmp_path):
    folder = tmp_path / "batch\x1b[31m"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")

    assert _reasons(read_file(folder / "a.txt", tmp_path, 1 << 20)) == ["bad-name"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bytes(range(0x80, 0x100)) * 8, "undecodable"),  # no encoding makes sense of it
        (b"\xff\xfe" + b"\x00\xd8", "undecodable"),  # UTF-16 BOM, then a lone surrogate
        (b"GIF89a" + bytes(200), "binary"),
        (b"text\x01\x02\x03\x04\x05\x06\x07\x08 and more\x0e\x0f", "binary"),  # control bytes, no NUL
        (b" \n\t \r\n", "no-text"),
    ],
)
def test_txt_content_problems(tmp_path, data, reason):
    (tmp_path / "x.txt").write_bytes(data)

    assert _reasons(read_file(tmp_path / "x.txt", tmp_path, 1 << 20)) == [reason]


def test_every_kind_of_bad_jsonl_line_is_reported_and_good_lines_kept(tmp_path):
    good = {"url": "https://example.com/a", "text": ARTICLE}
    lines = [
        json.dumps(good),  # 1
        "{not json",  # 2
        "[1, 2]",  # 3
        json.dumps({"url": "https://example.com/c", "title": "no body"}),  # 4
        json.dumps({"url": 5, "text": ARTICLE}),  # 5
        json.dumps({"text": ARTICLE, "fetched_at": "yesterday"}),  # 6
        json.dumps({"url": "https://example.com/d", "html": "<html><body><script>x()</script></body></html>"}),  # 7
        json.dumps({"text": "   "}),  # 8
        json.dumps({"url": "https://example.com/e", "text": ARTICLE, "fetched_at": "2024-05-01T10:00:00Z"}),  # 9
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")

    result = read_file(path, tmp_path, 1 << 20)

    base = f"{path.resolve()}#L"
    # a bad date is the line's error, and the line is kept without it (as a WARC record with a bad date)
    assert [c.locator for c in result.copies] == ["https://example.com/a", base + "6", "https://example.com/e"]
    assert result.copies[1].fetched_at is None
    assert [(e.locator, e.reason) for e in result.errors] == [
        (base + "2", "malformed-jsonl"),
        (base + "3", "malformed-jsonl"),
        (base + "4", "malformed-jsonl"),
        (base + "5", "malformed-jsonl"),
        (base + "6", "bad-date"),
        ("https://example.com/d", "no-text"),
        (base + "8", "no-text"),
    ]
    assert [e.detail.split()[1].rstrip(":") for e in result.errors] == ["2", "3", "4", "5", "6", "7", "8"]


def _three_page_warc(gzip: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    for n in range(3):
        page = f"<html><body><article><p>Story {n}: {ARTICLE * 3}</p></article></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"https://example.com/{n}", "response", payload=io.BytesIO(page), http_headers=headers
            )
        )
    return buf.getvalue()


@pytest.mark.parametrize("gzip", [False, True])
@pytest.mark.parametrize("keep", [0.5, 0.75, 0.99])
def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path, gzip, keep):
    data = _three_page_warc(gzip)
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    path.write_bytes(data[: int(len(data) * keep)])

    result = read_file(path, tmp_path, 1 << 20)

    assert _reasons(result) == ["malformed-warc"]
    locators = [c.locator for c in result.copies]
    assert locators == [f"https://example.com/{n}" for n in range(len(locators))] and len(locators) < 3
    assert all(c.text.startswith(f"Story {n}:") and c.text.endswith("Tuesday.") for n, c in enumerate(result.copies))


def test_garbage_warc_is_malformed_and_does_not_raise(tmp_path):
    (tmp_path / "x.warc").write_bytes(b"this is not an archive\n" * 20)
    data = bytearray(_three_page_warc(True))
    data[len(data) // 2 : len(data) // 2 + 40] = bytes(40)
    (tmp_path / "y.warc.gz").write_bytes(bytes(data))

    assert _reasons(read_file(tmp_path / "x.warc", tmp_path, 1 << 20)) == ["malformed-warc"]
    assert "malformed-warc" in _reasons(read_file(tmp_path / "y.warc.gz", tmp_path, 1 << 20))


def test_bad_inputs_copied_under_another_landing_keep_their_reasons(tmp_path):
    """The mapping is by name, so the demo can copy the files; the symlink stays outside wherever it lands."""
    expected = write_bad_inputs(tmp_path / "one", max_bytes=2048)
    shutil.copytree(tmp_path / "one", tmp_path / "two", symlinks=True)

    reasons = {p.name: _reasons(read_file(p, tmp_path / "two", 2048)) for p in discover(tmp_path / "two")}

    assert {name: found[0] for name, found in reasons.items()} == expected


def test_a_tidy_symlink_to_an_odd_name_is_a_bad_name(tmp_path):
    (tmp_path / "odd\nname.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "tidy.txt").symlink_to(tmp_path / "odd\nname.txt")

    assert _reasons(read_file(tmp_path / "tidy.txt", tmp_path, 1 << 20)) == ["bad-name"]


def test_an_unexpected_failure_is_reported_not_raised(tmp_path, monkeypatch):
    import copytrace.ingest.read as read_module

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(read_module, "decode_text", lambda data: 1 / 0)

    result = read_file(tmp_path / "a.txt", tmp_path, 1 << 20)

    assert _reasons(result) == ["internal-error"] and "ZeroDivisionError" in result.errors[0].detail
