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


def _loop() -> None:
    total = 0
    for i in range(10_000_000):
        total += i


def _dict() -> None:
    table = {str(i): i for i in range(2_000_000)}
    for i in range(0, 2_000_000, 3):
        table.pop(str(i))


MACHINE_WORKLOADS = {"10M additions": _loop, "a 2M-key dict": _dict}


def machine_seconds(repeats: int = 3) -> dict[str, float]:
    """Seconds two fixed pure-Python workloads take here, the best of ``repeats`` each: a loop that
    stays in the CPU's caches, and building and emptying a dict of 2M string keys, which does not.

    Printed beside a run's figures so that runs on different machines can be compared: machines of
    the same nominal kind (2 cores) have differed severalfold in the ingest benchmark's CPU time a
    document (docs/performance.md), and a loop alone does not show it."""
    out = {}
    for name, workload in MACHINE_WORKLOADS.items():
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            workload()
            best = min(best, time.perf_counter() - started)
        out[name] = best
    return out


def machine_note(seconds: dict[str, float]) -> str:
    """``machine_seconds`` as a phrase: "10M additions 0.71 s, a 2M-key dict 1.62 s"."""
    return ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
