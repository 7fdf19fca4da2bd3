"""The one key listing of an account in a provider process, shared by every caller in it.

DigitalOcean has no GET for a single key, so finding a key means listing them all. A refresh of
N keys calls `read` N times, up to 4 at once; without sharing that is N full listings. Here the
first caller lists and the others wait for its answer, so a refresh costs ceil(N/200) requests.

One lifetime and one rule for change:
- a listing serves callers for `max_age` seconds after it started; one that is nearly due is
  renewed in the background while callers keep the one in hand, so a long burst of creates (each
  needs a listing as its before-picture, see `creates.py`) never stops to list;
- what this process changes (a key made, renamed or deleted) is written into the listing at once,
  and into a listing still in flight when it lands, so nobody reads our own change as missing and
  nothing has to be listed again because of it. Changes made elsewhere show when the listing is
  renewed.
Only a listing that has finished is handed out, so it always predates what the caller does next.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from ..api.models import ApiKeyInfo

LISTING_MAX_AGE_SECONDS = 30.0
"""How long a listing serves. The price of a longer one: a key someone else makes or renames
meanwhile shows that much later, and a same-named key made elsewhere in that window, just before
a create of ours whose answer is lost, cannot be told from ours (see `creates.py`). A renewal
starts twice the last listing's duration early, so a shorter life would list all the time when
a listing is slow (25 pages of 5,000 keys at 150 ms each take about 4 s)."""

Keys = dict[str, ApiKeyInfo]


class SharedKeyListing:
    """Thread-safe: concurrent callers share one listing in flight or a recent one."""

    def __init__(
        self,
        fetch: Callable[[], Iterable[ApiKeyInfo]],
        *,
        max_age: float = LISTING_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: tuple[Future[Keys], int, int] | None = None
        """The listing being fetched, the number of the last change made before it began, and
        its own number (listings are numbered as they start)."""
        self._ready: tuple[float, Keys, int] | None = None
        """The newest finished listing: when it started, its keys by UUID, and its number."""
        self._listings = 0
        self._took = 0.0
        """How long the newest finished listing took; a renewal starts that long early, twice."""
        self._changes: list[tuple[int, str, ApiKeyInfo | None]] = []
        """Changes this process made, numbered, that a listing in flight may not show yet."""
        self._changed = 0

    def by_uuid(self) -> Keys:
        """Every key by UUID, from a listing that started less than `max_age` seconds ago."""
        return self.listed()[1]

    def listed(self) -> tuple[int, Keys]:
        """`by_uuid` with the number of the listing it comes from, for `listed_after`."""
        with self._lock:
            now = self._clock()
            ready = self._ready if self._ready and now - self._ready[0] < self._max_age else None
            if ready is not None:
                if self._in_flight is None and now - ready[0] >= self._max_age - 2 * self._took:
                    renewal = self._start()
                    threading.Thread(target=self._run, args=(*renewal, now), daemon=True).start()
                return ready[2], ready[1]
            if self._in_flight is None:
                flight, owner = self._start(), True
            else:
                flight, owner = self._in_flight, False
        if owner:
            self._run(*flight, now)
        return flight[2], flight[0].result()

    def listed_after(self, number: int) -> Keys:
        """Every key by UUID, from a listing that started after listing `number`: the fresh
        look that confirms a key is gone before anyone acts on it. Callers who all missed keys
        in one listing share one new listing."""
        with self._lock:
            now = self._clock()
            if self._ready is not None and self._ready[2] > number:
                return self._ready[1]
            if self._in_flight is not None and self._in_flight[2] > number:
                flight, owner = self._in_flight, False
            else:
                flight, owner = self._start(), True
        if owner:
            self._run(*flight, now)
        return flight[0].result()

    def record(self, key: ApiKeyInfo) -> None:
        """This process made or renamed `key`: callers see it from now on."""
        self._change(key.uuid, key.model_copy(update={"secret_key": None}))

    def forget(self, uuid: str) -> None:
        """This process deleted the key `uuid`: callers no longer see it."""
        self._change(uuid, None)

    def expire(self) -> None:
        """Treat what was listed as too old, so the next caller lists again (a test's or a
        script's way to say that the world changed elsewhere)."""
        with self._lock:
            self._in_flight = None
            self._ready = None
            self._changes.clear()

    def _start(self) -> tuple[Future[Keys], int, int]:
        self._listings += 1
        flight: tuple[Future[Keys], int, int] = (Future(), self._changed, self._listings)
        self._in_flight = flight
        return flight

    def _change(self, uuid: str, key: ApiKeyInfo | None) -> None:
        with self._lock:
            self._changed += 1
            if self._in_flight is not None:
                self._changes.append((self._changed, uuid, key))
            if self._ready is not None:
                started, keys, number = self._ready
                self._ready = (started, _with(keys, uuid, key), number)

    def _run(self, future: Future[Keys], since: int, number: int, started: float) -> None:
        """List, apply the changes made since it began, and publish (unless `expire` ran)."""
        try:
            keys = {key.uuid: key for key in self._fetch()}
        except BaseException as error:
            with self._lock:
                if self._in_flight is not None and self._in_flight[0] is future:
                    self._in_flight = None
            future.set_exception(error)
            return
        with self._lock:
            for change, uuid, key in self._changes:
                if change > since:
                    keys = _with(keys, uuid, key)
            if self._in_flight is not None and self._in_flight[0] is future:
                self._in_flight = None
                self._changes.clear()
                self._ready = (started, keys, number)
                self._took = self._clock() - started
        future.set_result(keys)


def _with(keys: Keys, uuid: str, key: ApiKeyInfo | None) -> Keys:
    """A copy of `keys` with one change: callers may be iterating the one they hold."""
    changed = dict(keys)
    if key is None:
        changed.pop(uuid, None)
    else:
        changed[uuid] = key
    return changed
