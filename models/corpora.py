"""Readers for the public corpora in ``../shared/data`` (see each folder's SOURCE.md).

Each reader applies that folder's known fixes — encodings, duplicates, the Gemini
index alignment, the TravelTourism/TechnicalWriting copy, the one broken Big9 pair —
and returns plain records with a *group* key: texts sharing a group are the same
document (or a near-duplicate of it) and must land on the same side of a split.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from models.text import TOKEN_RE

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"  # beside the repository
NEAR_DUPLICATE_SAME_TEXT = 0.9  # word-5-gram Jaccard above which two BBC articles count as one text
L2R_SKIP_DOMAINS = {"Code", "TravelTourism"}  # code is not prose; TravelTourism copies TechnicalWriting
GEMINI_MIN_COSINE = 0.1


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Text of ``path``; UTF-8 with a Latin-1 fallback (bbc/sport/199.txt has one Latin-1 byte)."""
    raw = path.read_bytes()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _norm_key(text: str) -> str:
    return " ".join(TOKEN_RE.findall(text.lower()))


@dataclass
class NewsDoc:
    """A BBC article: ``headline`` then ``paragraphs``; ``summary`` is its extractive summary."""

    id: str
    category: str
    headline: str
    paragraphs: list[str]
    summary: str
    group: str


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def load_bbc(data_dir: Path) -> list[NewsDoc]:
    """BBC articles without exact duplicates or same-text near duplicates; related ones share a group."""
    root = data_dir / "bbc-news"
    with open(root / "bbc_exact_duplicates.csv", newline="") as fh:
        dropped = {row["duplicate"] for row in csv.DictReader(fh)}
    groups = _UnionFind()
    with open(root / "bbc_near_duplicates.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            groups.union(row["doc_a"], row["doc_b"])
            if float(row["word5gram_jaccard"]) >= NEAR_DUPLICATE_SAME_TEXT:
                dropped.add(max(row["doc_a"], row["doc_b"]))
    docs = []
    for path in sorted((root / "bbc").glob("*/*.txt")):
        rel = f"bbc/{path.parent.name}/{path.name}"
        if rel in dropped:
            continue
        lines = [ln.strip() for ln in read_text(path).split("\n")]
        headline = lines[0]
        paragraphs = [ln for ln in lines[1:] if ln]
        summary_path = root / "summaries" / path.parent.name / path.name
        summary = read_text(summary_path).strip() if summary_path.exists() else ""
        docs.append(NewsDoc(rel, path.parent.name, headline, paragraphs, summary, groups.find(rel)))
    return docs


@dataclass
class RewriteSet:
    """One human text and its LLM rewrites (model name → text)."""

    domain: str
    index: int
    human: str
    rewrites: dict[str, str] = field(default_factory=dict)
    group: str = ""


def load_l2r(data_dir: Path) -> list[RewriteSet]:
    """L2R human texts with their rewrites, Gemini re-indexed, duplicates grouped, TravelTourism folded in."""
    root = data_dir / "l2r-llm-rewrites"
    gemini: dict[tuple[str, int], int] = {}
    with open(root / "gemini_alignment.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if float(row["tfidf_cosine"]) >= GEMINI_MIN_COSINE:
                gemini[(row["domain"], int(row["gemini_index"]))] = int(row["human_index"])
    sets: list[RewriteSet] = []
    for domain_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in L2R_SKIP_DOMAINS):
        domain = domain_dir.name
        human = json.loads(read_text(domain_dir / "human.json"))
        items = [RewriteSet(domain, i, h) for i, h in enumerate(human)]
        for model_file in sorted(domain_dir.glob("*.json")):
            if model_file.stem == "human":
                continue
            outputs = json.loads(read_text(model_file))
            for k, text in enumerate(outputs):
                i = gemini.get((domain, k)) if model_file.stem.startswith("Gemini") else k
                if i is not None and i < len(items):
                    items[i].rewrites[model_file.stem] = text
        if domain == "TechnicalWriting":  # TravelTourism differs only in its GPT-3-Turbo outputs
            extra = json.loads(read_text(root / "TravelTourism" / "GPT-3-Turbo.json"))
            for i, text in enumerate(extra[: len(items)]):
                items[i].rewrites["GPT-3-Turbo-b"] = text
        for item in items:
            item.group = f"l2r:{domain}:{_norm_key(item.human)[:200]}"
        sets.extend(item for item in items if len(TOKEN_RE.findall(item.human)) >= 20)
    return sets


@dataclass
class ParaphrasePair:
    original: str
    paraphrase: str
    accepted: bool
    group: str


def load_webis(data_dir: Path) -> list[ParaphrasePair]:
    """Webis-CPC-11 sample; the source passage text is the group (HITs repeat)."""
    rows = json.loads(read_text(data_dir / "webis-cpc-11-sample" / "Webis-CPC-11_1000_sample.json"))
    out = []
    for row in rows:
        original = " ".join(s["text"].strip() for s in row["original"])
        paraphrase = " ".join(s["text"].strip() for s in row["paraphrase"])
        out.append(
            ParaphrasePair(original, paraphrase, row["is_paraphrased"] == "Yes", f"webis:{_norm_key(original)[:200]}")
        )
    return out


_DROP_BLOCKS = re.compile(r"<(script|style|noscript|svg|iframe)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BREAKS = re.compile(
    r"<(br|/p|/div|/li|/h[1-6]|/tr|/td|/ul|/ol|/section|/article|/header|/footer|/nav|/a|/span)\b[^>]*>", re.I
)
_TAGS = re.compile(r"<[^>]+>")


def html_lines(page: str) -> list[str]:
    """Visible text lines of an HTML page (rough: enough to collect boilerplate lines)."""
    page = _BREAKS.sub("\n", _DROP_BLOCKS.sub(" ", page))
    text = html.unescape(_TAGS.sub(" ", page))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


_WAYBACK_LINE = re.compile(
    r"^(\d+|[a-z]{3}|\d+ captures?|about this capture|collected by|collection.*|success|fail|"
    r"\d\d [a-z]{3} \d{4}( \d\d [a-z]{3} \d{4})?)$"
)
_ARCHIVE_OR_CODE = re.compile(
    r"internet archive|alexa|archive-?it|crawl|not publicly accessible|organization:|embargo period|"
    r"[{};]\s*$|\bvar \w|document\.|function\s*\(|==|\w\(\s*'",
    re.I,
)


def load_wrapper_pages(data_dir: Path) -> dict[str, list[list[str]]]:
    """Real boilerplate per site, as pages of lines in page order.

    Big9: the visible lines of each page that are not its gold article text (Wayback
    toolbar lines dropped: they were never on the site). WCXB: each page's ``without``
    snippets, keyed by domain.
    """
    sites: dict[str, list[list[str]]] = defaultdict(list)
    big9 = data_dir / "web-extraction-big9"
    with open(big9 / "index.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if float(row["gold_in_page_5gram_coverage"]) < 0.5:  # the one broken pair
                continue
            gold = _norm_key(read_text(big9 / row["gold_path"], row["gold_encoding"]))
            page = gzip.open(big9 / row["html_path"]).read().decode("utf-8", "replace")
            lines = []
            for line in html_lines(page):
                key = _norm_key(line)
                n = len(key.split())
                if not 1 <= n <= 40 or key in gold or _WAYBACK_LINE.match(key) or _ARCHIVE_OR_CODE.search(line):
                    continue
                lines.append(line)
            if lines:
                sites[f"big9:{row['site']}"].append(list(dict.fromkeys(lines)))
    with open(data_dir / "wcxb-web-pages" / "boilerplate_without_snippets_all_pages.jsonl") as fh:
        for line in fh:
            row = json.loads(line)
            snippets = [s.strip() for s in row["without"] if s.strip()]
            if snippets:
                sites[f"wcxb:{row['domain']}"].append(snippets)
    return dict(sites)


# ------------------------------------------------------------------------------------------- groups to hold out

#: L2R domains held out together in generalisation folds (``models.generalisation``): each family is
#: a union of ``models.style_data.FAMILIES`` (domains that read alike), so a held-out family is new
#: prose, not a sibling of a domain seen in training. TravelTourism is a copy of TechnicalWriting
#: (``load_l2r`` folds it in) and Code is not loaded; both are listed so every folder has a family.
L2R_DOMAIN_FAMILIES: dict[str, tuple[str, ...]] = {
    "encyclopedic": ("ArtCulture", "Business", "GovernmentPublic", "Sports"),
    "scholarly-official": (
        "AcademicResearch",
        "EducationMaterial",
        "MedicalText",
        "TechnicalWriting",
        "TravelTourism",
        "Code",
        "Environmental",
        "LegalDocument",
    ),
    "creative-reviews": ("Entertainment", "FoodCusine", "ProductReview", "LiteratureCreativeWriting", "Religious"),
    "informal": ("Finance", "OnlineContent", "PersonalCommunication"),
}
_L2R_FAMILY_OF = {d: fam for fam, domains in L2R_DOMAIN_FAMILIES.items() for d in domains}
#: The four L2R rewriters; ``load_l2r`` keeps TravelTourism's own GPT-3-Turbo outputs as "GPT-3-Turbo-b".
LLMS = ("GPT-3-Turbo", "GPT-4o", "Gemini-1.5-Pro", "Llama-3-70B")
_LLM_ALIASES = {"GPT-3-Turbo-b": "GPT-3-Turbo"}
#: Wrapper page families: the nine Big9 news sites in two sets, WCXB domains by their page type.
BIG9_FAMILIES: dict[str, tuple[str, ...]] = {
    "big9-a": ("arstechnica", "bbc", "cnn", "forbes"),
    "big9-b": ("foxnews", "latimes", "nymag", "nypost", "yahoo"),
}
WRAPPER_FAMILIES = ("big9-a", "big9-b", "wcxb-article", "wcxb-other")
_BIG9_FAMILY_OF = {s: fam for fam, sites in BIG9_FAMILIES.items() for s in sites}


def llm_name(model: str) -> str:
    """The rewriter an L2R output file stands for ("GPT-3-Turbo-b" is GPT-3-Turbo)."""
    return _LLM_ALIASES.get(model, model)


def l2r_family(domain: str) -> str:
    """The family of an L2R domain folder name ("" when unknown)."""
    return _L2R_FAMILY_OF.get(domain, "")


def load_wrapper_families(data_dir: Path) -> dict[str, str]:
    """``load_wrapper_pages`` site key → wrapper family (``WRAPPER_FAMILIES``).

    A WCXB domain is ``wcxb-article`` when most of its pages are article pages, else ``wcxb-other``
    (service, forum, product, listing, collection and documentation pages)."""
    types: dict[str, list[str]] = defaultdict(list)
    with open(data_dir / "wcxb-web-pages" / "boilerplate_without_snippets_all_pages.jsonl") as fh:
        for line in fh:
            row = json.loads(line)
            types[row["domain"]].append(row["page_type"])
    out: dict[str, str] = {}
    for site in load_wrapper_site_keys(data_dir):
        kind, name = site.split(":", 1)
        if kind == "big9":
            out[site] = _BIG9_FAMILY_OF.get(name, "big9-b")
        else:
            page_types = types.get(name, [])
            article = sum(t == "article" for t in page_types) * 2 >= max(len(page_types), 1)
            out[site] = "wcxb-article" if article else "wcxb-other"
    return out


def load_wrapper_site_keys(data_dir: Path) -> list[str]:
    """The site keys ``load_wrapper_pages`` returns, without parsing any HTML."""
    keys = set()
    with open(data_dir / "web-extraction-big9" / "index.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            keys.add(f"big9:{row['site']}")
    with open(data_dir / "wcxb-web-pages" / "boilerplate_without_snippets_all_pages.jsonl") as fh:
        for line in fh:
            row = json.loads(line)
            if any(s.strip() for s in row["without"]):
                keys.add(f"wcxb:{row['domain']}")
    return sorted(keys)


def webis_is_junk(pair: ParaphrasePair, min_share: float = 0.25) -> bool:
    """A Webis "paraphrase" that is not derived from its passage: empty, a plea to the requester, the
    task description or another passage (fewer than ``min_share`` of its words are the passage's)."""
    words = [w.lower() for w in TOKEN_RE.findall(pair.paraphrase)]
    if not words:
        return True
    own = {w.lower() for w in TOKEN_RE.findall(pair.original)}
    return sum(w in own for w in words) / len(words) < min_share
