"""What the benchmarks build on: the real texts of the shared data, and a fresh PostgreSQL database.

Apart from the benchmarks themselves, so that importing these sets nothing up for the importer (the
retrieval benchmark keeps native code on one thread; the ingest benchmark measures it as the flow
runs it).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from copytrace.db import engine_for
from models.corpora import load_bbc, load_l2r, load_wrapper_pages

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def source_material(data_dir: Path, rng: random.Random) -> tuple[list, list, list[str]]:
    """Real texts the benchmarks build on, shuffled: BBC articles of 4+ paragraphs, L2R texts with
    their LLM rewrites, and the boilerplate lines of real scraped pages."""
    bbc = [d for d in load_bbc(data_dir) if len(d.paragraphs) >= 4]
    rng.shuffle(bbc)
    l2r = [s for s in load_l2r(data_dir) if s.rewrites]
    rng.shuffle(l2r)
    return bbc, l2r, [ln for pages in load_wrapper_pages(data_dir).values() for page in pages for ln in page]


def fresh_postgres(admin_url: str) -> tuple[str, Callable[[], None], Callable[[], float]]:
    """A fresh database on the server of ``admin_url``: (url, drop, size in MiB)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"copytrace_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)

    def size() -> float:
        with engine_for(url).connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one() / 2**20

    def drop() -> None:
        engine_for(url).dispose()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop, size


REFERENCE_LOOP = 10_000_000


def interpreter_seconds(repeats: int = 3) -> float:
    """Seconds a fixed pure-Python loop (``REFERENCE_LOOP`` additions) takes here, the best of
    ``repeats``: the interpreter's speed, on which most of ingest's CPU time depends.

    Printed beside a run's figures so that runs on different machines can be compared: on machines
    of the same nominal kind (2 cores) it took 0.58-0.79 s on one and 2.0-2.35 s on another, and
    every rate of the benchmarks moved with it."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(REFERENCE_LOOP):
            total += i
        best = min(best, time.perf_counter() - started)
    return best
