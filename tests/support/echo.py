"""A trivial dynamic resource for proving the engine harness.

It lives in an importable module, so dill pickles its provider by reference and the provider
process imports it from `tests/` (on PYTHONPATH), just as it imports
`do_genai_model_keys.dynamic.resources`.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider


class EchoProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(
            f"echo-{props['message']}",
            {"message": props["message"], "length": len(props["message"])},
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds.get("message") != news.get("message"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, dict(props))


class Echo(Resource, module="test", name="Echo"):
    message: pulumi.Output[str]
    length: pulumi.Output[int]

    def __init__(self, name: str, message: pulumi.Input[str]) -> None:
        super().__init__(EchoProvider(), name, {"message": message, "length": None})
