"""Dead means dead, through the real engine: a refresh against an inference endpoint that takes
the token but knows none of the keys kills no secret, and the next `up` regenerates nothing; a
single key regenerated in the control panel is still found and healed."""

from __future__ import annotations

import pytest
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE, control
from support.secrets import different_secrets, expect, same_secret
from support.stacks import KeyStack, changes

pytestmark = pytest.mark.e2e

REGENERATE = f"PUT {KEY_ROUTE}/regenerate"


def test_a_refresh_against_an_endpoint_that_knows_no_key_kills_nothing(backend) -> None:
    with Emulator() as emu, Emulator(tokens={}) as stranger:
        stranger.state.tokens.update(emu.state.tokens)  # takes the token, knows no key
        keys = KeyStack(backend(), emu)
        specs = {}
        for n in range(6):
            panel = emu.state.create_key(f"app-{n}")
            specs[f"app{n}"] = {"name": panel.name, "adopt_uuid": panel.uuid}
        stack = keys.open(specs)
        # Refresh uses the config of the last `up`: the stranger is the endpoint from the start.
        stack.set_config("digitalocean:inferenceEndpoint", auto.ConfigValue(stranger.url))
        # The adoptions' new secrets are refused there too: a second each, not a minute.
        stack.set_config("digitalocean:secretReadyWait", auto.ConfigValue("1"))
        keys.up(specs)
        before = keys.outputs()
        refreshed = stack.refresh(on_output=keys.output.append)
        assert changes(refreshed) == {}
        assert "refused at once" in refreshed.stdout
        assert stranger.url in refreshed.stdout
        control(emu, "POST", "stats/reset")
        assert changes(keys.preview(specs)) == {}
        keys.up(specs)
        assert emu.state.stats_snapshot()["requests"].get(REGENERATE, 0) == 0
        after = keys.outputs()
        for n in range(6):
            same_secret(after[f"app{n}.secret"], before[f"app{n}.secret"], f"app{n}")
            expect(emu.state.secret_is_live(after[f"app{n}.secret"]), True, f"app{n} live")


def test_one_key_regenerated_in_the_panel_is_found_and_healed(backend) -> None:
    with Emulator() as emu:
        keys = KeyStack(backend(), emu)
        specs = {}
        for n in range(4):
            panel = emu.state.create_key(f"app-{n}")
            specs[f"app{n}"] = {"name": panel.name, "adopt_uuid": panel.uuid}
        keys.up(specs)
        before = keys.outputs()
        control(emu, "POST", "keys/regenerate", {"uuid": before["app2.uuid"]})
        refreshed = keys.refresh()
        assert changes(refreshed) == {"update": 1}
        # The verdict is a warning on the key itself, not a line of the stack's.
        assert "ModelAccessKey (app2):" in refreshed.stdout
        assert "no longer accepts the secret" in refreshed.stdout
        preview = keys.preview(specs)
        assert changes(preview) == {"update": 1}
        assert "[diff: ~secret_key]" in preview.stdout  # the plan names what the heal changes
        assert "is regenerated: the state holds no working secret" in preview.stdout
        keys.up(specs)
        after = keys.outputs()
        different_secrets(after["app2.secret"], before["app2.secret"], "healed")
        expect(emu.state.secret_is_live(after["app2.secret"]), True, "the healed secret")
        for n in (0, 1, 3):
            same_secret(after[f"app{n}.secret"], before[f"app{n}.secret"], f"app{n}")
