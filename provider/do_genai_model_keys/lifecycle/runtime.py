"""The provider process's connection to DigitalOcean: settings, and per account a client, a
key store and the live-secret checks.

One `ProviderRuntime` per process, built from the stack config that `configure` hands the
provider (or from the environment when it never ran), and rebuilt only when that config changes.
It lives here, apart from `resources.py`, so that a program that only declares keys never loads
the HTTP client, pydantic or tenacity: only the provider process does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..api.client import GenAIClient
from ..api.config import ClientSettings, settings_from_stack_config
from ..keys.holds import forget_holds
from ..keys.secret_checks import SecretChecker
from ..keys.store import KeyStore


@dataclass(frozen=True)
class AccountKeys:
    """One account as the provider process sees it: its key store (with its one listing) and,
    beside it, the checks of its stored secrets. A read asks the store, then the checks."""

    store: KeyStore
    checks: SecretChecker

    @classmethod
    def of(cls, settings: ClientSettings) -> AccountKeys:
        client = GenAIClient(settings=settings)
        checks = SecretChecker(client)
        return cls(KeyStore(client, secret_refused=checks.refused), checks)


class ProviderRuntime:
    """What a provider process needs to talk to DigitalOcean; never pickled."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        stacks = AccountKeys.of(settings)
        self.keys = stacks.store
        """The key store of the stack's account, with its one listing."""
        self._accounts: dict[ClientSettings, AccountKeys] = {settings: stacks}
        self._accounts_lock = threading.Lock()
        self.preflight = False
        """Whether checks ask DigitalOcean what `up` would meet: set when an engine configures
        the provider, so that a preview tells the truth."""

    def account(self, account: dict[str, Any] | None) -> AccountKeys:
        """The store and checks of a key's account: an explicit `Account` (one per account
        per process, each with its own listing; the same settings share one), else the
        stack's."""
        if not account:
            return self._accounts[self.settings]
        from ..api.config import settings_of

        settings = settings_of(account)
        with self._accounts_lock:
            found = self._accounts.get(settings)
            if found is None:
                found = self._accounts[settings] = AccountKeys.of(settings)
            return found

    def close(self) -> None:
        for each in self._accounts.values():
            each.store.close()


_runtime: ProviderRuntime | None = None
_runtime_lock = threading.Lock()


def configure_runtime(
    get_config: Callable[[str], Any] = lambda _key: None, keys: Iterable[str] = ()
) -> ProviderRuntime:
    """(Re)build the runtime from stack config (`get_config` reads one key; `keys` names every
    key set) and the environment, once per distinct config."""
    return use_settings(settings_from_stack_config(get_config, keys))


def use_settings(settings: ClientSettings) -> ProviderRuntime:
    """The runtime for these settings, made (or kept) as `configure_runtime` does: the
    plugin's provider configuration is its account's settings."""
    global _runtime
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
    forget_holds()  # the run's holds end with it
    if previous is not None:
        previous.close()


def current_runtime() -> ProviderRuntime | None:
    """The runtime if one was made, without making one."""
    with _runtime_lock:
        return _runtime


def runtime() -> ProviderRuntime:
    """The configured runtime, or one from the environment when `configure` never ran."""
    with _runtime_lock:
        current = _runtime
    return current if current is not None else configure_runtime()
