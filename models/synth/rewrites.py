"""Pairs made from real rewrites: L2R LLM rewrites and Webis crowd paraphrases, alone or stitched into
article-length texts, partly rewritten, wrapped, short; and same-domain independent pairs."""

from __future__ import annotations

import random
import re

from models.corpora import ParaphrasePair, RewriteSet, llm_name, webis_is_junk
from models.synth.labelled import Made
from models.synth.neighbours import nearest_other_group
from models.synth.surface import (
    SHORT_WORDS,
    cut_pieces,
    lightly_edited,
    render,
    restyle,
    source_footer,
    split_sentences,
    word_count,
)
from models.synth.wrappers import WrapperPool
from models.text import TOKEN_RE


class RewritePairs:
    """Real rewrites (L2R, Webis) alone and stitched into article-length pairs."""

    def __init__(self, sets: list[RewriteSet], webis: list[ParaphrasePair], wrappers: WrapperPool, rng: random.Random):
        self.sets = [s for s in sets if s.rewrites]
        self.by_domain: dict[str, list[RewriteSet]] = {}
        for s in self.sets:
            self.by_domain.setdefault(s.domain, []).append(s)
        self.webis = [w for w in webis if not webis_is_junk(w)]
        self.junk = [w for w in webis if webis_is_junk(w) and word_count(w.paraphrase) >= 8]
        self.wrappers = wrappers
        self.rng = rng
        self.neighbours = {d: _l2r_neighbours(items) for d, items in self.by_domain.items()}
        self.creative_pool = _least_verbatim(self.sets)

    @staticmethod
    def _made(source: str, copy: str, cls: str, s: RewriteSet, model: str = "", site: str = "") -> Made:
        return Made(source, copy, cls, s.group, llm_name(model) if model else "", f"l2r:{s.domain}", site)

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

    def single(self) -> Made:
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
        return restyle(render(copy, rng, headline), rng)

    def stitched(self) -> Made:
        """An article-length rewrite of several consecutive texts."""
        human, rewritten, first, model = self._stitched()
        return self._made(render(human, self.rng), self._mutated(human, rewritten), "rewrite", first, model)

    def of_wrapped(self) -> Made:
        """A rewrite made from a wrapped copy (a copy of a copy): the source carries the wrapper."""
        human, rewritten, first, model = self._stitched((1, 5))
        source, site = self.wrappers.wrap(human, self.rng)
        return self._made(source, self._mutated(human, rewritten), "rewrite", first, model, site)

    def partial(self) -> Made:
        """A rewrite of only the first part of a longer text (the reverse of which is not derived)."""
        rng = self.rng
        human, rewritten, first, model = self._stitched((3, 6))
        m = rng.randint(1, max(1, len(human) // 2))
        return self._made(render(human, rng), render(rewritten[:m], rng), "rewrite", first, model)

    def wrapped(self) -> Made:
        """A rewrite inside a scraper page: spam-wrapped (precedence over rewrite)."""
        human, rewritten, first, model = self._stitched((1, 4))
        copy, site = self.wrappers.wrap(rewritten, self.rng, light=self.rng.random() < 0.2)
        return self._made(render(human, self.rng), copy, "spam-wrapped", first, model, site)

    def webis_pair(self) -> Made:
        """Crowd paraphrases, accepted or rejected: a rejected one is still derived (a near copy with
        words changed, or machine-spun synonyms), i.e. a light rewrite. The few "paraphrases" that are
        not derived at all (``corpora.webis_is_junk``) are left out here and made ``webis_junk``."""
        rng = self.rng
        k = rng.choice([1, 1, 3, 6])
        start = rng.randrange(len(self.webis) - k)
        chosen = self.webis[start : start + k]
        src = render([p.original for p in chosen], rng)
        copy = render([p.paraphrase for p in chosen], rng)
        return Made(src, copy, "rewrite", chosen[0].group, domain="webis")

    def webis_short(self) -> Made:
        """Accepted crowd paraphrases of consecutive passages, answer length (150-300 words)."""
        rng = self.rng
        accepted = [w for w in self.webis if w.accepted]
        start = rng.randrange(len(accepted) - 8)
        chosen: list[ParaphrasePair] = []
        for w in accepted[start:]:
            chosen.append(w)
            if word_count(" ".join(c.original for c in chosen)) >= rng.randint(*SHORT_WORDS):
                break
        src = render([p.original for p in chosen], rng)
        copy = render([p.paraphrase for p in chosen], rng)
        return Made(src, copy, "rewrite", chosen[0].group, domain="webis")

    def webis_junk(self) -> Made | None:
        """A rejected "paraphrase" that is some other text (a plea, the task, another passage)."""
        if not self.junk:
            return None
        w = self.rng.choice(self.junk)
        return Made(w.original, w.paraphrase, "independent", w.group, domain="webis")

    def cross(self) -> Made:
        """A text against another same-domain text's rewrite: unrelated."""
        rng = self.rng
        items = self.by_domain[rng.choice(sorted(self.by_domain))]
        a, b = rng.sample(items, 2)
        model = rng.choice(sorted(b.rewrites))
        return self._made(a.human, b.rewrites[model], "independent", a, model)

    def cross_near(self) -> Made:
        """An LLM rewrite of text Y against the text X of the domain nearest to Y: same topic, not derived."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        i = rng.randrange(len(items))
        b = items[rng.choice(self.neighbours[domain][i])]
        model = rng.choice(sorted(b.rewrites))
        return self._made(items[i].human, b.rewrites[model], "independent", items[i], model)

    def same_domain(self) -> Made:
        """Two human texts of one domain, the second the nearest to the first: same topic, own words."""
        rng = self.rng
        domain = rng.choice(sorted(self.by_domain))
        items = self.by_domain[domain]
        i = rng.randrange(len(items))
        b = items[rng.choice(self.neighbours[domain][i])]
        return self._made(items[i].human, b.human, "independent", items[i])

    def full_copy(self) -> Made:
        """One or more texts copied whole, re-flowed, perhaps without the source's own credit lines."""
        rng = self.rng
        human, _, first, _ = self._stitched((1, 4))
        paras = [p for h in human for p in h.split("\n") if p.strip()]
        footer = source_footer(rng, " ".join(paras[0].split()[:8])) if rng.random() < 0.3 else []
        copy = restyle(render(paras + footer[: rng.randint(0, len(footer))], rng), rng)
        return self._made(render(paras + footer, rng), copy, "full-copy", first)

    def excerpt(self) -> Made:
        rng = self.rng
        human, _, first, _ = self._stitched((3, 6))
        a = rng.randrange(len(human) - 1)
        part = human[a : a + rng.randint(1, len(human) - a - 1)]
        return self._made(render(human, rng), render(part, rng), "excerpt", first)

    # --------------------------------------------------------------- heavier rewrites, short texts

    def stitched_reordered(self) -> Made:
        """A stitched rewrite whose sentences are reordered inside each paragraph (never across)."""
        rng = self.rng
        human, rewritten, first, model = self._stitched((2, 5))
        out = []
        for para in rewritten:
            lines = []
            for line in para.split("\n"):
                sents = split_sentences(line) if line.strip() else []
                if len(sents) > 2:
                    head, rest = sents[:1], sents[1:]
                    rng.shuffle(rest)  # the opening sentence mostly stays: it names the subject
                    sents = head + rest if rng.random() < 0.7 else rng.sample(sents, len(sents))
                lines.append(" ".join(sents))
            out.append("\n".join(lines))
        return self._made(render(human, rng), restyle(render(out, rng), rng), "rewrite", first, model)

    def creative(self) -> Made | None:
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
        return self._made(render(human, rng), restyle(render(copy, rng), rng), "rewrite", chosen[0], model)

    def short_stitched(self) -> Made:
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
            if word_count(" ".join(c.rewrites[model] for c in chosen)) >= target:
                break
        human = [s.human for s in chosen]
        copy = self._mutated(human, [s.rewrites[model] for s in chosen]) if rng.random() < 0.3 else None
        copy = copy or restyle(render([s.rewrites[model] for s in chosen], rng), rng)
        return self._made(render(human, rng), copy, "rewrite", chosen[0], model)

    def short_cut_paste(self) -> Made | None:
        """Sentences cut from several places of a few consecutive texts, lightly edited: an excerpt."""
        rng = self.rng
        human, _, first, _ = self._stitched((3, 6))
        sents = [x for h in human for x in split_sentences(h)]
        total = word_count(" ".join(sents))
        words = min(rng.randint(*SHORT_WORDS), int(0.6 * total))
        if words < 40 or len(sents) < 6:
            return None
        pieces = cut_pieces(sents, rng, rng.randint(2, 4), words)
        copy = render([" ".join(lightly_edited(piece, rng)) for piece in pieces], rng)
        return self._made(render(human, rng), restyle(copy, rng), "excerpt", first)


_QUOTED = re.compile(r"[\"“]([^\"“”]{15,200})[\"”]")


def _keep_quote(human: str, rewrite: str, rng: random.Random) -> str:
    """``rewrite`` with one of ``human``'s quotes restored word for word in the rewrite's sentence
    closest to the quote's sentence (a rewriter told to keep quotes)."""
    quotes = [q for q in _QUOTED.findall(human) if len(q.split()) >= 4 and q not in rewrite]
    if not quotes:
        return rewrite
    quote = rng.choice(quotes)
    sents = split_sentences(rewrite)
    if not sents:
        return rewrite
    qwords = set(TOKEN_RE.findall(quote.lower()))
    best = max(range(len(sents)), key=lambda i: len(qwords & set(TOKEN_RE.findall(sents[i].lower()))))
    lead = " ".join(sents[best].split()[: rng.randint(2, 5)]).rstrip(",.;:")
    sents[best] = f'{lead}: "{quote}"'
    return " ".join(sents)


def _l2r_neighbours(items: list[RewriteSet], k: int = 3) -> list[list[int]]:
    """Each text's most similar other texts of the domain (other groups), by word TF-IDF."""
    return nearest_other_group([s.human for s in items], [s.group for s in items], k)


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
