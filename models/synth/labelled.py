"""What the pair builder returns (``LabelledPair``), what each generator makes (``Made``), and the
kinds of pair the evaluation reads separately (``SAME_TOPIC_KINDS``)."""

from __future__ import annotations

from dataclasses import dataclass

from models.corpora import l2r_family


@dataclass(frozen=True)
class LabelledPair:
    source: str
    copy: str
    pair_class: str
    kind: str  # which generator made it (for per-kind error analysis)
    group: str  # document group of the source; never on both sides of the split
    split: str  # "train" | "test"
    llm: str = ""  # the LLM whose text is in the pair (``corpora.LLMS``), "" when none
    domain: str = ""  # "bbc:<category>", "l2r:<Domain>" or "webis"
    wrapper_site: str = ""  # the wrapper page family used (``corpora.WRAPPER_FAMILIES``), "" when none
    copy_words: int = 0  # the copy's word count

    @property
    def domain_family(self) -> str:
        """The L2R domain family ("l2r:<family>"), or ``domain`` itself for BBC and Webis."""
        if self.domain.startswith("l2r:"):
            return "l2r:" + (l2r_family(self.domain[4:]) or self.domain[4:])
        return self.domain

    @property
    def weight(self) -> float:
        """How much the pair counts when the pair classifier is fitted (``SAME_TOPIC_WEIGHT``)."""
        return SAME_TOPIC_WEIGHT if self.kind in SAME_TOPIC_KINDS else 1.0

    @property
    def origin(self) -> str:
        """What made the copy, as the held-out folds group pairs: its wrapper site family, else its
        LLM, else its domain family. The pair classifier is calibrated across these."""
        return self.wrapper_site or self.llm or self.domain_family


@dataclass(frozen=True)
class Made:
    """What a generator made; the builder fills in the kind, split and missing groups."""

    source: str
    copy: str
    pair_class: str
    group: str = ""
    llm: str = ""
    domain: str = ""
    wrapper_site: str = ""


# Same-topic independent pairs: a copy that shares a story's vocabulary (and often its names)
# without deriving from the source. ``models.generalisation`` reports the false-rewrite rate on them.
SAME_TOPIC_KINDS = frozenset(
    {
        "news:neighbour",
        "news:same_names",
        "news:shared_facts",
        "news:short_neighbour",
        "l2r:cross",
        "l2r:cross_near",
        "l2r:same_domain",
    }
)

# Same-topic independent pairs count this many times in training: they are the pairs nearest the line
# between independent coverage and a rewrite, and calling one derived accuses an independent writer.
SAME_TOPIC_WEIGHT = 3.0

# Rewrites inside a scraper page: ``spam-wrapped`` by the labels' precedence, but their core holds none of
# the source's sentences verbatim. ``models.generalisation`` counts them apart from verbatim copies.
WRAPPED_REWRITE_KINDS = frozenset({"l2r:wrapped"})
