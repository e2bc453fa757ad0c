"""Where an ingest run's batches execute: ``--task-runner threads[=N] | dask[=ADDRESS]``.

The default runs batches one after another in the flow's process. ``dask`` starts a local
Dask cluster (one single-threaded worker process per core) so HTML extraction of several
batches runs in parallel; ``dask=tcp://scheduler:8786`` sends the batches to an existing
cluster, whose workers need the project installed and the database reachable.
"""

from __future__ import annotations

import os

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

SPEC_HELP = "sequential (default), threads[=N], dask (a local cluster) or dask=ADDRESS (an existing scheduler)"


class TaskRunnerSpecError(ValueError):
    """A ``--task-runner`` value that names no runner."""


def task_runner_from_spec(spec: str | None) -> TaskRunner:
    name, _, arg = (spec or "sequential").partition("=")
    name = name.strip().lower()
    if name == "sequential" and not arg:
        return ThreadPoolTaskRunner(max_workers=1)
    if name == "threads":
        try:
            workers = int(arg) if arg else os.cpu_count() or 1
        except ValueError as exc:
            raise TaskRunnerSpecError(f"threads={arg!r}: expected a number of threads") from exc
        return ThreadPoolTaskRunner(max_workers=max(1, workers))
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if arg:
            return DaskTaskRunner(address=arg)
        workers = os.cpu_count() or 1
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "dashboard_address": None})
    raise TaskRunnerSpecError(f"unknown task runner {spec!r}: use {SPEC_HELP}")
