"""Provenance on texts and pages the classifier was not trained on, end to end on both databases:
a landing folder built from ``../shared/data`` → the ingest-copies flow → ``copy_provenance``.

The folders come from ``tests/generalisation_folders.py`` (as ``bench/pipeline_eval.py``'s do): L2R
human texts with real LLM rewrites, as undated ``.txt`` files and as dated pages, and real publisher
pages (Big9) with an excerpt page and a spam-wrapped page of each on other sites. Every failure lists
each wrong document with what came back and what was expected.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests import generalisation_folders as gf
from tests.paths import DATA

SEED = 3

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data (the corpora) is not beside the repo"),
]


def _ingest(folder: gf.Folder, tmp_path: Path, db_url: str, order: str, seed: int = SEED) -> dict[str, gf.Got]:
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    names = folder.write(landing, random.Random(f"{order}:{seed}"), order)
    summary = ingest_copies(landing=str(landing), database_url=db_url)
    assert summary.errors == [] and summary.new_documents == len(folder.files), summary
    return gf.read_back(db_url, names)


def _wrong(folder: gf.Folder, got: dict[str, gf.Got]) -> list[str]:
    verdicts = gf.judge(folder.expected, got)
    return [gf.describe(k, folder.expected[k], got[k]) for k in sorted(folder.expected) if not verdicts[k].right]


def _report(problems: list[str], of: int) -> str:
    return f"{len(problems)} problems in {of} documents:\n" + "\n".join(problems)


# Of a folder's rewrites, how many may be missed: left unlinked (``original`` from nothing: the
# classifier called the pair independent), or linked to the right source and root under another
# derived label (a rewriter's elaborations read as injected material: ``spam-wrapped``). Direction is
# held exactly: nothing may come back reversed or from a wrong source, and every human text stays
# ``original``. A held-out rewriter's most creative rewrites (Gemini's run 1.4 times their source's
# length) are the ones missed: docs/generalisation.md, llm folds.
MISSED_REWRITES = 1


def _rewrite_problems(folder: gf.Folder, got: dict[str, gf.Got]) -> list[str]:
    """Every wrong document, except up to ``MISSED_REWRITES`` rewrites missed as described above."""
    verdicts = gf.judge(folder.expected, got)
    missed = [
        k
        for k, want in folder.expected.items()
        if want.label == "rewrite"
        and not verdicts[k].right
        and not verdicts[k].reversed
        and (
            (got[k].label == "original" and got[k].source is None)
            or (got[k].label != "original" and verdicts[k].source and verdicts[k].root)
        )
    ]
    allowed = set(sorted(missed)[:MISSED_REWRITES])
    return [
        gf.describe(k, folder.expected[k], got[k])
        for k in sorted(folder.expected)
        if not verdicts[k].right and k not in allowed
    ]


def _rewrite_pairs() -> list:
    """Eight held-out L2R texts, each with one rewrite: GPT-4o, GPT-3-Turbo, Llama-3-70B and Gemini in
    turn, from several domains."""
    return gf.select_rewrite_pairs(gf.material(DATA), 8, seed=SEED)


def test_llm_rewrites_without_dates_derive_from_their_human_sources(prefect_harness, db_url, tmp_path):
    """Shuffled ``.txt`` files with no fetch time or date: each rewrite is ``rewrite`` deriving from its
    human text, rooted there (``MISSED_REWRITES`` aside); each human text is ``original`` deriving
    from nothing, never the rewrite of its own rewrite."""
    folder = gf.rewrite_pairs(_rewrite_pairs(), random.Random(SEED))
    assert {want.note.split(",")[0] for want in folder.expected.values()} == set(gf.MODELS)

    got = _ingest(folder, tmp_path, db_url, "random")

    wrong = _rewrite_problems(folder, got)
    assert not wrong, _report(wrong, len(got))


def test_dated_rewrite_pages_are_oriented_by_their_dates(prefect_harness, db_url, tmp_path):
    """The same pairs as pages on two sites, the human page stating an earlier
    ``article:published_time`` than its rewrite's, stored rewrites first: each rewrite derives from its
    human page, and ``copy_provenance.published_at`` is the date each page states."""
    folder = gf.rewrite_pairs(_rewrite_pairs(), random.Random(SEED), as_html=True, dated_share=1.0)
    assert all(want.published_at for want in folder.expected.values())

    got = _ingest(folder, tmp_path, db_url, "copies-first")

    problems = _rewrite_problems(folder, got)
    if any(g.published_at is gf.MISSING for g in got.values()):
        problems.append("copy_provenance has no published_at column")
    else:
        problems += [
            f"{key}: published_at {got[key].published_at} where the page states {want.published_at}"
            for key, want in sorted(folder.expected.items())
            if got[key].published_at != want.published_at
        ]
    assert not problems, _report(problems, len(got))


@pytest.mark.parametrize("order", ["sources-first", "copies-first"])
def test_real_publisher_pages_keep_their_copies_whatever_the_order(prefect_harness, db_url, tmp_path, order):
    """Six real news pages as saved (Big9, six sites; three state a publication date, in
    ``article:published_time`` or JSON-LD, three do not), each with an excerpt page and a spam-wrapped
    page on other sites dated after it: each real page is ``original``, its excerpt page ``excerpt``
    and its wrapped page ``spam-wrapped``, both rooted at it, whether the copies are stored before or
    after it."""
    mat = gf.material(DATA)
    rng = random.Random(f"pages:{SEED}")
    pages = gf.choose_real_pages(DATA, 6, rng, wcxb_share=0.0, dated_share=0.5, one_per_site=True)
    assert len(pages) == 6 and sum(p.published_at is not None for p in pages) == 3
    folder = gf.publisher_pages(pages, mat, rng)

    got = _ingest(folder, tmp_path, db_url, order)

    wrong = _wrong(folder, got)
    assert not wrong, _report(wrong, len(got))
