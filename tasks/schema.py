"""Bring the provenance database to the current migration before a run touches it."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from copytrace.db import current_revision, ensure_schema
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="migrate-database",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def migrate_database(database_url: str) -> str | None:
    ensure_schema(database_url)
    revision = current_revision(database_url)
    get_run_logger().info("database at migration %s", revision)
    return revision
