"""Where the tests find the repository and the data beside it, from whichever folder a test sits in."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"  # the corpora, beside the repository (../shared/data)
