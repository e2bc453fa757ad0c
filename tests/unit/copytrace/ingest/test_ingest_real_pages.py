"""HTML extraction on real news pages, when the research datasets sit beside the repo (../shared/data).

The pages are research-only and are never copied into the repository: these tests read them
in place and skip when they are absent. A page counts as well extracted when most of its gold
article's word 5-grams appear in the extracted text (recall: boilerplate kept is acceptable,
article text lost is not).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import statistics
from pathlib import Path

import pytest

from copytrace.ingest import read_file
from tests.paths import DATA

BIG9 = DATA / "web-extraction-big9"
WCXB = DATA / "wcxb-web-pages" / "test-articles"
_WORD = re.compile(r"\w+")


def _coverage(gold: str, text: str) -> float:
    def grams(s: str) -> set[tuple[str, ...]]:
        w = _WORD.findall(s.lower())
        return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}

    g = grams(gold)
    return len(g & grams(text)) / max(len(g), 1)


def _extract(page: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(page)
    result = read_file(path, tmp_path, 20 * 1024 * 1024)
    assert result.errors == [], result.errors
    return result.copies[0].text


@pytest.mark.skipif(not (BIG9 / "index.csv").is_file(), reason="../shared/data/web-extraction-big9 not present")
def test_big9_news_pages_every_tenth(tmp_path):
    rows = list(csv.DictReader((BIG9 / "index.csv").open(encoding="utf-8")))[::10]
    # SOURCE.md: big5-17 'trump (4)' gold belongs to a different article
    rows = [r for r in rows if not r["gold_path"].endswith("big5-17/gold/trump (4).txt")]
    scores = []
    for n, row in enumerate(rows):
        gold = (BIG9 / row["gold_path"]).read_bytes().decode(row["gold_encoding"])
        text = _extract(gzip.decompress((BIG9 / row["html_path"]).read_bytes()), tmp_path, f"{n}.html")
        assert "\u00e2\u20ac" not in text  # no UTF-8-read-as-cp1252 mojibake
        scores.append(_coverage(gold, text))
    assert statistics.median(scores) > 0.95
    assert sum(s < 0.5 for s in scores) <= len(scores) // 20


@pytest.mark.skipif(not (WCXB / "html").is_dir(), reason="../shared/data/wcxb-web-pages not present")
def test_wcxb_modern_article_pages_every_tenth(tmp_path):
    scores = []
    for page in sorted((WCXB / "html").glob("*.html.gz"))[::10]:
        truth = json.loads((WCXB / "ground-truth" / page.name.replace(".html.gz", ".json")).read_text("utf-8"))
        gold = truth["ground_truth"]["main_content"]
        if not gold:
            continue
        scores.append(_coverage(gold, _extract(gzip.decompress(page.read_bytes()), tmp_path, page.stem)))
    assert statistics.median(scores) > 0.95
    assert sum(s < 0.5 for s in scores) <= len(scores) // 20
