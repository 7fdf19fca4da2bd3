"""Refreshing 1,000 keys under the emulator's 250-per-minute limit, through the real engine.

The minute's budget is nearly spent before the refresh starts, so the refresh must meet the 429
and wait as `retry-after` says. Once the budget is spent the emulator's clock moves on by most
of a minute, so that wait is a few seconds instead of sixty: the provider still has to do what
the emulator tells it (a client that did not wait would exhaust its retries and fail). The
budget comes back 6 s after it is spent: the refresh must reach its first listing before that,
and on a loaded machine the engine and provider take 2 to 3 s to get there (with 2 s of room,
one run in several saw the budget back before the second page and no 429 at all).
"""

from __future__ import annotations

import time

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from support.clock import FakeClock
from support.emulators import HTTP, api_requests, control
from support.stacks import KeyStack

pytestmark = pytest.mark.e2e

LIST_KEYS = f"GET {KEYS_PATH}"


def test_refresh_1000_keys_under_the_limit(backend, record_property) -> None:
    clock = FakeClock(running=True)  # real time, aged below when the budget is spent
    with Emulator(clock=clock.time) as emulator:
        keys = KeyStack(backend(), emulator)
        keys.seed(1000, "limited")  # a state of 1,000 keys, without 1,000 creates to wait for
        # The control API's limit is the subject: the secret checks (1,000 inference calls, a
        # limit of their own) are measured in benchmarks/secret_checks.py.
        keys.set_env("DIGITALOCEAN_VERIFY_SECRETS", "false")
        assert len(emulator.state.keys) == 1000

        control(emulator, "POST", "rate-limit", {"per_minute": 250})
        control(emulator, "POST", "stats/reset")
        headers = {"Authorization": f"Bearer {emulator.token}"}
        for _ in range(249):  # the minute's budget is nearly spent before the refresh starts
            answer = HTTP.get(
                f"{emulator.url}/v2/gen-ai/models", headers=headers, params={"per_page": 1}
            )
            assert answer.status_code == 200
        clock.age(54)  # to the refresh, those 249 are 54 s old: room again six seconds later
        started = time.monotonic()
        result = keys.refresh()
        elapsed = time.monotonic() - started
        assert result.summary.result == "succeeded"
        listings = api_requests(emulator, LIST_KEYS)
        # Five pages: the first fits the minute, the second meets the 429 and waits as told
        # (retry-after is whole seconds, so a page may be refused once more on the way).
        assert 6 <= listings <= 5 + 5 * 3, listings
        control(emulator, "POST", "rate-limit", {"per_minute": None})
    figures = {"refresh_seconds": round(elapsed, 1), "listing_requests": listings}
    record_property("rate_limited_refresh", figures)
    print("refresh of 1000 keys under 250/min:", figures)
