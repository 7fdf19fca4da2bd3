"""Refreshing 1,000 keys under the emulator's 250-per-minute limit."""

from __future__ import annotations

import math
import time

import httpx
import pytest
from conftest import api_requests, control
from do_genai_model_keys.emulator import Emulator
from support.stacks import KeyStack

pytestmark = pytest.mark.e2e

LIST_KEYS = "GET /v2/gen-ai/models/api_keys"


def test_refresh_1000_keys_under_the_limit(backend, emulator: Emulator, record_property) -> None:
    keys = KeyStack(backend(), emulator)
    specs = {f"k{n:04d}": {"name": f"limited-{n:04d}"} for n in range(1000)}
    keys.up(specs)
    assert len(emulator.state.keys) == 1000

    control(emulator, "POST", "rate-limit", {"per_minute": 250})
    control(emulator, "POST", "stats/reset")
    headers = {"Authorization": f"Bearer {emulator.token}"}
    window_opened = time.monotonic()
    for _ in range(249):  # the minute's budget is nearly spent before the refresh starts
        answer = httpx.get(
            f"{emulator.url}/v2/gen-ai/models", headers=headers, params={"per_page": 1}
        )
        assert answer.status_code == 200
    started = time.monotonic()
    spend_seconds = started - window_opened
    # One listing fits in the minute; the rest must wait until the window opens again.
    allowed = window_opened + 60 - started
    result = keys.refresh()
    elapsed = time.monotonic() - started
    assert result.summary.result == "succeeded"
    listings = api_requests(emulator, LIST_KEYS)
    # Five pages. The budget frees up as the pre-spent requests age out over `spend_seconds`, so
    # a page may meet a 429 for each second of that (retry-after: 1); a client that did not wait
    # as told would exhaust its retries and fail instead.
    assert 5 <= listings <= 5 + 5 * (math.ceil(spend_seconds) + 1)
    control(emulator, "POST", "rate-limit", {"per_minute": None})
    figures = {
        "refresh_seconds": round(elapsed, 1),
        "earliest_the_limit_allows_seconds": round(allowed, 1),
        "listing_requests": listings,
    }
    record_property("rate_limited_refresh", figures)
    print("refresh of 1000 keys under 250/min:", figures)
