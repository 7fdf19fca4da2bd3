"""What the commands print to a terminal, made safe to print."""

from __future__ import annotations


def printable(text: str) -> str:
    """Text for a terminal: a control character (an escape sequence could forge rows or
    colours) shows escaped, as Python writes it."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
