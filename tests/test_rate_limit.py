"""Under the emulator's per-minute limit the client paces itself by retry-after: no failures,
and (in simulated time) about as fast as the limit allows."""

from __future__ import annotations

import math

from do_genai_model_keys import GenAIClient
from do_genai_model_keys.config import ClientSettings
from do_genai_model_keys.emulator import Emulator
from pydantic import SecretStr


class FakeClock:
    """Shared by the emulator and the client: sleeping moves time forward."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_thousand_reads_under_250_a_minute(record_property) -> None:
    clock = FakeClock()
    with Emulator(per_minute_limit=250, clock=clock.time) as emu:
        settings = ClientSettings(token=SecretStr(emu.token), api_endpoint=emu.url)
        with GenAIClient(settings=settings, sleep=clock.sleep, clock=clock.time) as client:
            start = clock.now
            for _ in range(1000):
                client.list_keys()
            elapsed = clock.now - start
        sent = sum(emu.state.stats_snapshot()["requests"].values())  # counted by the server
    floor = (math.ceil(1000 / 250) - 1) * 60  # the last window opens after three full minutes
    record_property(
        "rate_limit", {"simulated_seconds": elapsed, "floor_seconds": floor, "requests": sent}
    )
    print(f"1000 reads under 250/min: {elapsed:.0f} s simulated (floor {floor} s), {sent} requests")
    assert floor <= elapsed <= floor + 60
    assert sent - 1000 <= 1000 // 250 * 2  # about one refused request per window
