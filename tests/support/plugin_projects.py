"""Projects of the plugin's users, written into a temporary folder as they would write them:
a `Pulumi.yaml`, their program, and the stack config of the plugin's own namespace."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from do_genai_model_keys.emulator import Emulator

from support.cli import Cli

PLUGIN = "pulumi-resource-do-genai"
"""The plugin's executable, a console script of the wheel."""
AMBIENT = f"using {PLUGIN} from $PATH"
"""The engine's warning each run when it finds the plugin on PATH, not named by the project."""


def plugin_cli(engine_bin: Path, tools_bin: Path, work: Path, *, on_path: bool = True) -> Cli:
    """The CLI with the plugin (the venv's console script) and the YAML host on PATH, as a user
    who installed the wheel has them; with `on_path=False`, no folder on PATH holds the plugin
    (the project must name it: `plugins.providers` in Pulumi.yaml)."""
    venv_bin = Path(sys.prefix) / "bin"
    rest = os.environ["PATH"].split(os.pathsep)
    if not on_path:
        rest = [d for d in rest if not (Path(d) / PLUGIN).exists()]
    folders = [str(engine_bin), str(tools_bin), *([str(venv_bin)] if on_path else []), *rest]
    return Cli(engine_bin=engine_bin, work=work, env={"PATH": os.pathsep.join(folders)})


def configure(cli: Cli, project: Path, emu: Emulator) -> None:
    """Stack `dev` with the plugin's account: its token (a secret) and endpoint."""
    cli.run(project, "stack", "init", "dev")
    settings = {"do-genai:apiEndpoint": emu.url, "do-genai:secretReadyWait": "5"}
    cli.config(project, settings, secrets={"do-genai:token": emu.token})


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


PYTHON_PROGRAM = {
    "Pulumi.yaml": """
        name: keys-in-python
        runtime:
          name: python
          options:
            virtualenv: .venv
        plugins:
          providers:
            - name: do-genai
              path: .venv/bin
    """,
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        config = pulumi.Config()
        web = genai.ModelAccessKey(
            "web",
            name=config.get("name") or "web",
            secret_version=config.get_int("version") or 1,
        )
        panel_uuid = config.get("panelUuid")
        if panel_uuid:
            genai.ModelAccessKey(
                "panel",
                name="made-in-panel",
                opts=pulumi.ResourceOptions(import_=panel_uuid),
            )
        other_endpoint = config.get("otherEndpoint")
        if other_endpoint:  # a second account: an explicit provider instance
            other = genai.Provider(
                "other", token=config.require_secret("otherToken"), api_endpoint=other_endpoint
            )
            elsewhere = genai.ModelAccessKey(
                "elsewhere", name="elsewhere", opts=pulumi.ResourceOptions(provider=other)
            )
            pulumi.export("elsewhere", elsewhere.secret_key)
        pulumi.export("uuid", web.id)
        pulumi.export("secret", web.secret_key)
        pulumi.export("models", genai.get_models_output().ids.apply(len))
    """,
}

YAML_PROGRAM = {
    "Pulumi.yaml": """
        name: keys-in-yaml
        runtime: yaml
        config:
          name:
            type: string
            default: web
          version:
            type: integer
            default: 1
        resources:
          web:
            type: do-genai:index:ModelAccessKey
            properties:
              name: ${name}
              secretVersion: ${version}
        variables:
          models:
            fn::invoke:
              function: do-genai:index:getModels
              return: ids
        outputs:
          uuid: ${web.id}
          secret: ${web.secretKey}
          modelCount:
            fn::invoke:
              function: do-genai:index:getModelAccessKeys
              arguments:
                name: ${name}
              return: uuids
    """,
}

DYNAMIC_PROGRAM = {
    "Pulumi.yaml": PYTHON_PROGRAM["Pulumi.yaml"],
    "__main__.py": """
        import pulumi
        from do_genai_model_keys import ModelAccessKey, RotatingModelAccessKey

        web = ModelAccessKey("web", name="web")
        pulumi.export("uuid", web.uuid)
        pulumi.export("secret", web.secret_key)
        pair = RotatingModelAccessKey(
            "pair", name="pair", rotation=1, min_rotation_interval_hours=0
        )
        pulumi.export("active", pair.active_secret_key)
        pulumi.export("previous", pair.previous_secret_key)
        pulumi.export("slot", pair.active_slot)
    """,
}

MOVED_PROGRAM = {
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        web = genai.ModelAccessKey("web", name="web")
        pulumi.export("uuid", web.uuid)
        pulumi.export("secret", web.secret_key)
        pair = genai.RotatingModelAccessKey(
            "pair", name="pair", rotation=1, min_rotation_interval_hours=0
        )
        pulumi.export("active", pair.active_secret_key)
        pulumi.export("previous", pair.previous_secret_key)
        pulumi.export("slot", pair.active_slot)
    """,
}

MANY_PROGRAM = {
    "Pulumi.yaml": PYTHON_PROGRAM["Pulumi.yaml"],
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        for i in range(pulumi.Config().require_int("count")):
            genai.ModelAccessKey(f"k{i}", name=f"many-{i}")
    """,
}

ROTATING_PROGRAM = {
    "Pulumi.yaml": PYTHON_PROGRAM["Pulumi.yaml"],
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        config = pulumi.Config()
        pair = genai.RotatingModelAccessKey(
            "pair",
            name="pair",
            rotation=config.get_int("rotation") or 0,
            emergency_rotations=config.get_int("emergencies") or 0,
            min_rotation_interval_hours=config.get_float("floorHours") or 0,
        )
        pulumi.export("active", pair.active_secret_key)
        pulumi.export("previous", pair.previous_secret_key)
        pulumi.export("slot", pair.active_slot)
    """,
}
