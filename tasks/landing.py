"""Find the landing files a run should look at."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from copytrace.ingest import discover


class LandingFolderError(RuntimeError):
    """The landing folder does not exist or is not a folder."""


def list_landing(landing: str) -> list[str]:
    root = Path(landing)
    if not root.is_dir():
        raise LandingFolderError(f"landing folder {landing!r} does not exist or is not a folder")
    return [str(p) for p in discover(root)]


@task(name="discover-landing", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def discover_landing(landing: str) -> list[str]:
    paths = list_landing(landing)
    get_run_logger().info("%d files in %s", len(paths), landing)
    return paths
