"""Reading and writing a Pulumi backend, the one way every command does it: the `pulumi` CLI in a
subprocess, with the caller's environment (its backend, passphrase and tokens) and folder.

`keys` and `rotation` read every stack of a backend (`stack ls`, `stack export`); `recover`
reads and writes one stack (`stack export`, `stack import`, `cancel`, its config). The CLI is
the backend's own reader: whatever backend the user is logged in to, with whatever secrets
provider, reads the same here. What fails says what `pulumi` said, once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api.errors import GenAIError

Run = Callable[[Sequence[str]], str]
"""Runs `pulumi` with these arguments and returns its standard output."""


class InventoryError(GenAIError):
    """The backend (or the account) could not be read or written; for the backend, the message
    is what `pulumi` said. (Its name is the inventory's, which exported it first.)"""


def find_pulumi(name: str = "pulumi") -> str:
    found = shutil.which(name)
    if found is None:
        raise InventoryError(f"{name!r} is not on PATH: install Pulumi or pass --pulumi")
    return found


def backend_env(backend_url: str | None = None) -> dict[str, str]:
    """The caller's environment, with `backend_url` as the backend when given."""
    env = dict(os.environ)
    if backend_url:
        env["PULUMI_BACKEND_URL"] = backend_url
    return env


def pulumi_runner(pulumi: str, env: Mapping[str, str], cwd: Path | None = None) -> Run:
    def run(args: Sequence[str]) -> str:
        done = subprocess.run(  # noqa: S603  # our own fixed arguments, no shell
            [pulumi, *args, "--non-interactive"],
            env=dict(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise InventoryError(f"`pulumi {' '.join(args)}` failed: {pulumi_said(done.stderr)}")
        return done.stdout

    return run


def pulumi_said(text: str) -> str:
    """What a failed `pulumi` command said, once: its `error:` lines without repeats, else its
    last line."""
    said: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith("error:") and line[6:].strip() not in said:
            said.append(line[6:].strip())
    if not said:
        lines = [line.strip().removeprefix("stderr:").strip() for line in text.splitlines()]
        said = [line for line in lines if line][-1:] or ["(no message)"]
    return "; ".join(said).rstrip(".")


def read_json(text: str, what: str) -> Any:
    """`what`'s answer as JSON, or an error naming it (nesting too deep to read included)."""
    try:
        return json.loads(text)
    except ValueError:
        raise InventoryError(f"{what} did not answer with JSON") from None
    except RecursionError:
        raise InventoryError(f"{what} answered with JSON nested too deeply to read") from None


@dataclass(frozen=True)
class Exported:
    """A stack's state as `pulumi stack export` gives it."""

    version: int | None
    deployment: dict[str, Any] | None


@dataclass(frozen=True)
class ConfigValue:
    value: Any
    secret: bool = False


class CliStack:
    """One stack of the backend, read and written through the CLI: the methods `recover` uses,
    which the Automation API's `Stack` has too (a program may hand either)."""

    def __init__(self, run: Run, name: str) -> None:
        self.run, self.name = run, name

    def export_stack(self) -> Exported:
        exported = read_json(
            self.run(["stack", "export", "--show-secrets", "--stack", self.name]),
            f"`pulumi stack export --stack {self.name}`",
        )
        if not isinstance(exported, dict):
            raise InventoryError(f"the export of {self.name} is not a state")
        return Exported(exported.get("version"), exported.get("deployment"))

    def import_stack(self, state: Any) -> None:
        exported = {"version": state.version, "deployment": state.deployment}
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "state.json"
            path.write_text(json.dumps(exported))
            self.run(["stack", "import", "--file", str(path), "--stack", self.name])

    def cancel(self) -> None:
        self.run(["cancel", "--yes", "--stack", self.name])

    def get_all_config(self) -> dict[str, ConfigValue]:
        shown = self.run(["config", "--json", "--show-secrets", "--stack", self.name])
        config = read_json(shown, f"`pulumi config --stack {self.name}`")
        if not isinstance(config, dict):
            raise InventoryError(f"the config of {self.name} is not a map")
        return {
            str(key): ConfigValue(item.get("value"), bool(item.get("secret")))
            for key, item in config.items()
            if isinstance(item, dict)
        }


def selected_stack(run: Run) -> str:
    """The project's selected stack."""
    return run(["stack", "--show-name"]).strip()


def backend_url(run: Run) -> str:
    """The URL of the backend the CLI is logged in to."""
    answer = read_json(run(["whoami", "--json"]), "`pulumi whoami`")
    return str(answer.get("url") or "") if isinstance(answer, dict) else ""
