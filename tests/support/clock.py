"""The tests' one clock: waits are recorded and take no time, and the test moves it."""

from __future__ import annotations

import time
from collections.abc import Callable


def _standing_still() -> float:
    return 0.0


class FakeClock:
    """`time()` for the client (and an emulator), or the clock itself called (a listing's
    `clock`), and `sleep()` for its waits: sleeping moves the clock forward and records the
    wait, so pacing and retry waits agree with each other. The test moves it by setting `now`.

    For callers that all arrive at one instant, `sleep=clock.waits.append` records the waits
    with the clock standing still.

    `running=True` makes it run with real time (from the real time unless `now` is given): an
    emulator that a real engine calls in real time, aged by `age` when the test says.
    """

    def __init__(self, now: float | None = None, *, running: bool = False) -> None:
        self._source: Callable[[], float] = time.time if running else _standing_still
        self._shift = 0.0
        self._aged_to: float | None = None
        self.waits: list[float] = []
        if now is not None or not running:
            self.now = 1_900_000_000.0 if now is None else now

    @property
    def now(self) -> float:
        return self._source() + self._shift

    @now.setter
    def now(self, value: float) -> None:
        self._shift = value - self._source()

    def time(self) -> float:
        if self._aged_to is not None:
            self.now, self._aged_to = self._aged_to, None
        return self.now

    __call__ = time

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def age(self, seconds: float) -> None:
        """At the next reading, what came before this call is `seconds` old, however long passed
        in between (an engine starting): the clock jumps to this call's time plus `seconds` and
        runs on from there."""
        self._aged_to = self.now + seconds
