"""One program, two DigitalOcean accounts (two emulators, two tokens), through the real engine:
keys made and rotated in each, no token in the state in plaintext, and a new token replaces
nothing."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys import Account, ModelAccessKey, get_inference_models_output
from do_genai_model_keys.api.contract import ALL_SCOPES
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import control
from support.secrets import different_secrets, expect, secret_absent
from support.stacks import changes

pytestmark = pytest.mark.e2e

CHANGES = ("POST", "PUT", "DELETE")


def program() -> None:
    config = pulumi.Config()
    version = config.get_int("version") or 1
    for team in ("prod", "staging"):
        account = Account(
            token=config.require_secret(f"{team}Token"),
            api_endpoint=config.require(f"{team}Url"),
            http_retry_wait_min=0.01,
            http_retry_wait_max=0.05,
        )
        key = ModelAccessKey(f"{team}-web", name="web", secret_version=version, account=account)
        pulumi.export(f"{team}_secret", key.secret_key)
        pulumi.export(
            f"{team}_models", get_inference_models_output(key.secret_key, account=account).ids
        )


def writes(emu: Emulator) -> int:
    requests = control(emu, "GET", "stats")["requests"]
    return sum(n for route, n in requests.items() if route.split(" ")[0] in CHANGES)


def test_two_accounts_in_one_program(backend) -> None:
    old, new = "staging-token-old-0123456789", "staging-token-new-9876543210"
    with (
        Emulator(allow_create=True) as prod,
        Emulator(allow_create=True, tokens={old: ALL_SCOPES, new: ALL_SCOPES}) as staging,
    ):
        local = backend()
        stack = local.stack(
            "accounts",
            "dev",
            program,
            config={
                "prodToken": (prod.token, True),
                "prodUrl": prod.url,
                "stagingToken": (old, True),
                "stagingUrl": staging.url,
            },
        )
        stack.up()
        first = {k: v.value for k, v in stack.outputs().items()}
        for team, emu in (("prod", prod), ("staging", staging)):
            [key] = emu.state.keys.values()
            assert key.name == "web"
            expect(emu.state.secret_is_live(first[f"{team}_secret"]), True, f"{team} secret live")
            assert "llama3.3-70b-instruct" in first[f"{team}_models"]

        stack.set_config("version", auto.ConfigValue("2"))
        stack.up()
        second = {k: v.value for k, v in stack.outputs().items()}
        for team, emu in (("prod", prod), ("staging", staging)):
            different_secrets(second[f"{team}_secret"], first[f"{team}_secret"], f"{team} rotated")
            expect(emu.state.secret_is_live(second[f"{team}_secret"]), True, f"{team} live")

        # A new staging token: the key is updated in place, and no API call is made.
        stack.set_config("stagingToken", auto.ConfigValue(new, secret=True))
        for emu in (prod, staging):
            control(emu, "POST", "stats/reset")
        preview = stack.preview()
        assert changes(preview) == {"update": 1}
        stack.up()
        assert (writes(prod), writes(staging)) == (0, 0)
        staging.state.tokens.pop(old)  # the old token is revoked: refresh works with the new one
        assert stack.refresh().summary.result == "succeeded"
        assert len(staging.state.keys) == 1

        state = local.cli("accounts", "stack", "export", "--stack", "dev")
        state += "".join(p.read_text() for p in (local.root / "state").rglob("*.json"))
        for token in (prod.token, old, new):
            secret_absent(token, state, "the state")
        stack.destroy()
        assert prod.state.keys == {}
        assert staging.state.keys == {}
