"""How the retrieval benchmark measures a method: its candidates re-ranked to a top ``TOP``, the
queries answered (recall and latency), and the method run in a process of its own (peak memory)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.retrieval_corpus import COPY_TYPES, Corpus, progress
from bench.retrieval_results import Result
from models import classifier, registry

TOP = 5


class Reranker:
    """Top ``TOP`` of a candidate list by the shipped model's word TF-IDF cosine."""

    def __init__(self, corpus: Corpus) -> None:
        self.pipeline = registry.load_model(registry.default_model_path())
        self.texts = corpus.texts

    def top(self, query: str, candidates: Sequence[int]) -> list[int]:
        if not candidates:
            return []
        vectors = classifier.text_vectors(self.pipeline, [query, *(self.texts[i] for i in candidates)])
        scores = (vectors[1:] @ vectors[0].T).toarray().ravel()
        return [candidates[i] for i in np.argsort(-scores, kind="stable")[:TOP]]


def answer(corpus: Corpus, search: Callable[[str], list[int]]) -> tuple[list[float], dict[str, tuple[float, float]]]:
    latencies, hits = [], {t: [0, 0, 0] for t in COPY_TYPES}
    for kind, query, source in corpus.queries:
        t = time.perf_counter()
        top = search(query)
        latencies.append((time.perf_counter() - t) * 1000)
        hits[kind][0] += bool(top) and top[0] == source
        hits[kind][1] += source in top
        hits[kind][2] += 1
    recall = {k: (h[0] / h[2], h[1] / h[2]) for k, h in hits.items() if h[2]}
    return latencies, recall


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def resident_kib(field: str) -> int:
    """A line of /proc/self/status in KiB: VmRSS (resident now) or VmHWM (its high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def in_child(method: Callable[[], Result]) -> Result | None:
    """Run one method in a forked process and return its result, with ``peak_mib`` the growth of
    the process's resident memory while it built its index and answered (native allocations
    included, nothing run twice); its memory goes back to the system when it ends. None when the
    process died (e.g. killed for memory), so the other methods still run."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()

    def run() -> None:
        start = resident_kib("VmRSS")
        result = method()
        result.peak_mib = (resident_kib("VmHWM") - start) / 1024
        results.put(result)

    process = context.Process(target=run)
    process.start()
    process.join()
    if process.exitcode != 0:
        progress(f"  the method's process ended with exit code {process.exitcode}: no result")
        return None
    return results.get()
