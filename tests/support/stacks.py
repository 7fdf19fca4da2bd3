"""A Pulumi stack of model access keys against an emulator, for end-to-end tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from do_genai_model_keys import ModelAccessKey
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto

from support.backend import LocalBackend

KeySpecs = dict[str, dict[str, Any]]
"""Resource name -> ModelAccessKey keyword arguments."""


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

    def open(self, specs: KeySpecs) -> auto.Stack:
        self.stack = self.backend.stack(
            self.project,
            "dev",
            keys_program(specs),
            config={
                "digitalocean:token": (self.emulator.token, True),
                "digitalocean:apiEndpoint": self.emulator.url,
                "digitalocean:inferenceEndpoint": self.emulator.url,
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

    def refresh(self) -> auto.RefreshResult:
        assert self.stack is not None
        return self.stack.refresh(on_output=self.output.append)

    def destroy(self) -> auto.DestroyResult:
        assert self.stack is not None
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


def changes(result: Any) -> dict[str, int]:
    summary = result.change_summary if hasattr(result, "change_summary") else None
    if summary is None:
        summary = result.summary.resource_changes or {}
    return {k: v for k, v in dict(summary).items() if k != "same"}


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
