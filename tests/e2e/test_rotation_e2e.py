"""Zero-downtime rotation and the GitOps examples through the real engine."""

from __future__ import annotations

import openai
import pytest
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support import examples
from support.emulators import inference_status
from support.secrets import expect, same_secret
from support.stacks import emulator_config, unprotect_keys

pytestmark = pytest.mark.e2e


def works(emu: Emulator, secret: str) -> bool:
    return inference_status(emu, secret) == 200


@pytest.mark.parametrize("adopted", [False, True], ids=["created", "adopted"])
def test_three_rotations_keep_the_previous_secret_alive(
    backend, emulator: Emulator, adopted: bool
) -> None:
    gitops = examples.load("gitops-rotation")
    # Three rotations in a row, on purpose: no interval between them (the floor has its own test).
    config = {**emulator_config(emulator), "minRotationIntervalHours": "0"}
    stack = backend().stack("gitops", "prod", gitops.program, config=config)
    if adopted:
        panel = [emulator.state.create_key(f"panel-{slot}") for slot in "ab"]
        emulator.state.retire_create = True
        # The example takes config only; adopt through a program of our own around it.
        from do_genai_model_keys import RotatingModelAccessKey

        def program() -> None:
            import pulumi

            keys = RotatingModelAccessKey(
                "app",
                name="gitops-app",
                rotation=pulumi.Config().get_int("rotation") or 0,
                adopt_uuids=[k.uuid for k in panel],
                min_rotation_interval_hours=0,
            )
            pulumi.export("active_secret_key", keys.active_secret_key)
            pulumi.export("previous_secret_key", keys.previous_secret_key)
            pulumi.export("active_slot", keys.active_slot)
            pulumi.export("active_uuid", keys.active_uuid)

        stack.workspace.program = program

    stack.up()
    seen = [stack.outputs()["active_secret_key"].value]
    assert len(emulator.state.keys) == 2
    uuids = {k.uuid for k in emulator.state.keys.values()}

    for rotation in (1, 2, 3):
        stack.set_config("rotation", auto.ConfigValue(str(rotation)))
        preview = stack.preview()
        assert preview.change_summary.get("update") == 1  # only the standby slot
        stack.up()
        out = {k: v.value for k, v in stack.outputs().items()}
        assert out["active_slot"] == "ab"[rotation % 2]
        same_secret(out["previous_secret_key"], seen[-1], "out['previous_secret_key']")
        expect(works(emulator, out["active_secret_key"]), True, "works")
        expect(works(emulator, out["previous_secret_key"]), True, "works")
        if len(seen) >= 2:
            expect(works(emulator, seen[-2]), False, "works")  # the secret before them is refused
        seen.append(out["active_secret_key"])
        expect(stack.outputs()["active_secret_key"].secret, True, "stack.outputs")

    assert {k.uuid for k in emulator.state.keys.values()} == uuids  # same two keys throughout

    # Lowering the rotation is refused, naming what the user wrote (not a slot's input).
    stack.set_config("rotation", auto.ConfigValue("1"))
    with pytest.raises(auto.CommandError) as lowered:
        stack.preview()
    assert "rotation of RotatingModelAccessKey 'app' went down to 1" in str(lowered.value)
    stack.set_config("rotation", auto.ConfigValue("3"))
    unprotect_keys(stack)
    stack.destroy()
    assert emulator.state.keys == {}


def test_the_app_consumer_answers_before_and_after_a_rotation(backend, emulator: Emulator) -> None:
    quickstart = examples.load("quickstart")
    consumer = examples.load("app-consumer")
    app = examples.load("app-consumer", "app")
    local = backend()
    emulator.state.create_key("quickstart-web")  # the quickstart adopts a control-panel key
    keys = local.stack("quickstart", "demo", quickstart.program, config=emulator_config(emulator))
    keys.up()
    reader = local.stack(
        "app-consumer",
        "demo",
        consumer.program,
        config={"keysStack": "organization/quickstart/demo"},
    )

    def current_secret() -> str:
        reader.up()
        output = reader.outputs()["model_access_key"]
        assert output.secret
        return str(output.value)

    before = current_secret()
    assert "Emulated reply" in app.ask(before, emulator.url, "hello before")

    keys.set_config("secretVersion", auto.ConfigValue("2"))
    keys.up()
    after = current_secret()
    assert after != before
    assert "hello after" in app.ask(after, emulator.url, "hello after")
    with pytest.raises(openai.AuthenticationError):
        app.ask(before, emulator.url, "the old key is dead")

    reader.destroy()
    unprotect_keys(keys)
    keys.destroy()
