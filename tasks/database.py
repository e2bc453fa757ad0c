"""Which provenance database a run uses, without its password ever being a plain run parameter.

In order: a URL given to the run (typed ``SecretStr``: Prefect stores and shows it masked), the
Prefect ``Secret`` block named by ``database_secret`` (a deployment parameter, or
``COPYTRACE_DATABASE_SECRET`` in the worker's environment), then ``COPYTRACE_DATABASE_URL`` in the
worker's environment, then the default SQLite file.
"""

from __future__ import annotations

from pydantic import SecretStr

from copytrace.settings import load_settings


class DatabaseSecretError(RuntimeError):
    """The named Secret block does not exist or holds no URL."""


def secret_url(block_name: str) -> str:
    """The URL stored in the Prefect Secret block ``block_name``."""
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(block_name, _sync=True).get()
    except ValueError as exc:  # Prefect's "Unable to find block document named ..."
        raise DatabaseSecretError(
            f"no Prefect Secret block named {block_name!r} (create it: see docs/operations.md)"
        ) from exc
    if not isinstance(value, str) or not value.strip():
        raise DatabaseSecretError(f"the Prefect Secret block {block_name!r} holds no database URL")
    return value.strip()


def run_database_url(database_url: SecretStr | str | None = None, database_secret: str | None = None) -> str:
    """``database_url_for`` inside a flow run, which first masks a password-bearing URL the run was
    created with (``tasks.reporting.mask_run_parameters``) and says so in its log."""
    from prefect import get_run_logger
    from prefect.runtime import flow_run

    from tasks.reporting import mask_run_parameters

    if mask_run_parameters(str(flow_run.id) if flow_run.id else None):
        get_run_logger().warning(
            "database_url was given to this run with its password: it is masked in the run's parameters now; "
            "name a Prefect Secret block instead (database_secret, see docs/operations.md)"
        )
    return database_url_for(database_url, database_secret)


def database_url_for(database_url: SecretStr | str | None = None, database_secret: str | None = None) -> str:
    """The database URL a run uses (see the module docstring for the order)."""
    if isinstance(database_url, SecretStr):
        database_url = database_url.get_secret_value()
    if database_url:
        return load_settings(database_url=database_url).database_url
    settings = load_settings(database_secret=database_secret or None)
    if settings.database_secret:
        return secret_url(settings.database_secret)
    return settings.database_url
