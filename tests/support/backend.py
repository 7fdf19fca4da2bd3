"""Run Pulumi programs through the Automation API on a local file backend (test machinery).

Used by the end-to-end tests and the benchmarks: no Pulumi Cloud, a fixed passphrase that guards
throwaway state only, and the engine found in a given directory (`scripts/install-pulumi.sh`
prints it).
An inline program needs no `pulumi-language-python`: the SDK serves the language runtime itself.
Dynamic providers run in `pulumi-resource-pulumi-python`, which must sit beside `pulumi`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.automation._stack import StackInitMode  # how `create_or_select_stack` opens one

ENGINE_DIR_ENV = "PULUMI_ENGINE_DIR"


def find_engine_bin(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding `pulumi` and `pulumi-resource-pulumi-python`, or a clear error."""
    candidates = [explicit, os.environ.get(ENGINE_DIR_ENV)]
    found = shutil.which("pulumi")
    if found:
        candidates.append(str(Path(found).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "pulumi").is_file():
            return Path(candidate)
    raise RuntimeError(
        "no Pulumi engine found: run `bash scripts/install-pulumi.sh` and put the directory it "
        f"prints on PATH or in {ENGINE_DIR_ENV}"
    )


class SummaryStack(auto.Stack):
    """A stack whose operations' summaries are read without the config's secrets, and whose
    outputs are read when first looked at.

    After each `up`, `refresh` and `destroy` the Automation API reads the last history entry,
    by default with `--show-secrets`: one more passphrase key derivation (about 0.3 s of CPU)
    per operation, for config values no test reads. After each `up` it reads the outputs, with
    one more; most tests look at the state or the emulator instead. Everything else is the
    SDK's own."""

    def info(self, show_secrets: bool = True) -> auto.UpdateSummary | None:
        return super().info(show_secrets=False)

    def outputs(self) -> auto.OutputMap:
        return OutputsWhenRead(super().outputs)  # type: ignore[return-value]


class OutputsWhenRead(Mapping[str, auto.OutputValue]):
    """A stack's outputs, read from the state the first time any is asked for (an `up`
    result's `outputs`); a mapping, not a dict, so nothing can read it unloaded."""

    def __init__(self, read: Callable[[], auto.OutputMap]) -> None:
        self._read = read
        self._outputs: auto.OutputMap | None = None

    def _loaded(self) -> auto.OutputMap:
        if self._outputs is None:
            self._outputs = self._read()
        return self._outputs

    def __getitem__(self, name: str) -> auto.OutputValue:
        return self._loaded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key that marks a secret in a state (Pulumi's secret signature; `stacks.SECRET_SIG`)."""


def _plain(value: Any) -> Any:
    """A value of an exported state with its secrets' plaintext in place."""
    if isinstance(value, dict) and SECRET_SIG in value:
        return _plain(json.loads(value["plaintext"]))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _output(value: Any) -> auto.OutputValue:
    """A stack output as the SDK's `stack_outputs` reads it: secret when the whole value is
    (a secret inside a map or list leaves the output itself unmarked)."""
    return auto.OutputValue(_plain(value), isinstance(value, dict) and SECRET_SIG in value)


class OutputsWorkspace(auto.LocalWorkspace):
    """A workspace that reads a stack's outputs in one CLI run.

    The SDK runs `stack output` twice (masked, to learn which are secret, then with
    `--show-secrets`), and every `up` reads the outputs: two processes, one of them deriving the
    passphrase's key. `stack export --show-secrets` gives the root stack's outputs with each
    secret still marked as one, in one process."""

    def stack_outputs(self, stack_name: str) -> auto.OutputMap:
        deployment = self.export_stack(stack_name).deployment or {}
        roots = [r for r in deployment.get("resources", []) if r["type"] == "pulumi:pulumi:Stack"]
        outputs = roots[0].get("outputs", {}) if roots else {}
        return {k: _output(v) for k, v in outputs.items()}


@cache
def pulumi_command(engine_bin: Path) -> auto.PulumiCommand:
    """The CLI in `engine_bin`, made once: each `PulumiCommand` runs `pulumi version`."""
    return auto.PulumiCommand(root=str(engine_bin.parent), skip_version_check=True)


@dataclass
class LocalBackend:
    """A file backend under `root`, with every stack's engine run confined to it."""

    root: Path
    engine_bin: Path
    # Guards throwaway local state only; real stacks bring their own secrets provider.
    passphrase: str = "local-demo-passphrase"
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the engine and the provider processes (e.g. DIGITALOCEAN_*)."""

    def engine_env(self) -> dict[str, str]:
        state = self.root / "state"
        state.mkdir(parents=True, exist_ok=True)
        return {
            "PATH": f"{self.engine_bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": state.resolve().as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": self.passphrase,
            "PULUMI_PYTHON_CMD": sys.executable,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_HOME": str((self.root / "home").resolve()),
            **self.env,
        }

    def cli(self, project: str, *args: str) -> str:
        """Run the `pulumi` CLI in a project's directory; returns stdout, raises on failure."""
        done = subprocess.run(  # our own engine binary, arguments from our code
            [str(self.engine_bin / "pulumi"), *args, "--non-interactive"],
            cwd=self.root / "projects" / project,
            env={**os.environ, **self.engine_env()},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def stack(
        self,
        project: str,
        stack: str,
        program: Callable[[], None],
        *,
        config: Mapping[str, str | tuple[str, bool]] | None = None,
    ) -> auto.Stack:
        """Create (or select) a stack whose program is `program`, with the given config.

        A config value is a string, or `(value, True)` for a secret.
        """
        work_dir = self.root / "projects" / project
        work_dir.mkdir(parents=True, exist_ok=True)
        workspace = OutputsWorkspace(
            work_dir=str(work_dir),
            program=program,
            env_vars=self.engine_env(),
            pulumi_command=pulumi_command(self.engine_bin),
            # `main` as `create_or_select_stack` sets it for an inline program
            project_settings=auto.ProjectSettings(name=project, runtime="python", main=os.getcwd()),
        )
        # Selecting a stack that is not there yet is one more CLI run that fails.
        known = (self.root / "state" / ".pulumi" / "stacks" / project / f"{stack}.json").exists()
        mode = StackInitMode.SELECT if known else StackInitMode.CREATE
        result = SummaryStack(stack, workspace, mode)
        values = {}
        for key, value in (config or {}).items():
            text, secret = value if isinstance(value, tuple) else (value, False)
            values[key] = auto.ConfigValue(value=text, secret=secret)
        if values:  # one `pulumi config set-all`, not a CLI run for each value
            result.set_all_config(values)
        return result
