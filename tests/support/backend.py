"""Run Pulumi programs through the Automation API on a local file backend (test machinery).

Used by the end-to-end tests and the benchmarks: no Pulumi Cloud, a fixed passphrase that guards
throwaway state only, and the engine found in a given directory (`scripts/install-pulumi.sh`
prints it).
An inline program needs no `pulumi-language-python`: the SDK serves the language runtime itself.
Dynamic providers run in `pulumi-resource-pulumi-python`, which must sit beside `pulumi`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
    """A stack whose operations' summaries are read without the config's secrets.

    After each `up`, `refresh` and `destroy` the Automation API reads the last history entry,
    by default with `--show-secrets`: one more passphrase key derivation (about 0.3 s of CPU)
    per operation, for config values no test reads. Everything else is the SDK's own."""

    def info(self, show_secrets: bool = True) -> auto.UpdateSummary | None:
        return super().info(show_secrets=False)


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
        workspace = auto.LocalWorkspace(
            work_dir=str(work_dir),
            program=program,
            env_vars=self.engine_env(),
            pulumi_command=auto.PulumiCommand(
                root=str(self.engine_bin.parent), skip_version_check=True
            ),
            # `main` as `create_or_select_stack` sets it for an inline program
            project_settings=auto.ProjectSettings(name=project, runtime="python", main=os.getcwd()),
        )
        result = SummaryStack(stack, workspace, StackInitMode.CREATE_OR_SELECT)
        values = {}
        for key, value in (config or {}).items():
            text, secret = value if isinstance(value, tuple) else (value, False)
            values[key] = auto.ConfigValue(value=text, secret=secret)
        if values:  # one `pulumi config set-all`, not a CLI run for each value
            result.set_all_config(values)
        return result
