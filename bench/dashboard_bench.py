"""Response time of each dashboard panel beside a plain SQL query of the view behind it.

    python bench/dashboard_bench.py [--db URL] [--postgres ADMIN_URL] [--runs 20]

Without ``--db``, a store of about 5,300 documents (tests/big_store.py: the rows a classified store
holds, written through the copytrace.repo functions) is built in a temporary SQLite file, and with
``--postgres`` also in a scratch PostgreSQL database created and dropped under that admin URL (and
analysed once built, as autovacuum would have done on a store in use).

A panel's time is one request to the Dash callback that renders the page (``/_dash-update-component``
through the app's own WSGI stack: queries, figures, component tree, JSON), as the browser sends it
when the URL changes; the browser's own drawing is not counted. The plain query is
``SELECT * FROM <view>`` (or the panel's ``WHERE``) with every row fetched. Each is run ``--runs``
times after one warm-up; p50 and p95 are printed side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from copytrace.db import engine_for, normalise_url, session_factory, upgrade  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from tests import big_store  # noqa: E402

# (panel, path, query string, the plain SQL of its main view)
PANELS = (
    ("overview", "/", "", "SELECT * FROM copy_provenance"),
    (
        "overview, filtered",
        "/",
        "?from=2026-10-01&to=2026-10-31&label=rewrite,excerpt&conf=0.6",
        "SELECT * FROM copy_provenance WHERE seen_day BETWEEN '2026-10-01' AND '2026-10-31'",
    ),
    ("document (spam-wrapped)", "/doc/{spam}", "", "SELECT * FROM matched_passages WHERE document_id = {spam}"),
    ("document search", "/doc", "?q=story+3", "SELECT * FROM copy_provenance WHERE LOWER(title) LIKE '%story 3%'"),
    ("stories", "/story", "", "SELECT * FROM copy_provenance WHERE story_id IS NOT NULL"),
    ("story (largest)", "/story", "?story={story}", "SELECT * FROM copy_provenance WHERE story_id = {story}"),
    ("story by site", "/story", "?story={story}&group=site", "SELECT * FROM copy_provenance WHERE story_id = {story}"),
    ("our articles", "/sources", "", "SELECT * FROM source_copies"),
    ("spam networks", "/networks", "", "SELECT * FROM spam_networks"),
    ("corrections and quality", "/quality", "", "SELECT * FROM correction_history"),
)


def _percentiles(run: Callable[[], object], runs: int) -> tuple[float, float]:
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def _callback_body(path: str, search: str) -> dict:
    return {
        "output": "..page.children...nav.children..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "nav", "property": "children"}],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname", "url.search"],
        "state": [],
    }


def bench(url: str, runs: int) -> list[tuple[str, float, float, float, float]]:
    client = create_app(url).server.test_client()
    client.get("/")  # the first request finishes Dash's setup
    engine = engine_for(url)
    ids = _ids(url)
    out = []
    for panel, path, search, sql in PANELS:
        path, search, sql = (s.format(**ids) for s in (path, search, sql))

        def request(path=path, search=search) -> None:
            response = client.post("/_dash-update-component", json=_callback_body(path, search))
            assert response.status_code == 200, response.get_data(as_text=True)[:500]

        def plain(sql=sql) -> None:
            with engine.connect() as conn:
                conn.execute(text(sql)).fetchall()

        out.append((panel, *_percentiles(request, runs), *_percentiles(plain, runs)))
    return out


def _build(url: str) -> str:
    upgrade(url)
    with session_factory(url)() as session:
        made = big_store.build(session)
        session.commit()
    if url.startswith("postgresql"):  # statistics as autovacuum would have them on a store in use
        with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    print(f"built {made.documents:,} documents", flush=True)
    return url


def _ids(url: str) -> dict[str, int]:
    """The latest spam-wrapped copy and the largest story of the store."""
    with engine_for(url).connect() as conn:
        spam = conn.execute(
            text("SELECT MAX(document_id) FROM copy_provenance WHERE label = 'spam-wrapped' AND site IS NOT NULL")
        ).scalar()
        story = conn.execute(
            text(
                "SELECT story_id FROM copy_provenance WHERE story_id IS NOT NULL GROUP BY story_id "
                "ORDER BY COUNT(*) DESC, story_id LIMIT 1"
            )
        ).scalar()
    return {"spam": spam, "story": story}


def _report(name: str, rows: list[tuple[str, float, float, float, float]]) -> None:
    print(f"\n{name}")
    print(f"{'panel':<26} {'panel p50':>10} {'panel p95':>10} {'view p50':>10} {'view p95':>10}")
    for panel, p50, p95, v50, v95 in rows:
        print(f"{panel:<26} {p50 * 1000:>8.0f}ms {p95 * 1000:>8.0f}ms {v50 * 1000:>8.1f}ms {v95 * 1000:>8.1f}ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="time an existing store instead of building one")
    parser.add_argument("--postgres", help="PostgreSQL admin URL: also build and time the store there")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    if args.db:
        _report(args.db, bench(args.db, args.runs))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        _report("SQLite", bench(_build(url), args.runs))
        engine_for(url).dispose()
    if args.postgres:
        name = f"copytrace_dashboard_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
        try:
            _report("PostgreSQL", bench(_build(url), args.runs))
        finally:
            engine_for(url).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
