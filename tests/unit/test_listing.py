"""The shared key listing: one fetch for concurrent callers, renewed ahead of time, with this
process's own changes written in.

The fetch is a stand-in the test holds open with events and the clock is the test's, so each
assertion is about order and counts, never about timing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from do_genai_model_keys.api.models import ApiKeyInfo
from do_genai_model_keys.keys.listing import SharedKeyListing
from support.clock import FakeClock


class HeldFetch:
    """A fetch that counts its calls and, when `hold` is set, waits for `release`."""

    def __init__(self) -> None:
        self.calls = 0
        self.hold = False
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls_take: tuple[FakeClock, float] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Iterator[ApiKeyInfo]:
        with self._lock:
            self.calls += 1
            call = self.calls
        if self.calls_take:
            clock, seconds = self.calls_take
            clock.now += seconds
        if self.hold:
            self.started.set()
            assert self.release.wait(10), "the test never released the fetch"
        yield ApiKeyInfo(uuid=f"key-{call}", name=f"listing {call}")


@pytest.fixture
def fetch() -> HeldFetch:
    return HeldFetch()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=100.0)


def call_in_thread(listing: SharedKeyListing) -> tuple[threading.Thread, list[dict]]:
    out: list[dict] = []
    thread = threading.Thread(target=lambda: out.append(listing.by_uuid()))
    thread.start()
    return thread, out


def test_concurrent_callers_share_one_fetch_and_a_recent_listing_is_reused(fetch, clock) -> None:
    listing = SharedKeyListing(fetch, max_age=30, clock=clock)
    fetch.hold = True
    first, first_out = call_in_thread(listing)
    assert fetch.started.wait(10)
    second, second_out = call_in_thread(listing)
    fetch.release.set()
    first.join(10)
    second.join(10)
    assert first_out == second_out
    assert list(first_out[0]) == ["key-1"]
    clock.now += 29
    assert list(listing.by_uuid()) == ["key-1"]
    assert fetch.calls == 1
    clock.now += 2
    assert list(listing.by_uuid()) == ["key-2"]


def test_expire_forgets_the_listing_and_one_in_flight_is_never_published(fetch, clock) -> None:
    listing = SharedKeyListing(fetch, max_age=30, clock=clock)
    listing.by_uuid()
    fetch.hold = True
    listing.expire()
    waiter, out = call_in_thread(listing)
    assert fetch.started.wait(10)
    listing.expire()  # the world changed elsewhere while that listing was in flight
    fetch.release.set()
    waiter.join(10)
    assert list(out[0]) == ["key-2"]  # its own caller still gets it
    assert list(listing.by_uuid()) == ["key-3"]  # but nobody else does


def test_a_failed_fetch_reaches_its_callers_and_the_next_call_lists_again(clock) -> None:
    answers: list[object] = [RuntimeError("listing failed"), [ApiKeyInfo(uuid="u", name="n")]]

    def flaky() -> list[ApiKeyInfo]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, list)
        return answer

    listing = SharedKeyListing(flaky, max_age=30, clock=clock)
    with pytest.raises(RuntimeError, match="listing failed"):
        listing.by_uuid()
    assert list(listing.by_uuid()) == ["u"]


def test_refresh_ahead_renews_in_the_background_and_hands_out_only_finished_listings(
    fetch, clock
) -> None:
    listing = SharedKeyListing(fetch, max_age=5, clock=clock)
    assert list(listing.by_uuid()) == ["key-1"]  # the first caller has to wait for one
    clock.now += 4.9  # an instant listing is renewed only when due: at the age limit
    assert list(listing.by_uuid()) == ["key-1"]
    assert fetch.calls == 1
    clock.now -= 4.9
    fetch.calls_take = (clock, 1.0)  # from now on a listing takes a second
    listing.expire()
    assert list(listing.by_uuid()) == ["key-2"]  # started at 100, done at 101
    clock.now = 103.0  # 100 + 5 - 2 x 1: renewal due
    fetch.hold = True
    assert list(listing.by_uuid()) == ["key-2"]  # answered at once, from the finished one
    assert fetch.started.wait(10)
    assert list(listing.by_uuid()) == ["key-2"]  # still in flight: no second renewal
    assert fetch.calls == 3
    fetch.release.set()
    for _ in range(100):  # the renewal publishes itself once its fetch returns
        if list(listing.by_uuid()) == ["key-3"]:
            break
        threading.Event().wait(0.05)
    assert list(listing.by_uuid()) == ["key-3"]
    assert fetch.calls == 3


def test_refresh_ahead_waits_when_the_listing_in_hand_has_expired(fetch, clock) -> None:
    listing = SharedKeyListing(fetch, max_age=5, clock=clock)
    listing.by_uuid()
    clock.now += 6  # idle past the age limit: a stale snapshot must never be used
    fetch.hold = True
    waiter, out = call_in_thread(listing)
    assert fetch.started.wait(10)
    assert not out
    fetch.release.set()
    waiter.join(10)
    assert list(out[0]) == ["key-2"]


def test_refresh_ahead_starts_early_by_twice_what_the_last_listing_took(clock) -> None:
    calls = []

    def slow_fetch() -> list[ApiKeyInfo]:
        calls.append(clock.now)
        clock.now += 1.0  # this listing takes one second of the test's clock
        return [ApiKeyInfo(uuid=f"k{len(calls)}", name="n")]

    listing = SharedKeyListing(slow_fetch, max_age=5, clock=clock)
    listing.by_uuid()  # started at 100, took 1 s: a renewal is due from 100 + 5 - 2 = 103
    clock.now = 102.9
    listing.by_uuid()
    assert len(calls) == 1
    clock.now = 103.0
    listing.by_uuid()
    for _ in range(100):
        if len(calls) == 2:
            break
        threading.Event().wait(0.05)
    assert len(calls) == 2


def test_our_own_changes_are_written_into_the_listing_without_listing_again(fetch, clock) -> None:
    listing = SharedKeyListing(fetch, max_age=30, clock=clock)
    assert list(listing.by_uuid()) == ["key-1"]
    listing.record(ApiKeyInfo(uuid="made", name="made here", secret_key="sk-not-kept"))
    listing.record(ApiKeyInfo(uuid="key-1", name="renamed here"))
    assert {k: v.name for k, v in listing.by_uuid().items()} == {
        "key-1": "renamed here",
        "made": "made here",
    }
    assert listing.by_uuid()["made"].secret_key is None  # a listing never holds a secret
    listing.forget("made")
    assert list(listing.by_uuid()) == ["key-1"]
    assert fetch.calls == 1


def test_a_change_made_while_a_listing_is_in_flight_is_applied_when_it_lands(fetch, clock) -> None:
    listing = SharedKeyListing(fetch, max_age=30, clock=clock)
    fetch.hold = True
    waiter, out = call_in_thread(listing)
    assert fetch.started.wait(10)
    listing.record(ApiKeyInfo(uuid="made", name="made meanwhile"))
    listing.forget("key-1")  # deleted meanwhile: the listing may have read it before
    fetch.release.set()
    waiter.join(10)
    assert list(out[0]) == ["made"]
    assert list(listing.by_uuid()) == ["made"]
    assert fetch.calls == 1


def test_a_key_missing_from_a_listing_is_looked_for_in_a_newer_one_even_after_changes() -> None:
    """Changes recorded while a listing is in flight must not pass for a newer listing: the
    look that confirms a key is gone is always a listing started after the one that missed it
    (a change counter mistaken for the listing's number once skipped it)."""
    release = threading.Event()
    calls: list[int] = []

    def fetch() -> list[ApiKeyInfo]:
        calls.append(len(calls))
        if len(calls) == 1:
            release.wait(timeout=10)
        return []

    listing = SharedKeyListing(fetch)
    got: list[tuple[int, dict]] = []
    first = threading.Thread(target=lambda: got.append(listing.listed()))
    first.start()
    while not calls:
        threading.Event().wait(0.01)
    for n in range(3):  # changes made while it is in flight
        listing.record(ApiKeyInfo(uuid=f"00000000-0000-4000-8000-00000000000{n}", name=f"k{n}"))
    release.set()
    first.join(timeout=10)
    [(number, _keys)] = got
    listing.listed_after(number)
    assert len(calls) == 2  # a new listing, not the one that missed
