"""The title an operator sees for a copy: the article's, not the wrapper's.

A page's own title (HTML ``<title>``, ``og:title``, the JSON-LD headline the extractor found, a
JSONL record's ``title``) when it has one; for a plain text, the first line of the part matched to
its source (the article it carries), not the text's first line, which on a wrapped copy is the
wrapper's ("Log in", "Sharing", a menu).
"""

from __future__ import annotations

from collections.abc import Iterable

TITLE_CHARS = 90
# A matched span shorter than this (a byline, a date, a stock phrase shared with the source) does
# not start the core: the core starts at the first span as long as a sentence.
CORE_SPAN_CHARS = 80


def _line(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rstrip() + "…"


def core_start(spans: Iterable[tuple[int, int]]) -> int | None:
    """Where the matched core starts: the earliest span of sentence length (else the earliest span)."""
    spans = [(start, end) for start, end in spans if end > start >= 0]
    long = [start for start, end in spans if end - start >= CORE_SPAN_CHARS]
    return min(long or [start for start, _ in spans], default=None)


def core_headline(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The first non-blank line of ``text`` from where its matched core starts (the whole text without
    spans); a core starting mid-line starts the headline there."""
    start = core_start(spans)
    return _line(text[start:] if start is not None and start < len(text) else text)


def display_title(title: str | None, text: str = "", spans: Iterable[tuple[int, int]] = ()) -> str:
    """The page's own title when it has one, else the matched core's first line."""
    return _line(title) if title and title.strip() else core_headline(text, spans)
