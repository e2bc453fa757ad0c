"""The seeds' expected provenance (LABELS.md), checked against copy_provenance."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from copytrace.db import session_factory
from copytrace.reports.provenance import provenance_rows
from tests.conftest import EXPECTED_SEEDS


def shuffled_copy(seeds: dict[str, Path], folder: Path, rng: random.Random) -> dict[str, str]:
    """Copy the seeds under random names in random order; returns {seed key: locator}."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = list(seeds)
    rng.shuffle(keys)
    locators = {}
    for key in keys:
        dest = folder / f"{rng.getrandbits(40):010x}.txt"
        shutil.copy(seeds[key], dest)
        locators[key] = str(dest.resolve())
    return locators


def assert_seeds_attributed(url: str, locators: dict[str, str]) -> None:
    """000 and 004 originals, 001 and 003 rewrites, 002 spam-wrapped; 001, 002 from 000; 003 from 002
    or 000; every chain rooted at 000 and all five in one story (004 is independent coverage of it)."""
    with session_factory(url)() as session:
        rows = {r["locator"]: r for r in provenance_rows(session)}
    key_of = {rows[loc]["document_id"]: key for key, loc in locators.items()}
    for key, (label, allowed_sources) in EXPECTED_SEEDS.items():
        row = rows[locators[key]]
        assert row["label"] == label, (key, row)
        source = key_of.get(row["derived_from_id"])
        if allowed_sources is None:
            assert row["derived_from_id"] is None, (key, row)
            assert row["root_id"] == row["document_id"]
        else:
            assert source in allowed_sources, (key, source)
            assert key_of[row["root_id"]] == "000"
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["model_version"]
    stories = {rows[loc]["story_id"] for loc in locators.values()}
    assert len(stories) == 1 and None not in stories
