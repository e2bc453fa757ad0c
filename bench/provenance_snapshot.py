"""What the pipeline concluded about a fixed feed, written so two checkouts' answers can be diffed.

    python bench/provenance_snapshot.py OUT.json [--sources 200] [--batch-size 500] [--db URL]
    python bench/provenance_snapshot.py --compare BEFORE.json AFTER.json

Builds ``make bench-ingest``'s feed (scraper records of real articles, their excerpts, spam-wrapped
copies and LLM rewrites) plus the user's seeds into one landing folder, runs ``copytrace ingest`` on
it (the real flow, with its temporary Prefect server) into a fresh database, and writes every
``copy_provenance`` row keyed by locator: label, confidence, the locator it derives from, its root's
and the locators of its story. A change that only moves code must leave this file unchanged;
``--compare`` prints the rows that differ and exits 1 if any do.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fixtures import DEFAULT_DATA  # noqa: E402
from bench.ingest_bench import build_feed, write_landing  # noqa: E402
from tests.view_rows import query_rows  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
COLUMNS = "locator, label, confidence, derived_from_locator, root_locator, story_id"


def snapshot(url: str, landing: Path) -> dict[str, dict]:
    """Rows keyed by locator relative to ``landing``, so runs in different folders compare."""
    prefix = str(landing) + os.sep

    def local(locator: str | None) -> str | None:
        return locator[len(prefix) :] if locator and locator.startswith(prefix) else locator

    rows = [
        {**row, **{k: local(row[k]) for k in ("locator", "derived_from_locator", "root_locator")}}
        for row in query_rows(url, f"SELECT {COLUMNS} FROM copy_provenance")
    ]
    story_members: dict[object, list[str]] = defaultdict(list)
    for row in rows:
        story_members[row["story_id"]].append(row["locator"])
    return {
        row["locator"]: {
            "label": row["label"],
            "confidence": None if row["confidence"] is None else round(float(row["confidence"]), 6),
            "derived_from": row["derived_from_locator"],
            "root": row["root_locator"],
            # story ids are arbitrary; the set of copies a story holds is what must not change
            "story": sorted(story_members[row["story_id"]]) if row["story_id"] is not None else None,
        }
        for row in sorted(rows, key=lambda r: r["locator"])
    }


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    differing = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    for key in differing[:50]:
        print(f"{key}\n  before: {a.get(key)}\n  after:  {b.get(key)}")
    print(f"{len(a)} rows before, {len(b)} after, {len(differing)} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="where to write the snapshot (JSON)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="diff two snapshots")
    parser.add_argument("--sources", type=int, default=200, help="original articles in the feed (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=500, help="documents per batch (default: %(default)s)")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared corpora folder")
    parser.add_argument("--db", help="database URL to fill (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give OUT.json, or --compare BEFORE AFTER")
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        write_landing(build_feed(Path(args.data), args.sources), landing)
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, landing / seed.name)
        url = args.db or f"sqlite:///{tmp}/snapshot.db"
        env = {**os.environ, "PREFECT_HOME": str(Path(tmp) / "prefect")}
        command = [
            str(Path(sys.executable).parent / "copytrace"),
            "ingest",
            str(landing),
            "--db",
            url,
            "--batch-size",
            str(args.batch_size),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
            return done.returncode
        rows = snapshot(url, landing)
    args.out.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    labels: dict[str, int] = defaultdict(int)
    for row in rows.values():
        labels[row["label"]] += 1
    print(f"{len(rows)} rows written to {args.out}: " + ", ".join(f"{n} {k}" for k, n in sorted(labels.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
