"""Scraped text is text on every command: markup in titles, names and locators is shown as written,
never read as Rich markup, and control characters never reach the terminal or the artifacts. The
small commands refuse what they cannot do in one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copytrace.reports.formatting import md_escape
from tests.paths import REPO

ARTICLE = (
    "The council confirmed on Tuesday that the harbour bridge will close for repairs until the spring, "
    "cutting the quickest route between the old town and the ferry terminal.\n"
)
MARKUP = "[/bold] [red]red[/red] [link=https://evil.example]click[/link]"


def _run(
    *args: str, cwd: Path, env: dict | None = None, stdin: str | None = None, unset: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """The CLI in a child process; ``unset``: variables of this environment the child must not see."""
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-m", "copytrace.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        input=stdin,
        cwd=cwd,
        env={**base, "PYTHONPATH": str(REPO), **(env or {})},
    )


@pytest.mark.integration
def test_markup_in_scraped_names_and_titles_is_printed_as_text(prefect_harness, db_url, tmp_path):
    from prefect.settings import PREFECT_API_URL

    landing = tmp_path / "landing"
    landing.mkdir()
    odd = landing / "copy [bold]x.txt"  # a printable name: read, and its locator carries the markup
    odd.write_text(ARTICLE, encoding="utf-8")
    (landing / "empty [red].txt").write_bytes(b"")  # a bad input whose path is printed in the table
    title = f"\x1b[31m{MARKUP}\x1b[0m"
    record = {"url": "https://a.example/[/bold]", "title": title, "fetched_at": "[/bold]", "text": "Other. " + ARTICLE}
    (landing / "batch.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    env = {"PREFECT_API_URL": PREFECT_API_URL.value()}

    ingest = _run("ingest", str(landing), "--db", db_url, cwd=tmp_path, env=env)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    printed = ingest.stdout.replace("\n", "")
    assert "empty [red]" in printed and "'[/bold]'" in printed  # the bad-inputs table, printed as written
    assert "\x1b" not in ingest.stdout

    locator = str(odd.resolve())
    show = _run("show", locator, "--db", db_url, cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    assert locator in show.stdout.replace("\n", "")

    label = _run("label", "https://a.example/[/bold]", "excerpt", "--note", MARKUP, "--db", db_url, cwd=tmp_path)
    assert label.returncode == 0, label.stderr  # the correction is saved, and so said
    assert "(https://a.example/[/bold]) is now excerpt" in label.stdout.replace("\n", "")

    shown = _run("show", "https://a.example/[/bold]", "--db", db_url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "excerpt" in shown.stdout and "https://a.example/[/bold]" in shown.stdout


def test_classify_prints_reasons_quoting_markup_laden_text(seeds, tmp_path):
    """The reasons quote the copy's unmatched lines; they are printed as written."""
    source = tmp_path / "source [bold].txt"
    copy = tmp_path / "copy.txt"
    source.write_text(seeds["000"].read_text(encoding="utf-8"), encoding="utf-8")
    copy.write_text(
        "Sponsored: buy [/bold] gold now at GoldNest [red]today[/red]\n"
        + seeds["002"].read_text(encoding="utf-8")
        + "\nSubscribe [/bold] to read more. Log in [link=https://evil.example]here[/link]\n",
        encoding="utf-8",
    )

    proc = _run("classify", str(source), str(copy), cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert "'Sponsored: buy [/bold] gold" in proc.stdout


def test_markdown_artifacts_carry_no_control_characters():
    escaped = md_escape(f"\x1b[2J\x1b]8;;https://evil.example\x07title\x00\x9b{MARKUP}")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in escaped)
    assert "title" in escaped


def test_show_without_db_in_another_folder_does_not_create_one(tmp_path):
    no_db = ("COPYTRACE_DATABASE_URL",)  # the default database: ./copytrace.db of the folder it runs in
    proc = _run("show", "https://a.example/x", cwd=tmp_path, unset=no_db)
    assert proc.returncode == 1
    assert "no database at" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "copytrace.db").exists()
    label = _run("label", "https://a.example/x", "excerpt", cwd=tmp_path, unset=no_db)
    assert label.returncode == 1 and "no database at" in label.stderr
    assert not (tmp_path / "copytrace.db").exists()


@pytest.mark.parametrize("content", ["", "{not json\n[1]\n" + json.dumps({"source": "a", "copy": "b"}) + "\n"])
def test_evaluate_without_a_labelled_pair_says_so(tmp_path, content):
    path = tmp_path / "labelled.jsonl"
    path.write_text(content, encoding="utf-8")

    proc = _run("evaluate", str(path), cwd=tmp_path)

    assert proc.returncode == 1
    assert "no labelled pairs to evaluate" in proc.stderr and "ValueError" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_classify_batch_refuses_file_paths_given_as_texts(seeds, tmp_path):
    text = seeds["000"].read_text(encoding="utf-8")
    lines = [
        json.dumps({"id": "paths", "source": str(seeds["000"]), "copy": str(seeds["001"])}),
        json.dumps({"id": "texts", "source": text, "copy": seeds["002"].read_text(encoding="utf-8")}),
    ]

    proc = _run("classify-batch", "-", cwd=tmp_path, stdin="\n".join(lines) + "\n")

    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["texts"]
    assert "line 1" in proc.stderr and "path of a file" in proc.stderr
    assert proc.returncode == 1
