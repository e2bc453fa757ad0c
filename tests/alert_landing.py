"""A landing folder of one story: its original and a spam-wrapped copy of it (wrapper lines around it)."""

from __future__ import annotations

from pathlib import Path

WRAPPER_HEAD = (
    "THE DAILY WIDGET NEWS\nJul 3, 2025  |  \n0\n | Remer,MN\nSponsor:  QWIKET \n"
    "Sponsor:  QWIKET: Elevate your fantasy game! Interactive Sports Knowledge.\nback  \ntopic\n\n"
)
WRAPPER_TAIL = (
    "\n\nSponsor:  QWIKET: Elevate your fantasy game! Interactive Sports Knowledge and Reasoning Support.\n"
    "Log in\nSharing\nTablets\nMore from THE DAILY WIDGET NEWS\n"
)


def write_run_landing(folder: Path, samples: Path, key: str) -> dict[str, Path]:
    """``folder`` with seed ``key`` as the original and ``wrapped-{key}.txt``, a spam-wrapped copy of it."""
    folder.mkdir(parents=True, exist_ok=True)
    text = next(samples.glob(f"{key}*.txt")).read_text(encoding="utf-8")
    original, wrapped = folder / f"original-{key}.txt", folder / f"wrapped-{key}.txt"
    original.write_text(text, encoding="utf-8")
    wrapped.write_text(WRAPPER_HEAD + text + WRAPPER_TAIL, encoding="utf-8")
    return {"original": original, "wrapped": wrapped}
