"""How scraped text, paths and counts are shown: escaped for a Markdown artifact, paths relative to
the landing folder, counts in words. Shared by the run summary, the artifacts, the daily report,
the CLI and the tasks' logs, so each says a thing the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from copytrace.redact import redact_url
from copytrace.text import clean
from models.pairs import LABELS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~\"'=:/])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md_escape(value: object, limit: int = 200) -> str:
    """Scraped text made inert for a Markdown artifact: no links, HTML, emphasis or table breaks survive.

    Control characters are dropped (``copytrace.text.clean``). Angle brackets and ampersands
    become entities (no tag can open, whatever the renderer does with
    raw HTML); every other Markdown punctuation mark is backslash-escaped.
    """
    flat = " ".join(clean(str(value)).split())  # no control character (ESC …) reaches the artifact
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", flat).translate(_HTML)


def relative_to(path: str, landing: str) -> str:
    """``path`` relative to the landing folder when it lies under it, else as it is."""
    if landing and path.startswith(landing.rstrip("/") + "/"):
        return path[len(landing.rstrip("/")) + 1 :]
    return path


def short_locator(locator: str, landing: str = "", limit: int = 48) -> str:
    """A locator short enough for a table cell: a landing path relative to the folder, a URL without
    its scheme; the middle cut when still too long (the start says where, the end which)."""
    shown = relative_to(redact_url(locator), landing)
    shown = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", shown)
    if len(shown) > limit:
        shown = shown[: limit // 2 - 1] + "…" + shown[-(limit - limit // 2) :]
    return shown


def count_of(n: int, one: str, many: str) -> str:
    """``1 new story``, ``3 new stories``."""
    return f"{n} {one if n == 1 else many}"


def labels_in_words(labels: Mapping[str, int]) -> str:
    """``3 original, 1 spam-wrapped``: the labels in LABELS order, those with none left out."""
    parts = [f"{labels[label]} {label}" for label in LABELS if labels.get(label)]
    return ", ".join(parts) or "none"


def bad_inputs_in_words(errors: Sequence[Mapping[str, str]], landing: str = "", cap: int = 5) -> str:
    """The first ``cap`` bad inputs named with their reason, the rest counted."""
    named = [f"{relative_to(e['path'], landing)} ({e['reason']})" for e in errors[:cap]]
    more = len(errors) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def relative_to_text(text: str, landing: str) -> str:
    """A sentence with the landing folder's own path left out of the paths it quotes."""
    return text.replace(landing.rstrip("/") + "/", "") if landing else text
