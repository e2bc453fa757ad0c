"""The unit layer stays a unit layer: no test under tests/unit may use a database, the Prefect harness or
the browser, nor carry the ``integration`` marker (such a test belongs in tests/integration)."""

from __future__ import annotations

import pytest

# The fixtures of tests/conftest.py that start a database, a Prefect server or a browser.
INTEGRATION_FIXTURES = {"db_url", "postgres_url", "postgres_template", "sqlite_template", "prefect_harness", "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Called for the tests of this folder only, before any of their fixtures is set up."""
    used = sorted(INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())))
    if used or item.get_closest_marker("integration"):
        pytest.fail(
            f"a unit test may not use {used or 'the integration marker'}: move it to tests/integration", pytrace=False
        )


@pytest.fixture(scope="session", autouse=True)
def _one_native_thread():
    """Unit tests fit and predict on a few rows: native thread pools only fight the machine's other
    processes for its cores (a tiny fit's time then varied tenfold), so they run on one thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
