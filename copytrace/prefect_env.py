"""Offline-safe Prefect defaults, applied at the CLI edge before Prefect is imported."""

from __future__ import annotations

import os
from pathlib import Path

OFFLINE_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def apply_prefect_defaults(home: Path | None = None) -> None:
    """Keep Prefect offline and its state out of ``~/.prefect`` unless the user chose otherwise."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if "PREFECT_HOME" not in os.environ:
        os.environ["PREFECT_HOME"] = str((home or Path(".prefect")).resolve())


def one_shot_run_updates() -> dict:
    """Prefect settings to change for one flow run called from the CLI.

    With no Prefect API URL configured, Prefect serves the run from a temporary server that stops
    with it. Flow-run heartbeats exist so that a lasting server can mark a run whose process died
    as crashed; on a temporary server nothing is left to read them, and joining their thread made
    every run wait up to a second at its end (Prefect sleeps between heartbeats a second at a
    time). Against a configured server the run keeps its heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings

    return {} if get_current_settings().api.url else {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
