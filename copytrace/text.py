"""Text normalisation shared by ingestion, hashing and attribution.

The identity of a scraped copy is the sha256 of its *normalised* text, so two
scrapes that differ only in Unicode form, line endings, curly quotes or runs of
blank space hash the same.

Before anything else, ``clean`` makes a text storable the same way everywhere: a lone
surrogate (JSON may carry ``"\\ud800"``) cannot be encoded as UTF-8 and becomes U+FFFD, and
NUL and the other C0/C1 control characters (ESC and its terminal sequences, DEL) are dropped:
PostgreSQL refuses NUL in text where SQLite stores it, and a control character in a title
would reach terminals and reports raw. Tab, newline, carriage return, vertical tab and form
feed stay (they are blank space, which ``normalise`` collapses).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2032": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"[ \t\f\v]+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and control characters other than blank space dropped."""
    if not text.isascii():
        text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text)


_BLANK_LINES = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """``clean``, NFC, straight quotes, one space between words, at most one blank line."""
    text = unicodedata.normalize("NFC", clean(text))
    if not text.isascii():  # _QUOTES maps no ASCII character, and translating costs ~45 us a text
        text = text.translate(_QUOTES)
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))  # a run never spans lines
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def text_sha256(text: str) -> str:
    """sha256 of the normalised text, hex."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def normalised_sha256(clean: str) -> str:
    """``text_sha256`` of a text that ``normalise`` returned, normalised again only where that can
    change it (a fifth of a millisecond a news article, twice a stored copy).

    Once normalised, a text in NFC is a fixed point: it holds no character the quote table maps,
    and its blank space is already collapsed. It can be out of NFC only where the table removed a
    zero-width character between a letter and its combining mark, which the second pass composes."""
    if not unicodedata.is_normalized("NFC", clean):
        clean = normalise(clean)
    return hashlib.sha256(clean.encode("utf-8")).hexdigest()
