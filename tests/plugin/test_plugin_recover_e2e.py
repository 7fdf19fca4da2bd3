"""`recover` serves the plugin's stacks too (through the real CLI): a killed `up` of a plugin
stack leaves a pending create of a key the server made; `recover` lists the account the stack's
`do-genai:*` config names, settles it into the state, keeps what it cannot settle pending, and
the next `up` ends with exactly the declared keys: no second key of any name."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.cli import Cli
from support.plugin_projects import PYTHON_PROGRAM, configure, plugin_cli, write

pytestmark = pytest.mark.e2e


def recover(cli: Cli, project: Path, *, check: bool = True):
    return cli.script(project, sys.executable, "-m", "do_genai_model_keys", "recover", check=check)


def test_a_killed_plugin_up_then_recover_then_up_makes_no_duplicate(
    engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    with Emulator(allow_create=True) as emu:
        cli = plugin_cli(engine_bin, tools_bin, tmp_path / "cli", on_path=False)
        project = write(tmp_path / "keys-in-python", PYTHON_PROGRAM)
        (project / ".venv").symlink_to(Path(sys.prefix))
        configure(cli, project, emu)  # do-genai:* config only: no digitalocean:* at all
        cli.run(project, "up", "--yes", "--skip-preview")
        [made] = emu.state.keys.values()

        # What a kill between the create and its answer leaves in the file backend's
        # checkpoint: the create pending, the key made; and an operation of another resource
        # that recover does not settle.
        [checkpoint] = (cli.work / "state" / ".pulumi" / "stacks").rglob("dev.json")
        saved = json.loads(checkpoint.read_text())
        deployment = saved["checkpoint"]["latest"]
        [web] = [r for r in deployment["resources"] if r["type"].endswith(":ModelAccessKey")]
        deployment["resources"].remove(web)
        pending = {k: v for k, v in web.items() if k not in ("id", "outputs", "created")}
        other = {"urn": web["urn"].replace("::web", "::other"), "type": "random:index:Id"}
        deployment["pending_operations"] = [
            {"resource": pending, "type": "creating"},
            {"resource": other, "type": "updating"},
        ]
        checkpoint.write_text(json.dumps(saved))

        settled = recover(cli, project, check=False)
        assert f"recovered {web['urn']} as key {made.uuid}" in settled.stdout, settled.stderr
        state = json.loads(cli.run(project, "stack", "export").stdout)["deployment"]
        assert made.uuid in [r.get("id") for r in state["resources"]]
        left = [op["resource"]["urn"] for op in state.get("pending_operations") or []]
        assert left == [other["urn"]]  # not dropped: recover did not settle it

        cli.run(project, "cancel", "--yes", check=False)
        saved = json.loads(checkpoint.read_text())
        saved["checkpoint"]["latest"]["pending_operations"] = []  # the person settles it
        checkpoint.write_text(json.dumps(saved))
        cli.run(project, "up", "--yes", "--skip-preview")
        assert [k.uuid for k in emu.state.keys.values()] == [made.uuid]  # no second `web`
