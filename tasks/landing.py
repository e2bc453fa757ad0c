"""Find the landing files a run should look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from copytrace.ingest import discover
from tasks.retrying import RETRY_DELAYS, retry_transient


class LandingFolderError(RuntimeError):
    """The landing folder does not exist, is not a folder, or cannot be listed."""


@dataclass
class LandingFiles:
    """The files a run should read, or why there are none to look at (``problem``: one sentence)."""

    paths: list[str] = field(default_factory=list)
    problem: str | None = None


def list_landing(landing: str) -> list[str]:
    """The landing files, in order; LandingFolderError when the folder is not there or not listable
    (neither heals by retrying: an operator has to create the folder or grant access)."""
    root = Path(landing)
    if not root.is_dir():
        raise LandingFolderError(f"landing folder {landing!r} does not exist or is not a folder")
    try:
        return [str(p) for p in discover(root)]
    except PermissionError as exc:
        raise LandingFolderError(f"landing folder {landing!r} cannot be listed (permission denied)") from exc


@task(
    name="discover-landing",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=RETRY_DELAYS[:2],
    retry_condition_fn=retry_transient,
)
def discover_landing(landing: str) -> LandingFiles:
    """The landing files; a missing or unreadable folder is the run's expected failure, returned as its
    reason (not raised: no retry can heal it, and a traceback would say nothing more)."""
    try:
        paths = list_landing(landing)
    except LandingFolderError as exc:
        return LandingFiles(problem=str(exc))
    get_run_logger().info("%d files in %s", len(paths), landing)
    return LandingFiles(paths)
