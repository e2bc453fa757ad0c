"""Whole ``copytrace ingest`` runs on the ingest bench's feed: the command as a user runs it, with its
temporary Prefect server, into a fresh database each run.

    python bench/cli_ingest_bench.py [--sources 200] [--batch-size 500] [--postgres ADMIN_URL] [--rounds 3]

The landing folder is ``make bench-ingest``'s feed (``bench/ingest_bench.py``). Each run is a new
process running this tree's command line (``python -m copytrace.cli ingest``), timed from outside:
the whole command (the Prefect server's start and stop included) and the flow's own window (from
its "Beginning flow run" log line to its "Finished in state" line), in documents a second, and the
CPU time a document took over the command and every process it waited for (the Prefect server
included). An untimed run on a few of the feed's files goes first, so that the Prefect home the runs
share has its database before any run is timed. ``--rounds N`` runs the set N times, alternated, on
SQLite and then, with ``--postgres``, on a fresh PostgreSQL database each run.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fixtures import DEFAULT_DATA, fresh_postgres, machine_note, machine_seconds  # noqa: E402
from bench.ingest_bench import _right, build_feed, write_landing  # noqa: E402
from copytrace.settings import DEFAULT_BATCH_SIZE  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LOG_TIME = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) \| \w+\s*\| Flow run '[^']*' - (Beginning flow run|Finished in state)")


@dataclass
class Run:
    database: str
    round: int
    documents: int
    whole_s: float
    flow_s: float
    cpu_s: float
    right: int


def _flow_seconds(log: str) -> float:
    """From the flow run's "Beginning flow run" line to its "Finished in state" line."""
    times = {}
    for line in log.splitlines():
        if match := LOG_TIME.match(line):
            times.setdefault(match.group(2), datetime.strptime(match.group(1), "%H:%M:%S.%f"))
    begun, finished = times.get("Beginning flow run"), times.get("Finished in state")
    if begun is None or finished is None:
        raise RuntimeError("no flow run's start and end in the command's log:\n" + log[-3000:])
    return (finished - begun).total_seconds() % 86400


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest(landing: Path, url: str, batch_size: int, prefect_home: Path) -> tuple[float, float, float]:
    """One ``copytrace ingest`` of ``landing`` into ``url``: (whole command s, flow s, CPU s)."""
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "PYTHONPATH": str(REPO)}
    env.pop("PREFECT_API_URL", None)  # the command's own temporary server, as a user's first run has
    # ``-m``, not the console script: this tree's command is the one measured, whatever is installed
    command = [sys.executable, "-m", "copytrace.cli", "ingest", str(landing), "--db", url]
    command += ["--batch-size", str(batch_size)]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    whole = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode != 0:
        tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        raise RuntimeError(f"copytrace ingest failed ({done.returncode}):\n{tail}")
    return whole, _flow_seconds(done.stdout + "\n" + done.stderr), cpu


def table(runs: list[Run]) -> str:
    lines = [
        "| round | database | documents | whole command docs/s | flow docs/s | CPU ms/doc | right label and source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.round} | {r.database} | {r.documents} "
            f"| {r.documents / r.whole_s:.1f} ({r.whole_s:.2f} s) | {r.documents / r.flow_s:.1f} ({r.flow_s:.2f} s) "
            f"| {1000 * r.cpu_s / r.documents:.2f} | {r.right}/{r.documents} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200, help="original articles in the feed (default: %(default)s)")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="the run's batch size (default: %(default)s)"
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared data directory")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server: also ingest into a fresh database there")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternated (default: %(default)s)")
    args = parser.parse_args(argv)
    records = build_feed(Path(args.data), args.sources)
    runs: list[Run] = []
    machine_before = machine_seconds()
    with tempfile.TemporaryDirectory(prefix="copytrace-cli-bench-") as tmp:
        landing, prefect_home = Path(tmp) / "landing", Path(tmp) / "prefect"
        write_landing(records, landing)
        warm_up = Path(tmp) / "warm-up"
        write_landing(records[:20], warm_up)
        ingest(warm_up, f"sqlite:///{Path(tmp) / 'warm-up.db'}", args.batch_size, prefect_home)
        print(f"{len(records)} scraper records in {landing}", file=sys.stderr)
        k = 0
        for round_no in range(1, args.rounds + 1):
            for database in ["SQLite", *(["PostgreSQL"] if args.postgres else [])]:
                k += 1
                drop = None
                if database == "SQLite":
                    url = f"sqlite:///{Path(tmp) / f'run-{k}.db'}"
                else:
                    url, drop, _size = fresh_postgres(args.postgres)
                try:
                    whole, flow, cpu = ingest(landing, url, args.batch_size, prefect_home)
                    run = Run(database, round_no, len(records), whole, flow, cpu, _right(url, records))
                finally:
                    if drop is not None:
                        drop()
                runs.append(run)
                print(
                    f"  round {round_no}, {database}: "
                    f"whole {whole:.2f} s, flow {flow:.2f} s, CPU {cpu:.1f} s, {run.right} right",
                    file=sys.stderr,
                )
    print(table(runs))
    print(f"\nMachine, before the runs: {machine_note(machine_before)}; after: {machine_note(machine_seconds())}.")


if __name__ == "__main__":
    main()
