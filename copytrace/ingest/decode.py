"""Bytes → text for files that do not say their encoding (``.txt``, JSONL, HTML bodies).

Order of evidence: a byte-order mark, then the NUL pattern of UTF-32 or UTF-16 without one
(text in them has a NUL in most code units' high bytes: ASCII and Latin letters, spaces and
digits), accepted only when the whole decodes strictly to text; then strict UTF-8 (valid UTF-8 with non-ASCII
bytes is almost never an accident), then a declared charset (HTTP header or ``<meta>``;
ISO-8859-1 and ASCII are read as Windows-1252 as browsers do), then charset-normalizer.
charset-normalizer ranks cp1252, cp1250, cp775 … as equally likely for short English text
with curly quotes and often picks the wrong one, so cp1252 wins among its best guesses:
Western-European news is the common case here, and a wrong Baltic code page silently
turns quotes into letters and changes the copy's hash.
"""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from copytrace.ingest.records import InputError

_BOMS = (  # (mark, codec, name); UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# C0 controls that never occur in text; tab, newline, vertical tab, form feed, carriage return do.
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 11, 12, 13})
MAX_CONTROL_RATIO = 0.05  # random bytes have ~10%; text with a stray escape sequence has far less
_WEB_SINGLE_BYTE = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"}


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 5% control bytes, mean this is not a text file.

    Only meaningful for data that is not UTF-16/32 (those contain NULs): ``decode_text``
    tries those first, with or without a byte-order mark.
    """
    if b"\x00" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls > MAX_CONTROL_RATIO * len(data)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode ``data`` or raise InputError("binary" | "undecodable")."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                detail = f"The content starts with a {name} byte-order mark but is not valid {name} ({exc.reason})."
                raise InputError("undecodable", detail) from None
    if b"\x00" in data and (text := _wide_text(data)) is not None:
        return text
    if looks_binary(data):
        raise InputError("binary", "The content has NUL or other control bytes, so it is not text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and (text := _decode_declared(data, declared)) is not None:
        return text
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise InputError("undecodable", "The content is not valid UTF-8 and no other text encoding fits its bytes.")
    least_chaos = best.chaos
    if any(r.chaos <= least_chaos and "cp1252" in r.could_be_from_charset for r in results):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


# Share of code units whose high bytes must be NUL for UTF-16/32 without a byte-order mark to be
# considered: a Latin-script text has them in most units (letters, spaces, digits, punctuation),
# a Cyrillic or Greek one in its spaces and punctuation, a sixth of it or more.
_WIDE_NUL_SHARE = 0.1


def _wide_text(data: bytes) -> str | None:
    """``data`` decoded as UTF-32 or UTF-16 without a byte-order mark, when its NULs fall mostly
    in the high bytes of that encoding's code units (which gives the byte order) and it decodes
    strictly to text; else None."""
    for width, codec_le, codec_be in ((4, "utf-32-le", "utf-32-be"), (2, "utf-16-le", "utf-16-be")):
        if len(data) % width:
            continue
        units = len(data) // width
        # NUL counts of the high bytes of every unit, read little- and big-endian
        high_le = sum(data[width // 2 + k :: width].count(0) for k in range(width // 2))
        high_be = sum(data[k::width].count(0) for k in range(width // 2))
        for high, low, codec in ((high_le, high_be, codec_le), (high_be, high_le, codec_be)):
            if high > low and high >= _WIDE_NUL_SHARE * units * (width // 2):
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    continue
                if _is_text(text):
                    return text
    return None


def _is_text(text: str) -> bool:
    """No NUL, and control, unassigned or private-use characters in no more than MAX_CONTROL_RATIO of it."""
    if "\x00" in text:
        return False
    odd = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"))
    return odd <= MAX_CONTROL_RATIO * len(text)


def _decode_declared(data: bytes, declared: str) -> str | None:
    name = declared.strip().lower()
    try:
        codec = "cp1252" if name in _WEB_SINGLE_BYTE else codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):  # a declaration read as ASCII cannot be UTF-16/32 (HTML spec)
        return None
    for candidate in (codec, "latin-1") if codec == "cp1252" else (codec,):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return None
