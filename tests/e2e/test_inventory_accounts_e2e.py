"""The key inventory knows accounts (through the real engine and the CLI): a key a stack holds
in another account is looked for and checked there, never called gone or dead from here; a
stack that cannot be read is reported while the others still are."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pulumi
import pytest
from do_genai_model_keys import Account, ModelAccessKey
from do_genai_model_keys.api.contract import ALL_SCOPES
from do_genai_model_keys.emulator import Emulator
from support.backend import LocalBackend
from support.secrets import secret_absent
from support.stacks import emulator_config

pytestmark = pytest.mark.e2e

TEAM_B_TOKEN = "team-b-token-5a5a5a5a5a5a"


def home_key(name: str):
    def program() -> None:
        key = ModelAccessKey("web", name=name, adopt_existing=True)
        pulumi.export("secret", key.secret_key)

    return program


def team_b_key() -> None:
    config = pulumi.Config()
    account = Account(token=config.require_secret("teamBToken"), api_endpoint=config.require("url"))
    key = ModelAccessKey("web", name="b-web", adopt_existing=True, account=account)
    pulumi.export("secret", key.secret_key)


def inventory(local: LocalBackend, home: Emulator, *flags: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DIGITALOCEAN_")},
        **local.engine_env(),
        "DIGITALOCEAN_TOKEN": home.token,
        "DIGITALOCEAN_API_URL": home.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "do_genai_model_keys", "keys", *flags],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_keys_in_another_account_are_judged_there(backend) -> None:
    with Emulator() as home, Emulator(tokens={TEAM_B_TOKEN: ALL_SCOPES}) as team_b:
        home.state.create_key("home-web")
        home.state.create_key("locked-web")
        b_key = team_b.state.create_key("b-web")
        local = backend()
        local.stack("inv-home", "dev", home_key("home-web"), config=emulator_config(home)).up()
        local.stack(
            "inv-b",
            "dev",
            team_b_key,
            config={"teamBToken": (TEAM_B_TOKEN, True), "url": team_b.url},
        ).up()
        # A stack whose secrets another passphrase guards: --show-secrets cannot read it.
        locked = LocalBackend(local.root, local.engine_bin, "another-passphrase", local.env)
        locked.stack("inv-locked", "dev", home_key("locked-web"), config=emulator_config(home)).up()

        plain = inventory(local, home, "--json")
        assert plain.returncode == 0, plain.stderr
        entries = {e["uuid"]: e for e in json.loads(plain.stdout)["keys"]}
        assert entries[b_key.uuid]["flags"] == ["elsewhere"]
        assert entries[b_key.uuid]["account"] == team_b.url

        checked = inventory(local, home, "--check-secrets", "--json")
        assert checked.returncode == 4  # one stack could not be read: said, and the rest read
        assert "inv-locked" in checked.stderr
        entries = {e["uuid"]: e for e in json.loads(checked.stdout)["keys"]}
        assert any(
            h["stack"].endswith("inv-home/dev") for e in entries.values() for h in e["holdings"]
        )
        team_b_entry = entries[b_key.uuid]
        assert team_b_entry["flags"] == []
        assert team_b_entry["on_account"] is True
        assert [h["secret_state"] for h in team_b_entry["holdings"]] == ["live"]
        for text in (plain.stdout, plain.stderr, checked.stdout, checked.stderr):
            secret_absent(TEAM_B_TOKEN, text, "the inventory's output")
            secret_absent(home.token, text, "the inventory's output")
