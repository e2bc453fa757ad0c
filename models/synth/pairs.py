"""``build_pairs``: every labelled pair of both sides of the split, the same list for the same seed.

Each side gets its own documents, wrapper sites and random stream; the plans say how many pairs of
each kind to make per BBC article (``NEWS_PLAN``) and per L2R text (``REWRITE_PLAN``).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from models.corpora import (
    DEFAULT_DATA_DIR,
    NewsDoc,
    ParaphrasePair,
    RewriteSet,
    load_bbc,
    load_l2r,
    load_webis,
    load_wrapper_families,
    load_wrapper_pages,
)
from models.synth.labelled import LabelledPair, Made
from models.synth.news import NewsPairs
from models.synth.rewrites import RewritePairs
from models.synth.split import side_of, sites_on_test_side
from models.synth.surface import word_count
from models.synth.wrappers import WrapperPool
from models.text import TOKEN_RE

# how many pairs of each kind per BBC article / per L2R text on the side being built
NEWS_PLAN: dict[str, float] = {
    "full_copy": 0.7,
    "excerpt": 1.0,
    "wrapped": 0.65,
    "wrapped_light": 0.15,
    "wrapped_edit": 0.1,
    "light_rewrite": 0.3,
    "unrelated": 0.25,
    "neighbour": 0.35,
    "same_names": 0.35,
    # short texts, cut-and-paste, same-story coverage
    "short_full_copy": 0.08,
    "short_excerpt": 0.1,
    "cut_paste": 0.15,
    "cut_paste_two": 0.06,
    "short_rewrite": 0.1,
    "short_wrapped": 0.06,
    "short_neighbour": 0.08,
    "shared_facts": 0.15,
}
REWRITE_PLAN: dict[str, float] = {
    "single": 0.5,
    "stitched": 0.8,
    "of_wrapped": 0.2,
    "partial": 0.25,
    "wrapped": 0.25,
    "webis_pair": 0.2,
    "cross": 0.3,
    "full_copy": 0.3,
    "excerpt": 0.1,
    # heavier rewrites, short texts, same-domain coverage
    "stitched_reordered": 0.08,
    "creative": 0.15,
    "short_stitched": 0.1,
    "short_cut_paste": 0.04,
    "webis_short": 0.03,
    "webis_junk": 0.01,
    "cross_near": 0.1,
    "same_domain": 0.08,
}
_KIND_NAMES = {"webis_pair": "webis", "webis_short": "webis:short", "webis_junk": "webis:junk"}
# Derived kinds whose reverse (copy as source) is added as ``independent``: the copy keeps less
# of the source than the source has, or wraps it verbatim. Full copies and whole rewrites are
# symmetric — their reverse looks the same as the pair — so they are not reversed (direction
# comes from timestamps or the fuller text), nor is a wrapped rewrite, whose reverse is
# indistinguishable from a rewrite made from a wrapped copy.
REVERSE_SHARE = {
    "news:excerpt": 0.5,
    "l2r:excerpt": 0.5,
    "news:wrapped": 0.5,
    "l2r:partial": 0.8,
    "news:short_excerpt": 0.4,
    "news:cut_paste": 0.3,
    "news:cut_paste_two": 0.3,
    "news:short_wrapped": 0.3,
    "l2r:short_cut_paste": 0.3,
}


@lru_cache(maxsize=1)
def _corpora(data_dir: Path) -> tuple[list[NewsDoc], list[RewriteSet], list[ParaphrasePair], dict, dict[str, str]]:
    """The corpora ``build_pairs`` reads (read-only there), kept for the next call on the same folder:
    the training and evaluation flows build pairs more than once per process."""
    return (
        load_bbc(data_dir),
        load_l2r(data_dir),
        load_webis(data_dir),
        load_wrapper_pages(data_dir),
        load_wrapper_families(data_dir),
    )


def build_pairs(
    data_dir: str | Path = DEFAULT_DATA_DIR,
    seed: int = 0,
    scale: float = 1.0,
    pair_seed: int | str | None = None,
    sides: tuple[str, ...] = ("train", "test"),
) -> list[LabelledPair]:
    """All labelled pairs, both splits; same ``seed`` and data → the same list.

    ``seed`` decides the split and, unless ``pair_seed`` is given, the pairs made on each side: a
    different ``pair_seed`` makes other pairs from the same documents on the same sides (the frozen
    evaluation set of ``models.generalisation`` never meets the training documents of ``seed``).
    ``sides`` limits which splits are built (each side has its own random stream, so the pairs of
    one side do not depend on whether the other was built).
    """
    bbc, sets, webis, pages, families = _corpora(Path(data_dir).resolve())
    test_side_sites = sites_on_test_side({s: families.get(s, "wcxb-other") for s in pages}, seed)
    out: list[LabelledPair] = []
    for side in sides:
        rng = random.Random(f"{seed if pair_seed is None else pair_seed}:{side}")
        docs = [d for d in bbc if side_of(d.group, seed) == side]
        side_pages = {s: p for s, p in pages.items() if (s in test_side_sites) == (side == "test")}
        wrappers = WrapperPool(side_pages, [d.headline for d in docs], families)
        news = NewsPairs(docs, wrappers, rng)
        rewrites = RewritePairs(
            [s for s in sets if side_of(s.group, seed) == side],
            [p for p in webis if side_of(p.group, seed) == side],
            wrappers,
            rng,
        )
        made: list[tuple[str, Made]] = []
        for d in docs:
            for kind, rate in NEWS_PLAN.items():
                if rng.random() < rate * scale:
                    m = getattr(news, kind)(d)
                    if m is not None:
                        made.append((f"news:{kind}", replace(m, group=d.group, domain=f"bbc:{d.category}")))
        for kind, rate in REWRITE_PLAN.items():
            gen: Callable[[], Made | None] = getattr(rewrites, kind)
            for _ in range(int(len(rewrites.sets) * rate * scale)):
                m = gen()
                if m is not None:
                    made.append((_KIND_NAMES.get(kind, f"l2r:{kind}"), m))
        for kind, m in list(made):
            if rng.random() < REVERSE_SHARE.get(kind, 0.0):
                made.append((f"reversed:{kind}", replace(m, source=m.copy, copy=m.source, pair_class="independent")))
        out.extend(
            LabelledPair(
                m.source,
                m.copy,
                _relabel(m.source, m.copy, m.pair_class),
                kind,
                m.group,
                side,
                llm=m.llm,
                domain=m.domain,
                wrapper_site=m.wrapper_site,
                copy_words=word_count(m.copy),
            )
            for kind, m in made
            if m.source.strip() and m.copy.strip()
        )
    return out


def _relabel(source: str, copy: str, pair_class: str) -> str:
    """A "rewrite" that changed no word (an LLM that only swapped punctuation) is a full copy."""
    if pair_class == "rewrite" and TOKEN_RE.findall(source.lower()) == TOKEN_RE.findall(copy.lower()):
        return "full-copy"
    return pair_class


def describe(pairs: list[LabelledPair]) -> dict:
    """Counts per split, class and kind (stored in the model metadata)."""
    out: dict = {}
    for p in pairs:
        side = out.setdefault(p.split, {"classes": Counter(), "kinds": Counter()})
        side["classes"][p.pair_class] += 1
        side["kinds"][p.kind] += 1
    return {s: {k: dict(sorted(v.items())) for k, v in d.items()} for s, d in out.items()}
