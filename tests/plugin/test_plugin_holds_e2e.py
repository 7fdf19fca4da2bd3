"""A hold lasts the whole run, across provider processes (through the real engine and CLI): the
default provider and an explicit one are two processes of one `pulumi up`, and what one of them
takes the other knows. A key moved under an explicit provider in the same change as a rename
survives the old resource's delete; two providers adopting one key fail before the second
regenerates anything; the same key imported twice is refused at the second import."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli
from support.emulators import KEY_ROUTE, api_requests, inference_status
from support.plugin_projects import PYTHON_PROGRAM, configure, plugin_cli, write

pytestmark = pytest.mark.e2e

REGENERATE = f"PUT {KEY_ROUTE}/regenerate"

HOLDING_PROGRAM = {
    "Pulumi.yaml": PYTHON_PROGRAM["Pulumi.yaml"],
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        config = pulumi.Config()
        uuid = config.require("uuid")
        prod = genai.Provider(  # the same account as the stack's, in a process of its own
            "prod", token=config.require_secret("token"), api_endpoint=config.require("url")
        )
        under_prod = pulumi.ResourceOptions(provider=prod)
        mode = config.require("mode")
        if mode == "default":
            web = genai.ModelAccessKey("web", name="web", adopt_uuid=uuid)
            pulumi.export("secret", web.secret_key)
        elif mode == "moved":  # under the explicit provider, and renamed: no alias
            web = genai.ModelAccessKey("frontend", name="web", adopt_uuid=uuid, opts=under_prod)
            pulumi.export("secret", web.secret_key)
        elif mode == "twice":
            genai.ModelAccessKey("first", name="first-name", adopt_uuid=uuid)
            genai.ModelAccessKey("second", name="second-name", adopt_uuid=uuid, opts=under_prod)
        elif mode == "imported-twice":
            genai.ModelAccessKey("one", name="shared", opts=pulumi.ResourceOptions(import_=uuid))
            genai.ModelAccessKey(
                "two",
                name="shared",
                opts=pulumi.ResourceOptions(import_=uuid, provider=prod),
            )
    """,
}


def refused_up(cli: Cli, project: Path) -> str:
    """What `pulumi up` said when it failed (it must fail)."""
    done = cli.run(project, "up", "--yes", "--skip-preview", check=False)
    assert done.returncode != 0, done.stdout
    return done.stdout + done.stderr


def project_for(cli: Cli, tmp_path: Path, emu: Emulator, uuid: str) -> Path:
    project = write(tmp_path / "holds", HOLDING_PROGRAM)
    (project / ".venv").symlink_to(Path(sys.prefix))
    configure(cli, project, emu)
    cli.run(project, "config", "set", "--secret", "token", emu.token)
    cli.run(project, "config", "set", "url", emu.url)
    cli.run(project, "config", "set", "uuid", uuid)
    return project


def test_a_key_moved_under_an_explicit_provider_and_renamed_is_kept(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("web")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = project_for(cli, tmp_path, emu, panel.uuid)
        cli.run(project, "config", "set", "mode", "default")
        cli.run(project, "up", "--yes", "--skip-preview")
        cli.run(project, "config", "set", "mode", "moved")
        moved = cli.run(project, "up", "--yes", "--skip-preview")
        assert list(emu.state.keys) == [panel.uuid], "the key was deleted"
        assert "was not deleted" in moved.stdout
        assert "'frontend'" in moved.stdout  # the warning names the resource that holds it
        secret = cli.run(project, "stack", "output", "secret", "--show-secrets").stdout.strip()
        assert inference_status(emu, secret) == 200


def test_two_providers_adopting_one_key_fail_before_the_second_regenerates(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("shared")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = project_for(cli, tmp_path, emu, panel.uuid)
        cli.run(project, "config", "set", "mode", "twice")
        said = refused_up(cli, project)
        assert "already held in this run" in said
        assert "'first'" in said
        assert "'second'" in said
        assert list(emu.state.keys) == [panel.uuid]
        assert api_requests(emu, REGENERATE) <= 1  # the second never regenerated


def test_the_same_key_imported_into_two_resources_is_refused(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("shared")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = project_for(cli, tmp_path, emu, panel.uuid)
        cli.run(project, "config", "set", "mode", "imported-twice")
        said = refused_up(cli, project)
        assert "already held in this run" in said
        assert api_requests(emu, REGENERATE) == 0
        assert inference_status(emu, panel.secret) == 200  # the panel's secret still works


IMPORTING_PROGRAM = {
    "Pulumi.yaml": PYTHON_PROGRAM["Pulumi.yaml"],
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        config = pulumi.Config()
        key = genai.ModelAccessKey(
            "panel",
            name=config.require("name"),
            regenerate_on_adopt=config.get_bool("regenerate"),
            opts=pulumi.ResourceOptions(import_=config.require("uuid")),
        )
        pulumi.export("secret", key.secret_key)
    """,
}


def test_an_import_takes_the_key_as_it_is_or_fails_naming_both_names(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    """The `import` option takes a key without touching it at DigitalOcean: a program name
    that differs from the key's fails the import, naming both, and renames nothing; with the
    name matching and regenerateOnAdopt false, a refresh and a preview afterwards show no
    change, and nothing is said to be regenerated."""
    with Emulator() as emu:
        panel = emu.state.create_key("made-in-panel")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = write(tmp_path / "importing", IMPORTING_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)
        cli.run(project, "config", "set", "uuid", panel.uuid)
        cli.run(project, "config", "set", "regenerate", "false")

        cli.run(project, "config", "set", "name", "another-name")
        said = refused_up(cli, project)
        assert "made-in-panel" in said
        assert "another-name" in said
        assert emu.state.keys[panel.uuid].name == "made-in-panel"  # renamed nothing
        assert inference_status(emu, panel.secret) == 200  # regenerated nothing

        cli.run(project, "config", "set", "name", "made-in-panel")
        cli.run(project, "up", "--yes", "--skip-preview")
        assert inference_status(emu, panel.secret) == 200
        refreshed = cli.run(project, "refresh", "--yes", "--skip-preview")
        assert "regenerates it" not in refreshed.stdout + refreshed.stderr
        assert "~ 1 updated" not in refreshed.stdout
        cli.run(project, "preview", "--expect-no-changes")
        assert inference_status(emu, panel.secret) == 200


def test_after_an_import_a_refresh_reports_no_change_and_a_preview_names_the_regenerate(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator() as emu:
        panel = emu.state.create_key("made-in-panel")
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = write(tmp_path / "importing", IMPORTING_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)
        cli.run(project, "config", "set", "uuid", panel.uuid)
        cli.run(project, "config", "set", "name", "made-in-panel")
        imported = cli.run(project, "up", "--yes", "--skip-preview")
        assert inference_status(emu, panel.secret) == 200  # the import regenerates nothing
        refreshed = cli.run(project, "refresh", "--yes", "--skip-preview")
        assert "~ 1 updated" not in refreshed.stdout  # nothing changed at DigitalOcean
        assert "is regenerated" not in refreshed.stdout  # nor is anything regenerated
        preview = cli.run(project, "preview", "--diff")
        assert "~ 1 to update" in preview.stdout  # the regenerate, named as such:
        assert "`pulumi up` regenerates it" in preview.stdout + preview.stderr
        assert "the next `pulumi up` regenerates it" in imported.stdout + imported.stderr
        cli.run(project, "up", "--yes", "--skip-preview")
        assert inference_status(emu, panel.secret) == 401


def test_a_plugin_stack_with_only_the_dynamic_doors_endpoint_is_refused(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    """`digitalocean:apiEndpoint` (the Python quickstart's) on a plugin stack without its
    `do-genai:` twin: refused naming the twin, instead of going to DigitalOcean's endpoint."""
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = write(tmp_path / "keys-in-python", PYTHON_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        cli.run(project, "stack", "init", "dev")
        cli.run(project, "config", "set", "--secret", "do-genai:token", emu.token)
        cli.run(project, "config", "set", "digitalocean:apiEndpoint", emu.url)
        said = refused_up(cli, project)
        assert "do-genai:apiEndpoint" in said
        assert emu.token not in said
        assert not emu.state.keys
