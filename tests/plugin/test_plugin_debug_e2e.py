"""Pulumi's debugging convention (through the real engine): the plugin started by hand prints
its port, and `PULUMI_DEBUG_PROVIDERS=do-genai:<port>` runs a stack against it, the engine
attaching to it instead of starting one (none is on PATH or installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli
from support.emulators import inference_status
from support.plugin_projects import PLUGIN, configure, write

pytestmark = pytest.mark.e2e

PROGRAM = {
    "Pulumi.yaml": """
        name: keys-against-a-plugin-started-by-hand
        runtime: yaml
        config:
          panelUuid:
            type: string
        resources:
          web:
            type: do-genai:index:ModelAccessKey
            properties:
              name: web
              adoptUuid: ${panelUuid}
              deletionProtection: false
        outputs:
          secret: ${web.secretKey}
    """,
}


def test_a_stack_runs_against_a_plugin_started_by_hand(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    plugin = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / PLUGIN)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert plugin.stdout is not None
        port = int(plugin.stdout.readline())
        with Emulator() as emu:
            panel = emu.state.create_key("web")
            path = f"{engine_bin}:{tools_bin}:/usr/bin:/bin"  # no folder with the plugin
            cli = Cli(
                engine_bin=engine_bin,
                work=tmp_path / "cli",
                env={"PATH": path, "PULUMI_DEBUG_PROVIDERS": f"do-genai:{port}"},
            )
            project = write(tmp_path / "yaml", PROGRAM)
            configure(cli, project, emu)
            cli.run(project, "config", "set", "panelUuid", panel.uuid)
            cli.run(project, "up", "--yes", "--skip-preview")
            shown = cli.run(project, "stack", "output", "secret", "--show-secrets").stdout
            assert inference_status(emu, shown.strip()) == 200
            cli.run(project, "destroy", "--yes", "--skip-preview")
            assert not emu.state.keys
            assert plugin.poll() is None  # the engine attached to it, and left it running
    finally:
        plugin.terminate()
        plugin.wait(timeout=30)
        if plugin.stdout is not None:
            plugin.stdout.close()
