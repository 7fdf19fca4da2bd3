"""Every secret a stack hands out works, through the CLI as a user runs it: a key regenerated in
the control panel is drift in `pulumi refresh`, `pulumi up` heals it, and the key inventory
finds two stacks that manage one key."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli, copy_project
from support.emulators import api_requests, control
from support.secrets import different_secrets, expect, secret_absent

pytestmark = pytest.mark.e2e

PROGRAM = '''"""A team's stack: it adopts the control panel's key `shared-web`."""
import pulumi
from do_genai_model_keys import ModelAccessKey

key = ModelAccessKey("web", name="shared-web", adopt_existing=True)
pulumi.export("secret", key.secret_key)
'''


def project(root: Path, name: str) -> Path:
    folder = copy_project(root / name)
    (folder / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
    )
    (folder / "__main__.py").write_text(PROGRAM)
    return folder


def secret_output(cli: Cli, folder: Path) -> str:
    return cli.run(folder, "stack", "output", "secret", "--show-secrets").stdout.strip()


def key_secret_in_state(cli: Cli, folder: Path) -> str:
    """The key resource's `secret_key` as the state holds it (a refresh does not run the
    program, so the stack's own outputs stay as the last `up` left them)."""
    exported = json.loads(cli.run(folder, "stack", "export", "--show-secrets").stdout)
    [key] = [
        r for r in exported["deployment"]["resources"] if r["type"].endswith(":ModelAccessKey")
    ]
    secret = key["outputs"].get("secret_key") or ""
    if isinstance(secret, dict):  # {signature: ..., "plaintext": "<the value as JSON>"}
        secret = json.loads(secret["plaintext"])
    return str(secret)


def app_status(emu: Emulator, secret: str) -> int:
    """What an app reading the stack output meets at the inference API."""
    answer = httpx.post(
        f"{emu.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {secret}"},
        json={"model": "llama3.3-70b-instruct", "messages": [{"role": "user", "content": "hi"}]},
    )
    return answer.status_code


def test_a_panel_regenerate_is_drift_up_heals_it_and_the_inventory_finds_two_owners(
    engine_bin: Path, tmp_path: Path
) -> None:
    with Emulator() as emu:
        cli = Cli(engine_bin=engine_bin, work=tmp_path / "cli")
        panel = emu.state.create_key("shared-web")
        team_a = project(tmp_path, "team-a")
        cli.configure(team_a, emu)
        cli.run(team_a, "up", "--yes")
        first = secret_output(cli, team_a)
        assert app_status(emu, first) == 200

        # Someone clicks "regenerate" in the control panel: apps reading the stack get 401.
        control(emu, "POST", "keys/regenerate", {"uuid": panel.uuid})
        assert app_status(emu, first) == 401
        refresh = cli.run(team_a, "refresh", "--yes")  # exit 0: drift is not an error
        said = refresh.stdout + refresh.stderr
        assert "'shared-web'" in said
        assert panel.uuid in said
        assert "no longer accepts the secret" in said
        secret_absent(first, said, "the refresh output")
        # The dead secret is out of the state: the refresh shows secret_key changed.
        expect(key_secret_in_state(cli, team_a), "", "the key's secret_key after the refresh")

        cli.run(team_a, "up", "--yes")
        healed = secret_output(cli, team_a)
        different_secrets(healed, first, "the healed secret")
        assert app_status(emu, healed) == 200

        # A second team adopts the same key: its up regenerates it, and team a's secret dies.
        team_b = project(tmp_path, "team-b")
        cli.configure(team_b, emu)
        cli.run(team_b, "up", "--yes")
        assert app_status(emu, healed) == 401

        cli.env.update(DIGITALOCEAN_TOKEN=emu.token, DIGITALOCEAN_API_URL=emu.url)
        inventory = [sys.executable, "-m", "do_genai_model_keys", "keys", "--check-secrets"]
        table = cli.script(tmp_path, *inventory, check=False)
        assert table.returncode == 1, table.stdout + table.stderr
        assert "organization/team-a/dev (web)" in table.stdout
        assert "organization/team-b/dev (web)" in table.stdout
        assert "conflict" in table.stdout
        assert "dead" in table.stdout
        found = cli.script(tmp_path, *inventory, "--json", check=False)
        assert found.returncode == 1
        [entry] = json.loads(found.stdout)["keys"]
        assert entry["uuid"] == panel.uuid
        assert {h["stack"] for h in entry["holdings"]} == {
            "organization/team-a/dev",
            "organization/team-b/dev",
        }
        assert set(entry["flags"]) == {"conflict", "dead"}
        for text in (table.stdout, table.stderr, found.stdout, found.stderr):
            secret_absent(healed, text, "the inventory's output")
            secret_absent(secret_output(cli, team_b), text, "the inventory's output")
            secret_absent(emu.token, text, "the inventory's output")

        # With the checks off, a refresh asks the inference API nothing. Like every provider
        # setting, the config reaches a refresh with --run-program (or after the next up).
        cli.run(team_a, "config", "set", "digitalocean:verifySecrets", "false")
        control(emu, "POST", "stats/reset")
        cli.run(team_a, "refresh", "--run-program", "--yes")
        assert api_requests(emu, f"GET {INFERENCE_MODELS_PATH}") == 0
