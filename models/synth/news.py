"""Pairs made from BBC articles: copies, excerpts, wraps, light rewrites, short texts, cut-and-paste,
and independent same-topic coverage."""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np

from models.corpora import NewsDoc
from models.synth.labelled import Made
from models.synth.neighbours import nearest_other_group
from models.synth.surface import (
    SHORT_WORDS,
    cut_pieces,
    edit_words,
    lightly_edited,
    merge_or_split,
    render,
    restyle,
    short_run,
    source_footer,
    split_sentences,
    word_count,
)
from models.synth.wrappers import WrapperPool


class NewsPairs:
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
        footer = source_footer(rng, d.headline) if rng.random() < 0.3 else []
        return render(d.paragraphs + footer, rng, headline), d.paragraphs, headline, footer

    def full_copy(self, d: NewsDoc) -> Made:
        rng = self.rng
        src, paras, headline, footer = self.source(d)
        keep_footer = footer[: rng.randint(0, len(footer))] if footer else []
        copy_headline = headline if rng.random() < 0.7 else (None if headline else d.headline)
        copy = src if rng.random() < 0.1 else restyle(render(paras + keep_footer, rng, copy_headline), rng)
        return Made(src, copy, "full-copy")

    def excerpt_paragraphs(self, d: NewsDoc) -> tuple[list[str], str]:
        """A verbatim part of the body and the way it was cut."""
        rng = self.rng
        paras = d.paragraphs
        sents = [s for p in paras for s in split_sentences(p)]
        total = word_count(" ".join(paras))
        mode = rng.choice(["lead", "lead", "middle", "tail", "sentences", "summary", "cut", "quote"])
        for _ in range(8):
            if mode in ("lead", "middle", "tail") and len(paras) >= 3:
                k = rng.randint(1, max(1, int(len(paras) * 0.75)))
                start = {"lead": 0, "tail": len(paras) - k, "middle": rng.randint(0, len(paras) - k)}[mode]
                part = paras[start : start + k]
            elif mode == "summary" and d.summary:
                part = [d.summary] if rng.random() < 0.5 else split_sentences(d.summary)
                if rng.random() < 0.5:
                    part = [" ".join(part)]
            elif mode == "cut" and len(sents) >= 6:
                keep = sorted(rng.sample(range(len(sents)), rng.randint(2, max(2, int(len(sents) * 0.6)))))
                rate = rng.uniform(0.0, 0.03)
                part = [edit_words(sents[i], rate, rng) if rate > 0.01 else sents[i] for i in keep]
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
            n = word_count(" ".join(part))
            if 20 <= n <= 0.85 * total:
                return part, mode
            mode = rng.choice(["lead", "sentences", "quote"])
        return [sents[0]], "quote"

    def excerpt(self, d: NewsDoc) -> Made:
        rng = self.rng
        src, _, headline, _ = self.source(d)
        part, _ = self.excerpt_paragraphs(d)
        copy = restyle(render(part, rng, headline if headline and rng.random() < 0.3 else None), rng)
        return Made(src, copy, "excerpt")

    def wrapped(self, d: NewsDoc, light: bool = False) -> Made:
        """The article, whole or in part, verbatim inside a scraper page."""
        rng = self.rng
        src, paras, _, footer = self.source(d)
        if rng.random() < 0.45:
            body = paras + footer[: rng.randint(0, len(footer))]
        else:
            body, _ = self.excerpt_paragraphs(d)
        headline = d.headline if rng.random() < 0.5 else None
        copy, site = self.wrappers.wrap(body, rng, headline, light=light)
        return Made(src, copy, "spam-wrapped", wrapper_site=site)

    def wrapped_light(self, d: NewsDoc) -> Made:
        """Only a line or two injected. Not reversed in training: its reverse looks like a
        faithful copy that dropped the source's own byline, which is a full copy."""
        return self.wrapped(d, light=True)

    def wrapped_edit(self, d: NewsDoc) -> Made:
        """A lightly reworded article inside a scraper page (still spam-wrapped)."""
        rng = self.rng
        src, paras, _, _ = self.source(d)
        body = [edit_words(p, rng.uniform(0.15, 0.35), rng) for p in paras]
        copy, site = self.wrappers.wrap(body, rng, d.headline if rng.random() < 0.5 else None)
        return Made(src, copy, "spam-wrapped", wrapper_site=site)

    def light_rewrite(self, d: NewsDoc) -> Made:
        rng = self.rng
        src, paras, headline, _ = self.source(d)
        rate = rng.uniform(0.15, 0.4)
        edited = [" ".join(edit_words(s, rate, rng) for s in split_sentences(p)) for p in paras]
        if rng.random() < 0.3 and len(edited) > 3:
            del edited[rng.randrange(len(edited))]
        return Made(src, restyle(render(edited, rng, headline if rng.random() < 0.5 else None), rng), "rewrite")

    def unrelated(self, d: NewsDoc) -> Made:
        rng = self.rng
        other = rng.choice(self.docs)
        while other.group == d.group:
            other = rng.choice(self.docs)
        return Made(self.source(d)[0], self._partial(other), "independent")

    def neighbour(self, d: NewsDoc) -> Made:
        """The most similar other article: same topic, its own sentences."""
        other = self.docs[self.rng.choice(self.neighbours[self.index[d.id]])]
        return Made(self.source(d)[0], self._partial(other), "independent")

    def same_names(self, d: NewsDoc) -> Made:
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
            sents = split_sentences(text)
            k = rng.randrange(len(sents))
            sents.insert(k, f'{rng.choice(mine or ["He"])} said: "{rng.choice(quotes)}"')
            text = " ".join(sents)
        return Made(self.source(d)[0], text, "independent")

    # --------------------------------------------------------------- short texts, cut-and-paste, shared facts

    def _short_source(self, d: NewsDoc) -> tuple[str, list[str]] | None:
        """A short article made of the first ``SHORT_WORDS`` words of ``d`` (a brief, a news-in-brief item)."""
        paras = short_run(d.paragraphs, self.rng, lead=True)
        if paras is None:
            return None
        headline = d.headline if self.rng.random() < 0.5 else None
        return render(paras, self.rng, headline), paras

    def short_full_copy(self, d: NewsDoc) -> Made | None:
        """A short text copied whole, re-flowed."""
        made = self._short_source(d)
        if made is None:
            return None
        src, paras = made
        copy = src if self.rng.random() < 0.1 else restyle(render(paras, self.rng), self.rng)
        return Made(src, copy, "full-copy")

    def short_excerpt(self, d: NewsDoc) -> Made | None:
        """A verbatim run of a few sentences, 150-300 words, from a longer article."""
        part = short_run(d.paragraphs, self.rng)
        if part is None or word_count(" ".join(part)) > 0.85 * word_count(" ".join(d.paragraphs)):
            return None
        return Made(self.source(d)[0], restyle(render(part, self.rng), self.rng), "excerpt")

    def cut_paste(self, d: NewsDoc) -> Made | None:
        """Sentences cut from several places of the article and pasted together, lightly edited
        (a few words changed, sentences merged or split): verbatim reuse, an excerpt."""
        rng = self.rng
        sents = [s for p in d.paragraphs for s in split_sentences(p)]
        total = word_count(" ".join(sents))
        words = min(rng.randint(*SHORT_WORDS) if rng.random() < 0.7 else rng.randint(60, 150), int(0.7 * total))
        if words < 40 or len(sents) < 6:
            return None
        pieces = cut_pieces(sents, rng, rng.randint(2, 4), words)
        paras = [" ".join(lightly_edited(piece, rng)) for piece in pieces]
        if rng.random() < 0.4:
            paras = [" ".join(paras)]
        return Made(self.source(d)[0], restyle(render(paras, rng), rng), "excerpt")

    def cut_paste_two(self, d: NewsDoc) -> Made | None:
        """Cut-and-paste from this article and from another one of its category: still an excerpt of
        this one (most of the copy is its sentences, and it holds only part of them)."""
        rng = self.rng
        other = rng.choice(self.by_category[d.category])
        if other.group == d.group:
            return None
        mine = [s for p in d.paragraphs for s in split_sentences(p)]
        theirs = [s for p in other.paragraphs for s in split_sentences(p)]
        total = word_count(" ".join(mine))
        words = min(rng.randint(*SHORT_WORDS), int(0.6 * total))
        if words < 60 or len(mine) < 6 or len(theirs) < 4:
            return None
        a = [" ".join(lightly_edited(piece, rng)) for piece in cut_pieces(mine, rng, rng.randint(2, 3), words)]
        b = [" ".join(lightly_edited(piece, rng)) for piece in cut_pieces(theirs, rng, 1, words // 3)]
        k = rng.randint(0, len(a))
        return Made(self.source(d)[0], restyle(render(a[:k] + b + a[k:], rng), rng), "excerpt")

    def short_rewrite(self, d: NewsDoc) -> Made | None:
        """A few sentences re-worded word by word and re-structured: a light paraphrase."""
        rng = self.rng
        part = short_run(d.paragraphs, rng)
        if part is None:
            return None
        rate = rng.uniform(0.15, 0.4)
        edited = [
            " ".join(merge_or_split([edit_words(s, rate, rng) for s in split_sentences(p)], rng, 0.4)) for p in part
        ]
        return Made(self.source(d)[0], restyle(render(edited, rng), rng), "rewrite")

    def short_wrapped(self, d: NewsDoc) -> Made | None:
        """A few sentences of the article inside a scraper page."""
        rng = self.rng
        part = short_run(d.paragraphs, rng)
        if part is None:
            return None
        copy, site = self.wrappers.wrap(part, rng, d.headline if rng.random() < 0.5 else None, rng.random() < 0.3)
        return Made(self.source(d)[0], copy, "spam-wrapped", wrapper_site=site)

    def short_neighbour(self, d: NewsDoc) -> Made | None:
        """A few sentences of a same-topic article against this one (or against its short form)."""
        rng = self.rng
        other = self.docs[rng.choice(self.neighbours[self.index[d.id]])]
        part = short_run(other.paragraphs, rng)
        if part is None:
            return None
        if rng.random() < 0.4 and (short := self._short_source(d)) is not None:
            src = short[0]
        else:
            src = self.source(d)[0]
        return Made(src, render(part, rng), "independent")

    def shared_facts(self, d: NewsDoc) -> Made | None:
        """Another article of the category that shares this one's names and numbers: same people or
        same story, its own sentences, facts and structure."""
        candidates = self.sharing[self.index[d.id]]
        if not candidates:
            return None
        other = self.docs[self.rng.choice(candidates)]
        text = self._partial(other)
        if self.rng.random() < 0.3 and (part := short_run(other.paragraphs, self.rng)) is not None:
            text = render(part, self.rng)
        return Made(self.source(d)[0], text, "independent")

    def _partial(self, d: NewsDoc) -> str:
        rng = self.rng
        paras = d.paragraphs
        if rng.random() < 0.4 and len(paras) > 3:
            a = rng.randint(0, len(paras) // 2)
            paras = paras[a : a + rng.randint(2, len(paras) - a)]
        return render(paras, rng, d.headline if rng.random() < 0.5 else None)


def _nearest_neighbours(docs: list[NewsDoc], k: int = 3) -> list[list[int]]:
    """Indices of each article's most similar other articles (other groups), by word TF-IDF."""
    return nearest_other_group([" ".join(d.paragraphs) for d in docs], [d.group for d in docs], k, min_df=2)


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
