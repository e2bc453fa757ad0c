"""Which side of the train/test split a document group or a wrapper site is on.

Decided by hash of the seed and the key, before any pair is made, so a source text (with its
near duplicates: one group) or a wrapper site is never on both sides.
"""

from __future__ import annotations

import hashlib

TEST_SHARE = 0.2
SITE_TEST_SHARE = 0.25


def side_of(key: str, seed: int, test_share: float = TEST_SHARE) -> str:
    h = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_share else "train"


def sites_on_test_side(families: dict[str, str], seed: int, share: float = SITE_TEST_SHARE) -> set[str]:
    """A ``share`` of each wrapper family's sites (at least one), chosen by hash: the test side's."""
    by_family: dict[str, list[str]] = {}
    for site, family in families.items():
        by_family.setdefault(family, []).append(site)
    out: set[str] = set()
    for sites in by_family.values():
        ranked = sorted(sites, key=lambda s: hashlib.sha256(f"{seed}:site:{s}".encode()).hexdigest())
        out.update(ranked[: max(1, round(len(sites) * share))])
    return out
