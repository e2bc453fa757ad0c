"""The filters every panel shares, read from and written to the page's query string.

Keeping them in the URL (``?from=2026-11-01&label=rewrite,excerpt&site=a.example``) makes any view a
link an analyst can send. Keys the filters do not own (a page's own ``n``, ``group``, ``q``) are kept
as they are when a filter changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

LABELS = ("original", "rewrite", "excerpt", "spam-wrapped")
LOCAL = "(local files)"  # the site filter's name for documents read from local files (no site)
FILTER_KEYS = ("from", "to", "label", "site", "story", "conf")


@dataclass(frozen=True)
class Filters:
    start: str | None = None  # first UTC day seen, YYYY-MM-DD
    end: str | None = None  # last UTC day seen, inclusive
    labels: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # LOCAL stands for documents with no site
    story: int | None = None
    min_confidence: float | None = None

    @property
    def active(self) -> bool:
        return self != Filters()

    def with_story(self, story: int | None) -> Filters:
        return replace(self, story=story)


def _day(value: str | None) -> str | None:
    value = (value or "")[:10]
    return (
        value if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit() else None
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0.0 <= number <= 1.0 else None


def params(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


def parse(search: str | None) -> Filters:
    """The filters a query string states; anything malformed is ignored, not an error."""
    p = params(search)
    split = lambda key: tuple(v for v in p.get(key, "").split(",") if v)  # noqa: E731
    return Filters(
        start=_day(p.get("from")),
        end=_day(p.get("to")),
        labels=tuple(v for v in split("label") if v in LABELS),
        sites=split("site"),
        story=_int(p.get("story")),
        min_confidence=_float(p.get("conf")),
    )


def to_search(filters: Filters, keep: dict[str, str] | None = None) -> str:
    """The query string for ``filters``, with the page's own keys of ``keep`` carried over."""
    values = {k: v for k, v in (keep or {}).items() if k not in FILTER_KEYS}
    values.update(
        {
            "from": filters.start or "",
            "to": filters.end or "",
            "label": ",".join(filters.labels),
            "site": ",".join(filters.sites),
            "story": "" if filters.story is None else str(filters.story),
            "conf": "" if filters.min_confidence is None else f"{filters.min_confidence:g}",
        }
    )
    query = urlencode({k: v for k, v in values.items() if v}, safe=",")
    return f"?{query}" if query else ""
