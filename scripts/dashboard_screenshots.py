"""Screenshots of every dashboard page at 1440x900, over a store of about 5,300 documents.

    python scripts/dashboard_screenshots.py [--out docs]

The store is tests/big_store.py's (made-up texts written through the copytrace.repo functions) in a
temporary SQLite file; the dashboard is served by ``python -m dashboard`` and shot in headless
Chromium. A page that would need a sideways scroll at 1440 px is an error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copytrace.db import session_factory, upgrade  # noqa: E402
from tests import big_store  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.dashboard_page import no_sideways_scroll, open_page, serve  # noqa: E402


def pages(ids: dict[str, int]) -> dict[str, tuple[str, str]]:
    """{file name: (path and query, selector that says the page is drawn)}."""
    return {
        "dashboard.png": ("/", "#daily-chart .main-svg"),
        "dashboard-filtered.png": (
            "/?from=2026-10-01&to=2026-10-31&label=rewrite,excerpt&conf=0.6",
            "#daily-chart .main-svg",
        ),
        "dashboard-document.png": (f"/doc/{ids['first_spam-wrapped']}", "#alignment"),
        "dashboard-document-rewrite.png": (f"/doc/{ids['first_rewrite']}", "#alignment"),
        "dashboard-search.png": ("/doc?q=story+3%3A", "#search-results td"),
        "dashboard-stories.png": ("/story", "#stories-table td"),
        "dashboard-story.png": (f"/story?story={ids['largest_story']}", "#story-graph .main-svg"),
        "dashboard-story-by-site.png": (f"/story?story={ids['largest_story']}&group=site", "#story-graph .main-svg"),
        "dashboard-our-articles.png": ("/sources", "#spread td"),
        "dashboard-spam-networks.png": ("/networks", "#network-growth .main-svg"),
        "dashboard-quality.png": ("/quality", "#quality-chart .main-svg"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'screens.db'}"
        upgrade(url)
        with session_factory(url)() as session:
            made = big_store.build(session)
            session.commit()
        with serve(url, Path(tmp)) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            for name, (path, ready) in pages(made.ids).items():
                open_page(page, base + path, ready)
                page.wait_for_timeout(500)  # let Plotly finish its transitions
                if not no_sideways_scroll(page):
                    sys.exit(f"{path} needs a sideways scroll at 1440 px")
                page.screenshot(path=str(args.out / name), full_page=True)
                print(f"{args.out / name}  {path}")
            browser.close()


if __name__ == "__main__":
    main()
