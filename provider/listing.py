"""One key listing shared by every `read` of one Pulumi operation.

DigitalOcean has no GET for a single key, so finding a key means listing them all. A refresh of
N keys calls `read` N times, up to 4 at once; without sharing that is N full listings. Here the
first caller lists and the others wait for its answer, so a refresh costs ceil(N/200) requests.
A listing is reused for a short while only, and any change this process makes clears it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from .models import ApiKeyInfo

LISTING_TTL_SECONDS = 30.0


class SharedKeyListing:
    """Thread-safe: concurrent callers share one listing in flight or a recent one."""

    def __init__(
        self,
        fetch: Callable[[], Iterable[ApiKeyInfo]],
        *,
        ttl: float = LISTING_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._future: Future[dict[str, ApiKeyInfo]] | None = None
        self._started = 0.0

    def by_uuid(self) -> dict[str, ApiKeyInfo]:
        with self._lock:
            future = self._future
            fresh = future is not None and (
                not future.done() or self._clock() - self._started < self._ttl
            )
            owner = not fresh
            if owner:
                future = self._future = Future()
                self._started = self._clock()
        assert future is not None
        if owner:
            try:
                future.set_result({key.uuid: key for key in self._fetch()})
            except BaseException as error:
                future.set_exception(error)
                self.invalidate(future)
        return future.result()

    def invalidate(self, only: Future[dict[str, ApiKeyInfo]] | None = None) -> None:
        """Forget the listing (after a change, or a failed listing)."""
        with self._lock:
            if only is None or self._future is only:
                self._future = None
