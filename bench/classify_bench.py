"""Throughput and peak memory of the pair classifier against a plain n-gram-containment baseline.

    python bench/classify_bench.py [--data ../shared/data] [--model PATH] [--pairs 800]

Pairs are built from real BBC articles of ~600 words (500-900), one article per pair
as far as there are enough: a re-flowed full copy, a lead excerpt, the article inside
real boilerplate lines, and an unrelated article.
Both classifiers run in the same process on one core (BLAS threads pinned to 1).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import classifier, registry  # noqa: E402
from models.corpora import load_bbc, load_wrapper_pages  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
_WORD = re.compile(r"\w+")


def bench_pairs(data_dir: Path, n: int, seed: int = 0) -> tuple[list[tuple[str, str]], list[str]]:
    """``n`` labelled ~600-word pairs (four kinds in turn) from real articles and real wrapper lines."""
    rng = random.Random(seed)
    docs = [d for d in load_bbc(data_dir) if 500 <= len(_WORD.findall(" ".join(d.paragraphs))) <= 900]
    lines = [ln for pages in load_wrapper_pages(data_dir).values() for page in pages for ln in page]
    pairs, labels = [], []
    for i in range(n):
        d = docs[i % len(docs)]
        src = d.headline + "\n\n" + "\n\n".join(d.paragraphs)
        kind = i % 4
        if kind == 0:
            pairs.append((src, "\n".join(d.paragraphs)))
            labels.append("full-copy")
        elif kind == 1:
            pairs.append((src, "\n\n".join(d.paragraphs[: max(1, len(d.paragraphs) // 2)])))
            labels.append("excerpt")
        elif kind == 2:
            head, tail = rng.sample(lines, rng.randint(3, 12)), rng.sample(lines, rng.randint(3, 12))
            pairs.append((src, "\n".join([*head, *d.paragraphs, *tail])))
            labels.append("spam-wrapped")
        else:
            other = docs[(i + 7) % len(docs)]
            pairs.append((src, "\n\n".join(other.paragraphs)))
            labels.append("independent")
    return pairs, labels


def _grams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def baseline_predict(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Word-5-gram containment in both directions, with hand-set thresholds."""
    out = []
    for source, copy in pairs:
        s, c = _grams(source), _grams(copy)
        shared = len(s & c)
        c_in_s, s_in_c = shared / max(len(c), 1), shared / max(len(s), 1)
        if c_in_s >= 0.95:
            out.append("full-copy" if s_in_c >= 0.9 else "excerpt")
        elif c_in_s >= 0.3:
            out.append("spam-wrapped")
        elif c_in_s >= 0.05:
            out.append("rewrite")
        else:
            out.append("independent")
    return out


def measure(fn: Callable[[], list[str]], n: int) -> dict[str, float]:
    """Pairs per second (best of 3) and the peak traced memory of one run."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"pairs_per_s": n / best, "peak_mib": peak / 2**20}


def _run_cli(pairs: Sequence[tuple[str, str]], model: str, tmp: Path) -> float:
    """Seconds for ``copytrace classify-batch`` on ``pairs``, pinned to core 0, as a user runs it."""
    path = tmp / f"pairs-{len(pairs)}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, (source, copy) in enumerate(pairs):
            fh.write(json.dumps({"id": str(i), "source": source, "copy": copy}) + "\n")
    # ``-m``, not the console script: the checkout on PYTHONPATH is the one measured, whatever is installed
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "copytrace.cli", "classify-batch", str(path), "--model", model]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    assert len(done.stdout.splitlines()) == len(pairs), "classify-batch did not answer every pair"
    return seconds


def measure_cli(pairs: Sequence[tuple[str, str]], model: str) -> dict[str, float]:
    """The CLI end to end, and with its start-up (one run on a single pair) subtracted; peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        start_up = _run_cli(pairs[:1], model, Path(tmp))
        whole = _run_cli(pairs, model, Path(tmp))
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "pairs_per_s": len(pairs) / whole,
        "steady_pairs_per_s": (len(pairs) - 1) / (whole - start_up),
        "start_up_s": start_up,
        "peak_mib": peak_kib / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--model", default=str(registry.default_model_path()))
    parser.add_argument("--pairs", type=int, default=800)
    args = parser.parse_args(argv)

    pairs, labels = bench_pairs(Path(args.data), args.pairs)
    words = sum(len(_WORD.findall(s)) + len(_WORD.findall(c)) for s, c in pairs) / (2 * len(pairs))
    pipeline = registry.load_model(args.model)
    classifier.predict(pipeline, pairs[:20])  # warm-up

    rows = {
        "pipeline (batch predict_proba)": measure(lambda: classifier.predict(pipeline, pairs), len(pairs)),
        "baseline 5-gram containment": measure(lambda: baseline_predict(pairs), len(pairs)),
    }
    few = pairs[:100]
    rows["pipeline explain() one by one"] = measure(
        lambda: [classifier.explain(pipeline, s, c)["pair_class"] for s, c in few], len(few)
    )
    accuracy = {
        "pipeline (batch predict_proba)": sum(
            a == b for a, b in zip(classifier.predict(pipeline, pairs), labels, strict=True)
        )
        / len(pairs),
        "baseline 5-gram containment": sum(a == b for a, b in zip(baseline_predict(pairs), labels, strict=True))
        / len(pairs),
    }
    cli = measure_cli(pairs, args.model)
    base = rows["baseline 5-gram containment"]
    print(f"{len(pairs)} pairs, mean {words:.0f} words per text, one core, model {Path(args.model).name}")
    print(f"{'method':34} {'pairs/s':>9} {'x baseline':>11} {'peak MiB':>9} {'x baseline':>11} {'accuracy':>9}")
    for name, r in rows.items():
        acc = accuracy.get(name)
        print(
            f"{name:34} {r['pairs_per_s']:9.1f} {r['pairs_per_s'] / base['pairs_per_s']:11.3f} "
            f"{r['peak_mib']:9.1f} {r['peak_mib'] / base['peak_mib']:11.2f} {'' if acc is None else f'{acc:9.3f}'}"
        )
    for name, rate in (
        ("copytrace classify-batch (CLI)", cli["pairs_per_s"]),
        ("  the same, start-up excluded", cli["steady_pairs_per_s"]),
    ):
        print(f"{name:34} {rate:9.1f} {rate / base['pairs_per_s']:11.3f} {cli['peak_mib']:9.1f}")
    print(
        f"CLI rows: a whole process on core 0, peak RSS; its start-up (imports, model load) took "
        f"{cli['start_up_s']:.1f} s. Other rows: in process, tracemalloc peak."
    )


if __name__ == "__main__":
    main()
