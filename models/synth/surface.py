"""Surface edits a scraper or a copier makes: which sentences it keeps, a few words changed,
sentences merged or split, quotes and whitespace restyled, the text rendered with or without its
headline and the source's own byline."""

from __future__ import annotations

import random
import re

from models.text import TOKEN_RE, view

SHORT_WORDS = (150, 300)  # a short text: a few sentences, an answer-length passage


def word_count(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def split_sentences(paragraph: str) -> list[str]:
    return view(paragraph).unit_texts()


def short_run(paras: list[str], rng: random.Random, lead: bool = False) -> list[str] | None:
    """A run of consecutive sentences of ``SHORT_WORDS`` words, paragraph breaks kept; None if the text
    is too short. ``lead``: from the first sentence (a short article), else from a random paragraph
    start or sentence."""
    sents = [(k, s) for k, p in enumerate(paras) for s in split_sentences(p)]
    counts = [word_count(s) for _, s in sents]
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
        n += word_count(sent)
        if n >= target:
            break
    return [" ".join(group) for _, group in out]


_LOWER_WHEN_JOINED = frozenset(
    "The A An It Its This That These Those He She They We There Their His Her Our But In On At For As".split()
)


def merge_or_split(sentences: list[str], rng: random.Random, rate: float = 0.25) -> list[str]:
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


def lightly_edited(sentences: list[str], rng: random.Random) -> list[str]:
    """Cut-and-paste as people do it: a few words changed, sentences merged or split."""
    rate = rng.choice([0.0, 0.0, 0.01, 0.02, 0.03])
    out = [edit_words(s, rate, rng) if rate > 0 else s for s in sentences]
    return merge_or_split(out, rng) if rng.random() < 0.6 else out


def cut_pieces(sentences: list[str], rng: random.Random, n_pieces: int, words: int) -> list[list[str]]:
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
            if word_count(" ".join(run)) >= per or len(run) >= 4:
                break
        out.append(run)
    return out


# Byline and credit lines of the source (and the outlets a wrapper's copyright line names).
_NAMES = ["Anna Keller", "David Osei", "Maria Lopez", "James Whitfield", "Priya Nair", "Tom Becker", "Lena Novak"]
OUTLETS = ["BBC News", "The Daily Ledger", "World Wire", "Metro Herald", "Capital Times", "Reuters"]
_CITIES = ["London", "Paris", "Brussels", "New York", "Berlin", "Madrid"]


def source_footer(rng: random.Random, headline: str) -> list[str]:
    """The source's own byline/credit/syndication lines (kept or dropped by a faithful copy)."""
    options = [
        f"By {rng.choice(_NAMES)}",
        f"{rng.choice(_NAMES)} contributed reporting from {rng.choice(_CITIES)}.",
        f"{rng.choice(_NAMES)} is a correspondent for {rng.choice(OUTLETS)}, based in {rng.choice(_CITIES)}.",
        f"The post {headline} appeared first on {rng.choice(OUTLETS)}.",
        f"Reporting by {rng.choice(_NAMES)}; editing by {rng.choice(_NAMES)}",
    ]
    return rng.sample(options, rng.randint(1, 3))


def restyle(text: str, rng: random.Random) -> str:
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


def render(paragraphs: list[str], rng: random.Random, headline: str | None = None) -> str:
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


def edit_words(sentence: str, rate: float, rng: random.Random) -> str:
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
