"""Reproducible training texts for ``models.style.MachineStyle``: human (0) versus LLM (1) prose.

- L2R: every human text (0) and its four LLM rewrites (1) — GPT-3-Turbo, GPT-4o,
  Gemini-1.5-Pro, Llama-3-70B — read by ``models.corpora.load_l2r`` (Gemini re-indexed by
  ``gemini_alignment.csv``, TravelTourism folded into TechnicalWriting, encodings handled).
  Each rewrite is a paraphrase of a human text that is also in the set: the model has to
  learn what the LLMs did to the wording, not what the texts are about.
- BBC news (0): article bodies, so that news-like human prose is not read as machine (the
  L2R human side has no news in this copy).
- Webis-CPC (0): the source passages and their *accepted* crowd paraphrases (less the few
  that ``webis_is_junk`` finds are no paraphrase), so that "was rewritten" is not what the
  model learns as "machine": humans paraphrase too.

Every sample carries its ``group`` (the L2R domain, ``bbc`` or ``webis``), its ``family``
(domains that read alike, left out together), its ``llm`` (empty for human text) and its
``doc`` (the corpora's duplicate group: a human text, its duplicates and all their
rewrites share it). Callers leave out a group, family, LLM or set of docs by filtering.
Nothing is random: the same data directory gives the same samples in the same order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from models.corpora import llm_name, load_bbc, load_l2r, load_webis, webis_is_junk
from models.text import TOKEN_RE

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# L2R domains that read alike (register, length, source corpus) are held out together, so that a
# held-out family is new prose to the model, not a sibling of a domain it was trained on.
FAMILIES = {
    "encyclopedic": ("ArtCulture", "Business", "GovernmentPublic", "Sports"),
    "scholarly": ("AcademicResearch", "EducationMaterial", "MedicalText", "TechnicalWriting"),
    "reviews": ("Entertainment", "FoodCusine", "ProductReview"),
    "informal": ("Finance", "OnlineContent", "PersonalCommunication"),
    "official": ("Environmental", "LegalDocument"),
    "literary": ("LiteratureCreativeWriting", "Religious"),
}
_FAMILY_OF = {domain: family for family, domains in FAMILIES.items() for domain in domains}
MIN_WORDS = 5  # a few L2R outputs are empty or a stub: no style to read


@dataclass(frozen=True)
class StyleSample:
    """One text and its label (1 machine, 0 human), with the keys to leave it out by."""

    text: str
    label: int
    source: str  # "l2r" | "bbc" | "webis"
    group: str  # L2R domain, "bbc" or "webis"
    family: str  # FAMILIES key, "news" (bbc) or "paraphrase" (webis)
    llm: str  # one of models.corpora.LLMS, "" for human text
    doc: str  # duplicate group: a human text and its rewrites share it
    item: str  # the human text's id: a rewrite and the human text it rewrites share it


def build_samples(data_dir: str | Path = DEFAULT_DATA_DIR) -> list[StyleSample]:
    """All samples: L2R human texts and rewrites, BBC article bodies, Webis passages and paraphrases."""
    data_dir = Path(data_dir)
    samples: list[StyleSample] = []
    for s in load_l2r(data_dir):
        family = _FAMILY_OF.get(s.domain, "other")
        item = f"l2r:{s.domain}:{s.index}"
        samples.append(StyleSample(s.human, 0, "l2r", s.domain, family, "", s.group, item))
        for name, text in sorted(s.rewrites.items()):
            if len(TOKEN_RE.findall(text)) >= MIN_WORDS:
                samples.append(StyleSample(text, 1, "l2r", s.domain, family, llm_name(name), s.group, item))
    for d in load_bbc(data_dir):
        samples.append(StyleSample("\n".join(d.paragraphs), 0, "bbc", "bbc", "news", "", d.group, d.id))
    seen: set[str] = set()
    for k, p in enumerate(load_webis(data_dir)):
        if p.group not in seen:  # a source passage is in several HITs: once
            seen.add(p.group)
            samples.append(StyleSample(p.original, 0, "webis", "webis", "paraphrase", "", p.group, p.group))
        if p.accepted and not webis_is_junk(p):  # a few accepted ones are not paraphrases at all
            samples.append(StyleSample(p.paraphrase, 0, "webis", "webis", "paraphrase", "", p.group, f"{p.group}:{k}"))
    return samples


def rewrite_pairs(samples: list[StyleSample]) -> list[tuple[int, int]]:
    """(human index, rewrite index) into ``samples`` for every L2R rewrite whose human text is there."""
    human = {s.item: i for i, s in enumerate(samples) if s.source == "l2r" and s.label == 0}
    return [(human[s.item], i) for i, s in enumerate(samples) if s.label == 1 and s.item in human]


def paraphrase_pairs(samples: list[StyleSample]) -> list[tuple[int, int]]:
    """(source passage index, accepted human paraphrase index) for the Webis samples: human on both sides."""
    source = {s.doc: i for i, s in enumerate(samples) if s.source == "webis" and s.item == s.doc}
    return [(source[s.doc], i) for i, s in enumerate(samples) if s.source == "webis" and s.item != s.doc]


def in_share(key: str, share: float, seed: int = 0) -> bool:
    """Whether ``key`` falls in a fixed pseudo-random ``share`` of all keys (stable across runs)."""
    h = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return h < share


def describe(samples: Iterable[StyleSample]) -> dict[str, dict[str, int]]:
    """Counts by source, label, group and LLM (for the model's metadata)."""
    out: dict[str, dict[str, int]] = {"source": {}, "label": {}, "group": {}, "llm": {}}
    for s in samples:
        for key, value in (("source", s.source), ("label", str(s.label)), ("group", s.group), ("llm", s.llm)):
            if key == "llm" and not value:
                continue
            out[key][value] = out[key].get(value, 0) + 1
    return {k: dict(sorted(v.items())) for k, v in out.items()}
