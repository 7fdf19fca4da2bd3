"""A Pulumi stack of model access keys against an emulator, for end-to-end tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from do_genai_model_keys import ModelAccessKey
from do_genai_model_keys.api.config import DEFAULT_RETRY_MAX
from do_genai_model_keys.doors import snake
from do_genai_model_keys.dynamic import KEY_TYPE
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto

from support.backend import SECRET_SIG as SECRET_MARK
from support.backend import LocalBackend
from support.emulators import clear_faults, fault
from support.leaks import remember_emulator_secrets

KeySpecs = dict[str, dict[str, Any]]
"""Resource name -> ModelAccessKey keyword arguments."""
SECRET_SIG = {SECRET_MARK: "1b47061264138c4ac30d75fd1eb44270"}
"""How a state marks a secret value (Pulumi's secret signature)."""
ATTEMPTS = DEFAULT_RETRY_MAX + 1  # the first attempt and every retry
"""How often a stack's provider sends a request that keeps failing: a fault rule with this
`count` fails every attempt."""


def import_copies(
    stack: auto.Stack,
    resource_type: str,
    copy: Callable[[dict[str, Any], str, int], dict[str, Any]],
    n: int,
) -> None:
    """Replace the stack's one resource of `resource_type` by `n` copies made by `copy`
    (template, URN prefix, index), through `stack import`."""
    exported = stack.export_stack()
    deployment = dict(exported.deployment or {})
    template = next(r for r in deployment["resources"] if r["type"] == resource_type)
    others = [r for r in deployment["resources"] if r is not template]
    prefix = template["urn"].rsplit("::", 1)[0]
    deployment["resources"] = others + [copy(template, prefix, i) for i in range(n)]
    stack.import_stack(auto.Deployment(version=exported.version, deployment=deployment))


def unprotected(deployment: dict[str, Any]) -> bool:
    """Set deletion_protection to false on every key of a deployment (either door), as an `up`
    with deletion_protection=False would write it; False when it holds no key."""
    from do_genai_model_keys.lifecycle.outputs import deletion_protected

    changed = False
    for resource in deployment.get("resources", []):
        kind = str(resource.get("type", ""))
        if not kind.endswith("ModelAccessKey") or kind.endswith("RotatingModelAccessKey"):
            continue
        plugin = kind.startswith("do-genai:")
        outputs = resource.get("outputs") or {}
        state = {snake(k): v for k, v in outputs.items()} if plugin else outputs
        if not deletion_protected(state):
            continue  # a key the stack created: nothing to lift
        name = "deletionProtection" if plugin else "deletion_protection"
        for part in ("inputs", "outputs"):
            resource.setdefault(part, {})[name] = False
        changed = True
    return changed


def unprotect_keys(stack: auto.Stack) -> None:
    """Lift the deletion protection of every key of the stack's state (a test's teardown)."""
    exported = stack.export_stack()
    deployment = dict(exported.deployment or {})
    if unprotected(deployment):
        stack.import_stack(auto.Deployment(version=exported.version, deployment=deployment))


def seed_keys(stack: auto.Stack, emulator: Emulator, n: int, prefix: str) -> None:
    """Turn a stack holding one key into one holding `n` keys adopted from the emulator's
    control panel (`<prefix>-0000`, ...), each with its live secret, without an `up` of each:
    a state as the engine writes it, for tests of what comes after."""

    def key_copy(template: dict[str, Any], urn_prefix: str, i: int) -> dict[str, Any]:
        key = emulator.state.create_key(f"{prefix}-{i:04d}")
        secret = {**SECRET_SIG, "plaintext": json.dumps(key.secret)}
        inputs = {**template["inputs"], "name": key.name, "adopt_uuid": key.uuid}
        return {
            **template,
            "urn": f"{urn_prefix}::k{i:04d}",
            "id": key.uuid,
            "inputs": inputs,
            "outputs": {**template["outputs"], **inputs, **key.info(), "secret_key": secret},
        }

    import_copies(stack, KEY_TYPE, key_copy, n)


def emulator_config(emu: Emulator) -> dict[str, Any]:
    """Stack config that points a program at `emu`: its token (a secret) and both endpoints."""
    return {
        "digitalocean:token": (emu.token, True),
        "digitalocean:apiEndpoint": emu.url,
        "digitalocean:inferenceEndpoint": emu.url,
    }


def keys_program(specs: KeySpecs):
    """A program declaring one ModelAccessKey per entry and exporting its uuid and secret."""

    def program() -> None:
        for resource_name, kwargs in specs.items():
            key = ModelAccessKey(resource_name, **kwargs)
            pulumi.export(f"{resource_name}.uuid", key.uuid)
            pulumi.export(f"{resource_name}.secret", key.secret_key)
            pulumi.export(f"{resource_name}.name", key.name)

    return program


@dataclass
class KeyStack:
    backend: LocalBackend
    emulator: Emulator
    project: str = "keys"
    output: list[str] = field(default_factory=list)
    stack: auto.Stack | None = None
    destroy_at_teardown: bool = True
    """False for a test whose keys are many and whose subject is not the delete: the backend
    and the emulator are thrown away with the test all the same."""

    def open(self, specs: KeySpecs) -> auto.Stack:
        self.stack = self.backend.stack(
            self.project,
            "dev",
            keys_program(specs),
            config={
                **emulator_config(self.emulator),
                "digitalocean:httpRetryWaitMin": "0.01",
                "digitalocean:httpRetryWaitMax": "0.05",
            },
        )
        return self.stack

    def up(self, specs: KeySpecs) -> auto.UpResult:
        stack = self.stack or self.open(specs)
        stack.workspace.program = keys_program(specs)
        return stack.up(on_output=self.output.append)

    def preview(self, specs: KeySpecs) -> auto.PreviewResult:
        assert self.stack is not None
        self.stack.workspace.program = keys_program(specs)
        return self.stack.preview(on_output=self.output.append)

    def seed(self, n: int, prefix: str) -> None:
        """A state of `n` keys adopted from the control panel (see `seed_keys`), and nothing
        else in the emulator."""
        template = self.emulator.state.create_key(f"{prefix}-template")
        self.up({"template": {"name": template.name, "adopt_uuid": template.uuid}})
        self.emulator.state.delete_key(template.uuid)
        assert self.stack is not None
        seed_keys(self.stack, self.emulator, n, prefix)

    def refresh(self) -> auto.RefreshResult:
        assert self.stack is not None
        return self.stack.refresh(on_output=self.output.append)

    def destroy(self, *, unprotect: bool = True) -> auto.DestroyResult:
        """Destroy the stack; with `unprotect`, first lift the deletion protection of its
        adopted keys in the state (what `up` with deletion_protection=False would write), so
        a test that adopted keys from the panel ends with none at DigitalOcean."""
        assert self.stack is not None
        if unprotect:
            unprotect_keys(self.stack)
        return self.stack.destroy(on_output=self.output.append)

    def set_env(self, name: str, value: str) -> None:
        assert self.stack is not None
        workspace = self.stack.workspace
        assert isinstance(workspace, auto.LocalWorkspace)
        workspace.env_vars = {**workspace.env_vars, name: value}

    def state_file(self) -> Path:
        found = list((self.backend.root / "state").rglob("dev.json"))
        assert len(found) == 1, found
        return found[0]

    def encrypted_export(self) -> str:
        return self.backend.cli(self.project, "stack", "export", "--stack", "dev")

    def decrypted_resources(self) -> list[dict[str, Any]]:
        assert self.stack is not None
        deployment = self.stack.export_stack().deployment or {}
        return [r for r in deployment.get("resources", []) if r["type"].endswith("ModelAccessKey")]

    def outputs(self) -> dict[str, Any]:
        assert self.stack is not None
        return {k: v.value for k, v in self.stack.outputs().items()}


@contextmanager
def key_stack(backend: Callable[..., LocalBackend], emu: Emulator) -> Iterator[KeyStack]:
    """A `KeyStack` on `emu` for one test (a fixture's body): afterwards the faults are cleared
    so that the destroy goes through, and the destroy must leave no key behind."""
    stack = KeyStack(backend(), emu)
    yield stack
    clear_faults(emu)
    if stack.stack is not None and stack.destroy_at_teardown:
        stack.destroy()
        assert emu.state.keys == {}, "destroy must leave no keys"


def changes(result: Any) -> dict[str, int]:
    summary = result.change_summary if hasattr(result, "change_summary") else None
    if summary is None:
        summary = result.summary.resource_changes or {}
    return {k: v for k, v in dict(summary).items() if k != "same"}


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def faulty_run(keys: KeyStack, emulator: Emulator) -> None:
    """Material for the scan: an up with retries and a regenerate, a refresh and a destroy,
    under injected faults (the caller has logging on)."""
    fault(emulator, kind="status", status=500, count=3)
    fault(emulator, kind="commit_then_drop", method="POST", count=1)
    keys.up({"a": {"name": "leak-a"}, "b": {"name": "leak-b"}})
    keys.up({"a": {"name": "leak-a", "secret_version": 2}, "b": {"name": "leak-b"}})
    keys.refresh()
    keys.destroy()
    keys.stack = None
    remember_emulator_secrets(emulator)
