"""Which failures are worth a retry: transient database and file-system errors, not bugs or bad data."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

RETRY_DELAYS = [1, 5, 15]


def is_transient(exc: BaseException | None) -> bool:
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (ConnectionError, TimeoutError, BlockingIOError, InterruptedError))


def retry_transient(task, task_run, state) -> bool:
    """``retry_condition_fn`` for Prefect tasks."""
    try:
        state.result()
    except Exception as exc:  # the task's own exception, re-raised by result()
        return is_transient(exc)
    return False
