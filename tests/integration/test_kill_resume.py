"""A run killed with SIGKILL at any point, then started again, ends with every document stored exactly once."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from copytrace.db import session_factory
from copytrace.orm import Classification, Document
from tests.paths import REPO

pytestmark = pytest.mark.integration


def _landing(seeds: dict[str, Path], folder: Path, copies: int) -> int:
    """Many files: each seed under several names (each name is a distinct copy: another site carried it)."""
    folder.mkdir()
    n = 0
    for i in range(copies):
        for key, path in seeds.items():
            shutil.copy(path, folder / f"site{i:02d}-{key}.txt")
            n += 1
    return n


def _ingest_cmd(landing: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "copytrace.cli", "ingest", str(landing), "--db", url, "--batch-size", "7"]


def _kill_once_stored(cmd: list[str], env: dict, cwd: Path, url: str, at_least: int, expected: int) -> int:
    """Start ``cmd``, SIGKILL it as soon as ``at_least`` documents (fewer than all) are stored, and
    return how many were stored when it died."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while _stored(url) < at_least:
            assert proc.poll() is None, "the run ended before it could be killed mid-run"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return _stored(url)


def test_kill_minus_nine_then_rerun_stores_every_document_once(prefect_harness, db_url, seeds, tmp_path):
    from prefect.settings import PREFECT_API_URL

    landing = tmp_path / "landing"
    expected = _landing(seeds, landing, copies=8)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(REPO)}

    kills = []
    for at_least in (1, 8, 15, 22, 29):  # batches of 7: each kill after a further batch is stored
        stored = _kill_once_stored(_ingest_cmd(landing, db_url), env, tmp_path, db_url, at_least, expected)
        kills.append(stored)
        assert at_least <= stored < expected, kills  # the kill landed mid-run
    assert kills == sorted(kills)  # each re-run went on from the last, storing nothing twice

    final = subprocess.run(
        _ingest_cmd(landing, db_url), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert final.returncode == 0, final.stderr[-2000:]

    with session_factory(db_url)() as session:
        docs = session.scalar(select(func.count(Document.id)))
        distinct = session.scalar(select(func.count(func.distinct(Document.locator))))
        current = session.execute(
            select(Classification.document_id, func.count())
            .where(Classification.is_current)
            .group_by(Classification.document_id)
        ).all()
    assert docs == expected == distinct
    assert len(current) == expected and all(n == 1 for _, n in current)


def _stored(url: str) -> int:
    with session_factory(url)() as session:
        return session.scalar(select(func.count(Document.id))) or 0


def _dead(process) -> bool:
    """Gone, or a zombie: dead and holding nothing, waiting for a PID 1 that may not reap it (in a
    container the first process is often not an init)."""
    import psutil

    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_kill_minus_nine_mid_run_leaves_no_process_of_the_run(db_url, seeds, tmp_path):
    """No Prefect server configured: the run starts its temporary server, and a SIGKILL of the run
    ends it."""
    import psutil

    landing = tmp_path / "landing"
    expected = _landing(seeds, landing, copies=30)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    cmd = [*_ingest_cmd(landing, db_url)[:-1], "3"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: dict[int, psutil.Process] = {}
    commands: dict[int, str] = {}

    def gather() -> None:
        for child in psutil.Process(proc.pid).children(recursive=True):
            family.setdefault(child.pid, child)
            # Read again each time: between its fork and its exec a child shows its parent's command
            # line (or none), and on a busy machine that window is long enough to be caught in.
            with contextlib.suppress(psutil.Error):
                line = " ".join(family[child.pid].cmdline())
                if line:
                    commands[child.pid] = line

    def server_running() -> bool:
        return any("uvicorn" in c and "prefect.server" in c for c in commands.values())

    deadline = time.monotonic() + 300
    try:
        while True:  # the kill lands once the temporary server runs and some documents, not all, are stored
            gather()
            if server_running() and 0 < _stored(db_url) < expected:
                break
            assert proc.poll() is None, "the run ended before it could be killed mid-run"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        gather()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        stored = _stored(db_url)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert 0 < stored < expected  # killed mid-run
    _, alive = psutil.wait_procs(list(family.values()), timeout=30)
    alive = [p for p in alive if not _dead(p)]
    for leftover in alive:  # a failing run of this test must not leave them either
        leftover.kill()
    assert alive == [], {p.pid: commands.get(p.pid) for p in alive}
