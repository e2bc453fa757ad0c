"""The pair classifier spread over processes says exactly what one process says, pair for pair and in
order, and a pool that cannot start or loses its worker never fails a batch."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from copytrace import scoring_pool
from copytrace.scoring import Scorer, load_scorer
from copytrace.settings import available_cpus, load_settings
from models import registry
from tests.paths import REPO

POOL_LOG = "copytrace.scoring_pool"
# A process with a two-process scorer that writes its worker's pid to argv[1] and waits to be killed.
WAITING_SCORER = """
import multiprocessing, os, sys, time
from copytrace.scoring import Scorer
from models import registry
scorer = Scorer(registry.default_model_path(), workers=2)
assert scorer.pool.wait_ready(timeout=300)
with open(sys.argv[1] + ".tmp", "w") as fh:
    fh.write(" ".join(str(p.pid) for p in multiprocessing.active_children()))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
"""


@pytest.fixture(scope="module")
def pairs(seeds) -> list[tuple[str, str]]:
    """45 pairs as attribution makes them: each seed against the others, and each seed with its lead
    and its tail (an excerpt each) in both directions, and leads against tails."""
    texts = {key: path.read_text(encoding="utf-8") for key, path in seeds.items()}
    leads, tails = {}, {}
    for key, text in texts.items():
        lines = text.splitlines()
        leads[key], tails[key] = "\n".join(lines[: len(lines) // 2]), "\n".join(lines[len(lines) // 2 :])
    out = [(texts[a], texts[b]) for a in texts for b in texts if a != b]
    for key, text in texts.items():
        out += [(text, leads[key]), (leads[key], text), (text, tails[key]), (tails[key], text)]
        out.append((leads[key], tails[key]))
    assert len(out) >= scoring_pool.MIN_PARALLEL_PAIRS
    return out


@pytest.fixture(scope="module")
def expected(pairs) -> list[dict]:
    return load_scorer(None, 1).explain_many(pairs)


@pytest.fixture(scope="module")
def two_workers():
    """One scorer on two processes for the module (spawning a worker and loading the model takes seconds)."""
    scorer = Scorer(registry.default_model_path(), workers=2)
    assert scorer.pool is not None and scorer.pool.wait_ready(timeout=300), "the worker process did not start"
    yield scorer
    scorer.pool.close()


def test_pairs_sharing_a_text_go_to_one_part_and_parts_stay_balanced() -> None:
    linked = [("s1", "c1"), ("s1", "c2"), ("c2", "c3")]  # one group through s1 and c2
    pairs = [*linked, ("s2", "c4"), ("s3", "c5"), ("s4", "c6"), ("c6", "c7")]
    parts = scoring_pool.partition(pairs, 2)
    assert sorted(n for part in parts for n in part) == list(range(len(pairs)))
    assert any({0, 1, 2} <= set(part) for part in parts) and all(part == sorted(part) for part in parts)
    assert sorted(len(part) for part in parts) == [3, 4]
    for part in parts:
        texts = {t for n in part for t in pairs[n]}
        assert all(not texts & set(pairs[n]) for other in parts if other is not part for n in other)
    unlinked = [(f"s{n}", f"c{n}") for n in range(64)]
    assert [len(part) for part in scoring_pool.partition(unlinked, 2)] == [32, 32]


def test_texts_go_back_to_the_part_that_had_them_while_parts_stay_balanced() -> None:
    pairs = [("s1", "c1"), ("s1", "c2"), ("s2", "c3"), ("s3", "c4")]
    assert scoring_pool.partition(pairs, 2) == [[0, 1], [2, 3]]  # no history: the fewest pairs first

    last = {"s2": 0, "c3": 0, "s1": 1}.get  # s2's group and s1's were in each other's part last time
    assert scoring_pool.partition(pairs, 2, last) == [[2, 3], [0, 1]]

    everything_in_0 = {t: 0 for pair in pairs for t in pair}.get
    assert sorted(len(part) for part in scoring_pool.partition(pairs, 2, everything_in_0)) == [2, 2]


def test_a_pool_sends_a_text_back_to_the_part_that_had_it(two_workers, seeds) -> None:
    texts = [seeds[key].read_text(encoding="utf-8") for key in sorted(seeds)[:4]]
    pairs = []  # four groups of eight: each text with its quarters, both ways
    for text in texts:
        quarter = len(text) // 4
        for i in range(4):
            piece = text[i * quarter : (i + 1) * quarter]
            pairs += [(text, piece), (piece, text)]
    pool = two_workers.pool
    first = two_workers.explain_many(pairs)
    where = {text: pool._last_part.find(hash(text)) for text in texts}
    assert sorted(where.values()) == [0, 0, 1, 1]

    reordered = pairs[8:] + pairs[:8]
    fresh = [{t for n in part for t in reordered[n]} for part in scoring_pool.partition(reordered, 2)]
    assert any(where[text] != k for k, part in enumerate(fresh) for text in texts if text in part)
    assert two_workers.explain_many(reordered) == first[8:] + first[:8]
    assert {text: pool._last_part.find(hash(text)) for text in texts} == where


def test_a_group_larger_than_a_share_is_cut() -> None:
    burst = [("source", f"copy{n}") for n in range(9)]  # nine copies of one article: one group
    parts = scoring_pool.partition([*burst, ("a", "b")], 2)
    assert sorted(len(part) for part in parts) == [5, 5]
    assert sorted(n for part in parts for n in part) == list(range(10))


def test_two_processes_explain_exactly_what_one_does(two_workers, pairs, expected) -> None:
    got = two_workers.explain_many(pairs)
    assert got == expected  # labels, probabilities, features, reasons, spans: everything, in order
    assert two_workers.pool.ready()  # the worker did its share and is still there


def test_a_call_too_small_to_split_is_explained_the_same(two_workers, pairs, expected) -> None:
    small = scoring_pool.MIN_PARALLEL_PAIRS - 1
    assert two_workers.explain_many(pairs[:small]) == expected[:small]
    assert two_workers.explain_many([]) == []


def test_a_worker_that_dies_leaves_its_share_to_this_process(pairs, expected, caplog) -> None:
    scorer = Scorer(registry.default_model_path(), workers=2)
    try:
        assert scorer.pool.wait_ready(timeout=300)
        with pytest.raises(BrokenProcessPool):
            scorer.pool._executor.submit(os._exit, 1).result()  # the worker process dies
        with caplog.at_level(logging.WARNING, logger=POOL_LOG):
            assert scorer.explain_many(pairs) == expected
            assert scorer.explain_many(pairs) == expected
        assert not scorer.pool.ready()
        assert len([r for r in caplog.records if r.name == POOL_LOG]) == 1  # warned once, not per call
    finally:
        scorer.pool.close()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_worker_exits_when_its_parent_is_killed(tmp_path) -> None:
    """SIGKILL or the OOM killer leave the worker no exit hook: it must not wait for work for ever."""
    pids_file = tmp_path / "pids"
    proc = subprocess.Popen([sys.executable, "-c", WAITING_SCORER, str(pids_file)], cwd=REPO)
    try:
        deadline = time.monotonic() + 300
        while not pids_file.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        pids = [int(p) for p in pids_file.read_text().split()]
    finally:
        proc.kill()
        proc.wait()
    assert pids
    deadline = time.monotonic() + 30
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_running(p) for p in pids)


def test_a_daemonic_process_starts_no_workers_and_explains_here(monkeypatch, pairs, expected, caplog) -> None:
    """A Dask worker is daemonic: it may not have children."""
    monkeypatch.setattr(scoring_pool.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    with caplog.at_level(logging.WARNING, logger=POOL_LOG):
        scorer = Scorer(registry.default_model_path(), workers=2)
    assert not scorer.pool.wait_ready(timeout=1)
    assert "daemonic" in caplog.text
    assert scorer.explain_many(pairs) == expected


def test_the_default_model_is_one_scorer_whether_named_or_not() -> None:
    assert load_scorer(None, 1) is load_scorer(str(registry.default_model_path()), 1)
    assert load_scorer(None, 1).pool is None


def test_model_workers_defaults_to_the_cpus_available_and_is_at_least_one(monkeypatch) -> None:
    monkeypatch.delenv("COPYTRACE_MODEL_WORKERS", raising=False)
    assert load_settings().model_workers == available_cpus() >= 1
    monkeypatch.setenv("COPYTRACE_MODEL_WORKERS", "3")
    assert load_settings().model_workers == 3
    assert load_settings(model_workers=1).model_workers == 1
    monkeypatch.setenv("COPYTRACE_MODEL_WORKERS", "0")
    with pytest.raises(ValidationError):
        load_settings()


def test_a_loaded_scorer_leaves_what_it_loaded_out_of_later_collections() -> None:
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    scorer = Scorer(registry.default_model_path(), workers=1)
    assert gc.get_freeze_count() > 0  # the model's objects are in the permanent generation
    assert scorer.explain_many([("a b c d e", "a b c d e")])[0]["label"]
