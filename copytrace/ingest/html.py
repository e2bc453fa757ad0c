"""Article text, title and URL from an HTML page, with trafilatura.

``favor_recall`` keeps every line trafilatura places inside the article region, including
sponsor lines and "Subscribe" / "Log in" paywall text injected into the body: the
classifier recognises spam-wrapped copies by exactly those lines, so a precise extractor
that drops them would hide the evidence. Reader comments are not part of a copy and are
left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import trafilatura

from copytrace.ingest.decode import decode_text
from copytrace.ingest.records import InputError

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096  # the HTML spec asks for the <meta charset> within the first 1024 bytes; be lenient


@dataclass(frozen=True)
class Article:
    text: str
    title: str | None
    url: str | None  # canonical link or og:url, absolute http(s) only


def declared_charset(data: bytes) -> str | None:
    """The charset named by a ``<meta charset>`` / ``http-equiv`` tag near the top of the page."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def extract_article(page: bytes | str, charset: str | None = None) -> Article:
    """Extract the article from ``page`` (bytes are decoded first, ``charset`` being the HTTP header's).

    Raises InputError("no-text") when the page has no article text, or the decoding errors.
    """
    html = page if isinstance(page, str) else decode_text(page, charset or declared_charset(page))
    tree = trafilatura.load_html(html)
    if tree is None:
        raise InputError("no-text", "The content is not parseable HTML.")
    url = _page_url(tree)
    doc = trafilatura.bare_extraction(tree, favor_recall=True, include_comments=False, with_metadata=True)
    if doc is None or not (doc.text or "").strip():
        raise InputError("no-text", "The page has no article text that trafilatura can extract.")
    title = doc.title or _title_element(tree)
    return Article(text=doc.text, title=title, url=url)


def _page_url(tree) -> str | None:
    """``<link rel=canonical>`` first (resolved against og:url when relative), then ``og:url``."""
    og = _first(tree.xpath('//head//meta[@property="og:url"]/@content'))
    canonical = _first(tree.xpath('//head//link[translate(@rel, "CANOICL", "canoicl")="canonical"]/@href'))
    for candidate in (urljoin(og or "", canonical) if canonical else None, og):
        if candidate and urlsplit(candidate).scheme in ("http", "https") and urlsplit(candidate).hostname:
            return candidate
    return None


def _title_element(tree) -> str | None:
    return _first(tree.xpath("//head/title/text()"))


def _first(values: list) -> str | None:
    for value in values:
        if str(value).strip():
            return str(value).strip()
    return None
