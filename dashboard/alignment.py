"""A copy beside its source: the copy cut into matched passages, wrapper lines and unmatched text,
each matched passage next to the source passage it came from, with the words that differ marked.

Plain functions over the rows of matched_passages, wrapper_lines and document_texts, so they are
tested without a browser; the document page renders what they return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Row:
    kind: str  # "match", "wrapper" (injected: matches nothing in the source) or "unmatched"
    copy: str
    source: str | None = None
    copy_start: int = 0
    match_kind: str | None = None  # how a match matched (verbatim, paraphrase, ...)
    score: float | None = None


def align(copy_text: str, passages: list[dict[str, Any]], wrappers: list[dict[str, Any]]) -> list[Row]:
    """The copy from first character to last, in order: every character in exactly one row
    (whitespace-only gaps dropped). A stretch claimed twice goes to whichever starts first."""
    pieces = [
        (p["copy_start"], p["copy_end"], Row("match", "", p["source_passage"], p["copy_start"], p["kind"], p["score"]))
        for p in passages
    ] + [(w["segment_start"], w["segment_end"], Row("wrapper", "", None, w["segment_start"])) for w in wrappers]
    pieces.sort(key=lambda p: (p[0], p[1]))
    rows: list[Row] = []
    at = 0
    for start, end, row in pieces:
        start = max(start, at)
        if end <= start:
            continue
        if copy_text[at:start].strip():
            rows.append(Row("unmatched", copy_text[at:start], None, at))
        rows.append(Row(row.kind, copy_text[start:end], row.source, start, row.match_kind, row.score))
        at = end
    if copy_text[at:].strip():
        rows.append(Row("unmatched", copy_text[at:], None, at))
    return rows


def _key(token: str) -> str:
    return " " if token.isspace() else token.lower()


def diff(copy: str, source: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both passages as runs of (text, differs): a word differs when the other side lacks it at that
    place (case and the kind of whitespace ignored)."""
    a, b = TOKEN.findall(copy), TOKEN.findall(source)
    marks_a, marks_b = [False] * len(a), [False] * len(b)
    matcher = SequenceMatcher(None, [_key(t) for t in a], [_key(t) for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            for i in range(i1, i2):
                marks_a[i] = not a[i].isspace()
            for j in range(j1, j2):
                marks_b[j] = not b[j].isspace()
    return _runs(a, marks_a), _runs(b, marks_b)


def _runs(tokens: list[str], marks: list[bool]) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for token, mark in zip(tokens, marks, strict=True):
        if token.isspace() and runs:  # whitespace joins the run before it
            runs[-1] = (runs[-1][0] + token, runs[-1][1])
        elif runs and runs[-1][1] == mark:
            runs[-1] = (runs[-1][0] + token, mark)
        else:
            runs.append((token, mark))
    return runs
