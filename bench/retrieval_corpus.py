"""The retrieval benchmark's corpus: distinct filler articles (sentences of real BBC texts recombined)
with real sources mixed in, and the copies of those sources that are its queries; built once a size
and kept under the benchmark's ``--out``."""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.fixtures import source_material
from copytrace.text import text_sha256

COPY_TYPES = ("excerpt", "spam-wrapped", "rewrite")
# 1: fillers recombine every BBC article's sentences, the sources' too (a filler may hold a whole
# excerpt: both excerpt misses at 1M are such fillers); 2: only the other articles' sentences.
CORPUS_VERSIONS = (1, 2)


@dataclass
class Corpus:
    texts: list[str]  # index = document number
    queries: list[tuple[str, str, int]]  # (copy type, copy text, index of its source in texts)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_corpus(data_dir: Path, size: int, n_queries: int, version: int = 2, seed: int = 0) -> Corpus:
    """Sources first (BBC and L2R), then fillers up to ``size``; queries made from the sources."""
    rng = random.Random(seed)
    bbc, l2r, lines = source_material(data_dir, rng)

    texts: list[str] = []
    queries: list[tuple[str, str, int]] = []
    n_news = (2 * n_queries) // 3
    for d in bbc[: n_news // 2]:
        texts.append(d.headline + "\n\n" + "\n\n".join(d.paragraphs))
        k = max(1, int(len(d.paragraphs) * rng.uniform(0.3, 0.7)))
        start = rng.randint(0, len(d.paragraphs) - k)
        queries.append(("excerpt", "\n\n".join(d.paragraphs[start : start + k]), len(texts) - 1))
        body = d.paragraphs if rng.random() < 0.5 else d.paragraphs[: max(2, k)]
        head, tail = rng.sample(lines, rng.randint(2, 10)), rng.sample(lines, rng.randint(2, 10))
        queries.append(("spam-wrapped", "\n".join([*head, *body, *tail]), len(texts) - 1))
    for s in l2r[: n_queries - n_news]:
        texts.append(s.human)
        queries.append(("rewrite", rng.choice(sorted(s.rewrites.values())), len(texts) - 1))

    # From version 2 not the sources' own sentences (see CORPUS_VERSIONS): at 1M documents each recurs
    # in hundreds of fillers, and a filler holding every sentence of an excerpt is a source of it too.
    fillers_from = bbc[n_news // 2 :] if version >= 2 else bbc
    sentences = [sent for d in fillers_from for p in d.paragraphs for sent in p.split(". ") if len(sent.split()) >= 6]
    seen = {text_sha256(t) for t in texts}
    while len(texts) < size:
        filler = ". ".join(rng.sample(sentences, rng.randint(8, 25)))
        digest = text_sha256(filler)
        if digest not in seen:
            seen.add(digest)
            texts.append(filler)
        if len(texts) % 20000 == 0:
            progress(f"  corpus {len(texts)}/{size}")
    order = list(range(len(texts)))
    rng.shuffle(order)  # sources spread through the corpus, not at its start
    position = {old: new for new, old in enumerate(order)}
    return Corpus([texts[i] for i in order], [(t, q, position[i]) for t, q, i in queries])


def cached_corpus(out: Path, data_dir: Path, size: int, n_queries: int, version: int = 2) -> Corpus:
    path = out / f"corpus-v{version}-{size}-{n_queries}.json"
    if path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Corpus(raw["texts"], [tuple(q) for q in raw["queries"]])
    progress(f"building a corpus of {size} documents")
    corpus = build_corpus(data_dir, size, n_queries, version)
    path.write_text(json.dumps({"texts": corpus.texts, "queries": corpus.queries}), encoding="utf-8")
    return corpus
