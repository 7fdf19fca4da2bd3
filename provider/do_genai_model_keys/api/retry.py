"""When to retry, how long to wait, and the pacing of requests.

The decisions are pure functions over the error and the attempt number; `build_retrying` wires
them into tenacity with an injectable `sleep`, so tests record waits instead of sleeping.

A create is not idempotent (DigitalOcean has no idempotency key): `build_retrying` is never used
for it. `creates.create_exactly_once` runs its own loop over the same decisions and budget, and
settles each ambiguous failure by listing.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import DEFAULT_RETRY_MAX, DEFAULT_RETRY_WAIT_MAX, DEFAULT_RETRY_WAIT_MIN
from .contract import CONTROL_PER_MINUTE
from .errors import ConnectionFailedError, RateLimitError, is_ambiguous

if TYPE_CHECKING:
    from tenacity import RetryCallState, Retrying

    from .config import ClientSettings

log = logging.getLogger("do_genai_model_keys.http")

RETRY_AFTER_CAP_SECONDS = 60.0
"""Longest server-requested wait we honour; beyond it we fail fast with the server's figure."""
JITTER_FRACTION = 0.25
"""Backoff waits are shortened, and server-requested waits lengthened, by up to this fraction
(of the wait, or of `wait_min` when that is larger), so parallel workers spread out."""

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = DEFAULT_RETRY_MAX
    wait_min: float = DEFAULT_RETRY_WAIT_MIN
    wait_max: float = DEFAULT_RETRY_WAIT_MAX
    retry_after_cap: float = RETRY_AFTER_CAP_SECONDS

    @classmethod
    def of(cls, settings: ClientSettings) -> RetryPolicy:
        """The policy the settings ask for (`digitalocean:httpRetry*`)."""
        return cls(
            max_retries=settings.http_retry_max,
            wait_min=settings.http_retry_wait_min,
            wait_max=settings.http_retry_wait_max,
        )


def never_reached_server(error: BaseException, policy: RetryPolicy) -> bool:
    """True when the server certainly did not act on the request, and waiting may help: the
    connection never opened, or a 429 (the rate limiter answers before anything is done)."""
    if isinstance(error, RateLimitError):
        return error.retry_after is None or error.retry_after <= policy.retry_after_cap
    return isinstance(error, ConnectionFailedError)


def should_retry(error: BaseException, *, idempotent: bool, policy: RetryPolicy) -> bool:
    """True when another attempt is safe and may succeed."""
    if never_reached_server(error, policy):
        return True
    return idempotent and is_ambiguous(error)


def wait_seconds(
    error: BaseException | None,
    attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> float:
    """The wait before attempt `attempt + 1`: the server's figure if it gave one, else backoff."""
    server_wait = getattr(error, "retry_after", None)
    if isinstance(server_wait, int | float):
        # Never shorter than asked: workers told the same figure must not come back together.
        wait = min(float(server_wait), policy.retry_after_cap)
        return wait + JITTER_FRACTION * max(wait, policy.wait_min) * rand()
    backoff = min(policy.wait_max, policy.wait_min * 2.0 ** max(0, attempt - 1))
    return backoff * (1 - JITTER_FRACTION * rand())


def build_retrying(policy: RetryPolicy, *, idempotent: bool, sleep: Sleep, what: str) -> Retrying:
    """A tenacity `Retrying` for one call; `what` names the call in log lines."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return wait_seconds(error, state.attempt_number, policy)

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s failed (%s); retry %d of %d in %.2fs",
            what,
            type(error).__name__,
            state.attempt_number,
            policy.max_retries,
            state.upcoming_sleep,
        )

    return Retrying(
        stop=stop_after_attempt(policy.max_retries + 1),
        retry=retry_if_exception(lambda e: should_retry(e, idempotent=idempotent, policy=policy)),
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


RATE_LIMITED_PER_SECOND = CONTROL_PER_MINUTE / 60
"""The pace after a long 429: DigitalOcean's documented burst, 250 requests in any minute."""
LONG_RATE_LIMIT_WAIT = 5.0
"""A 429 that asks for at least this many seconds means the budget is spent, not a hiccup."""
MIN_HONOURED_PER_SECOND = 0.01
"""A limit a server states below this (one request every 100 s) is not a pace any real API
keeps: taken at its word, a `x-ratelimit-limit-requests: 0.0001` would pace a run for days."""
MAX_PACING_WAIT = 1 / MIN_HONOURED_PER_SECOND
"""The longest one request waits for its turn under the pace, whatever piled up before it:
one interval of the slowest pace there is (`digitalocean:requestsPerSecond` 0.01)."""


class RequestPacer:
    """Spaces requests to at most `per_second` (0: no limit); thread-safe.

    Each caller reserves the next free slot under the lock and sleeps outside it, so waiting
    threads do not block each other's bookkeeping. After a 429 that asks for a long wait
    (`rate_limited`), requests go at most at `RATE_LIMITED_PER_SECOND` for the rest of the
    client's life (a provider process lives for one operation): the budget is spent or shared,
    and requests that all came back at full speed would meet the limit again and again,
    spending their retries (a destroy of 300 keys did). A 429 that asks for a second or two (a
    proxy's, an upstream's) changes no pace.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def wait_turn(self, within: float = MAX_PACING_WAIT) -> float | None:
        """Wait for this request's turn, at most `MAX_PACING_WAIT`; the seconds waited (the
        caller counts them against the request's deadline), or None, without waiting or taking
        a turn, when the turn comes later than `within` seconds from now."""
        if not self._interval:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            wait = min(slot - now, MAX_PACING_WAIT)
            if wait > within:
                return None
            self._next_slot = slot + self._interval
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def rate_limited(self, retry_after: float | None, per_second: float | None = None) -> None:
        """The server answered 429 asking for `retry_after` seconds (None: it did not say);
        `per_second` is the pace its limit allows (None: DigitalOcean's documented 250 a
        minute; a figure below `MIN_HONOURED_PER_SECOND` is no real limit and is ignored)."""
        if retry_after is None or retry_after < LONG_RATE_LIMIT_WAIT:
            return
        if per_second is None or not per_second >= MIN_HONOURED_PER_SECOND:  # also NaN
            per_second = RATE_LIMITED_PER_SECOND
        with self._lock:
            self._interval = max(self._interval, 1.0 / per_second)
