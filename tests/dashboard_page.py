"""Driving the dashboard in headless Chromium: serving it, reading its charts and tables back."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str, tmp_path: Path) -> Iterator[str]:
    """`python -m dashboard` (what `make dashboard` runs) serving ``url``; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp_path / "prefect-home")}
    log_path = tmp_path / f"dashboard-{port}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "--db", url, "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log_path.read_text()
                try:
                    with urllib.request.urlopen(base + "/", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    assert time.monotonic() < deadline, "the dashboard did not answer within 60 s"
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def open_page(page, url: str, ready: str = "#page section, #page p") -> None:
    """Load ``url`` and wait until the page callback has rendered and the network is quiet."""
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_load_state("networkidle")


def traces(page, graph_id: str) -> list[dict]:
    return page.evaluate(
        "id => document.querySelector(`#${id} .js-plotly-plot`).data"
        ".map(t => ({name: t.name, x: t.x, y: t.y, text: t.text, customdata: t.customdata}))",
        graph_id,
    )


def figure_layout(page, graph_id: str) -> dict:
    return page.evaluate("id => document.querySelector(`#${id} .js-plotly-plot`).layout", graph_id)


def table_rows(page, table_id: str) -> list[list[str]]:
    """The rows a DataTable shows on its current page, as cell texts."""
    return page.eval_on_selector_all(
        f"#{table_id} tr:has(td)", "rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.textContent.trim()))"
    )


def table_headers(page, table_id: str) -> list[str]:
    return page.eval_on_selector_all(f"#{table_id} tr:has(th) th", "cells => cells.map(c => c.textContent.trim())")


def exported(page, table_id: str) -> list[dict[str, str]]:
    """Every row of a DataTable, as its Export button writes them to CSV."""
    with page.expect_download() as info:
        page.click(f"#{table_id} button.export")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
