"""The provider process's connection to DigitalOcean: settings, client and shared key listing.

One `ProviderRuntime` per process, built from the stack config that `configure` hands the
provider (or from the environment when it never ran), and rebuilt only when that config changes.
It lives here, apart from `resources.py`, so that a program that only declares keys never loads
the HTTP client, pydantic or tenacity: only the provider process does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .client import GenAIClient
from .config import STACK_CONFIG_KEYS, ClientSettings, resolve_settings
from .listing import SharedKeyListing


class ProviderRuntime:
    """What a provider process needs to talk to DigitalOcean; never pickled."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.client = GenAIClient(settings=settings)
        self.listing = SharedKeyListing(self.client.iter_keys)


_runtime: ProviderRuntime | None = None
_runtime_lock = threading.Lock()


def configure_runtime(stack_config: Mapping[str, Any] | None) -> ProviderRuntime:
    """(Re)build the runtime from stack config and the environment, once per distinct config."""
    global _runtime
    config = {k: str(v) for k, v in (stack_config or {}).items() if k in STACK_CONFIG_KEYS and v}
    settings = resolve_settings(stack_config=config)
    with _runtime_lock:
        if _runtime is None or _runtime.settings != settings:
            previous, _runtime = _runtime, ProviderRuntime(settings)
            if previous is not None:
                previous.client.close()
        return _runtime


def reset_runtime() -> None:
    """Forget the runtime and close its connections (tests, and programs that reconfigure)."""
    global _runtime
    with _runtime_lock:
        previous, _runtime = _runtime, None
    if previous is not None:
        previous.client.close()


def runtime() -> ProviderRuntime:
    """The configured runtime, or one from the environment when `configure` never ran."""
    with _runtime_lock:
        current = _runtime
    return current if current is not None else configure_runtime(None)
