"""Rotation that proves itself, through the real engine: a new secret is confirmed before it is
handed out, rotations are paced for the apps (an emergency path aside), a key restricted to a
VPC is never called dead, and `python -m do_genai_model_keys rotation` shows where each rotating
key stands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pulumi
import pytest
from do_genai_model_keys import RotatingModelAccessKey
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import api_requests, inference_status
from support.secrets import expect, same_secret
from support.stacks import emulator_config, unprotect_keys

pytestmark = pytest.mark.e2e

CHECKS = f"GET {INFERENCE_MODELS_PATH}"


def rotating_program(**options: Any):
    """A stack of one `RotatingModelAccessKey` over two panel keys; `rotation` and
    `emergencyRotations` come from stack config."""

    def program() -> None:
        config = pulumi.Config()
        keys = RotatingModelAccessKey(
            "app",
            name="app",
            rotation=config.get_int("rotation") or 0,
            emergency_rotations=config.get_int("emergencyRotations") or 0,
            **options,
        )
        for name in ("active_secret_key", "previous_secret_key", "active_slot", "rotation"):
            pulumi.export(name, getattr(keys, name))

    return program


def open_stack(backend, emu: Emulator, **options: Any) -> auto.Stack:
    panel = [emu.state.create_key(f"panel-{slot}") for slot in "ab"]
    program = rotating_program(adopt_uuids=[k.uuid for k in panel], **options)
    return backend().stack("rotating", "dev", program, config=emulator_config(emu))


def outputs(stack: auto.Stack) -> dict[str, Any]:
    return {k: v.value for k, v in stack.outputs().items()}


def rotate(stack: auto.Stack, **config: int) -> auto.UpResult:
    for key, value in config.items():
        stack.set_config(key, auto.ConfigValue(str(value)))
    return stack.up()


def test_a_new_secret_is_handed_out_only_once_the_inference_api_takes_it(backend) -> None:
    """The edge learns a new secret 1.5 s after its regenerate: the rotation waits for it, so
    the active secret works the moment `up` returns (without the wait it would be refused)."""
    with Emulator(secret_delay=1.5) as emu:
        stack = open_stack(backend, emu, min_rotation_interval_hours=0)
        stack.up()
        before = api_requests(emu, CHECKS)
        rotate(stack, rotation=1)
        out = outputs(stack)
        expect(inference_status(emu, out["active_secret_key"]), 200, "the new active secret")
        asked = api_requests(emu, CHECKS) - before
        assert asked >= 3, asked  # asked again with backoff until the edge took it


def test_a_new_secret_never_taken_fails_the_rotation_and_keeps_the_active_one(backend) -> None:
    with Emulator() as emu:
        stack = open_stack(backend, emu, min_rotation_interval_hours=0)
        stack.set_config("digitalocean:secretReadyWait", auto.ConfigValue("1"))
        stack.up()
        active = outputs(stack)["active_secret_key"]
        emu.state.secret_delay = 3600.0  # from now on, no new secret is ever taken
        with pytest.raises(auto.CommandError) as failed:
            rotate(stack, rotation=1)
        message = str(failed.value)
        assert "is not taken by DigitalOcean's inference API" in message
        assert "active_secret_key still works" in message
        assert "digitalocean:secretReadyWait" in message
        out = outputs(stack)
        expect(out["rotation"], 0, "the stack's rotation after the failed one")
        same_secret(out["active_secret_key"], active, "the active secret after the failure")
        expect(inference_status(emu, active), 200, "the active secret the apps hold")
        emu.state.secret_delay = 0.0
        rotate(stack, rotation=1)  # the message's advice: run `pulumi up` again
        expect(inference_status(emu, outputs(stack)["active_secret_key"]), 200, "then")


def test_a_rotation_too_soon_is_refused_at_preview_and_an_emergency_rotates_both(
    backend,
) -> None:
    with Emulator() as emu:
        stack = open_stack(backend, emu)  # the default floor: 24 hours
        stack.up()
        first = outputs(stack)["active_secret_key"]  # slot a
        rotate(stack, rotation=1)  # slot b's secret was never active: nothing to protect
        second = outputs(stack)["active_secret_key"]

        stack.set_config("rotation", auto.ConfigValue("2"))
        with pytest.raises(auto.CommandError) as refused:
            stack.preview()
        message = str(refused.value)
        assert "rotation of RotatingModelAccessKey 'app' to 2 is too soon" in message
        assert "min_rotation_interval_hours=24" in message
        assert "The next rotation may run from 20" in message
        expect(inference_status(emu, first), 200, "the previous secret, kept")

        stack.set_config("rotation", auto.ConfigValue("3"))  # two at once: the active slot too
        with pytest.raises(auto.CommandError) as jumped:
            stack.preview()
        assert "moves from 1 to 3 at once" in str(jumped.value)

        stack.set_config("rotation", auto.ConfigValue("1"))
        stack.set_config("emergencyRotations", auto.ConfigValue("1"))
        preview = stack.preview()
        assert preview.change_summary.get(auto.OpType.UPDATE) == 2  # both slots
        done = stack.up()
        assert "EMERGENCY rotation of RotatingModelAccessKey 'app'" in done.stdout
        out = outputs(stack)
        expect(inference_status(emu, first), 401, "the leaked previous secret")
        expect(inference_status(emu, second), 401, "the leaked active secret")
        expect(inference_status(emu, out["active_secret_key"]), 200, "the new active secret")
        expect(inference_status(emu, out["previous_secret_key"]), 200, "the new previous")
        unprotect_keys(stack)
        stack.destroy()


def test_after_an_emergency_a_usual_rotation_still_proves_its_secret(backend) -> None:
    """The emergency count lives in the state the next run compares with: after one emergency,
    a usual rotation whose new secret is never taken fails and keeps the outputs, as any usual
    rotation does (it used to count as an emergency too, handing out the unproven secret)."""
    with Emulator() as emu:
        stack = open_stack(backend, emu, min_rotation_interval_hours=0)
        stack.set_config("digitalocean:secretReadyWait", auto.ConfigValue("1"))
        stack.up()
        rotate(stack, emergencyRotations=1)
        active = outputs(stack)["active_secret_key"]
        emu.state.secret_delay = 3600.0  # from now on, no new secret is ever taken
        with pytest.raises(auto.CommandError) as failed:
            rotate(stack, rotation=1)
        assert "is not taken by DigitalOcean's inference API" in str(failed.value)
        out = outputs(stack)
        expect(out["rotation"], 0, "the stack's rotation after the failed one")
        same_secret(out["active_secret_key"], active, "the active secret after the failure")
        expect(inference_status(emu, active), 200, "the active secret the apps hold")


def test_a_key_restricted_to_a_vpc_is_never_called_dead(backend) -> None:
    with Emulator() as emu:
        key = emu.state.create_key("vpc-web", vpc_only=True)

        def program() -> None:
            from do_genai_model_keys import ModelAccessKey

            ModelAccessKey("web", name="vpc-web", adopt_uuid=key.uuid)

        stack = backend().stack("vpc", "dev", program, config=emulator_config(emu))
        adopted = stack.up()
        assert "handed out unverified: cannot be verified from here" in adopted.stdout
        issued = emu.state.keys[key.uuid].secret
        refreshed = stack.refresh()
        expect(refreshed.summary.resource_changes.get("update", 0), 0, "refresh changes")
        again = stack.up()
        expect(again.summary.resource_changes.get("update", 0), 0, "updates after refresh")
        expect(emu.state.keys[key.uuid].secret, issued, "the VPC key's secret")
        unprotect_keys(stack)
        stack.destroy()


def test_the_rotation_command_shows_where_each_rotating_key_stands(backend) -> None:
    with Emulator() as emu:
        made = backend()
        panel = [emu.state.create_key(f"panel-{slot}") for slot in "ab"]
        program = rotating_program(
            adopt_uuids=[k.uuid for k in panel],
            rotate_after_days=30,
            min_rotation_interval_hours=12,
        )
        stack = made.stack("rotating", "dev", program, config=emulator_config(emu))
        stack.up()
        done = subprocess.run(
            [sys.executable, "-m", "do_genai_model_keys", "rotation", "--json"],
            env={**os.environ, **made.engine_env()},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        [status] = json.loads(done.stdout)
        expect(status["resource"], "app", "the rotating key")
        count = _periods_since_anchor()
        expect(status["active_slot"], "ab"[count % 2], "its active slot")
        expect(status["rotation"], count, "its rotation")
        expect(status["min_rotation_interval_hours"], 12.0, "its floor")
        assert status["rotated_at"]
        assert status["next_rotation_due"] > status["rotated_at"]
        assert status["previous_dies"] >= status["next_rotation_due"]
        assert status["overdue"] is False
        table = subprocess.run(
            [sys.executable, "-m", "do_genai_model_keys", "rotation"],
            env={**os.environ, **made.engine_env()},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "PREVIOUS DIES" in table
        assert "dev" in table
        assert emu.state.keys[panel[0].uuid].secret not in table + done.stdout
        unprotect_keys(stack)
        stack.destroy()


def _periods_since_anchor() -> int:
    from do_genai_model_keys.dynamic.rotation import rotation_count

    return rotation_count(0, 30)
