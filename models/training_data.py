"""Reproducible labelled (source, copy) pairs built from the public corpora.

What a scraper varies, we vary: which part of the article it keeps (lead, middle,
tail, scattered sentences, trimmed edges, extractive summaries), how it re-flows
whitespace and quotes, whether it keeps the headline and the source's own byline or
syndication footer, what it wraps around the text (real navigation/ads/paywall lines
of news sites, modern cookie/newsletter snippets, sponsor lines, link lists) and
where (header, footer, between paragraphs), and whether the wrapped core is verbatim
or itself a rewrite. Rewrites are real (L2R LLM rewrites, Webis crowd paraphrases,
alone or stitched into article-length texts, partly rewritten, with passages dropped
or repeated) plus light word-level edits of news. Independent pairs are unrelated
texts, same-topic nearest neighbours, same-names "coverage" of another article, and
the reverse direction of every asymmetric derived pair.

What the world adds (see ``NEWS_PLAN``/``REWRITE_PLAN``): short texts (150-300 words) of
every class, cut-and-paste from several places of one source (or of two) with light
edits, creative LLM rewrites (the least verbatim ones, a quote kept) and rewrites
reordered inside paragraphs, human paraphrase at passage and answer length, and
same-topic independent pairs from every corpus — BBC articles of one category that
share names and numbers, two human texts of one L2R domain, an LLM rewrite of one text
against another text of its domain.

Every pair carries the groups it can be held out by (``llm``, ``domain``,
``wrapper_site``, ``copy_words``; ``models.generalisation`` makes folds of them).

The split is made before any fit: by document group (duplicates and near duplicates
together) and by wrapper site (a quarter of each wrapper family's sites), so test pairs
never share a source text or a wrapper site with training pairs. Everything is driven by
one seed.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from models.corpora import (
    NewsDoc,
    ParaphrasePair,
    RewriteSet,
    l2r_family,
    llm_name,
    load_bbc,
    load_l2r,
    load_webis,
    load_wrapper_families,
    load_wrapper_pages,
    webis_is_junk,
)
from models.text import TOKEN_PATTERN, TOKEN_RE, view

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TEST_SHARE = 0.2
SITE_TEST_SHARE = 0.25
SHORT_WORDS = (150, 300)  # a short text: a few sentences, an answer-length passage


@dataclass(frozen=True)
class LabelledPair:
    source: str
    copy: str
    pair_class: str
    kind: str  # which generator made it (for per-kind error analysis)
    group: str  # document group of the source; never on both sides of the split
    split: str  # "train" | "test"
    llm: str = ""  # the LLM whose text is in the pair (``corpora.LLMS``), "" when none
    domain: str = ""  # "bbc:<category>", "l2r:<Domain>" or "webis"
    wrapper_site: str = ""  # the wrapper page family used (``corpora.WRAPPER_FAMILIES``), "" when none
    copy_words: int = 0  # the copy's word count

    @property
    def domain_family(self) -> str:
        """The L2R domain family ("l2r:<family>"), or ``domain`` itself for BBC and Webis."""
        if self.domain.startswith("l2r:"):
            return "l2r:" + (l2r_family(self.domain[4:]) or self.domain[4:])
        return self.domain


@dataclass(frozen=True)
class _Made:
    """What a generator made; the builder fills in the kind, split and missing groups."""

    source: str
    copy: str
    pair_class: str
    group: str = ""
    llm: str = ""
    domain: str = ""
    wrapper_site: str = ""


# Same-topic independent pairs: a copy that shares a story's vocabulary (and often its names)
# without deriving from the source. ``models.generalisation`` reports the false-rewrite rate on them.
SAME_TOPIC_KINDS = frozenset(
    {
        "news:neighbour",
        "news:same_names",
        "news:shared_facts",
        "news:short_neighbour",
        "l2r:cross",
        "l2r:cross_near",
        "l2r:same_domain",
    }
)


def _side(key: str, seed: int, test_share: float = TEST_SHARE) -> str:
    h = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_share else "train"


def _words(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def _sentences(paragraph: str) -> list[str]:
    return view(paragraph).unit_texts()


def _short_run(paras: list[str], rng: random.Random, lead: bool = False) -> list[str] | None:
    """A run of consecutive sentences of ``SHORT_WORDS`` words, paragraph breaks kept; None if the text
    is too short. ``lead``: from the first sentence (a short article), else from a random paragraph
    start or sentence."""
    sents = [(k, s) for k, p in enumerate(paras) for s in _sentences(p)]
    counts = [_words(s) for _, s in sents]
    total = sum(counts)
    lo, hi = SHORT_WORDS
    if total < lo:
        return None
    target = rng.randint(lo, min(hi, total))
    starts = [i for i in range(len(sents)) if sum(counts[i:]) >= target]
    if lead:
        start = 0
    elif rng.random() < 0.6:
        starts_p = [i for i in starts if i == 0 or sents[i - 1][0] != sents[i][0]]
        start = rng.choice(starts_p or starts)
    else:
        start = rng.choice(starts)
    out: list[tuple[int, list[str]]] = []
    n = 0
    for k, sent in sents[start:]:
        if out and out[-1][0] == k:
            out[-1][1].append(sent)
        else:
            out.append((k, [sent]))
        n += _words(sent)
        if n >= target:
            break
    return [" ".join(group) for _, group in out]


_LOWER_WHEN_JOINED = frozenset(
    "The A An It Its This That These Those He She They We There Their His Her Our But In On At For As".split()
)


def _merge_split(sentences: list[str], rng: random.Random, rate: float = 0.25) -> list[str]:
    """Light edits of structure only: adjacent sentences merged with "and", long ones split at a
    ", and "/"; " (a word or two added or dropped, all others kept)."""
    out: list[str] = []
    i = 0
    while i < len(sentences):
        s = sentences[i].strip()
        r = rng.random()
        if r < rate / 2 and i + 1 < len(sentences) and s.endswith("."):
            nxt = sentences[i + 1].strip()
            if nxt.split(" ", 1)[0] in _LOWER_WHEN_JOINED:
                nxt = nxt[0].lower() + nxt[1:]
            out.append(s[:-1] + ", and " + nxt)
            i += 2
            continue
        if r < rate:
            m = re.search(r", and |; ", s)
            if m and 30 < m.start() < len(s) - 30:
                head, tail = s[: m.start()], s[m.end() :]
                out.extend([head.rstrip(",;") + ".", tail[:1].upper() + tail[1:]])
                i += 1
                continue
        out.append(s)
        i += 1
    return out


def _lightly_edited(sentences: list[str], rng: random.Random) -> list[str]:
    """Cut-and-paste as people do it: a few words changed, sentences merged or split."""
    rate = rng.choice([0.0, 0.0, 0.01, 0.02, 0.03])
    out = [_edit_words(s, rate, rng) if rate > 0 else s for s in sentences]
    return _merge_split(out, rng) if rng.random() < 0.6 else out


def _pieces(sentences: list[str], rng: random.Random, n_pieces: int, words: int) -> list[list[str]]:
    """``n_pieces`` runs of 1-4 consecutive sentences from different places, in text order, of about
    ``words`` words in all."""
    if len(sentences) < n_pieces * 2:
        return [sentences[: max(1, len(sentences) // 2)]]
    bounds = sorted(rng.sample(range(len(sentences)), n_pieces))
    per = max(20, words // n_pieces)
    out = []
    for j, a in enumerate(bounds):
        end = bounds[j + 1] if j + 1 < len(bounds) else len(sentences)
        run: list[str] = []
        for s in sentences[a:end]:
            run.append(s)
            if _words(" ".join(run)) >= per or len(run) >= 4:
                break
        out.append(run)
    return out


# ------------------------------------------------------------------------------------------- surface variation

_NAMES = ["Anna Keller", "David Osei", "Maria Lopez", "James Whitfield", "Priya Nair", "Tom Becker", "Lena Novak"]
_OUTLETS = ["BBC News", "The Daily Ledger", "World Wire", "Metro Herald", "Capital Times", "Reuters"]
_CITIES = ["London", "Paris", "Brussels", "New York", "Berlin", "Madrid"]


def _source_footer(rng: random.Random, headline: str) -> list[str]:
    """The source's own byline/credit/syndication lines (kept or dropped by a faithful copy)."""
    options = [
        f"By {rng.choice(_NAMES)}",
        f"{rng.choice(_NAMES)} contributed reporting from {rng.choice(_CITIES)}.",
        f"{rng.choice(_NAMES)} is a correspondent for {rng.choice(_OUTLETS)}, based in {rng.choice(_CITIES)}.",
        f"The post {headline} appeared first on {rng.choice(_OUTLETS)}.",
        f"Reporting by {rng.choice(_NAMES)}; editing by {rng.choice(_NAMES)}",
    ]
    return rng.sample(options, rng.randint(1, 3))


def _restyle(text: str, rng: random.Random) -> str:
    """Quote style and whitespace changes a scraper introduces."""
    if rng.random() < 0.3:
        text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    elif rng.random() < 0.3:
        text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
        text = re.sub(r'"([^"\n]*)"', r"“\1”", text)
    if rng.random() < 0.2:
        text = re.sub(r"\n", lambda m: rng.choice(["\n", " \n", "\n\n"]), text)
    if rng.random() < 0.1:
        text = text.replace(". ", ".  ")
    return text.strip() if rng.random() < 0.8 else text


def _render(paragraphs: list[str], rng: random.Random, headline: str | None = None) -> str:
    sep = rng.choices(["\n\n", "\n", " "], weights=[5, 4, 1])[0]
    body = sep.join(p.strip() for p in paragraphs if p.strip())
    if headline:
        return headline + rng.choice(["\n\n", "\n"]) + body
    return body


_SWAPS = {
    "said": "stated",
    "says": "states",
    "big": "large",
    "but": "however",
    "also": "additionally",
    "show": "indicate",
    "shows": "indicates",
    "help": "assist",
    "buy": "purchase",
    "start": "begin",
    "started": "began",
    "many": "numerous",
    "about": "around",
    "told": "informed",
    "get": "obtain",
    "need": "require",
    "because": "since",
    "people": "individuals",
    "use": "utilise",
    "made": "created",
}
_FILLERS = ["also", "reportedly", "meanwhile", "notably", "in fact", "indeed", "now", "still"]


def _edit_words(sentence: str, rate: float, rng: random.Random) -> str:
    """Word-level edits at ``rate``: deletions, swaps, insertions and synonym substitutions."""
    words = sentence.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        r = rng.random()
        if r < rate * 0.3 and i > 0:
            i += 1
            continue
        if r < rate * 0.5 and i + 1 < len(words):
            out.extend([words[i + 1], w])
            i += 2
            continue
        if r < rate * 0.7:
            out.append(rng.choice(_FILLERS))
        bare = w.lower().strip(".,;:\"'")
        if bare in _SWAPS and rng.random() < 0.8:
            w = w.replace(bare, _SWAPS[bare]) if w.islower() else w
        elif r < rate:
            w = rng.choice(_FILLERS) if rng.random() < 0.5 else w
        out.append(w)
        i += 1
    return " ".join(out)


# ------------------------------------------------------------------------------------------- wrappers


class WrapperPool:
    """Boilerplate of one side of the split: real page lines per site, plus scraper-made lines.

    One wrap uses one wrapper family (``corpora.WRAPPER_FAMILIES``): all its real lines come from
    that family's sites, so a family can be held out whole."""

    # How often each family wraps a page: Big9 are 9 sites with whole pages of news-site furniture,
    # WCXB 1,600 domains with a few snippets each; both matter.
    FAMILY_WEIGHTS = {"big9-a": 0.15, "big9-b": 0.15, "wcxb-article": 0.4, "wcxb-other": 0.3}

    def __init__(self, pages: dict[str, list[list[str]]], headlines: list[str], families: dict[str, str]):
        self.sites = sorted(pages)
        self.pages = pages
        self.headlines = headlines
        self.by_family: dict[str, list[str]] = {}
        for site in self.sites:
            self.by_family.setdefault(families.get(site, "wcxb-other"), []).append(site)
        self.families = sorted(self.by_family)

    def family(self, rng: random.Random) -> str:
        return rng.choices(self.families, weights=[self.FAMILY_WEIGHTS.get(f, 0.1) for f in self.families])[0]

    def _procedural(self, rng: random.Random) -> str:
        brand = rng.choice(["QWIKET", "NewsPro", "DailyDeals", "BetKing", "SmartInvest", "Trendly"])
        return rng.choice(
            [
                f"Sponsor: {brand}",
                f"Sponsor: {brand}: {rng.choice(['Elevate your game!', 'Save 50% today.', 'Try it free.'])}",
                "Advertisement",
                "ADVERTISEMENT",
                f"{rng.choice(['Jan', 'Mar', 'Jul', 'Oct'])} {rng.randint(1, 28)}, {rng.randint(2004, 2025)}  |  ",
                f"NextImg:{rng.choice(self.headlines)}",
                f"Read more: {rng.choice(self.headlines)}",
                "Share this article: Facebook Twitter WhatsApp Email",
                "Already a subscriber? Log in.",
                "Subscribe for unlimited access.",
                "We use cookies to improve your experience. Accept all",
                f"© {rng.randint(2005, 2025)} {rng.choice(_OUTLETS)}. All rights reserved.",
                "Click here to continue reading",
                f"Source: {rng.choice(_OUTLETS)}",
            ]
        )

    def block(self, rng: random.Random, where: str, n: int, family: str | None = None) -> list[str]:
        """``n`` wrapper lines as they would sit at the page's ``where`` ("head", "tail", "middle"),
        from a site of ``family`` (any site when None)."""
        sites = self.by_family[family] if family else self.sites
        site = rng.choice(sites)
        page = rng.choice(self.pages[site])
        if site.startswith("wcxb:") and len(page) < n:  # a few snippets per page: borrow from more pages
            for other in rng.sample(sites, min(6, len(sites))):
                page = page + rng.choice(self.pages[other])
        if where == "head":
            start = rng.randint(0, max(0, min(len(page) - n, 20)))
        elif where == "tail":
            start = max(0, len(page) - n - rng.randint(0, 10))
        else:
            start = rng.randint(0, max(0, len(page) - n))
        lines = page[start : start + n]
        if rng.random() < 0.15:  # a link farm of other headlines
            lines = lines + rng.sample(self.headlines, rng.randint(3, 8))
        if rng.random() < 0.5:
            lines = lines + [self._procedural(rng) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                rng.shuffle(lines)
        return lines or [self._procedural(rng)]

    def wrap(
        self, paragraphs: list[str], rng: random.Random, headline: str | None = None, light: bool = False
    ) -> tuple[str, str]:
        """Header, footer and/or interleaved injected lines around ``paragraphs``, and the wrapper
        family they came from.

        ``light``: only one or two injected lines, which are enough to make a wrapper.
        """
        family = self.family(rng)
        layout = (
            "light"
            if light
            else rng.choices(["head+tail", "head", "tail", "interleave", "all"], weights=[4, 2, 2, 2, 2])[0]
        )

        def size() -> int:
            return rng.randint(1, 2) if light else rng.randint(2, 14)

        head = (
            self.block(rng, "head", size(), family)
            if layout in ("head+tail", "head", "all") or (light and rng.random() < 0.5)
            else []
        )
        tail = (
            self.block(rng, "tail", size(), family)
            if layout in ("head+tail", "tail", "all") or (light and not head)
            else []
        )
        body = list(paragraphs)
        if layout in ("interleave", "all"):
            step = rng.randint(1, 4)
            mixed = []
            for i, p in enumerate(body):
                mixed.append(p)
                if (i + 1) % step == 0 and i + 1 < len(body):
                    mixed.extend(self.block(rng, "middle", rng.randint(1, 3), family))
            body = mixed
            if not head and not tail and len(mixed) == len(paragraphs):
                tail = self.block(rng, "tail", rng.randint(1, 4), family)
        if headline and rng.random() < 0.6:
            body = [headline, *body]
        sep = rng.choices(["\n\n", "\n"], weights=[1, 1])[0]
        return _restyle(sep.join([*head, *body, *tail]), rng), family


# ------------------------------------------------------------------------------------------- news pairs


class _News:
    """Generators over one split's BBC articles."""

    def __init__(self, docs: list[NewsDoc], wrappers: WrapperPool, rng: random.Random):
        self.docs = docs
        self.wrappers = wrappers
        self.rng = rng
        self.neighbours = _nearest_neighbours(docs)
        self.sharing = _sharing_facts(docs)
        self.index = {d.id: i for i, d in enumerate(docs)}
        self.by_category: dict[str, list[NewsDoc]] = {}
        for d in docs:
            self.by_category.setdefault(d.category, []).append(d)

    def source(self, d: NewsDoc) -> tuple[str, list[str], str | None, list[str]]:
        """The source as first published: (text, body paragraphs, headline or None, own footer lines)."""
        rng = self.rng
        headline = d.headline if rng.random() < 0.6 else None
        footer = _source_footer(rng, d.headline) if rng.random() < 0.3 else []
        return _render(d.paragraphs + footer, rng, headline), d.paragraphs, headline, footer

    def full_copy(self, d: NewsDoc) -> _Made:
        rng = self.rng
        src, paras, headline, footer = self.source(d)
        keep_footer = footer[: rng.randint(0, len(footer))] if footer else []
        copy_headline = headline if rng.random() < 0.7 else (None if headline else d.headline)
        copy = src if rng.random() < 0.1 else _restyle(_render(paras + keep_footer, rng, copy_headline), rng)
        return _Made(src, copy, "full-copy")

    def excerpt_paragraphs(self, d: NewsDoc) -> tuple[list[str], str]:
        """A verbatim part of the body and the way it was cut."""
        rng = self.rng
        paras = d.paragraphs
        sents = [s for p in paras for s in _sentences(p)]
        total = _words(" ".join(paras))
        mode = rng.choice(["lead", "lead", "middle", "tail", "sentences", "summary", "cut", "quote"])
        for _ in range(8):
            if mode in ("lead", "middle", "tail") and len(paras) >= 3:
                k = rng.randint(1, max(1, int(len(paras) * 0.75)))
                start = {"lead": 0, "tail": len(paras) - k, "middle": rng.randint(0, len(paras) - k)}[mode]
                part = paras[start : start + k]
            elif mode == "summary" and d.summary:
                part = [d.summary] if rng.random() < 0.5 else _sentences(d.summary)
                if rng.random() < 0.5:
                    part = [" ".join(part)]
            elif mode == "cut" and len(sents) >= 6:
                keep = sorted(rng.sample(range(len(sents)), rng.randint(2, max(2, int(len(sents) * 0.6)))))
                rate = rng.uniform(0.0, 0.03)
                part = [_edit_words(sents[i], rate, rng) if rate > 0.01 else sents[i] for i in keep]
                part = [" ".join(part)] if rng.random() < 0.5 else part
            elif mode == "quote" and len(sents) >= 3:
                i = rng.randint(0, len(sents) - 2)
                part = [" ".join(sents[i : i + rng.randint(1, 3)])]
            else:
                i = rng.randint(0, max(0, len(sents) - 3))
                j = rng.randint(i + 2, max(i + 2, min(len(sents), i + int(len(sents) * 0.7))))
                chunk = " ".join(sents[i:j])
                words = chunk.split()
                a = rng.randint(0, min(6, len(words) // 5)) if rng.random() < 0.6 else 0
                b = len(words) - (rng.randint(0, min(6, len(words) // 5)) if rng.random() < 0.6 else 0)
                part = [" ".join(words[a:b])]
            n = _words(" ".join(part))
            if 20 <= n <= 0.85 * total:
                return part, mode
            mode = rng.choice(["lead", "sentences", "quote"])
        return [sents[0]], "quote"

    def excerpt(self, d: NewsDoc) -> _Made:
        rng = self.rng
        src, _, headline, _ = self.source(d)
        part, _ = self.excerpt_paragraphs(d)
        copy = _restyle(_render(part, rng, headline if headline and rng.random() < 0.3 else None), rng)
        return _Made(src, copy, "excerpt")

    def wrapped(self, d: NewsDoc, light: bool = False) -> _Made:
        """The article, whole or in part, verbatim inside a scraper page."""
        rng = self.rng
        src, paras, _, footer = self.source(d)
        if rng.random() < 0.45:
            body = paras + footer[: rng.randint(0, len(footer))]
        else:
            body, _ = self.excerpt_paragraphs(d)
        headline = d.headline if rng.random() < 0.5 else None
        copy, site = self.wrappers.wrap(body, rng, headline, light=light)
        return _Made(src, copy, "spam-wrapped", wrapper_site=site)

    def wrapped_light(self, d: NewsDoc) -> _Made:
        """Only a line or two injected. Not reversed in training: its reverse looks like a
        faithful copy that dropped the source's own byline, which is a full copy."""
        return self.wrapped(d, light=True)

    def wrapped_edit(self, d: NewsDoc) -> _Made:
        """A lightly reworded article inside a scraper page (still spam-wrapped)."""
        rng = self.rng
        src, paras, _, _ = self.source(d)
        body = [_edit_words(p, rng.uniform(0.15, 0.35), rng) for p in paras]
        copy, site = self.wrappers.wrap(body, rng, d.headline if rng.random() < 0.5 else None)
        return _Made(src, copy, "spam-wrapped", wrapper_site=site)

    def light_rewrite(self, d: NewsDoc) -> _Made:
        rng = self.rng
        src, paras, headline, _ = self.source(d)
        rate = rng.uniform(0.15, 0.4)
        edited = [" ".join(_edit_words(s, rate, rng) for s in _sentences(p)) for p in paras]
        if rng.random() < 0.3 and len(edited) > 3:
            del edited[rng.randrange(len(edited))]
        return _Made(src, _restyle(_render(edited, rng, headline if rng.random() < 0.5 else None), rng), "rewrite")

    def unrelated(self, d: NewsDoc) -> _Made:
        rng = self.rng
        other = rng.choice(self.docs)
        while other.group == d.group:
            other = rng.choice(self.docs)
        return _Made(self.source(d)[0], self._partial(other), "independent")

    def neighbour(self, d: NewsDoc) -> _Made:
        """The most similar other article: same topic, its own sentences."""
        other = self.docs[self.rng.choice(self.neighbours[self.index[d.id]])]
        return _Made(self.source(d)[0], self._partial(other), "independent")

    def same_names(self, d: NewsDoc) -> _Made:
        """Another article about the same kind of event, given this one's names, numbers and a quote."""
        rng = self.rng
        other = self.docs[rng.choice(self.neighbours[self.index[d.id]])]
        text = self._partial(other)
        mine = [w for w, _ in Counter(re.findall(r"(?<=\s)[A-Z][a-z]+", " ".join(d.paragraphs))).most_common(8)]
        theirs = [w for w, _ in Counter(re.findall(r"(?<=\s)[A-Z][a-z]+", text)).most_common(8)]
        for a, b in zip(theirs, mine, strict=False):
            text = re.sub(rf"\b{a}\b", b, text)
        quotes = re.findall(r"\"([^\"]{10,80})\"", " ".join(d.paragraphs))
        if quotes:
            sents = _sentences(text)
            k = rng.randrange(len(sents))
            sents.insert(k, f'{rng.choice(mine or ["He"])} said: "{rng.choice(quotes)}"')
            text = " ".join(sents)
        return _Made(self.source(d)[0], text, "independent")

    # --------------------------------------------------------------- short texts, cut-and-paste, shared facts

    def _short_source(self, d: NewsDoc) -> tuple[str, list[str]] | None:
        """A short article made of the first ``SHORT_WORDS`` words of ``d`` (a brief, a news-in-brief item)."""
        paras = _short_run(d.paragraphs, self.rng, lead=True)
        if paras is None:
            return None
        headline = d.headline if self.rng.random() < 0.5 else None
        return _render(paras, self.rng, headline), paras

    def short_full_copy(self, d: NewsDoc) -> _Made | None:
        """A short text copied whole, re-flowed."""
        made = self._short_source(d)
        if made is None:
            return None
        src, paras = made
        copy = src if self.rng.random() < 0.1 else _restyle(_render(paras, self.rng), self.rng)
        return _Made(src, copy, "full-copy")

    def short_excerpt(self, d: NewsDoc) -> _Made | None:
        """A verbatim run of a few sentences, 150-300 words, from a longer article."""
        part = _short_run(d.paragraphs, self.rng)
        if part is None or _words(" ".join(part)) > 0.85 * _words(" ".join(d.paragraphs)):
            return None
        return _Made(self.source(d)[0], _restyle(_render(part, self.rng), self.rng), "excerpt")

    def cut_paste(self, d: NewsDoc) -> _Made | None:
        """Sentences cut from several places of the article and pasted together, lightly edited
        (a few words changed, sentences merged or split): verbatim reuse, an excerpt."""
        rng = self.rng
        sents = [s for p in d.paragraphs for s in _sentences(p)]
        total = _words(" ".join(sents))
        words = min(rng.randint(*SHORT_WORDS) if rng.random() < 0.7 else rng.randint(60, 150), int(0.7 * total))
        if words < 40 or len(sents) < 6:
            return None
        pieces = _pieces(sents, rng, rng.randint(2, 4), words)
        paras = [" ".join(_lightly_edited(piece, rng)) for piece in pieces]
        if rng.random() < 0.4:
            paras = [" ".join(paras)]
        return _Made(self.source(d)[0], _restyle(_render(paras, rng), rng), "excerpt")

    def cut_paste_two(self, d: NewsDoc) -> _Made | None:
        """Cut-and-paste from this article and from another one of its category: still an excerpt of
        this one (most of the copy is its sentences, and it holds only part of them)."""
        rng = self.rng
        other = rng.choice(self.by_category[d.category])
        if other.group == d.group:
            return None
        mine = [s for p in d.paragraphs for s in _sentences(p)]
        theirs = [s for p in other.paragraphs for s in _sentences(p)]
        total = _words(" ".join(mine))
        words = min(rng.randint(*SHORT_WORDS), int(0.6 * total))
        if words < 60 or len(mine) < 6 or len(theirs) < 4:
            return None
        a = [" ".join(_lightly_edited(piece, rng)) for piece in _pieces(mine, rng, rng.randint(2, 3), words)]
        b = [" ".join(_lightly_edited(piece, rng)) for piece in _pieces(theirs, rng, 1, words // 3)]
        k = rng.randint(0, len(a))
        return _Made(self.source(d)[0], _restyle(_render(a[:k] + b + a[k:], rng), rng), "excerpt")

    def short_rewrite(self, d: NewsDoc) -> _Made | None:
        """A few sentences re-worded word by word and re-structured: a light paraphrase."""
        rng = self.rng
        part = _short_run(d.paragraphs, rng)
        if part is None:
            return None
        rate = rng.uniform(0.15, 0.4)
        edited = [" ".join(_merge_split([_edit_words(s, rate, rng) for s in _sentences(p)], rng, 0.4)) for p in part]
        return _Made(self.source(d)[0], _restyle(_render(edited, rng), rng), "rewrite")

    def short_wrapped(self, d: NewsDoc) -> _Made | None:
        """A few sentences of the article inside a scraper page."""
        rng = self.rng
        part = _short_run(d.paragraphs, rng)
        if part is None:
            return None
        copy, site = self.wrappers.wrap(part, rng, d.headline if rng.random() < 0.5 else None, rng.random() < 0.3)
        return _Made(self.source(d)[0], copy, "spam-wrapped", wrapper_site=site)

    def short_neighbour(self, d: NewsDoc) -> _Made | None:
        """A few sentences of a same-topic article against this one (or against its short form)."""
        rng = self.rng
        other = self.docs[rng.choice(self.neighbours[self.index[d.id]])]
        part = _short_run(other.paragraphs, rng)
        if part is None:
            return None
        if rng.random() < 0.4 and (short := self._short_source(d)) is not None:
            src = short[0]
        else:
            src = self.source(d)[0]
        return _Made(src, _render(part, rng), "independent")

    def shared_facts(self, d: NewsDoc) -> _Made | None:
        """Another article of the category that shares this one's names and numbers: same people or
        same story, its own sentences, facts and structure."""
        candidates = self.sharing[self.index[d.id]]
        if not candidates:
            return None
        other = self.docs[self.rng.choice(candidates)]
        text = self._partial(other)
        if self.rng.random() < 0.3 and (part := _short_run(other.paragraphs, self.rng)) is not None:
            text = _render(part, self.rng)
        return _Made(self.source(d)[0], text, "independent")

    def _partial(self, d: NewsDoc) -> str:
        rng = self.rng
        paras = d.paragraphs
        if rng.random() < 0.4 and len(paras) > 3:
            a = rng.randint(0, len(paras) // 2)
            paras = paras[a : a + rng.randint(2, len(paras) - a)]
        return _render(paras, rng, d.headline if rng.random() < 0.5 else None)


def _nearest_neighbours(docs: list[NewsDoc], k: int = 3) -> list[list[int]]:
    """Indices of each article's most similar other articles (other groups), by word TF-IDF."""
    m = TfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, min_df=2, stop_words="english").fit_transform(
        [" ".join(d.paragraphs) for d in docs]
    )
    sims = (m @ m.T).toarray()
    groups = np.array([d.group for d in docs])
    sims[groups[:, None] == groups[None, :]] = -1
    return np.argsort(-sims, axis=1)[:, :k].tolist()


_NAME_RE = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
_NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d{2,}")


def _sharing_facts(docs: list[NewsDoc], k: int = 3, min_shared: int = 3) -> list[list[int]]:
    """Indices of each article's same-category articles (other groups) sharing the most names and
    numbers (at least ``min_shared``; rarer ones weigh more)."""
    facts = []
    for d in docs:
        text = " ".join(d.paragraphs)
        facts.append(set(_NAME_RE.findall(text)) | {n.replace(",", "") for n in _NUMBER_RE.findall(text)})
    df = Counter(f for fs in facts for f in fs)
    by_fact: dict[str, list[int]] = {}
    for i, fs in enumerate(facts):
        for f in fs:
            if df[f] <= 30:  # "Monday", "2004", "Mr Blair" everywhere say nothing
                by_fact.setdefault(f, []).append(i)
    out = []
    for i, d in enumerate(docs):
        score: Counter = Counter()
        for f in sorted(facts[i]):  # set order varies per process: sorted, the ties break the same way
            for j in by_fact.get(f, ()):
                if j != i and docs[j].category == d.category and docs[j].group != d.group:
                    score[j] += 1.0 / np.log2(1 + df[f])
        hits = [j for j, _ in score.most_common(k * 3) if len(facts[i] & facts[j]) >= min_shared]
        out.append(hits[:k])
    return out


# ------------------------------------------------------------------------------------------- rewrite pairs


class _Rewrites:
    """Real rewrites (L2R, Webis) alone and stitched into article-length pairs."""

    def __init__(self, sets: list[RewriteSet], webis: list[ParaphrasePair], wrappers: WrapperPool, rng: random.Random):
        self.sets = [s for s in sets if s.rewrites]
        self.by_domain: dict[str, list[RewriteSet]] = {}
        for s in self.sets:
            self.by_domain.setdefault(s.domain, []).append(s)
        self.webis = [w for w in webis if not webis_is_junk(w)]
        self.junk = [w for w in webis if webis_is_junk(w) and _words(w.paraphrase) >= 8]
        self.wrappers = wrappers
        self.rng = rng
        self.neighbours = {d: _l2r_neighbours(items) for d, items in self.by_domain.items()}
        self.creative_pool = _least_verbatim(self.sets)

    @staticmethod
    def _made(source: str, copy: str, cls: str, s: RewriteSet, model: str = "", site: str = "") -> _Made:
        return _Made(source, copy, cls, s.group, llm_name(model) if model else "", f"l2r:{s.domain}", site)

    def _stitched(self, k_range=(2, 6)) -> tuple[list[str], list[str], RewriteSet, str]:
        """k consecutive same-domain texts and one model's rewrites of them, as paragraph lists,
        with the first set (its group and domain are the pair's) and the model."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        k = rng.randint(*k_range)
        start = rng.randrange(max(1, len(items) - k))
        chosen = items[start : start + k]
        model = rng.choice(sorted(set.intersection(*(set(s.rewrites) for s in chosen)) or {""}))
        if not model:
            chosen = chosen[:1]
            model = rng.choice(sorted(chosen[0].rewrites))
        return [s.human for s in chosen], [s.rewrites[model] for s in chosen], chosen[0], model

    def single(self) -> _Made:
        s = self.rng.choice(self.sets)
        model = self.rng.choice(sorted(s.rewrites))
        return self._made(s.human, s.rewrites[model], "rewrite", s, model)

    def _mutated(self, human: list[str], rewritten: list[str]) -> str:
        """A rewrite as found: sometimes partly verbatim, a passage dropped or repeated, a headline added."""
        rng = self.rng
        copy = list(rewritten)
        if rng.random() < 0.25 and len(copy) > 1:  # partly rewritten, partly verbatim
            for i in rng.sample(range(len(copy)), len(copy) // 2):
                copy[i] = human[i]
        if rng.random() < 0.2 and len(copy) > 2:
            del copy[rng.randrange(len(copy))]
        if rng.random() < 0.2 and len(copy) > 1:
            i = rng.randrange(len(copy))
            copy = copy + copy[i:] if rng.random() < 0.5 else copy[: i + 1] + copy[i:]
        headline = None
        if rng.random() < 0.25:
            first = copy[0].split()
            headline = " ".join(first[: rng.randint(6, 12)]).rstrip(",.;:")
            headline = headline + "\n" + headline if rng.random() < 0.5 else headline
        return _restyle(_render(copy, rng, headline), rng)

    def stitched(self) -> _Made:
        """An article-length rewrite of several consecutive texts."""
        human, rewritten, first, model = self._stitched()
        return self._made(_render(human, self.rng), self._mutated(human, rewritten), "rewrite", first, model)

    def of_wrapped(self) -> _Made:
        """A rewrite made from a wrapped copy (a copy of a copy): the source carries the wrapper."""
        human, rewritten, first, model = self._stitched((1, 5))
        source, site = self.wrappers.wrap(human, self.rng)
        return self._made(source, self._mutated(human, rewritten), "rewrite", first, model, site)

    def partial(self) -> _Made:
        """A rewrite of only the first part of a longer text (the reverse of which is not derived)."""
        rng = self.rng
        human, rewritten, first, model = self._stitched((3, 6))
        m = rng.randint(1, max(1, len(human) // 2))
        return self._made(_render(human, rng), _render(rewritten[:m], rng), "rewrite", first, model)

    def wrapped(self) -> _Made:
        """A rewrite inside a scraper page: spam-wrapped (precedence over rewrite)."""
        human, rewritten, first, model = self._stitched((1, 4))
        copy, site = self.wrappers.wrap(rewritten, self.rng, light=self.rng.random() < 0.2)
        return self._made(_render(human, self.rng), copy, "spam-wrapped", first, model, site)

    def webis_pair(self) -> _Made:
        """Crowd paraphrases, accepted or rejected: a rejected one is still derived (a near copy with
        words changed, or machine-spun synonyms), i.e. a light rewrite. The few "paraphrases" that are
        not derived at all (``corpora.webis_is_junk``) are left out here and made ``webis_junk``."""
        rng = self.rng
        k = rng.choice([1, 1, 3, 6])
        start = rng.randrange(len(self.webis) - k)
        chosen = self.webis[start : start + k]
        src = _render([p.original for p in chosen], rng)
        copy = _render([p.paraphrase for p in chosen], rng)
        return _Made(src, copy, "rewrite", chosen[0].group, domain="webis")

    def webis_short(self) -> _Made:
        """Accepted crowd paraphrases of consecutive passages, answer length (150-300 words)."""
        rng = self.rng
        accepted = [w for w in self.webis if w.accepted]
        start = rng.randrange(len(accepted) - 8)
        chosen: list[ParaphrasePair] = []
        for w in accepted[start:]:
            chosen.append(w)
            if _words(" ".join(c.original for c in chosen)) >= rng.randint(*SHORT_WORDS):
                break
        src = _render([p.original for p in chosen], rng)
        copy = _render([p.paraphrase for p in chosen], rng)
        return _Made(src, copy, "rewrite", chosen[0].group, domain="webis")

    def webis_junk(self) -> _Made | None:
        """A rejected "paraphrase" that is some other text (a plea, the task, another passage)."""
        if not self.junk:
            return None
        w = self.rng.choice(self.junk)
        return _Made(w.original, w.paraphrase, "independent", w.group, domain="webis")

    def cross(self) -> _Made:
        """A text against another same-domain text's rewrite: unrelated."""
        rng = self.rng
        items = self.by_domain[rng.choice(sorted(self.by_domain))]
        a, b = rng.sample(items, 2)
        model = rng.choice(sorted(b.rewrites))
        return self._made(a.human, b.rewrites[model], "independent", a, model)

    def cross_near(self) -> _Made:
        """An LLM rewrite of text Y against the text X of the domain nearest to Y: same topic, not derived."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        i = rng.randrange(len(items))
        b = items[rng.choice(self.neighbours[domain][i])]
        model = rng.choice(sorted(b.rewrites))
        return self._made(items[i].human, b.rewrites[model], "independent", items[i], model)

    def same_domain(self) -> _Made:
        """Two human texts of one domain, the second the nearest to the first: same topic, own words."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        i = rng.randrange(len(items))
        b = items[rng.choice(self.neighbours[domain][i])]
        return self._made(items[i].human, b.human, "independent", items[i])

    def full_copy(self) -> _Made:
        """One or more texts copied whole, re-flowed, perhaps without the source's own credit lines."""
        rng = self.rng
        human, _, first, _ = self._stitched((1, 4))
        paras = [p for h in human for p in h.split("\n") if p.strip()]
        footer = _source_footer(rng, " ".join(paras[0].split()[:8])) if rng.random() < 0.3 else []
        copy = _restyle(_render(paras + footer[: rng.randint(0, len(footer))], rng), rng)
        return self._made(_render(paras + footer, rng), copy, "full-copy", first)

    def excerpt(self) -> _Made:
        rng = self.rng
        human, _, first, _ = self._stitched((3, 6))
        a = rng.randrange(len(human) - 1)
        part = human[a : a + rng.randint(1, len(human) - a - 1)]
        return self._made(_render(human, rng), _render(part, rng), "excerpt", first)

    # --------------------------------------------------------------- heavier rewrites, short texts

    def stitched_reordered(self) -> _Made:
        """A stitched rewrite whose sentences are reordered inside each paragraph (never across)."""
        rng = self.rng
        human, rewritten, first, model = self._stitched((2, 5))
        out = []
        for para in rewritten:
            lines = []
            for line in para.split("\n"):
                sents = _sentences(line) if line.strip() else []
                if len(sents) > 2:
                    head, rest = sents[:1], sents[1:]
                    rng.shuffle(rest)  # the opening sentence mostly stays: it names the subject
                    sents = head + rest if rng.random() < 0.7 else rng.sample(sents, len(sents))
                lines.append(" ".join(sents))
            out.append("\n".join(lines))
        return self._made(_render(human, rng), _restyle(_render(out, rng), rng), "rewrite", first, model)

    def creative(self) -> _Made | None:
        """The least verbatim LLM rewrites (a third of each model's, by shared word 3-grams), alone or
        stitched, sometimes with a quote of the source put back word for word: names and quotes kept,
        everything else re-expressed."""
        rng = self.rng
        if not self.creative_pool:
            return None
        domain, model = rng.choice(sorted(self.creative_pool))
        pool = self.creative_pool[(domain, model)]
        chosen = rng.sample(pool, min(len(pool), rng.choice([1, 1, 2, 3, 4])))
        human = [s.human for s in chosen]
        copy = [
            _keep_quote(s.human, s.rewrites[model], rng) if rng.random() < 0.5 else s.rewrites[model] for s in chosen
        ]
        return self._made(_render(human, rng), _restyle(_render(copy, rng), rng), "rewrite", chosen[0], model)

    def short_stitched(self) -> _Made:
        """A rewrite of consecutive texts of one domain making 150-300 words (an answer-length rewrite)."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        start = rng.randrange(len(items))
        model = rng.choice(sorted(items[start].rewrites))
        target = rng.randint(*SHORT_WORDS)
        chosen = []
        for s in items[start:] + items[:start]:
            if model not in s.rewrites:
                continue
            chosen.append(s)
            if _words(" ".join(c.rewrites[model] for c in chosen)) >= target:
                break
        human = [s.human for s in chosen]
        copy = self._mutated(human, [s.rewrites[model] for s in chosen]) if rng.random() < 0.3 else None
        copy = copy or _restyle(_render([s.rewrites[model] for s in chosen], rng), rng)
        return self._made(_render(human, rng), copy, "rewrite", chosen[0], model)

    def short_cut_paste(self) -> _Made | None:
        """Sentences cut from several places of a few consecutive texts, lightly edited: an excerpt."""
        rng = self.rng
        human, _, first, _ = self._stitched((3, 6))
        sents = [x for h in human for x in _sentences(h)]
        total = _words(" ".join(sents))
        words = min(rng.randint(*SHORT_WORDS), int(0.6 * total))
        if words < 40 or len(sents) < 6:
            return None
        pieces = _pieces(sents, rng, rng.randint(2, 4), words)
        copy = _render([" ".join(_lightly_edited(piece, rng)) for piece in pieces], rng)
        return self._made(_render(human, rng), _restyle(copy, rng), "excerpt", first)


_QUOTED = re.compile(r"[\"“]([^\"“”]{15,200})[\"”]")


def _keep_quote(human: str, rewrite: str, rng: random.Random) -> str:
    """``rewrite`` with one of ``human``'s quotes restored word for word in the rewrite's sentence
    closest to the quote's sentence (a rewriter told to keep quotes)."""
    quotes = [q for q in _QUOTED.findall(human) if len(q.split()) >= 4 and q not in rewrite]
    if not quotes:
        return rewrite
    quote = rng.choice(quotes)
    sents = _sentences(rewrite)
    if not sents:
        return rewrite
    qwords = set(TOKEN_RE.findall(quote.lower()))
    best = max(range(len(sents)), key=lambda i: len(qwords & set(TOKEN_RE.findall(sents[i].lower()))))
    lead = " ".join(sents[best].split()[: rng.randint(2, 5)]).rstrip(",.;:")
    sents[best] = f'{lead}: "{quote}"'
    return " ".join(sents)


def _l2r_neighbours(items: list[RewriteSet], k: int = 3) -> list[list[int]]:
    """Each text's most similar other texts of the domain (other groups), by word TF-IDF."""
    m = TfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, stop_words="english").fit_transform(
        [s.human for s in items]
    )
    sims = (m @ m.T).toarray()
    groups = np.array([s.group for s in items])
    sims[groups[:, None] == groups[None, :]] = -1
    return np.argsort(-sims, axis=1)[:, :k].tolist()


def _least_verbatim(sets: list[RewriteSet], share: float = 1 / 3) -> dict[tuple[str, str], list[RewriteSet]]:
    """(domain, model) → the sets whose rewrite by that model shares the fewest word 3-grams with the
    human text: the bottom ``share`` of each model's rewrites."""

    def grams(text: str) -> set[tuple[str, ...]]:
        t = TOKEN_RE.findall(text.lower())
        return set(zip(t, t[1:], t[2:], strict=False))

    scored: dict[str, list[tuple[float, RewriteSet]]] = {}
    for s in sets:
        h = grams(s.human)
        for model, text in s.rewrites.items():
            r = grams(text)
            if len(r) >= 10 and h:
                scored.setdefault(model, []).append((len(r & h) / len(r), s))
    out: dict[tuple[str, str], list[RewriteSet]] = {}
    for model, rows in scored.items():
        rows.sort(key=lambda x: x[0])
        for _, s in rows[: int(len(rows) * share)]:
            out.setdefault((s.domain, model), []).append(s)
    return out


# ------------------------------------------------------------------------------------------- the builder

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


def _test_sites(families: dict[str, str], seed: int, share: float = SITE_TEST_SHARE) -> set[str]:
    """A ``share`` of each wrapper family's sites (at least one), chosen by hash: the test side's."""
    by_family: dict[str, list[str]] = {}
    for site, family in families.items():
        by_family.setdefault(family, []).append(site)
    out: set[str] = set()
    for sites in by_family.values():
        ranked = sorted(sites, key=lambda s: hashlib.sha256(f"{seed}:site:{s}".encode()).hexdigest())
        out.update(ranked[: max(1, round(len(sites) * share))])
    return out


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
    test_sites = _test_sites({s: families.get(s, "wcxb-other") for s in pages}, seed)
    out: list[LabelledPair] = []
    for side in sides:
        rng = random.Random(f"{seed if pair_seed is None else pair_seed}:{side}")
        docs = [d for d in bbc if _side(d.group, seed) == side]
        side_pages = {s: p for s, p in pages.items() if (s in test_sites) == (side == "test")}
        wrappers = WrapperPool(side_pages, [d.headline for d in docs], families)
        news = _News(docs, wrappers, rng)
        rewrites = _Rewrites(
            [s for s in sets if _side(s.group, seed) == side],
            [p for p in webis if _side(p.group, seed) == side],
            wrappers,
            rng,
        )
        made: list[tuple[str, _Made]] = []
        for d in docs:
            for kind, rate in NEWS_PLAN.items():
                if rng.random() < rate * scale:
                    m = getattr(news, kind)(d)
                    if m is not None:
                        made.append((f"news:{kind}", replace(m, group=d.group, domain=f"bbc:{d.category}")))
        for kind, rate in REWRITE_PLAN.items():
            gen: Callable[[], _Made | None] = getattr(rewrites, kind)
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
                copy_words=_words(m.copy),
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
