"""Landing folders that check whether provenance generalises, built at run time from ``../shared/data``.

One implementation for ``bench/pipeline_eval.py`` and ``tests/integration/test_provenance_generalises.py``: the
corpora may not be redistributed, so every folder is made from them when it is needed, the same way
for the same seed. Only texts the shipped classifier was *not* trained on are used: the BBC articles,
L2R texts and wrapper sites on the held-out side of the model's own split (``models.synth.split``,
with the seed the shipped model's metadata names). The real publisher pages (Big9, WCXB) were never
training originals.

Parts, each a :class:`Folder` (files and their answer key), combined by the two folders the bench runs:

* ``rewrite_pairs``: L2R human texts with one real LLM rewrite each (the four LLMs in turn, several
  domains), as ``.txt`` files without any date, or as simple HTML pages on two sites, the human page
  dated (``<meta property="article:published_time">``) before the rewrite page;
* ``bbc_copies``: BBC articles, each with an excerpt (its first paragraphs or a block from the middle)
  and a spam-wrapped copy (real boilerplate lines of one scraped site: WCXB snippets or Big9 page
  furniture, above, below and between the paragraphs), as ``.txt`` files;
* ``independent_pairs``: two BBC articles on one topic (the most alike by TF-IDF in their category,
  sharing no passage): both originals;
* ``publisher_pages``: real publisher pages as they were saved (Big9 news pages and WCXB article
  pages, with their own site furniture, unmodified), each with an excerpt page and a spam-wrapped
  page on other sites: simple HTML pages dated after the original (after the date the original page
  states, when it states one in ``article:published_time`` or JSON-LD; else after the year it was
  saved).

Where one copy lies wholly inside another copy of the same source (an excerpt inside a wrapped copy
that kept the whole article, a wrapped copy that kept no more than the excerpt), either may be its
source; the root is the original either way.

:meth:`Folder.write` writes the files under random names (their sorted order is the order they are
stored in), :func:`read_back` reads ``copy_provenance`` back keyed like the answer key, and
:func:`judge` says, per document, whether its label, source and root are the expected ones.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import text

from copytrace.db import session_factory
from models.corpora import NewsDoc, RewriteSet, load_bbc, load_l2r, load_wrapper_pages, read_text

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
BIG9 = "web-extraction-big9"
WCXB = "wcxb-web-pages"
MODELS = ("GPT-4o", "GPT-3-Turbo", "Llama-3-70B", "Gemini-1.5-Pro")
# Prose domains with texts of news-article length. Not "Environmental" (insurers' answers to one
# questionnaire, alike by design), nor the one- or two-sentence domains (Sports, Business, ...).
L2R_DOMAINS = (
    "AcademicResearch",
    "EducationMaterial",
    "Entertainment",
    "Finance",
    "LegalDocument",
    "LiteratureCreativeWriting",
    "OnlineContent",
    "ProductReview",
    "TechnicalWriting",
)
MIN_WORDS = 80


# ------------------------------------------------------------------------------------------- answer key


@dataclass(frozen=True)
class Expected:
    kind: str  # what the document is: "human", "rewrite", "article", "excerpt", "spam-wrapped", ...
    label: str
    sources: frozenset[str] = frozenset()  # keys it may derive from; empty for an original
    root: str = ""  # key of its chain's original (itself for an original)
    published_at: datetime | None = None  # the date its page states, if any
    dated_source: bool | None = None  # pages: whether its chain's original states a date
    note: str = ""  # where it came from, for messages ("GPT-4o, Finance #12")


@dataclass
class Folder:
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (suffix, content)
    expected: dict[str, Expected] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)  # corpus groups used (kept apart across parts)

    def add(self, key: str, suffix: str, content: str, expected: Expected) -> None:
        assert key not in self.files, key
        self.files[key] = (suffix, content)
        self.expected[key] = expected

    def __add__(self, other: Folder) -> Folder:
        assert not set(self.files) & set(other.files)
        return Folder({**self.files, **other.files}, {**self.expected, **other.expected}, self.groups | other.groups)

    def write(self, landing: Path, rng: random.Random, order: str = "random") -> dict[str, str]:
        """Write every file under a random name; returns {key: file name}. The names' sorted order
        is the order the files are read and stored in: ``random``, or ``sources-first`` / ``copies-first``
        (originals before or after everything derived from them, each side shuffled)."""
        landing.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.files)
        rng.shuffle(keys)
        if order != "random":
            derived = [k for k in keys if self.expected[k].sources]
            originals = [k for k in keys if not self.expected[k].sources]
            keys = originals + derived if order == "sources-first" else derived + originals
        stems: set[str] = set()
        while len(stems) < len(keys):
            stems.add(f"{rng.getrandbits(48):012x}")
        names = {}
        for key, stem in zip(keys, sorted(stems), strict=True):
            suffix, content = self.files[key]
            names[key] = stem + suffix
            (landing / names[key]).write_text(content, encoding="utf-8")
        return names


# ------------------------------------------------------------------------------------------- material


@dataclass
class Material:
    """The held-out texts a folder is made of."""

    data_dir: Path
    bbc: list[NewsDoc]
    l2r: list[RewriteSet]
    wrapper_sites: dict[str, list[list[str]]]


def training_seed() -> int:
    """The seed of the shipped model's train/test split (its metadata), 0 when it does not say."""
    from models.registry import ARTIFACTS

    try:
        meta = json.loads((ARTIFACTS / "copytrace-pair.json").read_text(encoding="utf-8"))
        return int(meta["training_data"]["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


@lru_cache(maxsize=2)
def material(data_dir: Path = DATA_DIR) -> Material:
    from models.synth.split import side_of  # the model's own split: held out = "test"

    seed = training_seed()
    bbc = [d for d in load_bbc(data_dir) if side_of(d.group, seed) == "test"]
    l2r = [
        s
        for s in load_l2r(data_dir)
        if s.domain in L2R_DOMAINS
        and s.rewrites
        and len(s.human.split()) >= MIN_WORDS
        and side_of(s.group, seed) == "test"
    ]
    sites = {}
    for site, pages in load_wrapper_pages(data_dir).items():
        if side_of(f"site:{site}", seed, 0.25) != "test":
            continue
        pages = [[ln for ln in page if len(ln.split()) >= 2] for page in pages]
        pages = [p for p in pages if len(p) >= 4]
        if pages:
            sites[site] = pages
    return Material(data_dir, bbc, l2r, sites)


# ------------------------------------------------------------------------------------------- helpers


def _words(text_: str) -> int:
    return len(text_.split())


def _grams(text_: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text_.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _excerpt_block(paragraphs: list[str], rng: random.Random, lead: bool) -> tuple[int, int]:
    """(start, end) of a run of paragraphs: from the first (``lead``) or from the middle; a quarter
    to three fifths of the words, at least 60 (the run is never the whole text)."""
    total = sum(_words(p) for p in paragraphs)
    start = 0 if lead else rng.randint(1, max(1, len(paragraphs) // 2))
    target = max(60, int(total * rng.uniform(0.25, 0.45)))
    end, got = start, 0
    while end < len(paragraphs) and got < target:
        got += _words(paragraphs[end])
        end += 1
    if end - start >= len(paragraphs):
        end -= 1
    return start, max(end, start + 1)


def _wrapper_lines(mat: Material, rng: random.Random, avoid: str = "") -> tuple[str, list[str]]:
    """A held-out wrapper site's lines, in page order (more of its pages when one has few)."""
    sites = sorted(s for s in mat.wrapper_sites if s != avoid)
    site = rng.choice(sites)
    pages = mat.wrapper_sites[site]
    lines = list(rng.choice(pages))
    for page in rng.sample(pages, len(pages)):
        if len(lines) >= 12:
            break
        lines += [ln for ln in page if ln not in lines]
    return site, lines


def _wrap(paragraphs: list[str], lines: list[str], rng: random.Random, headline: str | None = None) -> list[str]:
    """A scraper page's text: wrapper lines above and below the paragraphs, a few between them."""
    n_head = rng.randint(2, min(6, max(2, len(lines) // 2)))
    head, rest = lines[:n_head], lines[n_head:]
    tail = rest[-rng.randint(2, max(2, min(6, len(rest)))) :] if rest else []
    middle = [ln for ln in rest if ln not in tail] or lines
    body: list[str] = [headline] if headline else []
    step = rng.randint(2, 4)
    for i, p in enumerate(paragraphs):
        body.append(p)
        if (i + 1) % step == 0 and i + 1 < len(paragraphs) and rng.random() < 0.7:
            body.append(rng.choice(middle))
    return [*head, *body, *tail]


def _site_name(rng: random.Random, kind: str) -> str:
    return f"{kind}-{rng.getrandbits(24):06x}.example"


def _slug(words: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", words.lower())[:8]) or "article"


def html_page(
    paragraphs: list[str],
    *,
    title: str,
    url: str,
    published_at: datetime | None,
    site: str,
) -> str:
    """A simple article page of another site: the title in the page header, the text as paragraphs of
    its ``<article>`` (what an extractor keeps), navigation and a footer around it, and the
    publication date in ``<meta property="article:published_time">`` when given."""
    esc = html.escape
    meta = f'<meta property="article:published_time" content="{published_at.isoformat()}">\n' if published_at else ""
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{esc(title)} | {esc(site)}</title>\n"
        f'<link rel="canonical" href="{esc(url)}">\n'
        f'<meta property="og:url" content="{esc(url)}">\n'
        f'<meta property="og:title" content="{esc(title)}">\n'
        f"{meta}"
        "</head><body>\n"
        f'<header><nav><a href="/">{esc(site)}</a> <a href="/news">News</a> <a href="/world">World</a> '
        f'<a href="/business">Business</a></nav><h1>{esc(title)}</h1></header>\n'
        f"<main><article>\n{body}\n</article></main>\n"
        f'<footer><p>&copy; {esc(site)}</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>\n'
        "</body></html>\n"
    )


_META_PUBLISHED = re.compile(
    r"""<meta\b[^>]*?\b(?:property|name)\s*=\s*["']article:published_time["'][^>]*>""", re.IGNORECASE
)
_CONTENT = re.compile(r"""\bcontent\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_PUBLISHED = re.compile(r""""datePublished"\s*:\s*"([^"]+)\"""")
_US_ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "GMT": 0, "UTC": 0}


def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parts = value.split()  # "Thu Apr 06 01:42:00 EDT 2017" (foxnews.com's JSON-LD)
        if len(parts) != 6 or parts[4] not in _US_ZONES:
            return None
        try:
            when = datetime.strptime(" ".join(parts[:4] + parts[5:]), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            return None
        return (when - timedelta(hours=_US_ZONES[parts[4]])).replace(tzinfo=UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def page_published_at(page: str) -> tuple[datetime | None, str]:
    """The publication date a page states, and where: ``<meta property="article:published_time">``
    first, then JSON-LD ``datePublished``; (None, "") when it states neither."""
    for tag in _META_PUBLISHED.findall(page):
        content = _CONTENT.search(tag)
        if content and (when := _parse_date(content.group(1))):
            return when, "meta"
    for value in _JSONLD_PUBLISHED.findall(page):
        if when := _parse_date(value):
            return when, "json-ld" if re.match(r"\d{4}-\d\d-\d\d", value.strip()) else "json-ld, not ISO 8601"
    return None, ""


def as_utc(value: Any) -> datetime | None:
    """A date read back from a database (a datetime, or a string on SQLite) as aware UTC."""
    if value is None or value == "":
        return None
    when = value if isinstance(value, datetime) else _parse_date(str(value))
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# ------------------------------------------------------------------------------------------- parts


def select_rewrite_pairs(mat: Material, n: int, seed: int = 0, exclude: set[str] = frozenset()) -> list:
    """``n`` (RewriteSet, model) pairs: the four LLMs in turn (GPT-4o first), the domains in turn."""
    rng = random.Random(f"rewrite-pairs:{seed}")
    by_domain: dict[str, list[RewriteSet]] = defaultdict(list)
    seen: set[str] = set(exclude)
    for s in sorted(mat.l2r, key=lambda s: (s.domain, s.index)):
        if s.group not in seen:
            seen.add(s.group)
            by_domain[s.domain].append(s)
    for items in by_domain.values():
        rng.shuffle(items)
    domains = sorted(by_domain)
    rng.shuffle(domains)
    chosen = []
    k = 0
    while len(chosen) < n and any(by_domain.values()):
        items = by_domain[domains[k % len(domains)]]
        k += 1
        if not items:
            continue
        s = items.pop()
        want = MODELS[len(chosen) % len(MODELS)]
        model = want if want in s.rewrites else sorted(m for m in s.rewrites if m in MODELS)[0]
        chosen.append((s, model))
    return chosen


def rewrite_pairs(
    pairs: list, rng: random.Random, *, as_html: bool = False, dated_share: float = 1.0, prefix: str = "l2r"
) -> Folder:
    """Human text → ``original``, its LLM rewrite → ``rewrite`` deriving from it. As ``.txt`` (no
    dates) or as pages on two sites, the human page dated (``dated_share`` of them) before the
    rewrite page (always dated)."""
    folder = Folder()
    start = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    for n, (s, model) in enumerate(pairs):
        human, rewrite = f"{prefix}{n:03d}-human", f"{prefix}{n:03d}-rewrite"
        note = f"{model}, {s.domain} #{s.index}"
        folder.groups.add(s.group)
        if not as_html:
            folder.add(human, ".txt", s.human, Expected("human", "original", frozenset(), human, note=note))
            folder.add(
                rewrite, ".txt", s.rewrites[model], Expected("rewrite", "rewrite", frozenset({human}), human, note=note)
            )
            continue
        dated = rng.random() < dated_share
        t_human = start + timedelta(days=n, minutes=rng.randint(0, 600))
        t_rewrite = t_human + timedelta(hours=rng.randint(2, 120))
        title_h = " ".join(s.human.split()[:9])
        title_r = " ".join(s.rewrites[model].split()[:9])
        for key, body, title, when, kind, site_kind in (
            (human, s.human, title_h, t_human if dated else None, "human-page", "journal"),
            (rewrite, s.rewrites[model], title_r, t_rewrite, "rewrite-page", "rewriter"),
        ):
            site = _site_name(rng, site_kind)
            url = f"https://{site}/{(when or t_human):%Y/%m}/{_slug(title)}"
            paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
            page = html_page(paragraphs, title=title, url=url, published_at=when, site=site)
            sources = frozenset({human}) if key == rewrite else frozenset()
            label = "rewrite" if key == rewrite else "original"
            folder.add(key, ".html", page, Expected(kind, label, sources, human, when, dated, note))
    return folder


def bbc_copies(mat: Material, n: int, rng: random.Random, exclude: set[str] = frozenset()) -> Folder:
    """BBC articles (``.txt``: headline, paragraphs) each with an excerpt and a spam-wrapped copy."""
    folder = Folder()
    pool = [d for d in mat.bbc if 6 <= len(d.paragraphs) <= 25 and d.group not in exclude]
    rng.shuffle(pool)
    used: set[str] = set()
    for d in pool:
        if len(used) >= n:
            break
        if d.group in used:
            continue
        used.add(d.group)
        i = len(used) - 1
        orig, exc, wrap = f"bbc{i:03d}-article", f"bbc{i:03d}-excerpt", f"bbc{i:03d}-wrapped"
        note = d.id
        folder.add(
            orig,
            ".txt",
            d.headline + "\n\n" + "\n\n".join(d.paragraphs),
            Expected("article", "original", root=orig, note=note),
        )
        lead = i % 2 == 0
        a, b = _excerpt_block(d.paragraphs, rng, lead)
        excerpt = d.paragraphs[a:b]
        if lead and rng.random() < 0.5:
            excerpt = [d.headline, *excerpt]
        site, lines = _wrapper_lines(mat, rng)
        keep = len(d.paragraphs) if rng.random() < 0.5 else max(3, int(len(d.paragraphs) * rng.uniform(0.5, 0.8)))
        body = d.paragraphs[:keep]
        wrapped = _wrap(body, lines, rng, d.headline if rng.random() < 0.5 else None)
        # A copy lying inside the other may have been made from either (as in tests/many_stories.py).
        sources = {orig, exc} if a == 0 and keep <= b else {orig}
        folder.add(
            wrap,
            ".txt",
            rng.choice(["\n\n", "\n"]).join(wrapped),
            Expected("spam-wrapped", "spam-wrapped", frozenset(sources), orig, note=f"{d.id} in {site}"),
        )
        sources = {orig, wrap} if b <= keep else {orig}
        folder.add(
            exc,
            ".txt",
            "\n\n".join(excerpt),
            Expected("excerpt", "excerpt", frozenset(sources), orig, note=f"{d.id} paragraphs {a + 1}-{b}"),
        )
    folder.groups |= used
    return folder


def independent_pairs(mat: Material, n: int, rng: random.Random, exclude: set[str] = frozenset()) -> Folder:
    """Pairs of BBC articles on one topic: each the other's most alike in its category by TF-IDF
    cosine (0.15-0.7), from another corpus group, sharing under 2% of their word 5-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    folder = Folder()
    pool = [d for d in mat.bbc if len(d.paragraphs) >= 4 and d.group not in exclude]
    texts = [d.headline + "\n" + "\n".join(d.paragraphs) for d in pool]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2).fit_transform(texts)
    sims = (matrix @ matrix.T).toarray()
    order = list(range(len(pool)))
    rng.shuffle(order)
    used: set[str] = set()
    n_pairs = 0
    for i in order:
        if n_pairs >= n:
            break
        if pool[i].group in used:
            continue
        best, best_sim = None, 0.15
        for j in range(len(pool)):
            same = pool[j].category == pool[i].category and pool[j].group != pool[i].group
            if not same or pool[j].group in used or not best_sim < sims[i, j] < 0.7:
                continue
            a, b = _grams(texts[i]), _grams(texts[j])
            if len(a & b) / max(1, min(len(a), len(b))) < 0.02:
                best, best_sim = j, sims[i, j]
        if best is None:
            continue
        used |= {pool[i].group, pool[best].group}
        for side, k in (("a", i), ("b", best)):
            key = f"ind{n_pairs:03d}{side}"
            d = pool[k]
            note = f"{d.id}, cosine {best_sim:.2f} with its pair"
            folder.add(
                key, ".txt", texts[k].replace("\n", "\n\n"), Expected("independent", "original", root=key, note=note)
            )
        n_pairs += 1
    folder.groups |= used
    return folder


@dataclass(frozen=True)
class RealPage:
    """A publisher's page as it was saved, with its article (from the corpus's gold extraction)."""

    key: str  # e.g. "big9:2017:nypost:church"
    page: str
    headline: str
    paragraphs: list[str]
    published_at: datetime | None
    date_from: str  # "meta", "json-ld", ... or "" when the page states no date
    saved_year: int
    site: str


@lru_cache(maxsize=2)
def real_pages(data_dir: Path = DATA_DIR) -> tuple[RealPage, ...]:
    """Big9 news pages (all but the one broken pair) and WCXB article pages with 4+ paragraphs and
    150-2,500 words of article."""
    pages: list[RealPage] = []
    big9 = data_dir / BIG9
    seen: set[str] = set()
    with open(big9 / "index.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if float(row["gold_in_page_5gram_coverage"]) < 0.8:
                continue
            gold = read_text(big9 / row["gold_path"], row["gold_encoding"])
            blocks = [b.strip() for b in gold.split("\n\n") if b.strip()]
            if len(blocks) < 5 or not 150 <= _words(gold) <= 2500 or blocks[1] in seen:
                continue
            seen.add(blocks[1])
            page = gzip.open(big9 / row["html_path"]).read().decode("utf-8", "replace")
            when, where = page_published_at(page)
            name = Path(row["html_path"]).name.split(".")[0]
            pages.append(
                RealPage(
                    f"big9:{row['snapshot_year']}:{row['site']}:{name}",
                    page,
                    blocks[0],
                    blocks[1:],
                    when,
                    where,
                    int(row["snapshot_year"]),
                    f"big9:{row['site']}",
                )
            )
    wcxb = data_dir / WCXB / "test-articles"
    for path in sorted((wcxb / "html").glob("*.html.gz")):
        truth = json.loads((wcxb / "ground-truth" / path.name.replace(".html.gz", ".json")).read_text("utf-8"))
        gt = truth["ground_truth"]
        blocks = [b.strip() for b in (gt.get("main_content") or "").split("\n\n") if b.strip()]
        if len(blocks) < 4 or not 150 <= sum(map(_words, blocks)) <= 2500:
            continue
        page = gzip.open(path).read().decode("utf-8", "replace")
        when, where = page_published_at(page)
        domain = (re.match(r"https?://(?:www\.)?([^/]+)", truth.get("url") or "") or [None, "?"])[1]
        headline = gt.get("title") or " ".join(blocks[0].split()[:10])
        pages.append(RealPage(f"wcxb:{truth['file_id']}", page, headline, blocks, when, where, 2025, f"wcxb:{domain}"))
    return tuple(pages)


def choose_real_pages(
    data_dir: Path,
    n: int,
    rng: random.Random,
    *,
    wcxb_share: float = 1 / 3,
    dated_share: float = 0.5,
    one_per_site: bool = False,
) -> list[RealPage]:
    """``n`` real pages: a ``wcxb_share`` of WCXB pages, the rest Big9; about ``dated_share`` of each
    stating a publication date (as far as there are such pages). ``one_per_site``: no two from one
    site (two pages of one site share its furniture, which an extractor may keep)."""
    pages = list(real_pages(data_dir))
    rng.shuffle(pages)
    n_wcxb = round(n * wcxb_share)
    chosen: list[RealPage] = []
    sites: set[str] = set()

    def take(candidates: list[RealPage], count: int) -> None:
        for p in candidates:
            if count <= 0:
                return
            if one_per_site and p.site in sites:
                continue
            sites.add(p.site)
            chosen.append(p)
            count -= 1

    for source, count in (("wcxb:", n_wcxb), ("big9:", n - n_wcxb)):
        mine = [p for p in pages if p.key.startswith(source)]
        dated = [p for p in mine if p.published_at]
        before = len(chosen)
        take(dated, round(count * dated_share))
        take([p for p in mine if not p.published_at], count - (len(chosen) - before))
    return chosen


def publisher_pages(pages: list[RealPage], mat: Material, rng: random.Random, prefix: str = "page") -> Folder:
    """Each real page unmodified (``original``), an excerpt page and a spam-wrapped page of it on other
    sites, dated after it (``excerpt`` and ``spam-wrapped``, deriving from it)."""
    folder = Folder()
    for n, p in enumerate(pages):
        orig, exc, wrap = f"{prefix}{n:03d}-original", f"{prefix}{n:03d}-excerpt", f"{prefix}{n:03d}-wrapped"
        dated = p.published_at is not None
        note = p.key + (f" (dated by {p.date_from})" if dated else " (no date)")
        folder.add(
            orig, ".html", p.page, Expected("original-page", "original", frozenset(), orig, p.published_at, dated, note)
        )
        if p.published_at:
            base = p.published_at
        else:
            base = datetime(p.saved_year + 1, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))

        def later(base: datetime = base) -> datetime:
            return (base + timedelta(minutes=rng.randint(180, 14400))).replace(microsecond=0)

        a, b = _excerpt_block(p.paragraphs, rng, lead=n % 2 == 0)
        site = _site_name(rng, "quotes")
        when = later()
        url = f"https://{site}/{when:%Y/%m}/{_slug(p.headline)}"
        page = html_page(p.paragraphs[a:b], title=p.headline, url=url, published_at=when, site=site)
        keep = len(p.paragraphs) if rng.random() < 0.5 else max(3, int(len(p.paragraphs) * rng.uniform(0.5, 0.8)))
        sources = {orig, wrap} if b <= keep else {orig}
        folder.add(
            exc,
            ".html",
            page,
            Expected(
                "excerpt-page", "excerpt", frozenset(sources), orig, when, dated, f"{note}, paragraphs {a + 1}-{b}"
            ),
        )
        wrapper_site, lines = _wrapper_lines(mat, rng, avoid=p.site)
        site = _site_name(rng, "feed")
        when = later()
        url = f"https://{site}/{when:%Y/%m}/{_slug(p.headline)}"
        page = html_page(
            _wrap(p.paragraphs[:keep], lines, rng), title=p.headline, url=url, published_at=when, site=site
        )
        folder.add(
            wrap,
            ".html",
            page,
            Expected(
                "spam-wrapped-page",
                "spam-wrapped",
                frozenset({orig, exc} if a == 0 and keep <= b else {orig}),
                orig,
                when,
                dated,
                f"{note} in {wrapper_site}",
            ),
        )
    return folder


# ------------------------------------------------------------------------------------------- the bench's folders


def text_folder(data_dir: Path, n: int, seed: int = 0) -> Folder:
    """``.txt`` files, no dates: ``n`` L2R pairs, ``n`` BBC articles with an excerpt and a wrapped
    copy each, ``n`` pairs of independent same-topic BBC articles (7n files)."""
    mat = material(data_dir)
    rng = random.Random(f"text-folder:{seed}")
    folder = rewrite_pairs(select_rewrite_pairs(mat, n, seed), rng)
    copies = bbc_copies(mat, n, rng)
    return folder + copies + independent_pairs(mat, n, rng, exclude=copies.groups)


def html_folder(data_dir: Path, n: int, seed: int = 0) -> Folder:
    """HTML pages: ``n`` real publisher pages with an excerpt and a wrapped page each, and ``n`` L2R
    pairs as pages (three in four human pages dated; every rewrite page dated after its human page)."""
    mat = material(data_dir)
    rng = random.Random(f"html-folder:{seed}")
    folder = publisher_pages(choose_real_pages(data_dir, n, rng), mat, rng)
    pairs = select_rewrite_pairs(mat, n, seed + 1000)
    return folder + rewrite_pairs(pairs, rng, as_html=True, dated_share=0.75, prefix="l2rpage")


# ------------------------------------------------------------------------------------------- reading back


MISSING = object()  # published_at when copy_provenance has no such column


@dataclass(frozen=True)
class Got:
    label: str | None
    source: str | None  # key of derived_from (or "?" for a document outside the key)
    root: str | None
    published_at: Any  # aware UTC datetime, None, or MISSING
    row: dict


def read_back(url: str, names: dict[str, str]) -> dict[str, Got]:
    """``copy_provenance`` rows keyed like ``names`` ({key: landing file name}), by the file each
    document was read from."""
    sql = "SELECT p.*, d.source_path AS landing_file FROM copy_provenance p JOIN documents d ON d.id = p.document_id"
    with session_factory(url)() as session:
        rows = [dict(r._mapping) for r in session.execute(text(sql))]
    key_of_name = {name: key for key, name in names.items()}
    by_key = {key_of_name.get(Path(r["landing_file"] or "").name): r for r in rows}
    key_of_id = {r["document_id"]: k for k, r in by_key.items() if k is not None}
    out = {}
    for key in names:
        r = by_key.get(key)
        if r is None:
            out[key] = Got(None, None, None, MISSING, {})
            continue
        src, root = r["derived_from_id"], r["root_id"]
        out[key] = Got(
            r["label"],
            None if src is None else key_of_id.get(src, "?"),
            None if root is None else key_of_id.get(root, "?"),
            as_utc(r["published_at"]) if "published_at" in r else MISSING,
            r,
        )
    return out


@dataclass(frozen=True)
class Verdict:
    label: bool
    source: bool
    root: bool
    reversed: bool  # a document it should derive from derives from it instead

    @property
    def right(self) -> bool:
        return self.label and self.source and self.root


def judge(expected: dict[str, Expected], got: dict[str, Got]) -> dict[str, Verdict]:
    out = {}
    for key, want in expected.items():
        g = got[key]
        source_ok = g.source in want.sources if want.sources else g.source is None
        rev = any(got[s].source == key and key not in expected[s].sources for s in want.sources)
        out[key] = Verdict(g.label == want.label, source_ok, g.root == want.root, rev)
    return out


def describe(key: str, want: Expected, got: Got) -> str:
    """One line for a wrong document: what came back against what was expected."""
    wanted = f"{want.label} from {'/'.join(sorted(want.sources)) or 'nothing'}, root {want.root}"
    return (
        f"{key} [{want.note}]: got {got.label} from {got.source or 'nothing'}, root {got.root}"
        f" (confidence {got.row.get('confidence', 0) or 0:.2f}); want {wanted}"
    )
