"""What a command shows at the terminal: its two consoles, scraped text made inert, one-line errors."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

out = Console()
err = Console(stderr=True)


class UserError(Exception):
    """An error to show as one line, without a traceback."""


def plain(value: object) -> Text:
    """Scraped text (a title, URL, file name, detail) as terminal text: Rich reads no markup in it
    (a stray ``[/bold]`` would crash the print, ``[link=…]`` change what is shown) and control
    characters (ESC and its sequences) are dropped."""
    from copytrace.text import clean

    return Text(clean(str(value)))


def said(value: object) -> str:
    """``plain`` inside a markup string: the value escaped, its control characters dropped."""
    from copytrace.text import clean

    return escape(clean(str(value)))
