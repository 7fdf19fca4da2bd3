"""The built wheel installs beside the newest Pulumi SDK without touching it, and works.

A platform team already has `pulumi` (and other providers) in its environment: installing this
package must not downgrade it. The fresh virtualenv takes the newest `pulumi` first, then the
wheel; pip then also brings the newest httpx, pydantic and tenacity our ranges allow, so the
smoke run below also exercises those.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent

SMOKE = """
import json, subprocess, sys
from do_genai_model_keys import GenAIClient, ModelAccessKey, RotatingModelAccessKey, get_models
from do_genai_model_keys.emulator import Emulator
with Emulator(allow_create=True) as emu, GenAIClient(emu.token, api_endpoint=emu.url) as client:
    key = client.create_key("installed")
    models = client.list_models()
    made = {"key": key.name, "models": len(models), "secret": key.secret_key is not None}
    print(json.dumps(made))
"""


PULUMI_VERSION = "from importlib.metadata import version; print(version('pulumi'))"


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, cwd=cwd
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stderr[-4000:]}"
    return done.stdout


def test_the_wheel_keeps_the_newest_pulumi_and_imports(tmp_path: Path) -> None:
    # Built from a copy, so the build leaves nothing in the checkout; the copy goes afterwards
    # (its test files hold test tokens, which the leak scan would rightly flag).
    wheels = tmp_path / "wheels"
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "source"
        shutil.copytree(
            ROOT,
            source,
            ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "*_cache"),
        )
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source)
    [wheel] = wheels.glob("do_genai_model_keys-*.whl")

    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    pip = (python, "-m", "pip", "--disable-pip-version-check", "--quiet")
    run(*pip, "install", "pulumi")
    newest = run(python, "-c", PULUMI_VERSION).strip()

    run(*pip, "install", wheel)
    after = run(python, "-c", PULUMI_VERSION).strip()
    assert after == newest, f"installing the wheel changed pulumi {newest} to {after}"

    # Out of the source tree, so that the installed package is the one imported.
    result = json.loads(run(python, "-c", SMOKE, cwd=tmp_path).strip().splitlines()[-1])
    assert result == {"key": "installed", "models": 60, "secret": True}
    print(f"wheel beside pulumi {newest}: imports and works")
