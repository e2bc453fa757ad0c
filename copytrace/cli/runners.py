"""Running a flow from the command line: the one module of the CLI that imports ``flows``.

A run with no Prefect server configured is served by a temporary one that must end with it. Prefect
and the flows are imported inside the functions, so importing the CLI stays quick.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from copytrace.cli.terminal import UserError


def run_ingest(
    landing: Path,
    url: str,
    batch_size: int | None,
    max_file_bytes: int | None,
    model: Path | None,
    task_runner: str | None = None,
):
    """Run the ingest-copies flow once on ``landing``; its summary."""
    if not landing.is_dir():
        raise UserError(f"landing folder {str(landing)!r} does not exist or is not a folder")
    from copytrace.runtime.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from prefect.settings import temporary_settings

    from flows.ingest_copies import ingest_copies
    from flows.task_runners import TaskRunnerSpecError, task_runner_from_spec

    try:
        runner = task_runner_from_spec(task_runner)
    except TaskRunnerSpecError as exc:
        raise UserError(str(exc)) from exc
    from pydantic import SecretStr

    model_path = str(model) if model else None
    updates = one_shot_run_updates()
    if updates:  # no Prefect server configured: the run starts a temporary one, which must not outlive it
        tie_prefect_server()
    with temporary_settings(updates=updates):
        return ingest_copies.with_options(task_runner=runner)(
            landing=str(landing.resolve()),
            database_url=SecretStr(url),  # stored and shown masked by Prefect
            batch_size=batch_size,
            max_file_bytes=max_file_bytes,
            model_path=model_path,
        )


def run_training(data_dir: str, url: str, model_dir: str, seed: int, scale: float) -> dict[str, Any]:
    """Run the train-classifier flow once; what it decided (``verdict``) and the candidate's ``path``."""
    from copytrace.runtime.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from pydantic import SecretStr

    from flows.train_classifier import train_classifier

    return train_classifier(
        data_dir=data_dir,
        database_url=SecretStr(url),
        model_dir=model_dir,
        seed=seed,
        scale=scale,
    )


def tie_prefect_server() -> None:
    """Make the temporary Prefect server of a run (no Prefect API URL configured) die with the run.

    Prefect starts it with ``subprocess.Popen`` and stops it when the process exits normally; a run
    killed with SIGKILL left it running, listening, re-parented to init. Prefect offers no hook for
    its arguments, so its server module is given a ``subprocess`` whose Popen arms the kernel's
    parent-death signal in the child (``copytrace.runtime.process.die_with_parent``; Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    from prefect.server.api import server as prefect_server

    from copytrace.runtime.process import subprocess_dying_with_parent

    if prefect_server.subprocess.Popen.__module__ != subprocess_dying_with_parent.__module__:
        prefect_server.subprocess = subprocess_dying_with_parent()


def one_shot_run_updates() -> dict:
    """Prefect settings to change for one flow run called from the CLI.

    With no Prefect API URL configured, Prefect serves the run from a temporary server that stops
    with it. Flow-run heartbeats exist so that a lasting server can mark a run whose process died
    as crashed; on a temporary server nothing is left to read them, and joining their thread made
    every run wait up to a second at its end (Prefect sleeps between heartbeats a second at a
    time). Against a configured server the run keeps its heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings

    return {} if get_current_settings().api.url else {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
