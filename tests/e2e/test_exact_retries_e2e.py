"""Lost answers through the real engine: no key taken twice, none left behind, no silent dead
secret; each failed `up` is followed by one that converges."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE, api_requests, fault
from support.secrets import expect
from support.stacks import ATTEMPTS, KeySpecs, KeyStack, changes, key_stack

pytestmark = pytest.mark.e2e

REGENERATE = f"{KEY_ROUTE}/regenerate"


@pytest.fixture
def keys(backend, emulator: Emulator) -> Iterator[KeyStack]:
    with key_stack(backend, emulator) as stack:
        yield stack


def live_secrets(keys: KeyStack, emu: Emulator, names: list[str]) -> list[str]:
    outputs = keys.outputs()
    secrets = [outputs[f"{n}.secret"] for n in names]
    expect(all(emu.state.secret_is_live(s) for s in secrets), True, "all")
    return secrets


def test_two_resources_of_one_name_with_one_create_answer_lost(
    keys: KeyStack, emulator: Emulator
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    specs = {"first": {"name": "twin"}, "second": {"name": "twin"}}
    assert changes(keys.up(specs)) == {"create": 3}
    outputs = keys.outputs()
    assert outputs["first.uuid"] != outputs["second.uuid"]
    assert sorted(emulator.state.keys) == sorted([outputs["first.uuid"], outputs["second.uuid"]])
    first, second = live_secrets(keys, emulator, ["first", "second"])
    assert first != second
    assert api_requests(emulator, f"POST {KEYS_PATH}") == 2
    assert changes(keys.preview(specs)) == {}


def test_a_found_create_that_cannot_finish_leaves_nothing_and_the_next_up_converges(
    keys: KeyStack, emulator: Emulator
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    fault(emulator, method="PUT", path=REGENERATE, kind="status", status=500, count=ATTEMPTS)
    specs = {"only": {"name": "unfinished"}}
    with pytest.raises(auto.CommandError) as caught:
        keys.up(specs)
    assert "deleted again" in str(caught.value)
    assert emulator.state.keys == {}  # no orphan

    assert changes(keys.up(specs)) == {"create": 1}
    assert [k.name for k in emulator.state.keys.values()] == ["unfinished"]
    live_secrets(keys, emulator, ["only"])


def test_an_update_whose_regenerate_answer_was_lost_says_so_and_the_next_up_mends_it(
    keys: KeyStack, emulator: Emulator
) -> None:
    specs: KeySpecs = {"rotating": {"name": "rotating"}}
    keys.up(specs)
    [old] = live_secrets(keys, emulator, ["rotating"])

    fault(emulator, method="PUT", path=REGENERATE, kind="commit_then_drop", count=ATTEMPTS)
    specs["rotating"] = {"name": "rotating", "secret_version": 2}
    with pytest.raises(auto.CommandError) as caught:
        keys.up(specs)
    message = str(caught.value)
    assert "secret in the state has then stopped working" in message
    assert "Run `pulumi up` again" in message
    assert "response.. " not in message  # httpx's cause ends a sentence; no doubled full stop
    expect(
        emulator.state.secret_is_live(old), False, "emulator.state.secret_is_live"
    )  # the regenerates did happen

    assert changes(keys.up(specs)) == {"update": 1}
    [new] = live_secrets(keys, emulator, ["rotating"])
    assert new != old
    assert changes(keys.preview(specs)) == {}
