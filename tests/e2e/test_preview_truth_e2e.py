"""A preview tells the truth (through the real engine): what `up` would fail on and a listing can
show fails the preview with the same message, for the cost of one listing per account; a
preview writes nothing at DigitalOcean (no POST, PUT or DELETE), so of a create it says that
only `up` can tell whether the account may still create keys."""

from __future__ import annotations

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import control
from support.secrets import secret_absent
from support.stacks import KeyStack

pytestmark = pytest.mark.e2e

LIST = f"GET {KEYS_PATH}"


def failed_preview(keys: KeyStack, specs: dict) -> str:
    with pytest.raises(auto.CommandError) as failed:
        keys.preview(specs)
    return str(failed.value)


def failed_up(keys: KeyStack, specs: dict) -> str:
    with pytest.raises(auto.CommandError) as failed:
        keys.up(specs)
    return str(failed.value)


def test_what_up_would_meet_fails_the_preview(backend) -> None:
    with Emulator() as emu:  # creates answer 410, as on DigitalOcean
        panel = emu.state.create_key("panel-key")
        keys = KeyStack(backend(), emu)
        adopt = {"web": {"name": "panel-key", "adopt_uuid": panel.uuid}}
        keys.up(adopt)

        missing = "3f2b6a4e-1111-4222-8333-444455556666"
        cases = {  # what `up` fails on, and the words that say why
            f"no model access key has UUID {missing}": {
                **adopt,
                "api": {"name": "api", "adopt_uuid": missing},
            },
        }
        for why, specs in cases.items():
            said = failed_preview(keys, specs)
            assert "checking model access key" in said
            assert why in said
            assert why in failed_up(keys, specs)
        assert list(emu.state.keys) == [panel.uuid]

        # A key to create: the preview cannot know about the 410 without a create, and says so.
        control(emu, "POST", "stats/reset")
        creating = {**adopt, "new": {"name": "brand-new"}}
        preview = keys.preview(creating)
        assert "a preview cannot tell whether this account still may" in preview.stdout
        writes = [r for r in control(emu, "GET", "stats")["requests"] if not r.startswith("GET")]
        assert writes == []
        assert "answered 410 gone" in failed_up(keys, creating)
        assert list(emu.state.keys) == [panel.uuid]

        # A refused token: the preview fails naming the token setting, never showing it.
        assert keys.stack is not None
        keys.stack.set_config(
            "digitalocean:token", auto.ConfigValue("dop_v1_" + "0" * 64, secret=True)
        )
        said = failed_preview(keys, adopt)
        assert "401" in said
        assert "digitalocean:token" in said
        secret_absent("dop_v1_" + "0" * 64, said, "the preview's error")


def test_a_missing_token_fails_the_preview(backend) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("panel-key")
        keys = KeyStack(backend(), emu)
        stack = keys.open({})
        stack.remove_config("digitalocean:token")
        said = failed_preview(keys, {"web": {"name": "panel-key", "adopt_uuid": panel.uuid}})
        assert "no DigitalOcean API token" in said


def test_a_preview_lists_once_per_account(backend) -> None:
    with Emulator() as emu:
        specs = {}
        for n in range(6):
            panel = emu.state.create_key(f"k{n}")
            specs[f"k{n}"] = {"name": panel.name, "adopt_uuid": panel.uuid}
        keys = KeyStack(backend(), emu)
        keys.up(specs)
        emu.state.create_key("k6")  # made in the panel since: the preview finds it
        control(emu, "POST", "stats/reset")
        keys.preview({**specs, "k6": {"name": "k6", "adopt_existing": True}})
        requests = control(emu, "GET", "stats")["requests"]
        assert requests.get(LIST) == 1
        assert [r for r in requests if not r.startswith("GET")] == []  # a preview writes nothing
