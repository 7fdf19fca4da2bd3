"""Keys nobody can make again are kept (through the real engine): a key the stack adopted is
protected from deletion by default, so `destroy` and a resource leaving the program fail, naming
the key and both ways out, and delete nothing; with `deletion_protection=False` and an `up` it
goes; `retain_on_delete` leaves it at DigitalOcean; a key the stack created deletes as before."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE, api_requests
from support.secrets import expect
from support.stacks import KeyStack, changes

pytestmark = pytest.mark.e2e

DELETE = f"DELETE {KEY_ROUTE}"


def refused(call) -> str:
    with pytest.raises(auto.CommandError) as failed:
        call()
    return str(failed.value)


def test_an_adopted_key_is_kept_until_its_protection_is_lifted(backend) -> None:
    with Emulator(allow_create=True) as emu:
        panel = emu.state.create_key("panel-web")
        keys = KeyStack(backend(), emu)
        adopted = {"name": "panel-web", "adopt_uuid": panel.uuid}
        made = {"name": "made-here"}
        keys.up({"web": adopted, "made": made})
        assert keys.outputs()["web.secret"]
        secret = keys.outputs()["web.secret"]

        # Leaving the program: the adopted key's delete is refused; the created one goes.
        said = refused(lambda: keys.up({}))
        for words in (
            "is protected from deletion",
            "it was adopted, not created by this stack",
            "set deletion_protection to false",
            "retain_on_delete",
            "pulumi state delete",
            panel.uuid,
        ):
            assert words in said, words
        assert panel.uuid in emu.state.keys
        expect(emu.state.secret_is_live(secret), True, "the adopted key's secret")

        # Destroy: refused the same way, nothing deleted.
        keys.up({"web": adopted})
        assert "is protected from deletion" in refused(lambda: keys.destroy(unprotect=False))
        assert list(emu.state.keys) == [panel.uuid]
        assert api_requests(emu, DELETE) == 1  # only the created key's

        # The first way out: lift the protection with an `up` (an update, nothing regenerated),
        # then destroy.
        lifted = keys.up({"web": {**adopted, "deletion_protection": False}})
        assert changes(lifted) == {"update": 1}
        keys.destroy(unprotect=False)
        assert emu.state.keys == {}


def test_retain_on_delete_leaves_an_adopted_key_at_digitalocean(backend) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("panel-web")
        keys = KeyStack(backend(), emu)
        retained = {
            "name": "panel-web",
            "adopt_uuid": panel.uuid,
            "opts": pulumi.ResourceOptions(retain_on_delete=True),
        }
        keys.up({"web": retained})
        keys.destroy(unprotect=False)
        assert list(emu.state.keys) == [panel.uuid]
        assert api_requests(emu, DELETE) == 0
