"""The plugin's tools: the SDK generator and the YAML language host, built once per version
outside the repository (scripts/install-plugin-tools.sh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-plugin-tools.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"the plugin's tools could not be built:\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip().splitlines()[-1])
