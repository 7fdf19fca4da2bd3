"""Our errors reach the engine as one line, and our notes reach the key they are about.

Newer SDKs (3.26x and later) answer a failed dynamic-provider call with the whole
`traceback.format_exc()`, so the engine's progress line reads only "Traceback (most recent call
last):" and the message sits under a screen of frames; older ones send `str(error)`. A
`GenAIError` already says what failed, for which key, and what to do, so its frames help nobody.

`install` runs in the provider process only (from the provider's `configure`): it gives the
SDK's provider server a `traceback` whose `format_exc` renders our errors as their message and
every other error as the full traceback it always was, so a bug of ours still shows where it is.
Nothing changes in a program, or where the SDK's server is not the one we know.
"""

from __future__ import annotations

import functools
import sys
import threading
import traceback
import types
from collections.abc import Sequence
from typing import Any

from ..api.errors import GenAIError


class _OneLineErrors(types.ModuleType):
    """The `traceback` module, except that `format_exc` gives a `GenAIError` as its message."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, GenAIError):
            return str(error)
        return traceback.format_exc(limit, chain)


def install(server: types.ModuleType | None = None) -> bool:
    """Hook the SDK's dynamic-provider server (`python -m pulumi.dynamic`, so `__main__`):
    one-line errors where it sends tracebacks, and detailed diffs (`note_diff`); True when it
    is the server we know (hooked now or before)."""
    server = server if server is not None else sys.modules.get("__main__")
    if not _is_dynamic_server(server):
        return False
    current = getattr(server, "traceback", None)
    if hasattr(server, "_abort_with_traceback") and current is traceback:
        server.traceback = _OneLineErrors()  # type: ignore[union-attr]
    proto = getattr(server, "proto", None)
    if isinstance(proto, types.ModuleType) and hasattr(proto, "DiffResponse"):
        server.proto = _DetailedDiffs(proto)  # type: ignore[union-attr]
    return True


def config_keys(config: Any) -> list[str]:
    """Every key of the stack config a `ConfigureRequest` carries: the SDK's `Config` reads one
    key at a time and keeps them all in `_props`; a typo is found only with the list."""
    return list(getattr(config, "_props", None) or {})


def _is_dynamic_server(server: types.ModuleType | None) -> bool:
    return server is not None and hasattr(server, "DynamicResourceProviderServicer")


# --- notes on a resource of the plan -----------------------------------------------------------
#
# The SDK's dynamic-provider server gives a provider method neither the resource's URN nor a way
# to say which property a change is about. A warning on the key itself, and a plan that names
# `secret_key` when a dead secret is healed, need both: the URN is the `request` of the server
# method that called ours (one frame up), and the properties go out through the server's
# `proto.DiffResponse`, which `install` wraps as it wraps `traceback`.

_notes = threading.local()


def note_diff(properties: Sequence[str], replaces: Sequence[str] = ()) -> None:
    """The properties the diff being answered changes, so the engine's plan names them (a
    change of an output such as `secret_key` names nothing otherwise)."""
    _notes.diffs = ([p for p in properties if p not in replaces], list(replaces))


def warn_on_resource(message: str) -> bool:
    """Show `message` as a warning on the resource whose call is being served; False when
    there is no engine or resource to attach it to (the caller then logs it plainly)."""
    from ..seams.engine import warn_on

    return warn_on(_engine(), _calling_urn(), message)


def served_urn() -> str:
    """The URN of the resource whose call is being served ("" outside an engine's call)."""
    return _calling_urn()


def _calling_urn() -> str:
    """The URN in the `request` of the SDK server's method that called into the provider."""
    frame = sys._getframe(1)
    for _ in range(24):
        frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return ""
        urn = getattr(frame.f_locals.get("request"), "urn", "")
        if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
            return urn
    return ""


@functools.cache
def _engine() -> Any:
    """The engine's gRPC stub: the dynamic provider is started with its address as argument."""
    address = sys.argv[-1] if len(sys.argv) > 1 else ""
    if not _is_dynamic_server(sys.modules.get("__main__")):
        return None
    from ..seams.engine import engine_at

    return engine_at(address)


class _DetailedDiffs(types.ModuleType):
    """The SDK server's `proto` module, except that `DiffResponse` carries the properties our
    `diff` noted (`note_diff`) as a detailed diff."""

    def __init__(self, proto: types.ModuleType) -> None:
        super().__init__(proto.__name__)
        self._proto = proto
        self.DiffResponse = _NotedDiffResponse(proto)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proto, name)


class _NotedDiffResponse:
    """Builds `DiffResponse`s as the proto class does (its constants read through), adding the
    noted properties as a detailed diff to a response that says there are changes."""

    def __init__(self, proto: types.ModuleType) -> None:
        self._proto = proto
        self._cls = proto.DiffResponse

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cls, name)

    def __call__(self, **fields: Any) -> Any:
        noted = getattr(_notes, "diffs", None)
        _notes.diffs = None
        response = self._cls(**fields)
        if noted and fields.get("changes") == self._cls.DIFF_SOME:
            updates, replaces = noted
            kind = self._proto.PropertyDiff
            for name in updates:
                response.detailedDiff[name].kind = kind.UPDATE
            for name in replaces:
                response.detailedDiff[name].kind = kind.UPDATE_REPLACE
            response.diffs.extend([*updates, *replaces])
            response.hasDetailedDiff = True
        return response
