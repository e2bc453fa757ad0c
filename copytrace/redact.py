"""Passwords out of everything copytrace prints, logs, emits or shows: one function, ``redact_url``
(and ``first_line``, the one line of an error message those reports quote).

Every path that puts a database URL (or a message that may quote one) in front of a person goes
through it: CLI output and errors, run logs, artifacts, events. A password can only leak where a
URL is written without it, so the function takes any text, not only a bare URL.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# scheme://user:password@host — the password runs to the last "@" before the host's "/" or a blank
# (an unencoded "@" in a password is taken as part of it, not as the host's start).
_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)(?P<password>[^\s/]*)@")
# password=... in a query string or a libpq keyword string
_KEYWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)(?P<password>[^\s&;]+)", re.IGNORECASE)


def redact_url(value: object) -> str:
    """``value`` as text with every URL's password (and any ``password=`` pair) replaced by ``***``.

    Accepts a bare URL, a pydantic ``SecretStr`` (its value is never shown: it is masked whole) or
    any message that may quote a URL; user, host and database stay readable.
    """
    if value is None:
        return ""
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    text = str(value)
    text = _USERINFO.sub(lambda m: m["head"] + MASK + "@", text)
    return _KEYWORD.sub(lambda m: m["head"] + MASK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record through ``redact_url`` (message and traceback), so a
    library's message that quotes a URL leaves the process without its password."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_url(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_url(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_url(record.exc_text)
        return True


def install_log_redaction(*logger_names: str) -> None:
    """Attach one ``RedactingFilter`` to each named logger (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def first_line(exc: BaseException, empty: str | None = None) -> str:
    """The first line of ``exc``'s message, for a one-line report; ``empty`` (default: the exception's
    type name) when the message is blank."""
    return (str(exc).strip().splitlines() or [type(exc).__name__ if empty is None else empty])[0]
