"""RFC 3339 times as DigitalOcean writes them (`2026-08-07T12:00:00Z`), in one place.

Everything here is UTC: a timestamp without an offset is taken as UTC, never as local time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"
CLOCK_ENV = "DO_GENAI_NOW"
"""Test hook, read by `now()`: an RFC 3339 time the provider takes as the present, so tests and
demos can show `rotate_after_days` without waiting. Never set it in production."""


def parse_time(text: str) -> datetime:
    """An RFC 3339 time (`Z` or an offset) as an aware datetime."""
    parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(moment: datetime | float) -> str:
    """An aware datetime, or Unix seconds, as `YYYY-MM-DDTHH:MM:SSZ`."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).strftime(FORMAT)


def now() -> datetime:
    """The present, or the time in `DO_GENAI_NOW` when a test set it."""
    fixed = os.environ.get(CLOCK_ENV)
    return parse_time(fixed) if fixed else datetime.now(UTC)
