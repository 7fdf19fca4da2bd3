"""A clock that a fake sleep moves: waits are recorded and take no time."""

from __future__ import annotations


class FakeClock:
    """`time()` for the client (and an emulator), `sleep()` for its waits: sleeping moves the
    clock forward and records the wait, so pacing and retry waits agree with each other."""

    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now
        self.waits: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
