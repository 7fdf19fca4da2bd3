"""ModelAccessKeyProvider's real methods against the emulator (no engine)."""

from __future__ import annotations

import base64
import math
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pulumi
import pytest
from do_genai_model_keys.api import errors, times
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.api.errors import GenAIError
from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider, check_inputs
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.lifecycle import inputs as key_inputs
from do_genai_model_keys.lifecycle import runtime
from pulumi.dynamic.dynamic import serialize_provider
from support.emulators import api_requests, control, fault
from support.secrets import different_secrets, expect, same_secret

LIST_KEYS = f"GET {KEYS_PATH}"


@pytest.fixture
def provider(emulator: Emulator) -> Iterator[ModelAccessKeyProvider]:
    runtime.configure_runtime(
        {"digitalocean:token": emulator.token, "digitalocean:apiEndpoint": emulator.url}.get
    )
    yield ModelAccessKeyProvider()
    runtime.reset_runtime()


def inputs(name: str = "app", **extra: object) -> dict[str, object]:
    return ModelAccessKeyProvider().check({}, {"name": name, **extra}).inputs


def create(
    provider: ModelAccessKeyProvider, name: str = "app", **extra: object
) -> tuple[str, dict]:
    result = provider.create(inputs(name, **extra))
    assert result.outs is not None
    return result.id, result.outs


@pytest.mark.parametrize(
    ("olds", "news", "field", "fragment"),
    [
        ({}, {"name": ""}, "name", "must not be empty"),
        ({}, {"name": "   "}, "name", "only whitespace"),
        ({}, {"name": "x" * 256}, "name", "the most is 255"),
        ({}, {"name": None}, "name", "required"),
        ({}, {"name": "a", "secret_version": "2"}, "secret_version", "whole number"),
        ({}, {"name": "a", "secret_version": 1.5}, "secret_version", "whole number"),
        ({}, {"name": "a", "secret_version": True}, "secret_version", "whole number"),
        ({}, {"name": "a", "secret_version": 0}, "secret_version", ">= 1"),
        (
            {"secret_version": 3},
            {"name": "a", "secret_version": 2},
            "secret_version",
            "cannot go down",
        ),
        ({}, {"name": "a", "rotate_after_days": 0}, "rotate_after_days", "> 0"),
        ({}, {"name": "a", "rotate_after_days": -3}, "rotate_after_days", "> 0"),
        ({}, {"name": "a", "rotate_after_days": "30"}, "rotate_after_days", "> 0"),
        ({}, {"name": "a", "adopt_uuid": "nope"}, "adopt_uuid", "must be a key UUID"),
        (
            {},
            {
                "name": "a",
                "adopt_uuid": "3f2b6a4e-1111-4222-8333-444455556666",
                "adopt_existing": True,
            },
            "adopt_uuid",
            "not both",
        ),
    ],
)
def test_check_names_the_field_and_the_fix(olds, news, field: str, fragment: str) -> None:
    failures = check_inputs(olds, news)
    assert [f.property for f in failures] == [field]
    assert fragment in failures[0].reason


def test_check_accepts_good_inputs_and_unknowns_during_preview() -> None:
    assert check_inputs({}, {"name": "ok", "secret_version": 2, "rotate_after_days": 30}) == []
    assert (
        check_inputs({}, {"name": key_inputs.UNKNOWN, "secret_version": key_inputs.UNKNOWN}) == []
    )
    assert check_inputs({"secret_version": 2}, {"name": "ok", "secret_version": 2.0}) == []
    # What the SDK really hands `check` in a preview: `Unknown` objects, also inside a map.
    unknown = pulumi.output.Unknown()
    news = {"name": unknown, "secret_version": unknown, "account": {"token": unknown}}
    assert ModelAccessKeyProvider().check({}, news).failures == []


def test_create_read_update_delete(provider: ModelAccessKeyProvider, emulator: Emulator) -> None:
    key_id, outs = create(provider)
    assert outs["uuid"] == key_id
    same_secret(outs["secret_key"], emulator.state.keys[key_id].secret, "outs['secret_key']")
    assert outs["secret_version"] == 1
    assert outs["rotated_at"]

    same = provider.diff(key_id, outs, inputs())
    assert same.changes is False

    renamed_inputs = inputs("app-2")
    rename = provider.diff(key_id, outs, renamed_inputs)
    assert rename.changes is True
    assert rename.replaces == []
    outs2 = provider.update(key_id, outs, renamed_inputs).outs
    assert outs2 is not None
    assert (outs2["uuid"], outs2["name"]) == (key_id, "app-2")
    same_secret(outs2["secret_key"], outs["secret_key"], "the secret after a rename")

    bumped = inputs("app-2", secret_version=2)
    assert provider.diff(key_id, outs2, bumped).changes is True
    outs3 = provider.update(key_id, outs2, bumped).outs
    assert outs3 is not None
    different_secrets(outs3["secret_key"], outs["secret_key"], "outs3['secret_key']")
    same_secret(outs3["secret_key"], emulator.state.keys[key_id].secret, "outs3['secret_key']")
    assert outs3["secret_version"] == 2

    read = provider.read(key_id, outs3)
    assert read.id == key_id
    assert read.outs is not None
    same_secret(
        read.outs["secret_key"], outs3["secret_key"], "read.outs['secret_key']"
    )  # carried forward

    provider.delete(key_id, outs3)
    provider.delete(key_id, outs3)  # already gone: still fine
    assert emulator.state.keys == {}


def test_a_changed_pickled_provider_alone_is_no_change(provider: ModelAccessKeyProvider) -> None:
    key_id, outs = create(provider)
    news = {**inputs(), "__provider": "something-else-entirely"}
    assert provider.diff(key_id, {**outs, "__provider": "old"}, news).changes is False


def test_read_sees_out_of_band_rename_and_delete(
    provider: ModelAccessKeyProvider, emulator: Emulator
) -> None:
    key_id, outs = create(provider)
    emulator.state.rename_key(key_id, "renamed-in-panel")
    runtime.runtime().keys.listing.expire()
    read = provider.read(key_id, outs)
    assert read.outs is not None
    assert read.outs["name"] == "renamed-in-panel"
    same_secret(read.outs["secret_key"], outs["secret_key"], "read.outs['secret_key']")
    assert provider.diff(key_id, read.outs, inputs()).changes is True  # next up renames back

    emulator.state.delete_key(key_id)
    runtime.runtime().keys.listing.expire()
    gone = provider.read(key_id, outs)
    assert gone.id is None
    assert gone.outs == {}


def test_rotation_comes_due_by_the_clock(
    provider: ModelAccessKeyProvider, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(times.CLOCK_ENV, "2027-01-01T00:00:00Z")
    news = inputs(rotate_after_days=30)
    key_id, outs = create(provider, rotate_after_days=30)
    assert outs["rotated_at"] == "2027-01-01T00:00:00Z"
    monkeypatch.setenv(times.CLOCK_ENV, "2027-01-30T23:59:00Z")
    assert provider.diff(key_id, outs, news).changes is False
    monkeypatch.setenv(times.CLOCK_ENV, "2027-01-31T00:00:00Z")
    assert provider.diff(key_id, outs, news).changes is True
    rotated = provider.update(key_id, outs, news).outs
    assert rotated is not None
    different_secrets(rotated["secret_key"], outs["secret_key"], "rotated['secret_key']")
    assert rotated["rotated_at"] == "2027-01-31T00:00:00Z"
    assert provider.diff(key_id, rotated, news).changes is False


def test_concurrent_reads_share_one_listing(
    provider: ModelAccessKeyProvider, emulator: Emulator
) -> None:
    made = [emulator.state.create_key(f"k{n}") for n in range(300)]
    runtime.runtime().keys.listing.expire()
    start = threading.Barrier(4)

    def read(key) -> str | None:
        if key is made[0] or key is made[1] or key is made[2] or key is made[3]:
            start.wait(timeout=5)
        return provider.read(key.uuid, {"name": key.name}).id

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(read, made))
    assert found == [k.uuid for k in made]
    assert api_requests(emulator, LIST_KEYS) <= math.ceil(300 / 200) + 1


def test_one_listing_without_the_stacks_keys_drops_none_of_them(
    provider: ModelAccessKeyProvider, emulator: Emulator
) -> None:
    """A listing that comes back without the keys (an account mix-up behind a gateway, a
    cache) is confirmed by one fresh listing, shared by every read that missed, before any key
    leaves the state; a key really gone is still dropped."""
    made = [emulator.state.create_key(f"k{n}") for n in range(8)]
    gone = emulator.state.create_key("gone")
    emulator.state.delete_key(gone.uuid)
    runtime.runtime().keys.listing.expire()
    control(emulator, "POST", "stats/reset")
    empty = '{"api_key_infos": [], "meta": {"total": 0}}'
    fault(emulator, kind="body", path=KEYS_PATH, body=empty, count=1)
    fault(emulator, kind="latency", path=KEYS_PATH, latency_ms=200)

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda k: provider.read(k.uuid, {"name": k.name}).id, made))
    assert found == [k.uuid for k in made]
    assert api_requests(emulator, LIST_KEYS) == 2  # the odd one, and one to confirm
    assert provider.read(gone.uuid, {"name": "gone"}).id is None


def test_retired_create_explains_adoption(
    emulator: Emulator, provider: ModelAccessKeyProvider
) -> None:
    emulator.state.retire_create = True
    with pytest.raises(errors.CreationRetiredError) as caught:
        create(provider, "wanted")
    text = str(caught.value)
    assert text.startswith("creating model access key 'wanted': [request ")
    assert caught.value.status == 410
    assert "adopt_uuid" in text
    assert "adopt_existing=True" in text


def test_adoption_by_uuid_and_by_name(emulator: Emulator, provider: ModelAccessKeyProvider) -> None:
    emulator.state.retire_create = True
    by_uuid = emulator.state.create_key("panel-a")
    old_secret = by_uuid.secret
    key_id, outs = create(provider, "panel-a", adopt_uuid=by_uuid.uuid)
    assert key_id == by_uuid.uuid
    expect(outs["secret_key"] != "", True, "a secret was issued")
    different_secrets(outs["secret_key"], old_secret, "adoption regenerated the panel's secret")
    same_secret(outs["secret_key"], emulator.state.keys[key_id].secret, "outs['secret_key']")

    by_name = emulator.state.create_key("panel-b")
    key_id, outs = create(provider, "panel-b", adopt_existing=True, regenerate_on_adopt=False)
    assert key_id == by_name.uuid
    assert outs["secret_key"] == ""
    same_secret(emulator.state.keys[key_id].secret, by_name.secret, "the panel secret")  # untouched


def test_adoption_errors_list_candidates_by_name_and_uuid_only(
    emulator: Emulator, provider: ModelAccessKeyProvider
) -> None:
    twins = [emulator.state.create_key("twin") for _ in range(2)]
    with pytest.raises(GenAIError) as ambiguous:
        create(provider, "twin", adopt_existing=True)
    text = str(ambiguous.value)
    assert "2 model access keys have the name 'twin'" in text
    assert all(t.uuid in text for t in twins)
    expect(all(t.secret not in text for t in twins), True, "all")

    with pytest.raises(GenAIError, match="no model access key has the name 'ghost'"):
        create(provider, "ghost", adopt_existing=True)
    with pytest.raises(GenAIError, match="no model access key has UUID"):
        create(provider, "x", adopt_uuid="3f2b6a4e-1111-4222-8333-444455556666")


def test_update_of_a_key_deleted_meanwhile_says_refresh(
    emulator: Emulator, provider: ModelAccessKeyProvider
) -> None:
    key_id, outs = create(provider)
    emulator.state.delete_key(key_id)
    with pytest.raises(GenAIError, match="pulumi refresh"):
        provider.update(key_id, outs, inputs("renamed"))


def test_api_refusals_name_the_key_operation_and_scope() -> None:
    with Emulator(tokens={"ro": frozenset({"genai:read"})}) as emu:
        runtime.configure_runtime(
            {"digitalocean:token": "ro", "digitalocean:apiEndpoint": emu.url}.get
        )
        try:
            with pytest.raises(errors.PermissionDeniedError) as caught:
                ModelAccessKeyProvider().create(inputs("blocked"))
        finally:
            runtime.reset_runtime()
    text = str(caught.value)
    assert text.startswith("creating model access key 'blocked': ")
    assert "403" in text
    assert "genai:create" in text
    assert "[request " in text


def test_the_pickled_provider_holds_no_token_even_after_configure(emulator: Emulator) -> None:
    instance = ModelAccessKeyProvider()
    before = serialize_provider(instance)
    runtime.configure_runtime(
        {"digitalocean:token": emulator.token, "digitalocean:apiEndpoint": emulator.url}.get
    )
    try:
        after = serialize_provider(instance)
    finally:
        runtime.reset_runtime()
    assert before == after
    pickled = base64.b64decode(after)
    expect(emulator.token.encode() in pickled, False, "the token in the pickled provider")
    assert b"do_genai_model_keys.resources" in pickled  # by reference, not by value
    assert len(pickled) < 200


PINNED_PROVIDER = (
    "gASVPwAAAAAAAACMHWRvX2dlbmFpX21vZGVsX2tleXMucmVzb3VyY2VzlIwWTW9kZWxBY2Nlc3NLZXlQcm92aWRlcpST"
    "lCmBlC4="
)
"""The `__provider` input every user's state holds: a reference to
`do_genai_model_keys.resources.ModelAccessKeyProvider`; the class lives in `dynamic.resources`
and keeps this name (a stable module at the old path re-exports it). It moved once, from the
top-level `provider` package (whose name users' own `provider.py` files shadowed), before any
release; from now on changing this name would break every stack (the engine could no longer load
the provider to refresh, update or delete), so it is fixed for good; the README says so."""


def test_the_pickled_provider_reference_never_moves() -> None:
    assert serialize_provider(ModelAccessKeyProvider()) == PINNED_PROVIDER
    assert b"do_genai_model_keys.resources" in base64.b64decode(PINNED_PROVIDER)
