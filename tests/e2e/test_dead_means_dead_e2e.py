"""Dead means dead, through the real engine: a refresh against an inference endpoint that would
take the token but knows none of the keys kills no secret, whatever the stack's size, and the
next `up` regenerates nothing; such a stranger is never shown the token; a single key
regenerated in the control panel is still found and healed."""

from __future__ import annotations

import pytest
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE, control
from support.secrets import different_secrets, expect, same_secret
from support.stacks import KeyStack, changes

pytestmark = pytest.mark.e2e

REGENERATE = f"PUT {KEY_ROUTE}/regenerate"


@pytest.mark.parametrize("size", [1, 2, 6])
def test_a_refresh_against_an_endpoint_that_knows_no_key_kills_nothing(backend, size) -> None:
    with Emulator() as emu, Emulator(tokens={}) as stranger:
        stranger.state.tokens.update(emu.state.tokens)  # would take the token, knows no key
        keys = KeyStack(backend(), emu)
        specs = {}
        for n in range(size):
            panel = emu.state.create_key(f"app-{n}")
            specs[f"app{n}"] = {"name": panel.name, "adopt_uuid": panel.uuid}
        stack = keys.open(specs)
        # Refresh uses the config of the last `up`: the stranger is the endpoint from the start.
        stack.set_config("digitalocean:inferenceEndpoint", auto.ConfigValue(stranger.url))
        # The adoptions' new secrets are refused too: a second for the first, none after.
        stack.set_config("digitalocean:secretReadyWait", auto.ConfigValue("1"))
        keys.up(specs)
        before = keys.outputs()
        control(stranger, "POST", "stats/reset")
        refreshed = stack.refresh(on_output=keys.output.append)
        assert changes(refreshed) == {}
        assert "so it is not shown the API token" in refreshed.stdout
        assert stranger.url in refreshed.stdout
        # Each stored secret is asked at most DEAD_AFTER_REFUSALS (4) times, never with the token.
        asked = stranger.state.stats_snapshot()["requests"].get("GET /v1/models", 0)
        assert size <= asked <= 4 * size
        control(emu, "POST", "stats/reset")
        assert changes(keys.preview(specs)) == {}
        keys.up(specs)
        assert emu.state.stats_snapshot()["requests"].get(REGENERATE, 0) == 0
        after = keys.outputs()
        for n in range(size):
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
        assert "`pulumi up` regenerates it: the state holds no working secret" in preview.stdout
        keys.up(specs)
        after = keys.outputs()
        different_secrets(after["app2.secret"], before["app2.secret"], "healed")
        expect(emu.state.secret_is_live(after["app2.secret"]), True, "the healed secret")
        for n in (0, 1, 3):
            same_secret(after[f"app{n}.secret"], before[f"app{n}.secret"], f"app{n}")
