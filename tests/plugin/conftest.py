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


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The TypeScript test's packages (tests/plugin/nodejs, locked), installed once per lock
    outside the repository, as the engine is cached."""
    import hashlib
    import os
    import shutil

    source = ROOT / "tests" / "plugin" / "nodejs"
    lock = (source / "package-lock.json").read_bytes()
    cache = Path(
        os.environ.get("PULUMI_ENGINE_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "do-genai-pulumi-engine"
    )
    home = cache / f"node-{hashlib.sha256(lock).hexdigest()[:12]}"
    if not (home / "node_modules" / ".package-lock.json").exists():
        work = Path(f"{home}.partial-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for name in ("package.json", "package-lock.json", ".npmrc"):
            shutil.copy2(source / name, work / name)
        done = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=work, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci of tests/plugin/nodejs failed:\n{done.stderr[-3000:]}")
        try:
            work.rename(home)
        except OSError:  # another worker finished first
            shutil.rmtree(work, ignore_errors=True)
    return home / "node_modules"
