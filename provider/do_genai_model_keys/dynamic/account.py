"""`Account`: one DigitalOcean account (team) a program manages keys in.

A platform team keeps keys in several teams (production, staging), each with its own token, as
pulumi-digitalocean does with explicit provider instances. Give `ModelAccessKey`,
`RotatingModelAccessKey` or a data source `account=` and it talks to that account; without it,
the stack config (`digitalocean:*`) is the account, as before.

An account's settings are its own: what it does not set takes the defaults, never the
environment meant for the stack's account. The token travels to the provider as a secret input,
so the state holds it encrypted; a new token updates the key in place and replaces nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:  # a program that declares keys does not load pydantic
    from ..api.config import ClientSettings


@dataclass(frozen=True)
class Account:
    """A DigitalOcean account: its token (a secret Input, or a plain string) and settings."""

    token: pulumi.Input[str]
    api_endpoint: str | None = None
    inference_endpoint: str | None = None
    http_retry_max: int | None = None
    http_retry_wait_min: float | None = None
    http_retry_wait_max: float | None = None
    requests_per_second: float | None = None
    verify_secrets: bool | None = None
    trusted_inference_endpoint: str | None = None
    secret_ready_wait: float | None = None

    def __repr__(self) -> str:
        return f"Account(api_endpoint={self.api_endpoint!r}, token=[secret])"

    def as_input(self) -> dict[str, Any]:
        """The account as a resource input: its settings in the open, so a plan names the one
        that changed (`account.api_endpoint`), and its token a secret inside it, however it was
        given (the engine keeps a secret input's secrecy in the state's outputs)."""
        return {**self._given(), "token": pulumi.Output.secret(self.token)}

    def settings(self) -> ClientSettings:
        """The client settings, for a data source called now: the token must be a string (for
        a token that is an Output, use the data source's `_output` form)."""
        if not isinstance(self.token, str):
            raise TypeError(
                "Account.token is an Output here: call the data source's _output form "
                "(get_models_output(account=...)), which waits for it"
            )
        from ..api.config import settings_of

        return settings_of({**self._given(), "token": self.token})

    def _given(self) -> dict[str, Any]:
        """The settings this account sets, by the names of `ClientSettings`."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "token"}
        return {name: value for name, value in given.items() if value is not None}
