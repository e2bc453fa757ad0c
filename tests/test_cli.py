"""The command line as a user meets it: help that helps, one-line errors, JSON that parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "copytrace.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd or REPO,
    )


def test_help_lists_every_command() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    for command in ("ingest", "demo", "classify", "classify-batch", "show", "label", "db"):
        assert command in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "/no/such/folder", "--db", "sqlite:///:memory:"), "does not exist"),
        (("show", "x", "--db", "nosuchdb://"), "database"),
        (("classify", "/no/such/a.txt", "/no/such/b.txt"), "no such file"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message) -> None:
    proc = _run(*args)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_classify_json_gives_label_confidence_and_evidence(seeds) -> None:
    proc = _run("classify", str(seeds["000"]), str(seeds["002"]), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["label"] == "spam-wrapped"
    assert 0.5 < result["confidence"] <= 1.0
    assert result["reasons"] and result["features"]


def test_classify_batch_reads_stdin_and_skips_malformed_lines(seeds) -> None:
    src, rewrite, indep = (seeds[k].read_text(encoding="utf-8") for k in ("000", "001", "004"))
    lines = [
        json.dumps({"id": "a", "source": src, "copy": rewrite}),
        "{not json",
        json.dumps({"id": "b", "source": src, "copy": indep}),
    ]
    proc = _run("classify-batch", "-", stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(o["id"], o["label"]) for o in out] == [("a", "rewrite"), ("b", "original")]
    assert "line 2" in proc.stderr
    assert proc.returncode == 1  # a skipped line is reported in the exit status
