"""Through the real engine: an answer we cannot read never changes the state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import api_requests, clear_faults, fault
from support.secrets import expect
from support.stacks import ATTEMPTS, KeyStack, changes, key_stack

pytestmark = pytest.mark.e2e

HTML_LISTING = {
    "kind": "body",
    "method": "GET",
    "path": KEYS_PATH,
    "body": "<html><body>Service temporarily unavailable</body></html>",
}
"""What a proxy in front of the API answers during maintenance: 200, text/html."""


@pytest.fixture
def keys(backend, emulator: Emulator) -> Iterator[KeyStack]:
    with key_stack(backend, emulator) as stack:
        yield stack


def held(keys: KeyStack) -> list[str]:
    return sorted(r["id"] for r in keys.decrypted_resources())


def test_a_refresh_that_meets_malformed_listings_keeps_every_key(
    keys: KeyStack, emulator: Emulator
) -> None:
    specs = {"a": {"name": "a"}, "b": {"name": "b"}}
    keys.up(specs)
    before = held(keys)
    assert len(before) == 2

    fault(emulator, **HTML_LISTING, count=1)
    keys.refresh()  # the bad page is asked for again; the refresh completes
    assert held(keys) == before

    fault(emulator, **HTML_LISTING, count=ATTEMPTS)
    with pytest.raises(auto.CommandError) as failed:
        keys.refresh()  # every attempt bad: the refresh fails, it does not forget
    assert "is not a JSON object (text/html" in str(failed.value)
    assert held(keys) == before
    clear_faults(emulator)
    assert changes(keys.preview(specs)) == {}
    assert sorted(emulator.state.keys) == before


def test_a_create_whose_check_meets_a_malformed_listing_makes_exactly_one_key(
    keys: KeyStack, emulator: Emulator
) -> None:
    # The create's answer is lost; the listing that looks for the key it made is an HTML page
    # once (skip: the snapshot listing before the POST goes through).
    fault(emulator, kind="commit_then_drop", method="POST", path=KEYS_PATH, count=1)
    fault(emulator, **HTML_LISTING, skip=1, count=1)
    specs = {"k": {"name": "k"}}
    assert changes(keys.up(specs)) == {"create": 2}
    [made] = emulator.state.keys.values()
    assert keys.outputs()["k.uuid"] == made.uuid
    expect(
        emulator.state.secret_is_live(keys.outputs()["k.secret"]),
        True,
        "emulator.state.secret_is_live",
    )
    assert api_requests(emulator, f"POST {KEYS_PATH}") == 1


def test_a_create_whose_check_can_never_read_the_listing_sends_no_second_create(
    keys: KeyStack, emulator: Emulator
) -> None:
    fault(emulator, kind="commit_then_drop", method="POST", path=KEYS_PATH, count=1)
    fault(emulator, **HTML_LISTING, skip=1, count=ATTEMPTS)
    with pytest.raises(auto.CommandError) as failed:
        keys.up({"k": {"name": "k"}})
    [made] = emulator.state.keys.values()  # the one the lost create made; no second one
    assert api_requests(emulator, f"POST {KEYS_PATH}") == 1
    message = str(failed.value)
    assert "listing the keys to check for it failed" in message
    assert "A key named 'k' may exist now" in message
    emulator.state.delete_key(made.uuid)  # a person follows the advice
