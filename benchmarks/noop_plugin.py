"""A do-nothing provider plugin: the engine's own floor for a plugin's resources.

`noopbench:index:Noop` resources carry a key's inputs and outputs (the secret as a secret) and
do nothing: create hands back its inputs, diff compares them, update takes the new ones. It is
served by the same SDK server (`pulumi.provider.experimental`) and the same wide worker pool as
`pulumi-resource-do-genai`, so the plugin against it is the cost of our code and of the API.

    python benchmarks/noop_plugin.py ENGINE_ADDRESS     (the engine starts it; see `launcher`)
"""

from __future__ import annotations

import asyncio
import stat
import sys
import uuid
from pathlib import Path

from pulumi.provider.experimental import provider as api
from pulumi.provider.experimental import server
from pulumi.provider.experimental.property_value import PropertyValue

TYPE = "noopbench:index:Noop"


class NoopPlugin(api.Provider):
    async def configure(self, request: api.ConfigureRequest) -> api.ConfigureResponse:
        return api.ConfigureResponse(accept_secrets=True, supports_preview=True)

    async def check(self, request: api.CheckRequest) -> api.CheckResponse:
        return api.CheckResponse(inputs=request.new_inputs)

    async def diff(self, request: api.DiffRequest) -> api.DiffResponse:
        changed = [k for k, v in request.new_inputs.items() if request.old_state.get(k) != v]
        return api.DiffResponse(changes=bool(changed), diffs=changed)

    async def create(self, request: api.CreateRequest) -> api.CreateResponse:
        await asyncio.sleep(0)
        return api.CreateResponse(str(uuid.uuid4()), _state(request.properties))

    async def update(self, request: api.UpdateRequest) -> api.UpdateResponse:
        return api.UpdateResponse(_state({**request.olds, **request.news}))

    async def read(self, request: api.ReadRequest) -> api.ReadResponse:
        return api.ReadResponse(request.resource_id, request.properties, request.inputs)

    async def delete(self, request: api.DeleteRequest) -> None:
        return None


def _state(inputs: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    """The inputs and a key's outputs, the secret a secret."""
    return {
        **inputs,
        "uuid": PropertyValue(str(uuid.uuid4())),
        "secretKey": PropertyValue("sk-do-noop", is_secret=True),
        "createdAt": PropertyValue("2026-01-01T00:00:00Z"),
        "createdBy": PropertyValue("noop"),
        "rotatedAt": PropertyValue("2026-01-01T00:00:00Z"),
    }


def launcher(folder: Path) -> Path:
    """`pulumi-resource-noopbench` in `folder`, for the engine to find on PATH."""
    path = folder / "pulumi-resource-noopbench"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


if __name__ == "__main__":
    server.main(sys.argv[1:], "0.0.1", NoopPlugin())
