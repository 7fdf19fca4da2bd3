"""Our errors reach the engine as one line, with any supported Pulumi SDK.

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

import sys
import traceback
import types
from typing import Any

from .errors import GenAIError


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
    """Hook the SDK's dynamic-provider server (`python -m pulumi.dynamic`, so `__main__`);
    True when it was hooked now or before."""
    server = server if server is not None else sys.modules.get("__main__")
    if server is None or not hasattr(server, "_abort_with_traceback"):
        return False
    current = getattr(server, "traceback", None)
    if isinstance(current, _OneLineErrors):
        return True
    if current is not traceback:
        return False
    server.traceback = _OneLineErrors()  # type: ignore[attr-defined]
    return True
