"""The retrieval benchmark's results: what a method measured at a size (``Result``), kept under
``--out`` a size at a time with the run each came from, and shown as one table and one plot of
every size measured."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench.retrieval_corpus import COPY_TYPES, CORPUS_VERSIONS

SQLITE_METHOD = "copytrace index, SQLite"


@dataclass
class Result:
    method: str
    size: int
    build_docs_per_s: float
    index_mib: float
    peak_mib: float
    p50_ms: float
    p95_ms: float
    recall: dict[str, tuple[float, float]]  # copy type → (recall@1, recall@5)
    ingest_docs_per_s: float | None = None  # copytrace: the last TAIL documents, FLOW_BATCH a transaction
    # copytrace: the same queries answered again at once, from the pages the first pass read (the
    # steady state of a store in use; the first pass follows the build or other methods' work, which
    # leave little of a 16 GB store in the page cache)
    warm_p50_ms: float | None = None
    warm_p95_ms: float | None = None


def table(results: list[Result]) -> str:
    head = (
        "| size | method | build docs/s | ingest docs/s | index MiB | peak MiB | p50 ms | p95 ms | warm p50 / p95 ms | "
        + " | ".join(f"{t} R@1 / R@5" for t in COPY_TYPES)
    )
    lines = [head + " |", "|---" * (9 + len(COPY_TYPES)) + "|"]
    for r in results:
        recall = " | ".join(
            f"{r.recall[t][0]:.3f} / {r.recall[t][1]:.3f}" if t in r.recall else "-" for t in COPY_TYPES
        )
        ingest = "-" if r.ingest_docs_per_s is None else f"{r.ingest_docs_per_s:,.0f}"
        warm = "-" if r.warm_p95_ms is None else f"{r.warm_p50_ms:.1f} / {r.warm_p95_ms:.1f}"
        lines.append(
            f"| {r.size:,} | {r.method} | {r.build_docs_per_s:,.0f} | {ingest} | {r.index_mib:,.1f} "
            f"| {r.peak_mib:,.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {warm} | {recall} |"
        )
    return "\n".join(lines)


def plot(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method in dict.fromkeys(r.method for r in results):
        points = sorted((r.size, r.p95_ms) for r in results if r.method == method)
        warm = sorted((r.size, r.warm_p95_ms) for r in results if r.method == method and r.warm_p95_ms is not None)
        label = method + (", first pass" if warm else "")
        line = ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)[0]
        if warm:
            style = {"marker": "o", "linestyle": "--", "color": line.get_color()}
            ax.plot(*zip(*warm, strict=True), **style, label=method + ", warm")
    ax.axhline(20, color="grey", linewidth=0.8, linestyle=":", label="target p95 at 1M: 20 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents in the corpus")
    ax.set_ylabel("p95 query latency (ms, candidates + re-rank)")
    ax.set_title("Candidate retrieval latency against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def results_path(out: Path, size: int, version: int) -> Path:
    return out / f"results-v{version}-{size}.json"


def code_version() -> str:
    """The commit this run's code came from (taken at start: a commit made while it runs is not it),
    marked when the work tree differed from it."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def save(out: Path, size: int, version: int, results: list[Result], reused: bool, code: str) -> None:
    """This size's results, each with the run it came from, kept so that a later run of other sizes
    or other methods reports them beside its own (a method run again replaces its earlier result)."""
    from dataclasses import asdict
    from datetime import UTC, datetime

    run = f"{datetime.now(UTC):%Y-%m-%d} at commit {code}"
    reused_note = " (SQLite index and its build rate from an earlier run)" if reused else ""
    done = {r.method for r in results}
    kept = [e for e in entries(out, size, version) if e["result"]["method"] not in done] + [
        {"run": run + (reused_note if r.method == SQLITE_METHOD else ""), "result": asdict(r)} for r in results
    ]
    results_path(out, size, version).write_text(json.dumps(kept, indent=1), encoding="utf-8")


def built_rates(out: Path, size: int, version: int) -> tuple[float, float] | None:
    """The SQLite build and ingest rates an earlier run saved for this size, if it built an index."""
    for entry in entries(out, size, version):
        r = entry["result"]
        if r["method"] == SQLITE_METHOD and r.get("ingest_docs_per_s"):
            return r["build_docs_per_s"], r["ingest_docs_per_s"]
    return None


def entries(out: Path, size: int, version: int) -> list[dict]:
    path = results_path(out, size, version)
    return load(path) if path.exists() else []


def saved(out: Path, version: int) -> list[Result]:
    found = [Result(**e["result"]) for path in out.glob(f"results-v{version}-*.json") for e in load(path)]
    return sorted(found, key=lambda r: r.size)


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def runs(out: Path, version: int) -> dict[str, str]:
    """Which run each saved size and method came from."""
    found: dict[str, str] = {}
    for path in sorted(out.glob(f"results-v{version}-*.json"), key=lambda p: int(p.stem.split("-")[-1])):
        for e in load(path):
            found[f"{e['result']['size']:,} {e['result']['method']}"] = e["run"]
    return found


def write_report(out: Path, version: int, n_queries: int) -> None:
    """``retrieval.md`` (``-v1`` for corpus version 1) and ``retrieval_latency.png`` under ``out``: every
    size and method saved there for corpus ``version``, with the run each came from; printed too."""
    results = saved(out, version)
    text = table(results)
    note = (
        f"Corpus version {version}; {n_queries} queries per size ({', '.join(COPY_TYPES)}); "
        "latency covers candidates and TF-IDF re-rank. "
        "Each method runs in its own process: peak MiB is how far its resident memory grew while it built and "
        "answered; index MiB is the pages the database uses for copytrace (free pages left out), the memory "
        "the built index holds for the others. "
        "Runs: " + "; ".join(f"{what} on {run}" for what, run in runs(out, version).items()) + "."
    )
    suffix = "" if version == CORPUS_VERSIONS[-1] else f"-v{version}"
    table_path, plot_path = out / f"retrieval{suffix}.md", out / f"retrieval_latency{suffix}.png"
    table_path.write_text(text + "\n\n" + note + "\n", encoding="utf-8")
    plot(results, plot_path)
    print(f"\n{text}\n\n{note}\nwritten: {table_path}, {plot_path}")
