"""Links from what copytrace publishes (Prefect artifacts) to the analysts' dashboard.

A link is built only from the configured base URL, checked here, and an integer: no scraped text
ever reaches a link target, and the base carries no credentials (whoever reads an artifact sees
the link).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# The dashboard's routes (dashboard/app.py): a document's page, the spam networks.
DOCUMENT_PATH = "/doc/"
NETWORKS_PATH = "/networks"

# A host name as urlsplit gives it (lower case), or an IPv6 address.
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|[0-9a-f:.]+")
# A path prefix (a dashboard behind a proxy): characters that cannot end or break a Markdown link.
_PATH = re.compile(r"(?:/(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)*")


def dashboard_base(value: str) -> str:
    """``value`` as the base of dashboard links: ``http(s)://host[:port][/prefix]`` without a trailing
    slash. A user name or password in it is dropped, never kept in a link; anything else that is not
    such a URL raises ValueError, whose message does not quote the value (it may hold a password)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError("the dashboard URL cannot be parsed (an invalid port?)") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ValueError("the dashboard URL must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:8050")
    if parts.query or parts.fragment:
        raise ValueError("the dashboard URL must have no query string or fragment")
    if not _HOST.fullmatch(host) or not _PATH.fullmatch(parts.path.rstrip("/")):
        raise ValueError("the dashboard URL's host or path holds characters a link cannot carry")
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}{f':{port}' if port is not None else ''}{parts.path.rstrip('/')}"


def document_url(base: str, document_id: int) -> str:
    """The dashboard's page of one document (``base`` from ``dashboard_base``)."""
    return f"{base}{DOCUMENT_PATH}{int(document_id)}"


def networks_url(base: str) -> str:
    """The dashboard's spam networks page."""
    return f"{base}{NETWORKS_PATH}"
