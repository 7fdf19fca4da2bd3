"""The plugin through the real engine and the `pulumi` CLI, in users' own project folders:
Python through the generated SDK, YAML through Pulumi's YAML host. Each creates, renames,
rotates, reads the secret as a secret, imports a control-panel key and destroys."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli
from support.emulators import SOME_UUID, api_requests, control, fault, inference_status
from support.plugin_projects import (
    AMBIENT,
    DYNAMIC_PROGRAM,
    MANY_PROGRAM,
    MOVED_PROGRAM,
    PYTHON_PROGRAM,
    ROTATING_PROGRAM,
    YAML_PROGRAM,
    configure,
    plugin_cli,
    write,
)
from support.secrets import secret_absent

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def outputs(cli: Cli, project: Path) -> dict[str, object]:
    shown = cli.run(project, "stack", "output", "--json", "--show-secrets").stdout
    return dict(json.loads(shown))


def writes(emu: Emulator) -> list[str]:
    """The requests since the last stats reset that could change something at DigitalOcean."""
    return [r for r in control(emu, "GET", "stats")["requests"] if not r.startswith("GET")]


def lifecycle(cli: Cli, project: Path, emu: Emulator, *, ambient: bool) -> None:
    """Create, rename and rotate in place, secret kept secret, then destroy. `ambient`: the
    engine finds the plugin on PATH (and says so) rather than where the project names it."""
    control(emu, "POST", "stats/reset")
    first_preview = cli.run(project, "preview")  # of the create: it writes nothing
    assert "a preview cannot tell whether this account still may" in first_preview.stdout
    assert writes(emu) == []
    up = cli.run(project, "up", "--yes", "--skip-preview")
    assert (AMBIENT in up.stdout + up.stderr) is ambient
    assert "secret" in up.stdout
    assert "[secret]" in up.stdout
    first = outputs(cli, project)
    uuid, secret = str(first["uuid"]), str(first["secret"])
    assert inference_status(emu, secret) == 200
    assert cli.run(project, "stack", "output", "secret").stdout.strip() == "[secret]"
    state = cli.state_text()
    secret_absent(secret, state, "the state")
    secret_absent(emu.token, state, "the state")
    secret_absent(secret, up.stdout + up.stderr, "the CLI output")

    cli.run(project, "config", "set", "name", "web-renamed")
    cli.run(project, "config", "set", "version", "2")
    control(emu, "POST", "stats/reset")
    preview = cli.run(project, "preview", "--diff")
    assert "web-renamed" in preview.stdout
    assert writes(emu) == []  # a preview of a rename and a rotation changes nothing either
    cli.run(project, "up", "--yes", "--skip-preview")
    after = outputs(cli, project)
    assert after["uuid"] == uuid  # renamed and rotated in place
    assert emu.state.keys[uuid].name == "web-renamed"
    assert inference_status(emu, secret) == 401
    assert inference_status(emu, str(after["secret"])) == 200

    control(emu, "POST", "stats/reset")
    cli.run(project, "refresh", "--yes", "--skip-preview")
    assert api_requests(emu, "GET /v2/gen-ai/models/api_keys") == 1  # one listing per account
    cli.run(project, "preview", "--expect-no-changes")
    cli.run(project, "destroy", "--yes", "--skip-preview")
    assert uuid not in emu.state.keys


def test_python_through_the_generated_sdk(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator(allow_create=True) as emu:
        # The project names the plugin's folder (Pulumi.yaml `plugins.providers`): no PATH.
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = write(tmp_path / "keys-in-python", PYTHON_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)
        lifecycle(cli, project, emu, ambient=False)

        panel = emu.state.create_key("made-in-panel")
        cli.run(project, "config", "set", "panelUuid", panel.uuid)
        imported = cli.run(project, "up", "--yes", "--skip-preview")
        assert "imported" in imported.stdout
        assert inference_status(emu, panel.secret) == 200  # the import regenerates nothing
        again = cli.run(project, "up", "--yes", "--skip-preview")
        assert "imported with `pulumi import`" in again.stdout + again.stderr
        assert inference_status(emu, panel.secret) == 401
        cli.unprotect_keys(project)  # the imported key is protected from deletion
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys

        with Emulator(allow_create=True) as other:  # another account, another provider
            cli.run(project, "config", "rm", "panelUuid")
            cli.run(project, "config", "set", "otherEndpoint", other.url)
            cli.run(project, "config", "set", "--secret", "otherToken", other.token)
            cli.run(project, "up", "--yes", "--skip-preview")
            [elsewhere] = other.state.keys.values()
            assert elsewhere.name == "elsewhere"
            assert [k.name for k in emu.state.keys.values()] == ["web-renamed"]
            assert inference_status(other, str(outputs(cli, project)["elsewhere"])) == 200
            secret_absent(other.token, cli.state_text(), "the state")
            cli.run(project, "destroy", "--yes", "--skip-preview")
            assert not other.state.keys


def test_yaml_through_the_yaml_host_and_pulumi_import(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        project = write(tmp_path / "keys-in-yaml", YAML_PROGRAM)
        configure(cli, project, emu)
        lifecycle(cli, project, emu, ambient=True)

        panel = emu.state.create_key("made-in-panel")
        done = cli.run(
            project,
            "import",
            "do-genai:index:ModelAccessKey",
            "panel",
            panel.uuid,
            "--yes",
            "--out",
            str(tmp_path / "imported.yaml"),
        )
        assert "1 imported" in done.stdout
        code = (tmp_path / "imported.yaml").read_text()
        assert "name: made-in-panel" in code
        assert "do-genai:ModelAccessKey" in code
        assert inference_status(emu, panel.secret) == 200  # the import regenerates nothing

        # The user pastes the generated resource into the program: the next `up` regenerates
        # the imported key, whose secret the state could not have, and says why.
        program = (project / "Pulumi.yaml").read_text()
        pasted = code.split("resources:\n", 1)[1]
        (project / "Pulumi.yaml").write_text(
            program.replace("resources:\n", "resources:\n" + pasted, 1)
        )
        again = cli.run(project, "up", "--yes", "--skip-preview")
        assert "imported with `pulumi import`" in again.stdout + again.stderr
        assert inference_status(emu, panel.secret) == 401
        urn = "urn:pulumi:dev::keys-in-yaml::do-genai:index:ModelAccessKey::panel"
        cli.run(project, "state", "unprotect", urn, "--yes")
        # The engine's protection lifted, ours remains: a key the stack imported is not
        # deleted, and the message speaks the plugin's names.
        refused = cli.run(project, "destroy", "--yes", "--skip-preview", check=False)
        said = refused.stdout + refused.stderr
        assert refused.returncode != 0
        assert "it was imported, not created by this stack" in said
        assert "set deletionProtection to false" in said
        assert "retainOnDelete" in said
        assert "deletion_protection" not in said
        assert panel.uuid in emu.state.keys
        # Its first way out: deletionProtection false on the key, `up`, then destroy.
        lines = (project / "Pulumi.yaml").read_text().splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip() == "name: made-in-panel")
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at + 1, f"{indent}deletionProtection: false")
        # ...and the engine's own protection, which the pasted code keeps, goes too.
        at = next(i for i, line in enumerate(lines) if line.strip() == "protect: true")
        first = at - 1 if lines[at - 1].strip() == "options:" else at
        del lines[first : at + 1]
        (project / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
        cli.run(project, "up", "--yes", "--skip-preview")
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys


def test_a_stack_moves_from_the_dynamic_resources_to_the_plugin_keeping_its_secret(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        project = write(tmp_path / "moving", DYNAMIC_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        cli.configure(project, emu)  # the dynamic door's digitalocean:* config
        cli.run(project, "up", "--yes", "--skip-preview")
        before = outputs(cli, project)

        cli.run(project, "stack", "export", "--file", str(tmp_path / "before.json"))
        moved = cli.script(
            project,
            sys.executable,
            "-m",
            "do_genai_model_keys",
            "move-to-plugin",
            str(tmp_path / "before.json"),
            "--out",
            str(tmp_path / "after.json"),
        )
        assert "pulumi config set --secret do-genai:token" in moved.stderr
        cli.run(project, "stack", "import", "--file", str(tmp_path / "after.json"))
        cli.run(project, "config", "set", "--secret", "do-genai:token", emu.token)
        cli.run(project, "config", "set", "do-genai:apiEndpoint", emu.url)
        cli.run(project, "config", "set", "do-genai:inferenceEndpoint", emu.url)
        write(project, MOVED_PROGRAM)

        cli.run(project, "preview", "--expect-no-changes")
        cli.run(project, "up", "--yes", "--skip-preview")
        after = outputs(cli, project)
        # the same keys, the same secrets (the pair's both): nothing was regenerated
        assert after == before
        for secret in (after["secret"], after["active"], after["previous"]):
            assert inference_status(emu, str(secret)) == 200
        state = cli.state_text()
        assert "do-genai:index:ModelAccessKey" in state
        assert "do-genai:index:RotatingModelAccessKey$do-genai:index:ModelAccessKey" in state
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys


def node_program(cli: Cli, folder: Path, sdk: Path, **request: object) -> dict[str, object]:
    done = cli.script(
        folder, "node", str(folder / "program.js"), str(sdk), stdin=json.dumps(request)
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_typescript_through_the_generated_node_sdk_in_an_inline_program(
    engine_bin: Path, tools_bin: Path, node_modules: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "keys-in-typescript"
    shutil.copytree(ROOT / "provider" / "sdk" / "nodejs", folder / "sdk")
    (folder / "node_modules").symlink_to(node_modules)
    shutil.copy2(ROOT / "tests" / "plugin" / "nodejs" / "program.js", folder / "program.js")
    tsc = node_modules / "typescript" / "bin" / "tsc"
    subprocess.run(["node", str(tsc), "-p", str(folder / "sdk")], check=True, cwd=folder)
    sdk = folder / "sdk" / "bin"
    shutil.copy2(folder / "sdk" / "package.json", sdk / "package.json")  # as a publish does

    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        cli.env["DIGITALOCEAN_TOKEN"] = emu.token  # the token from the environment, as CI has it
        config = {
            "do-genai:apiEndpoint": emu.url,
            "do-genai:secretReadyWait": "5",
        }
        first = node_program(cli, folder, sdk, action="up", config=config)
        web = first["outputs"]
        assert isinstance(web, dict)
        assert web["secret"]["secret"] is True  # a secret output, as the schema says
        uuid, secret = web["uuid"]["value"], web["secret"]["value"]
        assert inference_status(emu, secret) == 200
        assert web["models"]["value"] > 0
        secret_absent(secret, cli.state_text(), "the state")

        renamed = node_program(
            cli, folder, sdk, action="up", config={"name": "web-ts", "version": "2"}
        )["outputs"]
        assert isinstance(renamed, dict)
        assert renamed["uuid"]["value"] == uuid
        assert emu.state.keys[uuid].name == "web-ts"
        assert inference_status(emu, secret) == 401
        assert inference_status(emu, renamed["secret"]["value"]) == 200

        panel = emu.state.create_key("made-in-panel")
        imported = node_program(cli, folder, sdk, action="up", config={"panelUuid": panel.uuid})
        changes = imported["changes"]
        assert isinstance(changes, dict)
        assert changes.get("import") == 1
        assert inference_status(emu, panel.secret) == 200
        node_program(cli, folder, sdk, action="up")  # the next up regenerates it
        assert inference_status(emu, panel.secret) == 401

        # The imported key is protected from deletion: a destroy fails and deletes nothing,
        # until deletionProtection false has been through an up.
        with pytest.raises(AssertionError, match="is protected from deletion"):
            node_program(cli, folder, sdk, action="destroy")
        assert panel.uuid in emu.state.keys
        node_program(cli, folder, sdk, action="up", config={"panelProtection": "false"})
        node_program(cli, folder, sdk, action="destroy")
        assert not emu.state.keys


def test_the_plugin_serves_more_than_four_calls_at_once(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    """The dynamic provider serves four calls at a time whatever the engine sends; the plugin
    serves what the engine sends (counted by the emulator: the most requests answered at once)."""
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        project = write(tmp_path / "many", MANY_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)
        cli.run(project, "config", "set", "count", "12")
        cli.run(project, "config", "set", "do-genai:verifySecrets", "false")
        fault(emu, kind="latency", method="POST", path="/v2/gen-ai/models/api_keys", latency_ms=400)
        control(emu, "POST", "stats/reset")
        up = cli.run(project, "up", "--yes", "--skip-preview", "--parallel", "16")
        assert AMBIENT not in up.stdout + up.stderr  # on PATH, but named by the project
        stats = control(emu, "GET", "stats")
        assert stats["requests"]["POST /v2/gen-ai/models/api_keys"] == 12
        assert stats["peak_in_flight"] > 4, stats
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys


def test_an_error_reads_as_its_message_without_a_class_path(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    program = {
        "Pulumi.yaml": f"""
            name: wrong-uuid
            runtime: yaml
            resources:
              web:
                type: do-genai:index:ModelAccessKey
                properties:
                  name: web
                  adoptUuid: {SOME_UUID}
        """
    }
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        project = write(tmp_path / "wrong-uuid", program)
        configure(cli, project, emu)
        failed = cli.run(project, "up", "--yes", "--skip-preview", check=False)
        said = failed.stdout + failed.stderr
        assert failed.returncode != 0
        assert SOME_UUID in said
        assert "checking model access key 'web'" in said
        assert "Unexpected <class" not in said
        assert "Traceback" not in said
        assert not emu.state.keys


def test_a_rotating_pair_through_the_plugin_rotates_the_standby_and_refuses_a_jump(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    """The same component as the Python door's, built by the plugin (`Construct`)."""
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli")
        project = write(tmp_path / "pair", ROTATING_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)
        cli.run(project, "up", "--yes", "--skip-preview")
        first = outputs(cli, project)
        assert first["slot"] == "a"
        assert sorted(k.name for k in emu.state.keys.values()) == ["pair-a", "pair-b"]
        assert cli.run(project, "stack", "output", "active").stdout.strip() == "[secret]"

        cli.run(project, "config", "set", "rotation", "1")
        preview = cli.run(project, "preview", "--diff")
        assert "pair-b" in preview.stdout  # the standby is the one to regenerate
        cli.run(project, "up", "--yes", "--skip-preview")
        second = outputs(cli, project)
        assert second["slot"] == "b"
        assert second["previous"] == first["active"]  # the old active secret still works
        assert inference_status(emu, str(second["previous"])) == 200
        assert inference_status(emu, str(second["active"])) == 200
        assert inference_status(emu, str(first["previous"])) == 401

        cli.run(project, "config", "set", "rotation", "3")
        jump = cli.run(project, "up", "--yes", "--skip-preview", check=False)
        assert jump.returncode != 0
        assert "moves from 1 to 3 at once" in jump.stdout + jump.stderr
        assert inference_status(emu, str(second["active"])) == 200  # nothing was regenerated
        cli.run(project, "config", "set", "rotation", "1")

        # An emergency, then a usual rotation whose secret is never taken: the emergency count
        # is in the state, so the rotation is no emergency, and its unproven secret fails it.
        cli.run(project, "config", "set", "emergencies", "1")
        cli.run(project, "up", "--yes", "--skip-preview")
        third = outputs(cli, project)
        cli.run(project, "config", "set", "do-genai:secretReadyWait", "1")
        cli.run(project, "config", "set", "rotation", "2")
        emu.state.secret_delay = 3600.0  # from now on, no new secret is ever taken
        refused = cli.run(project, "up", "--yes", "--skip-preview", check=False)
        assert refused.returncode != 0
        assert "is not taken by DigitalOcean's inference API" in refused.stdout + refused.stderr
        kept = outputs(cli, project)
        assert kept["active"] == third["active"]
        assert inference_status(emu, str(kept["active"])) == 200
        emu.state.secret_delay = 0.0
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys
