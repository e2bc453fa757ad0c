"""Article text, title, URL and publication date from an HTML page, with trafilatura.

``favor_recall`` keeps every line trafilatura places inside the article region, including
sponsor lines and "Subscribe" / "Log in" paywall text injected into the body: the
classifier recognises spam-wrapped copies by exactly those lines, so a precise extractor
that drops them would hide the evidence. Reader comments are not part of a copy and are
left out.

The publication date is what the page states, precise sources first: its publication meta tags
(``article:published_time`` and the like), JSON-LD ``datePublished`` and ``itemprop="datePublished"``
markup, then generic date meta tags (``date``, ``dc.date``); these keep their time of day and zone.
Failing them, htmldate's date (run by trafilatura's metadata extraction anyway) from the page's
other markup, a visible dateline or the URL, a bare date read as midnight UTC. A date after the
fetch or before 1990 is never taken (``records.plausible_publication``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import trafilatura

from copytrace.ingest.decode import decode_text
from copytrace.ingest.records import InputError, plausible_publication

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096  # the HTML spec asks for the <meta charset> within the first 1024 bytes; be lenient


@dataclass(frozen=True)
class Article:
    text: str
    title: str | None
    url: str | None  # canonical link or og:url, absolute http(s) only
    published_at: datetime | None = None  # stated publication date, tz-aware UTC (a bare date: midnight)


def declared_charset(data: bytes) -> str | None:
    """The charset named by a ``<meta charset>`` / ``http-equiv`` tag near the top of the page."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def extract_article(page: bytes | str, charset: str | None = None, fetched_at: datetime | None = None) -> Article:
    """Extract the article from ``page`` (bytes are decoded first, ``charset`` being the HTTP header's);
    ``fetched_at`` (default: now) bounds its publication date.

    Raises InputError("no-text") when the page has no article text, or the decoding errors.
    """
    html = page if isinstance(page, str) else decode_text(page, charset or declared_charset(page))
    tree = trafilatura.load_html(html)
    if tree is None:
        raise InputError("no-text", "The content is not parseable HTML.")
    url = _page_url(tree)
    stated = _stated_publication(tree, fetched_at)
    doc = trafilatura.bare_extraction(
        tree,
        favor_recall=True,
        include_comments=False,
        with_metadata=True,
        date_extraction_params=_HTMLDATE,
    )
    if doc is None or not (doc.text or "").strip():
        raise InputError("no-text", "The page has no article text that trafilatura can extract.")
    title = doc.title or _title_element(tree)
    published = stated or plausible_publication(_instant(doc.date or ""), fetched_at)
    return Article(text=doc.text, title=title, url=url, published_at=published)


def _page_url(tree) -> str | None:
    """``<link rel=canonical>`` first (resolved against og:url when relative), then ``og:url``."""
    og = _first(tree.xpath('//head//meta[@property="og:url"]/@content'))
    canonical = _first(tree.xpath('//head//link[translate(@rel, "CANOICL", "canoicl")="canonical"]/@href'))
    for candidate in (urljoin(og or "", canonical) if canonical else None, og):
        if candidate and urlsplit(candidate).scheme in ("http", "https") and urlsplit(candidate).hostname:
            return candidate
    return None


# Meta tags (name, property or itemprop, lower-case) naming the publication, not a modification.
_PUBLISHED_META = frozenset(
    {
        "article:published_time",
        "og:article:published_time",
        "og:published_time",
        "article:published",
        "article.published",
        "article_date_original",
        "datepublished",
        "date_published",
        "publish-date",
        "publish_date",
        "publishdate",
        "published_time",
        "published_date",
        "publication_date",
        "pubdate",
        "originalpublicationdate",
        "parsely-pub-date",
        "sailthru.date",
        "cxenseparse:recs:publishtime",
        "citation_publication_date",
        "rnews:datepublished",
        "dc.date.issued",
        "dcterms.issued",
    }
)
# A page's date without saying which: the publication date on news pages, tried last.
_DATE_META = frozenset({"date", "dc.date", "dcterms.date", "dc.date.created", "dcterms.created"})
_META = "//meta[@content and (@name or @property or @itemprop)]"
_ARTICLE_TYPE = re.compile(r"Article|Posting|Report", re.IGNORECASE)
# htmldate: the original date rather than the latest update, from markup before the URL, and no
# free-text search. That search dates every page, but of the 37 dates it added on the WCXB articles
# 24 were on pages whose ground truth has no date and 6 of the other 13 were wrong; on Big9 pages it
# picked dates days off the page's own dateline. No upper bound: given one, htmldate reads a date
# past it as its month's first day ("2024-05-03" as 2024-05-01); the bound is applied to its answer.
_HTMLDATE = {
    "original_date": True,
    "extensive_search": False,
    "deferred_url_extractor": True,
    "min_date": datetime(1990, 1, 1),
    "max_date": datetime(2100, 1, 1),
}


def _stated_publication(tree, fetched_at: datetime | None) -> datetime | None:
    """The publication instant the page's metadata states: of its plausible publication meta tags,
    JSON-LD and ``itemprop="datePublished"`` markup, the most precise (a time with its zone, then a
    time, then a bare date), the first of equals; else of its generic date meta tags.

    Precision first because pages disagree with themselves: nypost.com gives ``sailthru.date`` in New
    York time without a zone, and ``article:published_time`` in UTC, four hours apart."""
    metas = [(_meta_key(m), m.get("content")) for m in tree.xpath(_META)]
    for sources in (
        (  # each read only while nothing better was found
            lambda: [value for key, value in metas if key in _PUBLISHED_META],
            lambda: _json_ld_published(tree),
            lambda: [m.get("datetime") or m.get("content") for m in tree.xpath('//*[@itemprop="datePublished"]')],
        ),
        (lambda: [value for key, value in metas if key in _DATE_META],),
    ):
        best: tuple[int, datetime] | None = None
        for source in sources:
            for value in source():
                when, precision = _instant_and_precision(value or "")
                if plausible_publication(when, fetched_at) and (best is None or precision < best[0]):
                    best = (precision, when)
            if best is not None and best[0] == 0:
                break
        if best is not None:
            return best[1]
    return None


def _meta_key(meta) -> str:
    return (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()


def _json_ld_published(tree) -> list[str]:
    """``datePublished`` of the JSON-LD objects (top level, ``@graph`` and ``mainEntity``), articles first."""
    found: list[tuple[bool, str]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script, strict=False)
        except (ValueError, RecursionError):
            continue
        todo = list(data) if isinstance(data, list) else [data]
        while todo and len(found) < 50:
            obj = todo.pop(0)
            if not isinstance(obj, dict):
                continue
            for inner in ("@graph", "mainEntity"):
                nested = obj.get(inner)
                todo.extend(nested if isinstance(nested, list) else [nested] if isinstance(nested, dict) else [])
            if isinstance(value := obj.get("datePublished"), str):
                kind = obj.get("@type")
                kind = " ".join(kind) if isinstance(kind, list) else str(kind)
                found.append((not _ARTICLE_TYPE.search(kind), value))
    return [value for _, value in sorted(found, key=lambda f: f[0])]


def _instant(value: str) -> datetime | None:
    """An ISO-8601 or RFC 2822 date as tz-aware UTC; one without a zone (or time) is taken as UTC."""
    return _instant_and_precision(value)[0]


def _instant_and_precision(value: str) -> tuple[datetime | None, int]:
    """``_instant`` and how precise the value was: 0, a time with its zone; 1, a time without one;
    2, a bare date (None: 3)."""
    value = value.strip()
    if not value or len(value) > 64:
        return None, 3
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None, 3
    if when.tzinfo is not None:
        return when.astimezone(UTC), 0
    return when.replace(tzinfo=UTC), 1 if ":" in value else 2


def _title_element(tree) -> str | None:
    return _first(tree.xpath("//head/title/text()"))


def _first(values: list) -> str | None:
    for value in values:
        if str(value).strip():
            return str(value).strip()
    return None
