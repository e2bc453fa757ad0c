"""List the files of a landing folder that a run should read.

Hidden entries (dot-files, dot-folders) and partial downloads (``.part``, ``.tmp``, ``~``)
are skipped: scrapers and editors write those and rename them when done, so reading
them would store half an article. Symlinks are *returned*, not followed, so that
``read_file`` can reject the ones that point outside the landing folder (and say so)
instead of silently reading or silently skipping them. Symlinked folders are returned
as entries too and are not walked (no loops, no escaping the folder), and so are folders
that cannot be listed: ``read_file`` reports both rather than the run ignoring them.
"""

from __future__ import annotations

import os
from pathlib import Path

PARTIAL_SUFFIXES = (".part", ".tmp", "~")


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


def discover(landing: Path) -> list[Path]:
    """Every candidate file under ``landing``, recursively, sorted by relative path parts.

    The order depends only on the names (not on the file system's listing order), so two
    runs over the same folder read the files in the same order.
    """
    found: list[Path] = []

    def unlistable(err: OSError) -> None:
        if err.filename is not None and Path(err.filename) != landing:
            found.append(Path(err.filename))

    for folder, dirnames, filenames in os.walk(landing, onerror=unlistable, followlinks=False):
        base = Path(folder)
        walked = []
        for name in dirnames:
            if _skipped(name):
                continue
            if (base / name).is_symlink():
                found.append(base / name)
            else:
                walked.append(name)
        dirnames[:] = walked
        found.extend(base / name for name in filenames if not _skipped(name))
    return sorted(found, key=lambda p: p.relative_to(landing).parts)
