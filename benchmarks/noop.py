"""A do-nothing dynamic resource: the engine's own floor for `pulumi up` of N resources."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['value']}", {"value": props["value"]})


class Noop(Resource, module="bench", name="Noop"):
    value: pulumi.Output[str]

    def __init__(self, name: str, value: str) -> None:
        super().__init__(NoopProvider(), name, {"value": value})
