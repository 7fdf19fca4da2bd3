"""The plugin's gRPC server: the SDK's servicer, with our errors said as their message.

`pulumi.provider.experimental.server.main` serves a provider, but an exception escaping a
provider method reaches the engine as gRPC's "Unexpected <class '...PluginError'>: ...", the
class path first. Our errors already say what failed, for which key and what to do, so each
call here answers a `PluginError` with its message alone (`context.abort`), also when the SDK's
servicer has re-raised it with a stack appended (newer SDKs do); anything else is left to the
SDK's own answer, so a bug of ours still shows what it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pulumi.provider as classic
from google.protobuf import empty_pb2
from pulumi.provider import server as classic_server
from pulumi.provider.experimental import provider as api
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import plugin_pb2, provider_pb2_grpc

CALLS = (
    "CheckConfig", "DiffConfig", "Configure", "Check", "Diff", "Create", "Read", "Update",
    "Delete", "Invoke", "GetSchema",
)  # fmt: skip


class PluginError(Exception):
    """One of our errors as the engine shows it: its message, which names no secret."""


def _said_plainly(call: Callable[[Any, Any], Awaitable[Any]]) -> Callable[[Any, Any], Any]:
    @functools.wraps(call)
    async def answer(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await call(request, context)
        except Exception as error:
            ours = _ours(error)
            if ours is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, str(ours))

    return answer


def _ours(error: BaseException | None) -> PluginError | None:
    """Our error, raised as it is or re-raised by the SDK's servicer as a new exception with a
    stack (SDKs from 3.26x wrap every call so)."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, PluginError):
            return error
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def serve(
    provider: api.Provider,
    version: str,
    engine: str,
    args: list[str],
    components: classic.Provider | None = None,
    on_attach: Callable[[str], None] | None = None,
) -> None:
    """Serve `provider` (and its `components`' `Construct`) on a loopback port, print the port
    (the engine reads it), until the engine stops the process. `on_attach` hears the address
    of an engine that attaches to a plugin started by hand."""

    async def run() -> None:
        server = grpc.aio.server(options=[("grpc.max_receive_message_length", 400 * 2**20)])
        servicer = ProviderServicer(args, version, provider, engine_address=engine)
        for name in CALLS:
            setattr(servicer, name, _said_plainly(getattr(servicer, name)))
        builder = None
        if components is not None:  # components are built by the SDK's component server
            builder = classic_server.ProviderServicer(components, args, engine_address=engine)
            servicer.Construct = builder.Construct  # type: ignore[method-assign]

        async def attach(request: plugin_pb2.PluginAttach, context: Any) -> empty_pb2.Empty:
            """Pulumi's debugging convention: a plugin started by hand prints its port, and an
            engine run with PULUMI_DEBUG_PROVIDERS=do-genai:<port> attaches to it, sending its
            address here instead of as an argument. The SDK's servicers keep the address in
            an attribute of their own (checked with the SDK versions in constraints.txt)."""
            servicer._engine_address = request.address
            if builder is not None:
                builder.engine_address = request.address
            if on_attach is not None:
                on_attach(request.address)
            return empty_pb2.Empty()

        servicer.Attach = attach  # type: ignore[method-assign]
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # the engine's interrupt ends the server
        asyncio.run(run())
