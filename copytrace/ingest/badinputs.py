"""Write one landing file of each bad kind, for tests and the demo.

Each file is built so that exactly one rule rejects it; the returned mapping says which
(file name → expected ReadError reason). The symlink points at this module's own source:
a real, readable text file that is certainly outside any landing folder, so if the
outside-landing rule ever broke, the file would be read instead of rejected, and the
mismatch would show.
"""

from __future__ import annotations

import json
from pathlib import Path

_ARTICLE = (
    "The council confirmed on Tuesday that the harbour bridge will close for repairs until the spring, "
    "cutting the quickest route between the old town and the ferry terminal.\n"
)


_NO_TEXT_PAGE = b"<html><head><title>Loading</title></head><body><script>app()</script></body></html>"


def write_bad_inputs(folder: Path, max_bytes: int = 64 * 1024) -> dict[str, str]:
    """Create the bad files in ``folder`` (read them with ``max_bytes`` as the limit); return {name: reason}."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[bytes, str]] = {
        "empty.txt": (b"", "empty"),
        "binary.txt": (bytes(range(256)) * 4, "binary"),
        "too-large.txt": ((_ARTICLE * (max_bytes // len(_ARTICLE) + 2)).encode("utf-8"), "too-large"),
        # a UTF-8 byte-order mark followed by Windows-1252 bytes: declared UTF-8, and it is not
        "undecodable.txt": (b"\xef\xbb\xbf" + _ARTICLE.replace("harbour", "caf\u00e9").encode("cp1252"), "undecodable"),
        "malformed.jsonl": (_jsonl_with_one_bad_line(), "malformed-jsonl"),
        "no-text.html": (_NO_TEXT_PAGE, "no-text"),
        "odd\nname.txt": (_ARTICLE.encode("utf-8"), "bad-name"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    link = folder / "outside-landing.txt"
    link.unlink(missing_ok=True)
    link.symlink_to(Path(__file__).resolve())
    return {name: reason for name, (_, reason) in files.items()} | {link.name: "outside-landing"}


def _jsonl_with_one_bad_line() -> bytes:
    page = f"<html><body><article><p>{_ARTICLE}</p></article></body></html>"
    lines = [
        json.dumps({"url": "https://news.example.org/bridge", "fetched_at": "2024-05-01T09:30:00Z", "text": _ARTICLE}),
        '{"url": "https://broken.example.com/x", "text": ',
        json.dumps({"url": "https://copies.example.net/bridge", "html": page}),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
