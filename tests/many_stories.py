"""A landing folder of many stories, built from the real corpora in ``../shared/data`` with its answer key.

The corpora may not be redistributed, so the folder is made at test time, the same way on every run:

* five BBC articles, one per category: each original, an excerpt of it (a run of its paragraphs), a
  spam-wrapped copy (real boilerplate lines from one scraped site around the whole text or its first
  paragraphs); for two of them also a copy of the wrapped copy that keeps its header lines and only the first
  paragraphs, which derives from the wrapped copy, not from the original;
* four L2R texts (business, finance, government, sport), each with one real LLM rewrite;
* the five seeds (LABELS.md), whose 004 is independent coverage of 000's story.

``scraped_feed`` builds another folder, shaped as ``make bench-ingest``'s feed: scraper records of BBC
articles, each followed minutes later by an excerpt and a spam-wrapped copy (lines sampled from the
real boilerplate of every site), with no two articles about one event.

The BBC copies and the seeds are ``.txt`` files with no timestamp, so their direction comes from the
texts alone. A paraphrase relation is symmetric — which of two rewordings came first is, without a
date, a guess — so the L2R pairs come as scraper records (one ``.jsonl`` line each) carrying the time
they were fetched, as a scraper delivers them; their labels still come from the classifier.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.corpora import load_bbc, load_l2r, load_wrapper_pages
from tests.conftest import EXPECTED_SEEDS


@dataclass(frozen=True)
class Expected:
    label: str
    sources: frozenset[str]  # keys it may derive from; empty for an original
    root: str
    story: str


@dataclass
class ManyStories:
    texts: dict[str, str]  # key → file text (seeds are copied from their files)
    expected: dict[str, Expected]
    fetched_at: dict[str, str]  # key → ISO time, for the documents written as scraper records

    def write(self, folder: Path, rng: random.Random, seeds: dict[str, Path]) -> dict[str, str]:
        """Write every document under a random name, in random order; returns {key: locator}."""
        folder.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.expected)
        rng.shuffle(keys)
        locators = {}
        for key in keys:
            name = f"{rng.getrandbits(48):012x}"
            if key in self.fetched_at:
                url = f"https://{name}.example/{key}"
                record = {"url": url, "fetched_at": self.fetched_at[key], "title": key, "text": self.texts[key]}
                (folder / f"{name}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
                locators[key] = url
                continue
            dest = folder / f"{name}.txt"
            if key.startswith("seed-"):
                shutil.copy(seeds[key.removeprefix("seed-")], dest)
            else:
                dest.write_text(self.texts[key], encoding="utf-8")
            locators[key] = str(dest.resolve())
        return locators


def build(data_dir: Path, seed: int = 7) -> ManyStories:
    rng = random.Random(seed)
    texts: dict[str, str] = {}
    expected: dict[str, Expected] = {}
    fetched_at: dict[str, str] = {}

    def add(key: str, text: str | None, label: str, sources: set[str], root: str, story: str) -> None:
        if text is not None:
            texts[key] = text
        expected[key] = Expected(label, frozenset(sources), root, story)

    sites = sorted((site, pages) for site, pages in load_wrapper_pages(data_dir).items() if len(pages[0]) >= 12)
    articles = [d for d in load_bbc(data_dir) if 6 <= len(d.paragraphs) <= 14]
    for n, category in enumerate(sorted({d.category for d in articles})):
        doc = rng.choice([d for d in articles if d.category == category])
        story = f"bbc{n}"
        orig, exc, wrap = f"{story}-original", f"{story}-excerpt", f"{story}-wrapped"
        add(orig, doc.headline + "\n\n" + "\n\n".join(doc.paragraphs), "original", set(), orig, story)
        k = max(2, len(doc.paragraphs) // 2)
        start = rng.randint(1, len(doc.paragraphs) - k)
        _, pages = sites[(n * 7) % len(sites)]
        lines = pages[0]
        head, tail = lines[:6], lines[6:12]
        body = doc.paragraphs if n % 2 == 0 else doc.paragraphs[: k + 1]
        wrapped = [*head, doc.headline, *body, *tail]
        add(wrap, "\n\n".join(wrapped), "spam-wrapped", {orig}, orig, story)
        # An excerpt lying inside a wrapped copy that kept only part of the article may have been cut
        # from either: LABELS.md accepts both for seed 003 and its wrapped excerpt 002, and so does this.
        inside_partial = len(body) < len(doc.paragraphs) and start + k <= len(body)
        sources = {orig, wrap} if inside_partial else {orig}
        add(exc, "\n\n".join(doc.paragraphs[start : start + k]), "excerpt", sources, orig, story)
        if n < 2:
            add(f"{story}-rewrapped", "\n\n".join([*head, *body[:3]]), "spam-wrapped", {wrap}, orig, story)

    # Not "Environmental": its texts are insurers' answers to one climate questionnaire, alike by design.
    domains = {"Business", "Finance", "GovernmentPublic", "Sports"}
    news = [s for s in load_l2r(data_dir) if s.domain in domains and len(s.human.split()) >= 100]
    for n, item in enumerate(rng.sample(news, 4)):
        story, model = f"l2r{n}", rng.choice(sorted(item.rewrites))
        human, rewrite = f"{story}-human", f"{story}-rewrite"
        add(human, item.human, "original", set(), human, story)
        add(rewrite, item.rewrites[model], "rewrite", {human}, human, story)
        fetched_at[human], fetched_at[rewrite] = f"2025-03-0{n + 1}T08:00:00Z", f"2025-03-0{n + 1}T15:30:00Z"

    for key, (label, sources) in EXPECTED_SEEDS.items():
        root = f"seed-{key}" if sources is None else "seed-000"
        add(f"seed-{key}", None, label, {f"seed-{s}" for s in sources or ()}, root, "seeds")
    return ManyStories(texts, expected, fetched_at)


def scraped_feed(data_dir: Path, articles: int = 8, seed: int = 1) -> ManyStories:
    """Articles from as many categories as possible, each with an excerpt and a spam-wrapped copy,
    as scraper records: an article an hour after the one before, its copies 5-55 minutes after it.

    Met before their own source, wrapped copies of different articles look like copies of one
    another (the furniture around them), so what a copy is first credited to depends on which
    documents a batch holds; the answers must not."""
    rng = random.Random(seed)
    bbc = [d for d in load_bbc(data_dir) if 6 <= len(d.paragraphs) <= 14]
    lines = [line for pages in load_wrapper_pages(data_dir).values() for page in pages for line in page]
    categories = sorted({d.category for d in bbc})
    texts: dict[str, str] = {}
    expected: dict[str, Expected] = {}
    fetched_at: dict[str, str] = {}
    start = datetime(2025, 3, 1, tzinfo=UTC)
    for n in range(articles):
        doc = rng.choice([d for d in bbc if d.category == categories[n % len(categories)]])
        story = f"article{n}"
        orig = f"{story}-original"
        t = start + timedelta(hours=n)
        k = max(2, int(len(doc.paragraphs) * rng.uniform(0.3, 0.7)))
        first = rng.randint(0, len(doc.paragraphs) - k)
        head, tail = rng.sample(lines, rng.randint(3, 10)), rng.sample(lines, rng.randint(3, 10))
        excerpt_after, wrapped_after = rng.randint(5, 55), rng.randint(5, 55)
        for key, text, label, sources, minutes in (
            (orig, doc.headline + "\n\n" + "\n\n".join(doc.paragraphs), "original", set(), 0),
            (f"{story}-excerpt", "\n\n".join(doc.paragraphs[first : first + k]), "excerpt", {orig}, excerpt_after),
            (f"{story}-wrapped", "\n".join([*head, *doc.paragraphs, *tail]), "spam-wrapped", {orig}, wrapped_after),
        ):
            texts[key] = text
            expected[key] = Expected(label, frozenset(sources), orig, story)
            fetched_at[key] = (t + timedelta(minutes=minutes)).isoformat()
    return ManyStories(texts, expected, fetched_at)
