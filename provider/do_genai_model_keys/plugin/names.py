"""Property names as the schema spells them (`secretVersion`) and as the core does
(`secret_version`): the one spelling rule, kept with the doors' description (`doors.py`)."""

from __future__ import annotations

from ..doors import camel, snake

__all__ = ["camel", "snake"]
