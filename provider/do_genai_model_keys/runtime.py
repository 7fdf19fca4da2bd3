"""The provider process's connection to DigitalOcean: settings, client and key store.

One `ProviderRuntime` per process, built from the stack config that `configure` hands the
provider (or from the environment when it never ran), and rebuilt only when that config changes.
It lives here, apart from `resources.py`, so that a program that only declares keys never loads
the HTTP client, pydantic or tenacity: only the provider process does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from .client import GenAIClient
from .config import ClientSettings, settings_from_stack_config
from .keys import KeyStore


class ProviderRuntime:
    """What a provider process needs to talk to DigitalOcean; never pickled."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.client = GenAIClient(settings=settings)
        self.keys = KeyStore(self.client)
        """The key store of the stack's account, with its one listing."""
        self._accounts: dict[ClientSettings, KeyStore] = {settings: self.keys}
        self._accounts_lock = threading.Lock()

    def store_for(self, account: dict[str, Any]) -> KeyStore:
        """The key store of an explicit `Account` (one per account per process, each with its
        own listing): the same settings share one."""
        from .account import settings_of

        settings = settings_of(account)
        with self._accounts_lock:
            store = self._accounts.get(settings)
            if store is None:
                store = self._accounts[settings] = KeyStore(GenAIClient(settings=settings))
            return store

    def close(self) -> None:
        for store in self._accounts.values():
            store.client.close()


_runtime: ProviderRuntime | None = None
_runtime_lock = threading.Lock()


def configure_runtime(
    get_config: Callable[[str], Any] = lambda _key: None, keys: Iterable[str] = ()
) -> ProviderRuntime:
    """(Re)build the runtime from stack config (`get_config` reads one key; `keys` names every
    key set) and the environment, once per distinct config."""
    global _runtime
    settings = settings_from_stack_config(get_config, keys)
    with _runtime_lock:
        if _runtime is None or _runtime.settings != settings:
            previous, _runtime = _runtime, ProviderRuntime(settings)
            if previous is not None:
                previous.close()
        return _runtime


def reset_runtime() -> None:
    """Forget the runtime and close its connections (tests, and programs that reconfigure)."""
    global _runtime
    with _runtime_lock:
        previous, _runtime = _runtime, None
    if previous is not None:
        previous.close()


def runtime() -> ProviderRuntime:
    """The configured runtime, or one from the environment when `configure` never ran."""
    with _runtime_lock:
        current = _runtime
    return current if current is not None else configure_runtime()
