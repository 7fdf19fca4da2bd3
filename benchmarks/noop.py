"""Do-nothing dynamic resources: the engine's own floors.

`Noop` is the plain floor: one input, one output. `ShapedNoop` carries exactly the state a
`ModelAccessKey` carries (the same inputs and outputs, the secret marked secret) and does nothing
with it: its read hands the state back and its diff finds no change. Ours against `ShapedNoop` is
the cost of our code; `ShapedNoop` against `Noop` is what the engine and the SDK spend carrying a
key's state, which our code cannot remove without dropping outputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pulumi
from do_genai_model_keys.lifecycle.outputs import KeyOutputs
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['value']}", {"value": props["value"]})


class Noop(Resource, module="bench", name="Noop"):
    value: pulumi.Output[str]

    def __init__(self, name: str, value: str) -> None:
        super().__init__(NoopProvider(), name, {"value": value})


@dataclass(frozen=True)
class ShapedKey:
    """What DigitalOcean would say about a key, without pydantic (the floor loads no more)."""

    uuid: str
    name: str
    created_at: str
    created_by: str


def key_shaped(props: dict[str, Any]) -> dict[str, Any]:
    """`props` plus the outputs a created key has, as the resource writes them."""
    made = "2026-01-01T00:00:00Z"
    name = str(props["name"])
    key = ShapedKey(uuid=f"shaped-{name}", name=name, created_at=made, created_by="0")
    outputs = KeyOutputs.of(key, props, secret=f"sk-shaped-{name}", rotated_at=made)
    return {**props, **outputs.state(props)}


class ShapedNoopProvider(ResourceProvider):
    """Optionally waits `wait_s` in create and update: one API call's latency, and no call."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        time.sleep(float(props.get("wait_s") or 0))
        outs = key_shaped(props)
        return CreateResult(outs["uuid"], outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        time.sleep(float(news.get("wait_s") or 0))
        return UpdateResult(key_shaped(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        inputs = [k for k in news if k != "__provider"]
        return DiffResult(changes=any(olds.get(k) != news[k] for k in inputs))


class ShapedNoop(Resource, module="bench", name="ShapedNoop"):
    def __init__(self, name: str, props: dict[str, Any]) -> None:
        secrecy = pulumi.ResourceOptions(additional_secret_outputs=["secret_key"])
        super().__init__(ShapedNoopProvider(), name, props, secrecy)
