"""The held-out groups (each LLM, L2R domain family, wrapper family, short copies) and the folds made
of them: train on the train split outside the group, test on the test split inside it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models.corpora import L2R_DOMAIN_FAMILIES, LLMS, WRAPPER_FAMILIES
from models.synth.labelled import LabelledPair

FOLD_FAMILIES = ("split", "llm", "domain", "wrapper", "short")
SHORT_COPY_WORDS = 300


@dataclass(frozen=True)
class Fold:
    """One group held out: train on ``train`` (indices into the pairs), test on ``test``."""

    family: str  # a FOLD_FAMILIES entry
    name: str  # e.g. "llm:GPT-4o"
    train: tuple[int, ...]
    test: tuple[int, ...]
    note: str = ""


def group_of(family: str, value: str) -> Callable[[LabelledPair], bool]:
    """The membership test of one group: which pairs a fold holds out."""
    if family == "split":
        return lambda p: True
    if family == "llm":
        return lambda p: p.llm == value
    if family == "domain":
        return lambda p: p.domain_family == f"l2r:{value}"
    if family == "wrapper":
        return lambda p: p.wrapper_site == value
    if family == "short":
        return lambda p: p.copy_words < SHORT_COPY_WORDS
    raise ValueError(f"unknown fold family {family!r}; expected one of {FOLD_FAMILIES}")


def fold_groups(families: Sequence[str] = FOLD_FAMILIES) -> list[tuple[str, str]]:
    """(family, value) of every fold of ``families``; an entry may also name one fold ("llm:GPT-4o")."""
    values = {
        "split": [""],
        "llm": list(LLMS),
        "domain": list(L2R_DOMAIN_FAMILIES),
        "wrapper": list(WRAPPER_FAMILIES),
        "short": [""],
    }
    out = []
    for entry in families:
        family, _, value = entry.partition(":")
        if family not in values:
            raise ValueError(f"unknown fold family {family!r}; expected one of {FOLD_FAMILIES}")
        out.extend((family, v) for v in ([value] if value else values[family]))
    return out


def make_folds(
    pairs: Sequence[LabelledPair],
    families: Sequence[str] = FOLD_FAMILIES,
    max_train: int | None = None,
    seed: int = 0,
) -> list[Fold]:
    """The folds of ``families``: train = the train split outside the group, test = the test split
    inside it. ``max_train`` caps a fold's training pairs by a seeded uniform sample (time budget)."""
    folds = []
    for family, value in fold_groups(families):
        inside = group_of(family, value)
        name = family if family in ("split", "short") else f"{family}:{value}"
        train = [i for i, p in enumerate(pairs) if p.split == "train" and (family == "split" or not inside(p))]
        test = [i for i, p in enumerate(pairs) if p.split == "test" and inside(p)]
        note = ""
        if max_train is not None and len(train) > max_train:
            note = f"training pairs sampled: {max_train} of {len(train)}"
            train = sorted(random.Random(f"{seed}:{name}").sample(train, max_train))
        folds.append(Fold(family, name, tuple(train), tuple(test), note))
    return folds
