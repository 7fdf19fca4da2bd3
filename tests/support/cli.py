"""The `pulumi` CLI as a user runs it: a subprocess in a project folder, on a file backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from do_genai_model_keys.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "cli-test-passphrase"  # guards throwaway local state only


@dataclass
class Cli:
    """Runs `pulumi` commands with a private file backend, home and language-host call log."""

    engine_bin: Path
    work: Path
    env: dict[str, str] = field(default_factory=dict, repr=False)
    """Extra environment for every command (e.g. DIGITALOCEAN_TOKEN, DO_GENAI_NOW)."""

    def __post_init__(self) -> None:
        (self.work / "state").mkdir(parents=True, exist_ok=True)
        self.host_calls_file = self.work / "host-calls"

    def environment(self) -> dict[str, str]:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "DIGITALOCEAN_"))
        }
        return {
            **clean,
            "PATH": f"{self.engine_bin}{os.pathsep}{clean.get('PATH', '')}",
            "PULUMI_BACKEND_URL": (self.work / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(self.work / "home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "DO_GENAI_HOST_CALLS": str(self.host_calls_file),
            **self.env,
        }

    def run(self, cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS --non-interactive` in `cwd`; raises with the output when it fails."""
        return self.script(
            cwd, str(self.engine_bin / "pulumi"), *args, "--non-interactive", check=check
        )

    def script(
        self, cwd: Path, *command: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command (the CLI, or a CI pipeline script) with this environment. What a
        command must not show on its command line (a request holding a token) goes on `stdin`:
        a failure's message quotes the command line."""
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=self.environment(),
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{shown(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def configure(self, project: Path, emu: Emulator, *, with_token: bool = True) -> None:
        """Stack `dev` in `project`, pointed at `emu` as a user sets it up: the token (a secret,
        unless `with_token` is false: the environment's then) and both endpoints."""
        self.run(project, "stack", "init", "dev")
        endpoints = {"digitalocean:apiEndpoint": emu.url, "digitalocean:inferenceEndpoint": emu.url}
        secrets = {"digitalocean:token": emu.token} if with_token else {}
        self.config(project, endpoints, secrets=secrets)

    def config(
        self, project: Path, values: dict[str, str], *, secrets: dict[str, str] | None = None
    ) -> None:
        """Set stack config in one CLI run (`pulumi config set-all`): each `pulumi` run that
        touches secrets derives the passphrase's key anew, a third of a second of CPU."""
        args = [f"--plaintext={key}={value}" for key, value in values.items()]
        args += [f"--secret={key}={value}" for key, value in (secrets or {}).items()]
        self.run(project, "config", "set-all", *args)

    def destroy_adopted(self, project: Path) -> None:
        """Destroy a quickstart stack whose key was adopted, as its README says: the key is
        protected from deletion, so lift the protection with an `up` first."""
        self.run(project, "config", "set", "deletionProtection", "false")
        self.run(project, "up", "--yes")
        self.run(project, "destroy", "--yes")

    def unprotect_keys(self, project: Path) -> None:
        """Lift the deletion protection of the stack's keys in its state (a test's teardown:
        what an `up` with deletion_protection=False would write)."""
        import json

        from support.stacks import unprotected

        exported = json.loads(self.run(project, "stack", "export").stdout)
        if unprotected(exported["deployment"]):
            moved = self.work / "unprotected.json"
            moved.write_text(json.dumps(exported))
            self.run(project, "stack", "import", "--file", str(moved))

    def host_calls(self) -> list[list[str]]:
        """The RPCs each language-host process served, in the order the processes started."""
        if not self.host_calls_file.exists():
            return []
        by_process: dict[str, list[str]] = defaultdict(list)
        for line in self.host_calls_file.read_text().splitlines():
            pid, name = line.split()
            by_process[pid].append(name)
        self.host_calls_file.unlink()
        return list(by_process.values())

    def state_text(self) -> str:
        return "\n".join(p.read_text() for p in (self.work / "state").rglob("*.json"))


def shown(command: tuple[str, ...] | list[str]) -> str:
    """The command for a message, with the value after `--secret ... KEY` and each
    `--secret=KEY=VALUE`'s value hidden."""
    words = list(command)
    if "--secret" in words:
        words[-1] = "[secret]"
    words = [
        f"--secret={w.split('=')[1]}=[secret]" if w.startswith("--secret=") else w for w in words
    ]
    return " ".join(words)


def copy_project(destination: Path, *relative: str) -> Path:
    """Copy files and folders of the repository into `destination` (same layout), with the
    repository's virtualenv linked in as `.venv`, so a Pulumi.yaml runs there unchanged."""
    destination.mkdir(parents=True, exist_ok=True)
    for item in relative:
        source = ROOT / item
        target = destination / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    (destination / ".venv").symlink_to(Path(sys.prefix))
    return destination
