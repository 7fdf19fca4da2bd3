"""The commands see a plugin stack as they see a dynamic one (through the real engine and CLI):
`keys --check-secrets` fails the nightly job when a plugin key's secret was killed behind the
stack's back, flags its age, and finds a key of an explicit provider's account in that account;
`rotation` lists the plugin's rotating pair."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from do_genai_model_keys.api.contract import ALL_SCOPES
from do_genai_model_keys.api.times import format_time, now
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli
from support.plugin_projects import configure, plugin_cli, write
from support.secrets import secret_absent

pytestmark = pytest.mark.e2e

TEAM_B_TOKEN = "team-b-token-plugin-7c7c7c7c"

PROGRAM = {
    "Pulumi.yaml": """
        name: commands-see-plugin-keys
        runtime: yaml
        config:
          webUuid:
            type: string
          teamBUrl:
            type: string
          teamBToken:
            type: string
            secret: true
        resources:
          teamB:
            type: pulumi:providers:do-genai
            properties:
              apiEndpoint: ${teamBUrl}
              inferenceEndpoint: ${teamBUrl}
              token: ${teamBToken}
          web:
            type: do-genai:index:ModelAccessKey
            properties:
              name: web
              adoptUuid: ${webUuid}
          bWeb:
            type: do-genai:index:ModelAccessKey
            properties:
              name: b-web
              adoptExisting: true
            options:
              provider: ${teamB}
          pair:
            type: do-genai:index:RotatingModelAccessKey
            properties:
              name: pair
              rotation: 1
              minRotationIntervalHours: 0
        outputs:
          secret: ${web.secretKey}
    """,
}


def command(cli: Cli, project: Path, *args: str) -> tuple[int, str, str]:
    done = cli.script(project, sys.executable, "-m", "do_genai_model_keys", *args, check=False)
    return done.returncode, done.stdout, done.stderr


def test_keys_and_rotation_read_a_plugin_stack(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with (
        Emulator(allow_create=True) as emu,
        Emulator(tokens={TEAM_B_TOKEN: ALL_SCOPES}) as team_b,
    ):
        web = emu.state.create_key("web")
        b_web = team_b.state.create_key("b-web")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        cli.env |= {"DIGITALOCEAN_TOKEN": emu.token, "DIGITALOCEAN_API_URL": emu.url}
        project = write(tmp_path / "yaml", PROGRAM)
        configure(cli, project, emu)
        cli.run(project, "config", "set", "do-genai:inferenceEndpoint", emu.url)
        cli.run(project, "config", "set", "webUuid", web.uuid)
        cli.run(project, "config", "set", "teamBUrl", team_b.url)
        cli.run(project, "config", "set", "--secret", "teamBToken", TEAM_B_TOKEN)
        cli.run(project, "up", "--yes", "--skip-preview")

        code, out, err = command(cli, project, "rotation", "--json")
        assert code == 0, err
        [pair] = json.loads(out)
        assert (pair["resource"], pair["active_slot"], pair["rotation"]) == ("pair", "b", 1)

        code, out, err = command(cli, project, "keys", "--check-secrets", "--json")
        assert code == 0, out + err
        entries = {e["uuid"]: e for e in json.loads(out)["keys"]}
        assert entries[web.uuid]["holdings"][0]["secret_state"] == "live"
        assert entries[web.uuid]["flags"] == []
        # The explicit provider's key is looked for, and checked, in team B's account.
        assert entries[b_web.uuid]["account"] == team_b.url
        assert entries[b_web.uuid]["flags"] == []
        assert entries[b_web.uuid]["holdings"][0]["secret_state"] == "live"

        # The web key's secret, regenerated behind the stack's back: the nightly check fails.
        emu.state.regenerate_key(web.uuid)
        code, out, err = command(cli, project, "keys", "--check-secrets", "--json")
        assert code == 1, out + err
        entries = {e["uuid"]: e for e in json.loads(out)["keys"]}
        assert entries[web.uuid]["flags"] == ["dead"]
        cli.env["DO_GENAI_NOW"] = format_time(now() + timedelta(days=120))
        code, out, err = command(cli, project, "keys", "--max-age-days", "90")
        assert code == 0, out + err
        # web, b-web and the pair's two slots; b-web's account is read only with its token
        # (--check-secrets), so here it is only named
        assert "4 keys: 1 elsewhere, 4 old" in out
        for key in (*emu.state.keys.values(), *team_b.state.keys.values()):
            secret_absent(key.secret, out + err, "the commands' output")
