"""Store the provenance database's URL in the Prefect Secret block the deployments name; run by `make serve`.

The URL is read from COPYTRACE_DATABASE_URL and never printed but without its password.
"""

from __future__ import annotations

import os
import sys

from prefect.blocks.system import Secret

from copytrace.redact import redact_url

BLOCK = "copytrace-database"  # the name prefect.yaml's deployments give as database_secret


def store_database_secret(url: str, name: str = BLOCK) -> None:
    Secret(value=url).save(name, overwrite=True)


if __name__ == "__main__":
    url = os.environ.get("COPYTRACE_DATABASE_URL")
    if not url:
        sys.exit("COPYTRACE_DATABASE_URL is not set: nothing to store")
    store_database_secret(url)
    print(f"Secret block {BLOCK!r} holds {redact_url(url)}")
