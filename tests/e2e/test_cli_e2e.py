"""`pulumi` commands exactly as a user types them, on the root Pulumi.yaml, through our language
host, against the emulator as DigitalOcean is today (no creates through the API)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import ALL_SCOPES, Emulator
from support.cli import Cli, copy_project
from support.emulators import inference_status
from support.leaks import remember_emulator_secrets
from support.secrets import expect, secret_absent

pytestmark = pytest.mark.e2e

HOST_CALLS: dict[str, list[list[str]]] = {}
"""The language host's RPCs per command, printed with -s (the note quotes them)."""


@pytest.fixture
def panel_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:  # refuses creates, like DigitalOcean since June 2026
        yield emu


@pytest.fixture
def cli(engine_bin: Path, tmp_path: Path) -> Cli:
    return Cli(engine_bin=engine_bin, work=tmp_path / "cli")


def quickstart_up(cli: Cli, emu: Emulator, tmp_path: Path) -> Path:
    """The root quickstart in a user's folder, its control-panel key made, configured and up."""
    project = copy_project(tmp_path / "repo", "Pulumi.yaml", "examples/quickstart")
    emu.state.create_key("quickstart-web")
    cli.configure(project, emu)
    cli.run(project, "up", "--yes")
    return project


def test_the_root_quickstart_as_a_user_runs_it(
    cli: Cli, panel_emulator: Emulator, tmp_path: Path
) -> None:
    emu = panel_emulator
    project = copy_project(tmp_path / "repo", "Pulumi.yaml", "examples/quickstart")
    panel = emu.state.create_key("quickstart-web")  # made in the control panel
    panel_secret = panel.secret
    cli.configure(project, emu)
    HOST_CALLS["stack init/config"] = cli.host_calls()

    up = cli.run(project, "up", "--yes")
    HOST_CALLS["up"] = cli.host_calls()
    assert "+ 2 created" in up.stdout
    assert "web_key_secret         : [secret]" in up.stdout

    hidden = cli.run(project, "stack", "output", "web_key_secret").stdout.strip()
    assert hidden == "[secret]"
    secret = cli.run(project, "stack", "output", "web_key_secret", "--show-secrets").stdout.strip()
    expect(inference_status(emu, secret), 200, "inference_status")
    expect(
        inference_status(emu, panel_secret), 401, "inference_status"
    )  # adoption regenerated the panel's secret
    [key] = emu.state.keys.values()
    assert key.uuid == panel.uuid
    state = cli.state_text()
    secret_absent(secret, state, "state")
    secret_absent(emu.token, state, "the state")
    assert '"secure":' in state  # the secret and the token are there, encrypted

    cli.run(project, "preview", "--expect-no-changes")
    HOST_CALLS["preview"] = cli.host_calls()
    refreshed = cli.run(project, "refresh", "--yes")
    HOST_CALLS["refresh"] = cli.host_calls()
    assert "error" not in refreshed.stdout.lower()
    refused = cli.run(project, "destroy", "--yes", check=False)  # the adopted key is protected
    HOST_CALLS["destroy"] = cli.host_calls()
    assert refused.returncode != 0
    assert "is protected from deletion" in refused.stdout + refused.stderr
    assert [k.uuid for k in emu.state.keys.values()] == [panel.uuid]
    cli.destroy_adopted(project)  # the README's way out: deletionProtection false, up, destroy
    assert emu.state.keys == {}
    print("language host RPCs by command:", json.dumps(HOST_CALLS))
    # Each command's host served GetPluginInfo first; up and preview ran the program.
    assert all(calls[0] == "GetPluginInfo" for calls in HOST_CALLS["up"])
    assert any("Run" in calls for calls in HOST_CALLS["up"])
    assert not any("Run" in calls for calls in HOST_CALLS["refresh"] + HOST_CALLS["destroy"])


def program_project(root: Path, body: str) -> Path:
    """A one-file Python project using this package, on the repository's virtualenv."""
    project = copy_project(root, "Pulumi.yaml")
    (project / "Pulumi.yaml").write_text(
        "name: broken\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\nmain: app.py\n"
    )
    (project / "app.py").write_text(textwrap.dedent(body))
    return project


def diagnostics(output: str) -> str:
    return output.split("Diagnostics:", 1)[1] if "Diagnostics:" in output else output


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """
            from do_genai_model_keys import ModelAccessKey
            ModelAccessKey("bad", name="", adopt_existing=True)
            """,
            "name is required and must not be empty",
        ),
        (
            """
            from do_genai_model_keys import RotatingModelAccessKey
            RotatingModelAccessKey("pair", name="p", adopt_uuids=["only-one"])
            """,
            "adopt_uuids needs exactly two UUIDs",
        ),
    ],
    ids=["empty-name", "program-raises"],
)
def test_a_program_error_is_one_clear_message_and_a_failed_exit(
    cli: Cli, panel_emulator: Emulator, tmp_path: Path, body: str, expected: str
) -> None:
    project = program_project(tmp_path / "repo", body)
    cli.configure(project, panel_emulator)
    up = cli.run(project, "up", "--yes", check=False)
    assert up.returncode != 0
    text = diagnostics(up.stdout + up.stderr)
    assert text.count(expected) == 1, text
    assert "Traceback (most recent call last)" not in up.stdout + up.stderr


def test_a_missing_token_names_the_setting_and_the_fix(
    cli: Cli, panel_emulator: Emulator, tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "repo", "Pulumi.yaml", "examples/quickstart")
    cli.configure(project, panel_emulator, with_token=False)
    up = cli.run(project, "up", "--yes", check=False)
    assert up.returncode != 0
    text = diagnostics(up.stdout + up.stderr)
    assert "pulumi config set --secret digitalocean:token" in text
    assert "Traceback (most recent call last)" not in up.stdout + up.stderr


def test_an_endpoint_that_is_down_is_one_line_naming_the_key_endpoint_and_setting(
    cli: Cli, tmp_path: Path
) -> None:
    project = program_project(
        tmp_path / "repo",
        """
        from do_genai_model_keys import ModelAccessKey
        ModelAccessKey("k", name="down-key", adopt_existing=True)
        """,
    )
    cli.run(project, "stack", "init", "dev")
    cli.run(project, "config", "set", "--secret", "digitalocean:token", "dop-test-" + "0" * 24)
    cli.run(project, "config", "set", "digitalocean:apiEndpoint", "http://127.0.0.1:9")
    cli.run(project, "config", "set", "digitalocean:httpRetryMax", "0")
    up = cli.run(project, "up", "--yes", check=False)
    assert up.returncode != 0
    text = diagnostics(up.stdout + up.stderr)
    assert text.count("checking model access key 'down-key'") == 1, text
    assert "could not connect to http://127.0.0.1:9" in text
    assert "digitalocean:apiEndpoint or DIGITALOCEAN_API_URL" in text
    assert "Traceback (most recent call last)" not in up.stdout + up.stderr


def recover(cli: Cli, project: Path) -> subprocess.CompletedProcess[str]:
    return cli.script(project, sys.executable, "-m", "do_genai_model_keys", "recover")


def test_recover_settles_a_pending_create_with_the_stacks_own_config(
    cli: Cli, panel_emulator: Emulator, tmp_path: Path
) -> None:
    emu = panel_emulator
    project = quickstart_up(cli, emu, tmp_path)

    # What a killed `up` leaves in the file backend's checkpoint: a pending create of a key
    # that the server did make (`pulumi stack import` would drop pending operations).
    [checkpoint] = (cli.work / "state" / ".pulumi" / "stacks").rglob("dev.json")
    saved = json.loads(checkpoint.read_text())
    deployment = saved["checkpoint"]["latest"]
    [held] = [r for r in deployment["resources"] if r["type"].endswith(":ModelAccessKey")]
    pending = {key: value for key, value in held.items() if key not in ("id", "outputs", "created")}
    pending["urn"] = held["urn"].rsplit("::", 1)[0] + "::interrupted"
    pending["inputs"] = {**held["inputs"], "name": "interrupted-key", "adopt_existing": False}
    deployment["pending_operations"] = [{"resource": pending, "type": "creating"}]
    checkpoint.write_text(json.dumps(saved))
    made = emu.state.create_key("interrupted-key")

    settled = recover(cli, project)
    assert settled.returncode == 0, settled.stderr
    assert f"recovered {pending['urn']} as key {made.uuid}" in settled.stdout
    state = json.loads(cli.run(project, "stack", "export").stdout)["deployment"]
    assert not state.get("pending_operations")
    assert made.uuid in [r.get("id") for r in state["resources"]]

    # The program does not declare it, so the next up deletes it: no orphan on the server.
    cli.run(project, "up", "--yes")
    assert made.uuid not in emu.state.keys
    cli.destroy_adopted(project)
    after = recover(cli, project)  # after a destroy there is nothing to settle
    assert after.returncode == 0, after.stderr
    assert "no pending key creates; nothing to do" in after.stdout


def test_a_token_with_two_lines_is_refused_without_printing_it(
    engine_bin: Path, panel_emulator: Emulator, tmp_path: Path
) -> None:
    secret_part = "second-line-of-the-token-0123456789"
    cli = Cli(
        engine_bin=engine_bin,
        work=tmp_path / "cli",
        env={"DIGITALOCEAN_TOKEN": f"dop_v1_first_line\n{secret_part}"},
    )
    project = copy_project(tmp_path / "repo", "Pulumi.yaml", "examples/quickstart")
    panel_emulator.state.create_key("quickstart-web")
    cli.configure(project, panel_emulator, with_token=False)
    up = cli.run(project, "up", "--yes", check=False)
    output = up.stdout + up.stderr
    assert up.returncode != 0
    assert "environment variable DIGITALOCEAN_TOKEN: the token holds" in output
    secret_absent(secret_part, output, "output")
    assert "first_line" not in output
    assert "Traceback (most recent call last)" not in output
    secret_absent(secret_part, cli.state_text(), "cli.state_text()")


def test_after_a_token_rotation_the_advice_is_what_works(
    cli: Cli, panel_emulator: Emulator, tmp_path: Path
) -> None:
    emu = panel_emulator
    project = quickstart_up(cli, emu, tmp_path)

    # The team rotates its API token: the old one stops working, the new one goes in config.
    old = emu.token
    new = "rotated-token-" + "7" * 24
    emu.state.tokens[new] = ALL_SCOPES
    remember_emulator_secrets(emu)  # the leak scan looks for the old token too
    del emu.state.tokens[old]
    cli.run(project, "config", "set", "--secret", "digitalocean:token", new)

    refresh = cli.run(project, "refresh", "--yes", check=False)  # the token of the last up
    text = diagnostics(refresh.stdout + refresh.stderr)
    assert refresh.returncode != 0
    assert "run `pulumi up` (or `pulumi refresh --run-program`) to use the new one" in text
    secret_absent(old, text, "the refresh's output")
    secret_absent(new, text, "the refresh's output")
    cli.run(project, "refresh", "--yes", "--run-program")  # as advised: it works
    cli.run(project, "up", "--yes")  # as advised: it works, and stores the new token
    cli.run(project, "refresh", "--yes")
    cli.destroy_adopted(project)
    assert emu.state.keys == {}
