"""ModelAccessKey through the real Pulumi engine against the emulator."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import api_requests, control, inference_status
from support.secrets import different_secrets, expect, same_secret, secret_absent
from support.stacks import KeySpecs, KeyStack, changes, key_stack

pytestmark = pytest.mark.e2e

LIST_KEYS = f"GET {KEYS_PATH}"


@pytest.fixture
def keys(backend, emulator: Emulator) -> Iterator[KeyStack]:
    with key_stack(backend, emulator) as stack:
        yield stack


def test_lifecycle_create_rename_regenerate_refresh(keys: KeyStack, emulator: Emulator) -> None:
    specs: KeySpecs = {"alpha": {"name": "alpha"}, "beta": {"name": "beta"}}
    up = keys.up(specs)
    assert changes(up) == {"create": 3}
    out = keys.outputs()
    assert {k.name for k in emulator.state.keys.values()} == {"alpha", "beta"}
    expect(inference_status(emulator, out["alpha.secret"]), 200, "inference_status")

    assert changes(keys.preview(specs)) == {}

    # A rename is an in-place update: same UUID, same secret.
    specs["alpha"] = {"name": "alpha-renamed"}
    assert changes(keys.up(specs)) == {"update": 1}
    renamed = keys.outputs()
    assert renamed["alpha.uuid"] == out["alpha.uuid"]
    same_secret(renamed["alpha.secret"], out["alpha.secret"], "renamed['alpha.secret']")
    assert emulator.state.keys[out["alpha.uuid"]].name == "alpha-renamed"

    # A version bump regenerates in place; the old secret stops working.
    specs["alpha"] = {"name": "alpha-renamed", "secret_version": 2}
    assert changes(keys.up(specs)) == {"update": 1}
    bumped = keys.outputs()
    assert bumped["alpha.uuid"] == out["alpha.uuid"]
    different_secrets(bumped["alpha.secret"], out["alpha.secret"], "bumped['alpha.secret']")
    expect(inference_status(emulator, bumped["alpha.secret"]), 200, "inference_status")
    expect(inference_status(emulator, out["alpha.secret"]), 401, "inference_status")

    # Out-of-band rename: refresh shows it, the next up renames it back.
    emulator.state.rename_key(out["beta.uuid"], "beta-clicked")
    keys.refresh()  # refresh updates the resource's state (stack outputs wait for the next up)
    names = {r["outputs"]["uuid"]: r["outputs"]["name"] for r in keys.decrypted_resources()}
    assert names[out["beta.uuid"]] == "beta-clicked"
    assert changes(keys.preview(specs)) == {"update": 1}
    keys.up(specs)
    assert emulator.state.keys[out["beta.uuid"]].name == "beta"
    same_secret(keys.outputs()["beta.secret"], out["beta.secret"], "keys.outputs()['beta.secret']")

    # Out-of-band delete: refresh drops it from the state, the next up recreates it.
    emulator.state.delete_key(out["beta.uuid"])
    keys.refresh()
    assert [r["outputs"]["name"] for r in keys.decrypted_resources()] == ["alpha-renamed"]
    assert changes(keys.up(specs)) == {"create": 1}
    assert keys.outputs()["beta.uuid"] != out["beta.uuid"]
    assert len(emulator.state.keys) == 2


def test_rotate_after_days_regenerates_once_due(keys: KeyStack, emulator: Emulator) -> None:
    specs = {"timed": {"name": "timed", "rotate_after_days": 30}}
    keys.open(specs)
    keys.set_env("DO_GENAI_NOW", "2027-03-01T00:00:00Z")
    keys.up(specs)
    first = keys.outputs()["timed.secret"]

    keys.set_env("DO_GENAI_NOW", "2027-03-30T00:00:00Z")
    assert changes(keys.preview(specs)) == {}

    keys.set_env("DO_GENAI_NOW", "2027-04-01T00:00:00Z")
    assert changes(keys.preview(specs)) == {"update": 1}
    keys.up(specs)
    second = keys.outputs()["timed.secret"]
    assert second != first
    assert inference_status(emulator, first) == 401
    assert inference_status(emulator, second) == 200
    assert changes(keys.preview(specs)) == {}


def test_retired_create_fails_clearly_and_adoption_works(backend) -> None:
    with Emulator() as emu:
        stack = KeyStack(backend(), emu)
        with pytest.raises(auto.CommandError) as caught:
            stack.up({"fresh": {"name": "fresh"}})
        assert "adopt_uuid" in str(caught.value)
        assert "control panel" in str(caught.value)

        panel_a = emu.state.create_key("panel-a")
        panel_b = emu.state.create_key("panel-b")
        twins = [emu.state.create_key("twin") for _ in range(2)]
        specs: KeySpecs = {
            "a": {"name": "panel-a", "adopt_uuid": panel_a.uuid},
            "b": {"name": "panel-b", "adopt_existing": True},
        }
        stack.up(specs)
        out = stack.outputs()
        assert (out["a.uuid"], out["b.uuid"]) == (panel_a.uuid, panel_b.uuid)
        expect(inference_status(emu, out["a.secret"]), 200, "inference_status")
        expect(inference_status(emu, out["b.secret"]), 200, "inference_status")
        assert len(emu.state.keys) == 4  # nothing new was made

        with pytest.raises(auto.CommandError) as ambiguous:
            stack.up({**specs, "t": {"name": "twin", "adopt_existing": True}})
        assert "2 model access keys have the name 'twin'" in str(ambiguous.value)
        assert all(t.uuid in str(ambiguous.value) for t in twins)
        stack.destroy()
        assert {k.name for k in emu.state.keys.values()} == {"twin"}


def test_secrets_stay_encrypted_and_out_of_every_output(keys: KeyStack, emulator: Emulator) -> None:
    specs = {"s": {"name": "s"}}
    keys.up(specs)
    keys.up({"s": {"name": "s", "secret_version": 2}})
    keys.refresh()
    secret = keys.outputs()["s.secret"]
    token = emulator.token

    raw_state = keys.state_file().read_text()
    encrypted = keys.encrypted_export()
    for text in (raw_state, encrypted):
        secret_absent(secret, text, "text")
        secret_absent(token, text, "the state")
        assert '"ciphertext"' in text

    decrypted = keys.decrypted_resources()
    assert decrypted[0]["outputs"]["secret_key"]["plaintext"]  # it is there, as a secret
    provider_blob = decrypted[0]["inputs"]["__provider"]
    secret_absent(
        token,
        str(decrypted).replace(str(decrypted[0]["outputs"]["secret_key"]), ""),
        "the decrypted state",
    )
    assert "do_genai_model_keys.resources" in __import__("base64").b64decode(provider_blob).decode(
        "latin-1"
    )

    cli_output = "".join(keys.output)
    secret_absent(secret, cli_output, "cli_output")
    secret_absent(token, cli_output, "the CLI output")
    assert "[secret]" in cli_output


def test_refreshing_300_keys_shares_listings(keys: KeyStack, emulator: Emulator) -> None:
    # The subject is the listing, not the rate limit (test_rate_limit_e2e has that), nor the
    # delete (every other test's teardown destroys): 300 deletes cost half a minute.
    control(emulator, "POST", "rate-limit", {"per_minute": None, "per_hour": None})
    keys.destroy_at_teardown = False
    keys.seed(300, "bulk")
    assert len(emulator.state.keys) == 300
    emulator.state.reset_stats()
    result = keys.refresh()
    assert result.summary.result == "succeeded"
    assert api_requests(emulator, LIST_KEYS) <= math.ceil(300 / 200) + 1


def test_a_new_package_version_causes_no_update(
    keys: KeyStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from do_genai_model_keys.dynamic import resources
    from support.upgraded import UpgradedModelAccessKeyProvider

    specs = {"steady": {"name": "steady"}}
    keys.up(specs)
    before = keys.decrypted_resources()[0]["inputs"]["__provider"]
    monkeypatch.setattr(resources, "ModelAccessKeyProvider", UpgradedModelAccessKeyProvider)
    assert changes(keys.preview(specs)) == {}
    keys.up(specs)
    after = keys.decrypted_resources()[0]["inputs"]["__provider"]
    assert after != before  # the pickle really changed, and still nothing was updated
