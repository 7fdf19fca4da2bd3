"""A stack written before the package moved into layers still refreshes, updates and destroys.

The checkpoint is real: `pulumi stack export` of a stack made by main at be319d6 (see
`checkpoints/README.md`). Its `__provider` names `do_genai_model_keys.resources`; the engine
unpickles that with today's code for every operation below.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.emulator.state import Key
from pulumi import automation as auto
from support.secrets import expect
from support.stacks import SECRET_SIG, KeyStack, changes

pytestmark = pytest.mark.e2e

CHECKPOINTS = Path(__file__).with_name("checkpoints")
BEFORE_LAYOUT = "before-layout-be319d6"
PROVIDER_TYPE = "pulumi:providers:pulumi-python"


def load_checkpoint(keys: KeyStack, name: str) -> dict[str, Any]:
    """Import the checkpoint into the stack `dev` of `keys`, its default provider pointed at
    `keys.emulator` (the port and token of the emulator that wrote it are long gone); returns
    the key's resource as the checkpoint holds it."""
    project = keys.backend.root / "projects" / keys.project
    project.mkdir(parents=True, exist_ok=True)
    salt = (CHECKPOINTS / f"{name}.Pulumi.dev.yaml").read_text()
    (project / "Pulumi.dev.yaml").write_text(salt)
    stack = keys.open({})
    exported = json.loads((CHECKPOINTS / f"{name}.json").read_text())
    deployment = exported["deployment"]
    emu = keys.emulator
    for resource in deployment["resources"]:
        if resource["type"] == PROVIDER_TYPE:
            settings = {
                "digitalocean:apiEndpoint": emu.url,
                "digitalocean:inferenceEndpoint": emu.url,
                "digitalocean:token": {**SECRET_SIG, "plaintext": json.dumps(emu.token)},
            }
            resource["inputs"] = {**resource["inputs"], **settings}
            resource["outputs"] = {**resource["outputs"], **settings}
    stack.import_stack(auto.Deployment(version=exported["version"], deployment=deployment))
    return next(r for r in deployment["resources"] if r["type"].endswith(":ModelAccessKey"))


def panel_key_from(keys: KeyStack, written: dict[str, Any]) -> Key:
    """Put the checkpoint's key, with the secret the state holds, into the emulator: the key
    the control panel made then, still live."""
    assert keys.stack is not None
    live = keys.decrypted_resources()[0]["outputs"]
    key = Key(
        uuid=written["id"],
        name=live["name"],
        created_at=live["created_at"],
        created_by=live["created_by"],
        secret=json.loads(live["secret_key"]["plaintext"]),
    )
    keys.emulator.state.keys[key.uuid] = key
    return key


def test_a_stack_written_before_the_move_refreshes_updates_and_destroys(backend) -> None:
    with Emulator() as emu:
        keys = KeyStack(backend(), emu)
        written = load_checkpoint(keys, BEFORE_LAYOUT)
        pickled = base64.b64decode(written["inputs"]["__provider"])
        assert b"do_genai_model_keys.resources" in pickled
        assert b"dynamic" not in pickled
        key = panel_key_from(keys, written)

        refreshed = keys.refresh()
        expect(changes(refreshed), {}, "what a refresh of the old state changed")
        stored = keys.decrypted_resources()[0]["outputs"]["secret_key"]
        assert json.loads(stored["plaintext"]) == key.secret

        renamed = keys.up({"web": {"name": "web-renamed", "adopt_uuid": key.uuid}})
        expect(changes(renamed), {"update": 1}, "the rename of the old state's key")
        expect(emu.state.keys[key.uuid].name, "web-renamed", "the key's name at DigitalOcean")
        expect(emu.state.keys[key.uuid].secret, key.secret, "the live secret after the rename")

        keys.destroy()
        expect(key.uuid in emu.state.keys, False, "the key after destroy")
