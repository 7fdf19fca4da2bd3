"""One key listing shared by the callers of one process.

DigitalOcean has no GET for a single key, so finding a key means listing them all. A refresh of
N keys calls `read` N times, up to 4 at once; without sharing that is N full listings. Here the
first caller lists and the others wait for its answer, so a refresh costs ceil(N/200) requests.
A listing is reused for a short while only, and any change this process makes clears it.

The creates' snapshots (see `creates.py`) use one with `refresh_ahead`: a listing about to expire
is renewed in the background while callers keep the one in hand, so a long burst of creates
never stops to list. Only a listing that has finished is handed out, so a snapshot always
predates the POST that follows it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from .models import ApiKeyInfo

LISTING_TTL_SECONDS = 30.0

Keys = dict[str, ApiKeyInfo]


class SharedKeyListing:
    """Thread-safe: concurrent callers share one listing in flight or a recent one."""

    def __init__(
        self,
        fetch: Callable[[], Iterable[ApiKeyInfo]],
        *,
        ttl: float = LISTING_TTL_SECONDS,
        refresh_ahead: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._refresh_ahead = refresh_ahead
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: Future[Keys] | None = None
        self._ready: tuple[float, Keys] | None = None
        """The newest finished listing: when it started, and its keys by UUID."""
        self._took = 0.0
        """How long the newest finished listing took; a renewal starts that long early, twice."""

    def by_uuid(self) -> Keys:
        """Every key by UUID, from a listing that started less than `ttl` seconds ago."""
        with self._lock:
            now = self._clock()
            in_flight = self._in_flight
            ready = self._ready if self._ready and now - self._ready[0] < self._ttl else None
            if ready and (in_flight is None or self._refresh_ahead):
                if self._refresh_ahead and in_flight is None and self._due(ready[0], now):
                    renewal = self._in_flight = Future()
                    threading.Thread(target=self._run, args=(renewal, now), daemon=True).start()
                return ready[1]
            if in_flight is None:
                in_flight = self._in_flight = Future()
                owner = True
            else:
                owner = False
        if owner:
            self._run(in_flight, now)
        return in_flight.result()

    def invalidate(self) -> None:
        """Forget every listing (after a change this process made)."""
        with self._lock:
            self._in_flight = None
            self._ready = None

    def _due(self, started: float, now: float) -> bool:
        return now - started >= self._ttl - 2 * self._took

    def _run(self, future: Future[Keys], started: float) -> None:
        """List, then publish the result unless `invalidate` ran meanwhile."""
        try:
            keys = {key.uuid: key for key in self._fetch()}
        except BaseException as error:
            with self._lock:
                if self._in_flight is future:
                    self._in_flight = None
            future.set_exception(error)
            return
        with self._lock:
            if self._in_flight is future:
                self._in_flight = None
                self._ready = (started, keys)
                self._took = self._clock() - started
        future.set_result(keys)
