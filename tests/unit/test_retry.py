"""Retry decisions and pacing are pure functions with injected time."""

from __future__ import annotations

import pytest
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.retry import (
    RATE_LIMITED_PER_SECOND,
    RequestPacer,
    RetryPolicy,
    should_retry,
    wait_seconds,
)
from support.clock import FakeClock

POLICY = RetryPolicy(max_retries=4, wait_min=1.0, wait_max=8.0, retry_after_cap=60.0)


def status_error(status: int, retry_after: float | None = None) -> errors.APIStatusError:
    return errors.error_for_status(
        status=status, method="GET", path="/p", body={}, headers={}, retry_after=retry_after
    )


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (status_error(429), True, True),
        (status_error(429), False, True),  # a 429 was refused before anything happened
        (status_error(429, retry_after=600), True, False),  # beyond the cap: fail fast
        (status_error(500), True, True),
        (status_error(503), True, True),
        (status_error(500), False, False),  # a create may have happened: reconcile instead
        (status_error(404), True, False),
        (status_error(401), True, False),
        (errors.ConnectionFailedError("GET", "/p", "refused"), False, True),
        (errors.ResponseLostError("POST", "/p", "dropped"), False, False),
        (errors.ResponseLostError("GET", "/p", "dropped"), True, True),
        (errors.RequestTimeoutError("GET", "/p", "slow"), True, True),
        (errors.RequestTimeoutError("POST", "/p", "slow"), False, False),
    ],
)
def test_should_retry(error: BaseException, idempotent: bool, expected: bool) -> None:
    assert should_retry(error, idempotent=idempotent, policy=POLICY) is expected


def test_server_wait_is_honoured_up_to_the_cap() -> None:
    exact = [
        wait_seconds(status_error(429, retry_after=s), 1, POLICY, rand=lambda: 0.0) for s in (3, 90)
    ]
    assert exact == [3, 60]


def test_server_waits_are_jittered_upwards_so_workers_do_not_retry_together() -> None:
    most = wait_seconds(status_error(429, retry_after=4), 1, POLICY, rand=lambda: 1.0)
    assert most == pytest.approx(4 * 1.25)
    # A zero retry-after still spreads over a share of wait_min.
    assert wait_seconds(status_error(429, retry_after=0), 1, POLICY, rand=lambda: 1.0) > 0
    spread = {wait_seconds(status_error(429, retry_after=1), 1, POLICY) for _ in range(4)}
    assert len(spread) == 4
    assert all(1 <= wait <= 1.25 * max(1, POLICY.wait_min) for wait in spread)


def test_backoff_doubles_with_jitter_and_stops_at_the_maximum() -> None:
    no_jitter = [wait_seconds(None, n, POLICY, rand=lambda: 0.0) for n in range(1, 6)]
    assert no_jitter == [1.0, 2.0, 4.0, 8.0, 8.0]
    full_jitter = wait_seconds(None, 3, POLICY, rand=lambda: 1.0)
    assert full_jitter == pytest.approx(4.0 * 0.75)


def test_pacer_spaces_requests() -> None:
    clock = FakeClock(now=100.0)  # standing still: three callers at one instant
    pacer = RequestPacer(4.0, clock=clock.time, sleep=clock.waits.append)
    for _ in range(3):
        pacer.wait_turn()
    assert clock.waits == [pytest.approx(0.25), pytest.approx(0.5)]


def test_pacer_off_by_default() -> None:
    pacer = RequestPacer(0, clock=lambda: 0.0, sleep=lambda s: pytest.fail("slept"))
    for _ in range(10):
        pacer.wait_turn()


def test_a_long_429_paces_the_client_and_a_short_one_does_not() -> None:
    clock = FakeClock(now=0.0)
    pacer = RequestPacer(0, clock=clock.time, sleep=clock.sleep)
    pacer.rate_limited(1.0)  # a proxy's "come back in a second": no pace
    for _ in range(3):
        pacer.wait_turn()
    assert clock.waits == []
    pacer.rate_limited(None)  # the server did not say: no pace either
    pacer.wait_turn()
    assert clock.waits == []
    pacer.rate_limited(48.0)  # the minute's budget is spent: 250 a minute from now on
    for _ in range(4):
        pacer.wait_turn()
    assert len(clock.waits) == 3
    assert all(abs(w - 1 / RATE_LIMITED_PER_SECOND) < 1e-9 for w in clock.waits)
