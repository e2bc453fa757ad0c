"""A provenance store of thousands of documents, written straight through the copytrace.repo functions.

Running the classifier over thousands of texts takes far longer than a test may; what the dashboard
needs is the rows a classified store holds. So the texts are made up (a fixed vocabulary, a seeded
generator: the same store on every run and on both databases) and each copy is stored with the
classification, matched spans, wrapper segments and direction evidence ingest would give it:

* stories of one original on one of our sites, a few very large (hundreds of documents);
* full copies, excerpts (a run of paragraphs), rewrites (every paragraph reworded, matched as
  paraphrase) and spam-wrapped copies inside one of a few wrapper templates, each template used by
  several spam sites (the spam networks); some copies derive from a copy, not from the original;
* independent coverage (an original with no source in a story), local files with no site or fetch
  time, a few unclassified documents, a page whose title and text carry markup;
* three model versions and operators' corrections, some documents corrected twice.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from copytrace.attribution.types import Decision
from copytrace.orm import ModelVersion
from copytrace.repo.classifications import add_classifications
from copytrace.repo.corrections import add_correction
from copytrace.repo.documents import NewCopy, add_documents
from copytrace.repo.model_versions import register_model_version
from copytrace.repo.stories import new_stories, set_stories

WORDS = (
    "council minister harbour budget river school election police market storm court energy farmers "
    "hospital bridge museum railway teachers festival airport union rainfall factory village coast "
    "report plan vote protest tax water price league club season players coach museum library forest "
    "mayor judge trial strike wages housing rent transport bus ferry tunnel summit talks treaty border"
).split()
SYNONYMS = {w: w.upper()[:1] + w[1:] + "s" for w in WORDS}
OUR_SITES = tuple(f"news{n}.example" for n in range(6))
TEMPLATES = (
    ("SUBSCRIBE NOW for unlimited access", "Sponsored: the best deals of the week", "Read more at our partner sites"),
    ("Cookies help us deliver our services", "Log in to keep reading premium stories", "Follow us for more news"),
    ("ADVERTISEMENT - story continues below", "Win a free holiday today, click here", "Copyright the network"),
    ("Trending now on the web", "Sign up for the morning briefing", "More stories you might like"),
)
SPAM_SITES = {t: tuple(f"spam{t}-{n}.example" for n in range(6 + 2 * t)) for t in range(len(TEMPLATES))}
COPY_SITES = tuple(f"aggregator{n}.example" for n in range(25))
START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
DAYS = 96
MARKUP = "<script>alert('x')</script> & <b>bold</b>"


@dataclass
class BigStore:
    documents: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # named documents the tests look at
    story_sizes: dict[int, int] = field(default_factory=dict)


@dataclass
class _Doc:
    key: str
    text: str
    site: str | None
    seen: datetime | None
    title: str
    story: int
    label: str | None = None
    source: str | None = None
    root: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.9


def _paragraphs(rng: random.Random, n: int) -> list[str]:
    return [
        " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(7, 12))).capitalize() + "."
            for _ in range(rng.randint(2, 3))
        )
        for _ in range(n)
    ]


def _offsets(paragraphs: list[str], prefix: int = 0) -> list[tuple[int, int]]:
    spans, at = [], prefix
    for p in paragraphs:
        spans.append((at, at + len(p)))
        at += len(p) + 2
    return spans


def _direction(rng: random.Random, copy: _Doc, source: _Doc) -> dict[str, Any]:
    if copy.seen and source.seen:
        hours = round((copy.seen - source.seen).total_seconds() / 3600, 1)
        return {"decided_by": "fetched", "margin": 1.0, "hours_apart": hours}
    return {"decided_by": rng.choice(["classifier", "fullness"]), "margin": round(rng.uniform(0.2, 0.9), 4)}


def _story(rng: random.Random, n: int, size: int, docs: list[_Doc]) -> None:
    paras = _paragraphs(rng, rng.randint(5, 8))
    headline = f"Story {n}: " + " ".join(rng.choice(WORDS) for _ in range(5))
    if n == 3:
        headline = f"Story {n}: {MARKUP}"
        paras[0] = f"{MARKUP} " + paras[0]
    seen = START + timedelta(days=rng.randrange(DAYS - 3), hours=rng.randrange(12))
    root = _Doc(f"s{n}-original", "\n\n".join(paras), OUR_SITES[n % len(OUR_SITES)], seen, headline, n, "original")
    docs.append(root)
    made = [root]
    for i in range(size - 1):
        key = f"s{n}-{i}"
        kind = rng.choices(["full", "excerpt", "rewrite", "spam", "independent", "local"], [1, 3, 3, 4, 1, 0.3])[0]
        source = root if rng.random() < 0.8 else rng.choice(made)
        src_paras = source.text.split("\n\n")
        when = source.seen + timedelta(hours=rng.randint(1, 24 * 20)) if source.seen else None
        site = rng.choice(COPY_SITES)
        spans: list[dict[str, Any]] = []
        segments: list[dict[str, Any]] = []
        if kind == "independent":
            doc = _Doc(
                key, "\n\n".join(_paragraphs(rng, 4)), site, when or seen, headline + " (own report)", n, "original"
            )
            doc.confidence = round(rng.uniform(0.5, 0.95), 3)
            docs.append(doc)
            made.append(doc)
            continue
        if kind in ("full", "local"):
            body = list(src_paras)
            label = "original"
            spans = [{"copy_start": 0, "copy_end": len(source.text), "source_start": 0, "source_end": len(source.text)}]
            if kind == "local":
                site, when = None, None
        elif kind == "excerpt":
            k = rng.randint(1, max(1, len(src_paras) - 2))
            first = rng.randrange(len(src_paras) - k + 1)
            body, label = src_paras[first : first + k], "excerpt"
            src_at = _offsets(src_paras)[first : first + k]
            spans = [
                {"copy_start": c0, "copy_end": c1, "source_start": s0, "source_end": s1}
                for (c0, c1), (s0, s1) in zip(_offsets(body), src_at, strict=True)
            ]
        elif kind == "rewrite":
            body = [" ".join(SYNONYMS.get(w, w) if rng.random() < 0.5 else w for w in p.split()) for p in src_paras]
            label = "rewrite"
            spans = [
                {
                    "copy_start": c0,
                    "copy_end": c1,
                    "source_start": s0,
                    "source_end": s1,
                    "kind": "paraphrase",
                    "score": round(rng.uniform(0.55, 0.9), 3),
                }
                for (c0, c1), (s0, s1) in zip(_offsets(body), _offsets(src_paras), strict=True)
            ]
        else:
            t = rng.randrange(len(TEMPLATES))
            site = rng.choice(SPAM_SITES[t])
            head, mid, tail = TEMPLATES[t]
            keep = src_paras[: rng.randint(min(2, len(src_paras)), len(src_paras))]
            body = [head, *keep[:1], mid, *keep[1:], tail]
            label = "spam-wrapped"
            copy_at = _offsets(body)
            src_at = _offsets(src_paras)
            kept = [1, *range(3, len(body) - 1)]
            spans = [
                {"copy_start": copy_at[c][0], "copy_end": copy_at[c][1], "source_start": s0, "source_end": s1}
                for c, (s0, s1) in zip(kept, src_at, strict=False)
            ]
            segments = [{"start": copy_at[c][0], "end": copy_at[c][1], "text": body[c]} for c in (0, 2, len(body) - 1)]
        doc = _Doc(key, "\n\n".join(body), site, when, f"{headline} | {site or 'local'}", n, label)
        doc.source, doc.root = source.key, root.key
        doc.confidence = round(rng.uniform(0.45, 0.99), 3)
        doc.evidence = {
            "spans": spans,
            "wrapper_segments": segments,
            "direction": _direction(rng, doc, source),
            "reasons": [f"{len(spans)} passages of the source found in the copy"],
        }
        docs.append(doc)
        made.append(doc)


def build(session: Session, stories: int = 175, seed: int = 30) -> BigStore:
    """Write the store; commits nothing. About 5,300 documents with the defaults."""
    rng = random.Random(seed)
    docs: list[_Doc] = []
    sizes = [320, 260, 240] + [rng.randint(12, 40) for _ in range(stories - 3)]
    for n, size in enumerate(sizes):
        _story(rng, n, size, docs)
    for n in range(12):  # stored, not yet classified
        docs.append(_Doc(f"pending-{n}", "\n\n".join(_paragraphs(rng, 3)), COPY_SITES[n], START, f"pending {n}", 0))

    story_ids = new_stories(session, [f"story {n}" for n in range(len(sizes))])
    ids: dict[str, int] = {}
    for at in range(0, len(docs), 500):
        batch = docs[at : at + 500]
        new = add_documents(
            session,
            [
                NewCopy(
                    locator=f"https://{d.site}/{d.key}" if d.site else f"/landing/{d.key}.txt",
                    text=d.text,
                    sha256=hashlib.sha256(d.text.encode()).hexdigest(),
                    title=d.title,
                    url=f"https://{d.site}/{d.key}" if d.site else None,
                    site=d.site,
                    fetched_at=d.seen,
                )
                for d in batch
            ],
            flow_run_id="big-store",
        )
        ids.update({d.key: i for d, i in zip(batch, new, strict=True)})
    set_stories(session, {ids[d.key]: story_ids[d.story] for d in docs if not d.key.startswith("pending")})

    common = {"path": "/models/m.joblib", "sklearn_version": "1.9.1", "params": {}, "training_data": {}}
    versions = []
    for v, f1 in enumerate((0.88, 0.91, 0.93)):
        versions.append(
            register_model_version(
                session,
                version=f"pairs-{v + 1}",
                sha256=str(v) * 64,
                metrics={"macro_f1": f1},
                activate=v == 2,
                **common,
            )
        )
        session.execute(
            update(ModelVersion)
            .where(ModelVersion.id == versions[-1])
            .values(created_at=START + timedelta(days=30 * v))
        )
    decisions: dict[int, list[Decision]] = {v: [] for v in versions}
    for d in docs:
        if d.label is None:
            continue
        decisions[rng.choice(versions)].append(
            Decision(
                ids[d.key],
                d.label,
                d.label,
                d.confidence,
                ids[d.source] if d.source else None,
                ids[d.root or d.key],
                d.evidence,
            )
        )
    for version, rows in decisions.items():
        add_classifications(session, rows, model_version_id=version, flow_run_id="big-store")

    labelled = [d for d in docs if d.source]
    corrected = rng.sample(labelled, 40)
    for d in corrected:
        other = rng.choice([x for x in ("original", "rewrite", "excerpt", "spam-wrapped") if x != d.label])
        add_correction(session, _locator(d), other, note="checked by hand", who=rng.choice(["ana", "ben"]))
    for d in corrected[:8]:  # corrected again: the later correction is the one in force
        add_correction(session, _locator(d), d.label, note="second look", who="cho")

    out = BigStore(documents=len(docs))
    out.story_sizes = {story_ids[n]: size for n, size in enumerate(sizes)}
    out.ids = {
        "largest_story": story_ids[0],
        "markup_story": story_ids[3],
        "markup_original": ids["s3-original"],
        "corrected": ids[corrected[10].key],
        **{
            f"first_{lbl}": ids[next(d.key for d in labelled if d.label == lbl and d.site)]
            for lbl in ("spam-wrapped", "rewrite", "excerpt")
        },
        "local": ids[next(d.key for d in docs if d.site is None and d.label)],
        "copy_of_copy": ids[next(d.key for d in labelled if d.source != d.root)],
    }
    return out


def _locator(d: _Doc) -> str:
    return f"https://{d.site}/{d.key}" if d.site else f"/landing/{d.key}.txt"
