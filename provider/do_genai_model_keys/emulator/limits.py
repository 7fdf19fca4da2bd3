"""Rate limits as DigitalOcean applies them, kept as sliding windows.

- The control API (documented): per token, 250 requests in any minute and 5,000 in any hour; a
  429 `too_many_requests` with `retry-after` when either runs out. Every answer carries
  `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (the hour's figures).
- The inference API: per account, requests a minute, tokens a minute and tokens a day (figures
  in `assumptions.py`). Answers carry `x-ratelimit-{limit,remaining,reset}-{requests,
  tokens-per-minute,tokens-per-day}`; a reset is 0 while there is room, else the Unix time by
  which the bucket has room again. A 429 carries no `retry-after` (DigitalOcean forwards one
  only from an upstream provider): the reset headers say when.

`scale` shortens every window alike (0.05: a minute lasts three seconds), so a test can meet a
limit and its end without waiting a real minute; waits and resets are in the scaled time.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field

from ..api.contract import CONTROL_PER_HOUR
from .assumptions import (
    INFERENCE_REQUESTS_PER_MINUTE,
    INFERENCE_TOKENS_PER_DAY,
    INFERENCE_TOKENS_PER_MINUTE,
)


@dataclass
class Window:
    """The events of the last `seconds`, at most `most` of them by weight."""

    seconds: float
    most: int
    events: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)
    used: int = 0

    def _prune(self, now: float) -> None:
        while self.events and self.events[0][0] <= now - self.seconds:
            self.used -= self.events.popleft()[1]

    def wait(self, now: float, weight: int) -> float:
        """Seconds until `weight` more fit (0: now)."""
        self._prune(now)
        excess = self.used + weight - self.most
        if excess <= 0:
            return 0.0
        freed = 0
        for at, spent in self.events:
            freed += spent
            if freed >= excess:
                return at + self.seconds - now
        return self.seconds  # larger than the whole window: as long as it lasts

    def add(self, now: float, weight: int) -> None:
        self.events.append((now, weight))
        self.used += weight

    def remaining(self, now: float) -> int:
        self._prune(now)
        return max(0, self.most - self.used)

    def reset(self, now: float) -> int:
        """When there is room for one more: 0 while there is room now."""
        wait = self.wait(now, 1)
        return 0 if wait == 0 else math.ceil(now + wait)


class ControlLimits:
    """One token's windows on the control API."""

    def __init__(self, per_minute: int | None, per_hour: int | None, scale: float) -> None:
        self.minute = Window(60 * scale, per_minute) if per_minute else None
        self.hour = Window(3600 * scale, per_hour) if per_hour else None
        self._shown = Window(3600 * scale, per_hour or CONTROL_PER_HOUR)
        """The hour's count for the headers, kept even when the limit is off."""

    def take(self, now: float) -> tuple[dict[str, str], float | None]:
        """Count one request; its headers, and the seconds to wait when it is refused."""
        windows = [w for w in (self.minute, self.hour) if w is not None]
        wait = max((w.wait(now, 1) for w in windows), default=0.0)
        if wait == 0:
            for window in [*windows, self._shown]:
                window.add(now, 1)
        oldest = self._shown.events[0][0] if self._shown.events else now
        headers = {
            "ratelimit-limit": str(self._shown.most),
            "ratelimit-remaining": str(self._shown.remaining(now)),
            "ratelimit-reset": str(int(oldest + self._shown.seconds)),
        }
        return headers, (wait or None)


class InferenceLimits:
    """The account's windows on the inference API."""

    def __init__(self, enforced: bool, scale: float) -> None:
        self.enforced = enforced
        self.windows = {
            "requests": Window(60 * scale, INFERENCE_REQUESTS_PER_MINUTE),
            "tokens-per-minute": Window(60 * scale, INFERENCE_TOKENS_PER_MINUTE),
            "tokens-per-day": Window(86400 * scale, INFERENCE_TOKENS_PER_DAY),
        }

    def take(self, now: float) -> tuple[dict[str, str], bool]:
        """Count one request; its headers, and whether it is refused (some bucket is empty)."""
        refused = self.enforced and any(w.wait(now, 1) > 0 for w in self.windows.values())
        if not refused:
            self.windows["requests"].add(now, 1)
        return self.headers(now), refused

    def spend_tokens(self, now: float, tokens: int) -> None:
        for name in ("tokens-per-minute", "tokens-per-day"):
            self.windows[name].add(now, tokens)

    def headers(self, now: float) -> dict[str, str]:
        headers = {}
        for name, window in self.windows.items():
            headers[f"x-ratelimit-limit-{name}"] = str(window.most)
            headers[f"x-ratelimit-remaining-{name}"] = str(window.remaining(now))
            headers[f"x-ratelimit-reset-{name}"] = str(window.reset(now))
        return headers
