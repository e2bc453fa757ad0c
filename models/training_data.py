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

The split is made before any fit: by document group (duplicates and near duplicates
together) and by wrapper site, so test pairs never share a source text or a wrapper
site with training pairs. Everything is driven by one seed.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from models.corpora import NewsDoc, ParaphrasePair, RewriteSet, load_bbc, load_l2r, load_webis, load_wrapper_pages
from models.text import TOKEN_PATTERN, TOKEN_RE, view

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TEST_SHARE = 0.2


@dataclass(frozen=True)
class LabelledPair:
    source: str
    copy: str
    pair_class: str
    kind: str  # which generator made it (for per-kind error analysis)
    group: str  # document group of the source; never on both sides of the split
    split: str  # "train" | "test"


def _side(key: str, seed: int, test_share: float = TEST_SHARE) -> str:
    h = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_share else "train"


def _words(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def _sentences(paragraph: str) -> list[str]:
    return view(paragraph).unit_texts()


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
    """Boilerplate of one side of the split: real page lines per site, plus scraper-made lines."""

    def __init__(self, pages: dict[str, list[list[str]]], headlines: list[str]):
        self.sites = sorted(pages)
        self.pages = pages
        self.headlines = headlines

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

    def block(self, rng: random.Random, where: str, n: int) -> list[str]:
        """``n`` wrapper lines as they would sit at the page's ``where`` ("head", "tail", "middle")."""
        site = rng.choice(self.sites)
        page = rng.choice(self.pages[site])
        if site.startswith("wcxb:") and len(page) < n:  # a few snippets per page: borrow from more pages
            for other in rng.sample(self.sites, min(6, len(self.sites))):
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

    def wrap(self, paragraphs: list[str], rng: random.Random, headline: str | None = None, light: bool = False) -> str:
        """Header, footer and/or interleaved injected lines around ``paragraphs``.

        ``light``: only one or two injected lines, which are enough to make a wrapper.
        """
        layout = (
            "light"
            if light
            else rng.choices(["head+tail", "head", "tail", "interleave", "all"], weights=[4, 2, 2, 2, 2])[0]
        )

        def size() -> int:
            return rng.randint(1, 2) if light else rng.randint(2, 14)

        head = (
            self.block(rng, "head", size())
            if layout in ("head+tail", "head", "all") or (light and rng.random() < 0.5)
            else []
        )
        tail = self.block(rng, "tail", size()) if layout in ("head+tail", "tail", "all") or (light and not head) else []
        body = list(paragraphs)
        if layout in ("interleave", "all"):
            step = rng.randint(1, 4)
            mixed = []
            for i, p in enumerate(body):
                mixed.append(p)
                if (i + 1) % step == 0 and i + 1 < len(body):
                    mixed.extend(self.block(rng, "middle", rng.randint(1, 3)))
            body = mixed
            if not head and not tail and len(mixed) == len(paragraphs):
                tail = self.block(rng, "tail", rng.randint(1, 4))
        if headline and rng.random() < 0.6:
            body = [headline, *body]
        sep = rng.choices(["\n\n", "\n"], weights=[1, 1])[0]
        return _restyle(sep.join([*head, *body, *tail]), rng)


# ------------------------------------------------------------------------------------------- news pairs


class _News:
    """Generators over one split's BBC articles."""

    def __init__(self, docs: list[NewsDoc], wrappers: WrapperPool, rng: random.Random):
        self.docs = docs
        self.wrappers = wrappers
        self.rng = rng
        self.neighbours = _nearest_neighbours(docs)

    def source(self, d: NewsDoc) -> tuple[str, list[str], str | None, list[str]]:
        """The source as first published: (text, body paragraphs, headline or None, own footer lines)."""
        rng = self.rng
        headline = d.headline if rng.random() < 0.6 else None
        footer = _source_footer(rng, d.headline) if rng.random() < 0.3 else []
        return _render(d.paragraphs + footer, rng, headline), d.paragraphs, headline, footer

    def full_copy(self, d: NewsDoc) -> tuple[str, str, str]:
        rng = self.rng
        src, paras, headline, footer = self.source(d)
        keep_footer = footer[: rng.randint(0, len(footer))] if footer else []
        copy_headline = headline if rng.random() < 0.7 else (None if headline else d.headline)
        copy = src if rng.random() < 0.1 else _restyle(_render(paras + keep_footer, rng, copy_headline), rng)
        return src, copy, "full-copy"

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

    def excerpt(self, d: NewsDoc) -> tuple[str, str, str]:
        rng = self.rng
        src, _, headline, _ = self.source(d)
        part, _ = self.excerpt_paragraphs(d)
        copy = _restyle(_render(part, rng, headline if headline and rng.random() < 0.3 else None), rng)
        return src, copy, "excerpt"

    def wrapped(self, d: NewsDoc, light: bool = False) -> tuple[str, str, str]:
        """The article, whole or in part, verbatim inside a scraper page."""
        rng = self.rng
        src, paras, _, footer = self.source(d)
        if rng.random() < 0.45:
            body = paras + footer[: rng.randint(0, len(footer))]
        else:
            body, _ = self.excerpt_paragraphs(d)
        headline = d.headline if rng.random() < 0.5 else None
        return src, self.wrappers.wrap(body, rng, headline, light=light), "spam-wrapped"

    def wrapped_light(self, d: NewsDoc) -> tuple[str, str, str]:
        """Only a line or two injected. Not reversed in training: its reverse looks like a
        faithful copy that dropped the source's own byline, which is a full copy."""
        return self.wrapped(d, light=True)

    def wrapped_edit(self, d: NewsDoc) -> tuple[str, str, str]:
        """A lightly reworded article inside a scraper page (still spam-wrapped)."""
        rng = self.rng
        src, paras, _, _ = self.source(d)
        body = [_edit_words(p, rng.uniform(0.15, 0.35), rng) for p in paras]
        return src, self.wrappers.wrap(body, rng, d.headline if rng.random() < 0.5 else None), "spam-wrapped"

    def light_rewrite(self, d: NewsDoc) -> tuple[str, str, str]:
        rng = self.rng
        src, paras, headline, _ = self.source(d)
        rate = rng.uniform(0.15, 0.4)
        edited = [" ".join(_edit_words(s, rate, rng) for s in _sentences(p)) for p in paras]
        if rng.random() < 0.3 and len(edited) > 3:
            del edited[rng.randrange(len(edited))]
        return src, _restyle(_render(edited, rng, headline if rng.random() < 0.5 else None), rng), "rewrite"

    def unrelated(self, d: NewsDoc) -> tuple[str, str, str]:
        rng = self.rng
        other = rng.choice(self.docs)
        while other.group == d.group:
            other = rng.choice(self.docs)
        return self.source(d)[0], self._partial(other), "independent"

    def neighbour(self, d: NewsDoc) -> tuple[str, str, str]:
        """The most similar other article: same topic, its own sentences."""
        other = self.docs[self.rng.choice(self.neighbours[self.docs.index(d)])]
        return self.source(d)[0], self._partial(other), "independent"

    def same_names(self, d: NewsDoc) -> tuple[str, str, str]:
        """Another article about the same kind of event, given this one's names, numbers and a quote."""
        rng = self.rng
        other = self.docs[rng.choice(self.neighbours[self.docs.index(d)])]
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
        return self.source(d)[0], text, "independent"

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


# ------------------------------------------------------------------------------------------- rewrite pairs


class _Rewrites:
    """Real rewrites (L2R, Webis) alone and stitched into article-length pairs."""

    def __init__(self, sets: list[RewriteSet], webis: list[ParaphrasePair], wrappers: WrapperPool, rng: random.Random):
        self.sets = [s for s in sets if s.rewrites]
        self.by_domain: dict[str, list[RewriteSet]] = {}
        for s in self.sets:
            self.by_domain.setdefault(s.domain, []).append(s)
        self.webis = webis
        self.wrappers = wrappers
        self.rng = rng

    def _stitched(self, k_range=(2, 6)) -> tuple[list[str], list[str], str]:
        """k consecutive same-domain texts and one model's rewrites of them, as paragraph lists."""
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
        return [s.human for s in chosen], [s.rewrites[model] for s in chosen], chosen[0].group

    def single(self) -> tuple[str, str, str, str]:
        s = self.rng.choice(self.sets)
        return s.human, s.rewrites[self.rng.choice(sorted(s.rewrites))], "rewrite", s.group

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

    def stitched(self) -> tuple[str, str, str, str]:
        """An article-length rewrite of several consecutive texts."""
        human, rewritten, group = self._stitched()
        return _render(human, self.rng), self._mutated(human, rewritten), "rewrite", group

    def of_wrapped(self) -> tuple[str, str, str, str]:
        """A rewrite made from a wrapped copy (a copy of a copy): the source carries the wrapper."""
        human, rewritten, group = self._stitched((1, 5))
        return self.wrappers.wrap(human, self.rng), self._mutated(human, rewritten), "rewrite", group

    def partial(self) -> tuple[str, str, str, str]:
        """A rewrite of only the first part of a longer text (the reverse of which is not derived)."""
        rng = self.rng
        human, rewritten, group = self._stitched((3, 6))
        m = rng.randint(1, max(1, len(human) // 2))
        return _render(human, rng), _render(rewritten[:m], rng), "rewrite", group

    def wrapped(self) -> tuple[str, str, str, str]:
        """A rewrite inside a scraper page: spam-wrapped (precedence over rewrite)."""
        human, rewritten, group = self._stitched((1, 4))
        copy = self.wrappers.wrap(rewritten, self.rng, light=self.rng.random() < 0.2)
        return _render(human, self.rng), copy, "spam-wrapped", group

    def webis_pair(self) -> tuple[str, str, str, str]:
        """Crowd paraphrases; rejected ones are near copies with words changed, i.e. light rewrites."""
        rng = self.rng
        k = rng.choice([1, 1, 3, 6])
        start = rng.randrange(len(self.webis) - k)
        chosen = self.webis[start : start + k]
        src = _render([p.original for p in chosen], rng)
        copy = _render([p.paraphrase for p in chosen], rng)
        return src, copy, "rewrite", chosen[0].group

    def cross(self) -> tuple[str, str, str, str]:
        """A text against another same-domain text's rewrite: unrelated."""
        rng = self.rng
        items = self.by_domain[rng.choice(sorted(self.by_domain))]
        a, b = rng.sample(items, 2)
        return a.human, b.rewrites[rng.choice(sorted(b.rewrites))], "independent", a.group

    def full_copy(self) -> tuple[str, str, str, str]:
        """One or more texts copied whole, re-flowed, perhaps without the source's own credit lines."""
        rng = self.rng
        human, _, group = self._stitched((1, 4))
        paras = [p for h in human for p in h.split("\n") if p.strip()]
        footer = _source_footer(rng, " ".join(paras[0].split()[:8])) if rng.random() < 0.3 else []
        copy = _restyle(_render(paras + footer[: rng.randint(0, len(footer))], rng), rng)
        return _render(paras + footer, rng), copy, "full-copy", group

    def excerpt(self) -> tuple[str, str, str, str]:
        rng = self.rng
        human, _, group = self._stitched((3, 6))
        a = rng.randrange(len(human) - 1)
        part = human[a : a + rng.randint(1, len(human) - a - 1)]
        return _render(human, rng), _render(part, rng), "excerpt", group


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
}
# Derived kinds whose reverse (copy as source) is added as ``independent``: the copy keeps less
# of the source than the source has, or wraps it verbatim. Full copies and whole rewrites are
# symmetric — their reverse looks the same as the pair — so they are not reversed (direction
# comes from timestamps or the fuller text), nor is a wrapped rewrite, whose reverse is
# indistinguishable from a rewrite made from a wrapped copy.
REVERSE_SHARE = {"news:excerpt": 0.5, "l2r:excerpt": 0.5, "news:wrapped": 0.5, "l2r:partial": 0.8}


def build_pairs(data_dir: str | Path = DEFAULT_DATA_DIR, seed: int = 0, scale: float = 1.0) -> list[LabelledPair]:
    """All labelled pairs, both splits; same ``seed`` and data → the same list."""
    data_dir = Path(data_dir).resolve()
    bbc = load_bbc(data_dir)
    sets = load_l2r(data_dir)
    webis = load_webis(data_dir)
    pages = load_wrapper_pages(data_dir)
    out: list[LabelledPair] = []
    for side in ("train", "test"):
        rng = random.Random(f"{seed}:{side}")
        docs = [d for d in bbc if _side(d.group, seed) == side]
        side_pages = {s: p for s, p in pages.items() if _side(f"site:{s}", seed, 0.25) == side}
        wrappers = WrapperPool(side_pages, [d.headline for d in docs])
        news = _News(docs, wrappers, rng)
        rewrites = _Rewrites(
            [s for s in sets if _side(s.group, seed) == side],
            [p for p in webis if _side(p.group, seed) == side],
            wrappers,
            rng,
        )
        made: list[tuple[str, str, str, str, str]] = []
        for d in docs:
            for kind, rate in NEWS_PLAN.items():
                if rng.random() < rate * scale:
                    src, copy, cls = getattr(news, kind)(d)
                    made.append((src, copy, cls, f"news:{kind}", d.group))
        for kind, rate in REWRITE_PLAN.items():
            gen: Callable = getattr(rewrites, kind)
            for _ in range(int(len(rewrites.sets) * rate * scale)):
                src, copy, cls, group = gen()
                made.append((src, copy, cls, f"l2r:{kind}" if kind != "webis_pair" else "webis", group))
        for src, copy, _cls, kind, group in list(made):
            if rng.random() < REVERSE_SHARE.get(kind, 0.0):
                made.append((copy, src, "independent", f"reversed:{kind}", group))
        out.extend(
            LabelledPair(src, copy, _relabel(src, copy, cls), kind, group, side)
            for src, copy, cls, kind, group in made
            if src.strip() and copy.strip()
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
