"""The engine's log, for warnings shown on the resource they are about.

Both doors serve calls for resources the engine names by URN; a warning about a key belongs on
that key in `pulumi up`'s output, not in the provider's own log. The engine serves its `Log`
method at the address it starts a provider with (the SDK's generated gRPC stub is public).
"""

from __future__ import annotations

from typing import Any


def engine_at(address: str) -> Any:
    """The engine's gRPC stub at `address` (None without one)."""
    if ":" not in address:
        return None
    import grpc
    from pulumi.runtime.proto import engine_pb2_grpc

    return engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))


def warn_on(engine: Any, urn: str, message: str) -> bool:
    """Show `message` as a warning on the resource `urn`; False when there is no engine or
    resource to attach it to, or the engine did not take it (the caller logs it plainly)."""
    if not urn or engine is None:
        return False
    from pulumi.runtime.proto import engine_pb2

    try:
        request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn)
        engine.Log(request, timeout=5)
    except Exception:  # any failure at all: a warning that cannot be shown is logged plainly
        return False
    return True
