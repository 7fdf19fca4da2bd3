"""Under the emulator's per-minute limit the client waits as retry-after says, then paces
itself to the limit: no failures, one refusal, and (in simulated time) about as fast as the
limit allows."""

from __future__ import annotations

import math

from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api.config import ClientSettings
from do_genai_model_keys.emulator import Emulator
from pydantic import SecretStr
from support.clock import FakeClock


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
    # The first 250 at once, the server's wait (a minute, jittered up to a quarter more), then
    # the other 750 at 250 a minute.
    paced = 60 * 1.25 + (1000 - 250) / (250 / 60)
    record_property(
        "rate_limit", {"simulated_seconds": elapsed, "floor_seconds": floor, "requests": sent}
    )
    print(f"1000 reads under 250/min: {elapsed:.0f} s simulated (floor {floor} s), {sent} requests")
    assert floor <= elapsed <= paced + 1
    assert sent - 1000 == 1  # one refusal: paced from then on, never refused again
