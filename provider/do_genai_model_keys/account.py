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
    from .config import ClientSettings


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

    def __repr__(self) -> str:
        return f"Account(api_endpoint={self.api_endpoint!r}, token=[secret])"

    def as_input(self) -> pulumi.Output[dict[str, Any]]:
        """The account as a resource input: one secret map, token included."""
        given = self._given()
        return pulumi.Output.secret(
            pulumi.Output.from_input(self.token).apply(lambda token: {**given, "token": token})
        )

    def settings(self) -> ClientSettings:
        """The client settings, for a data source called now: the token must be a string (for
        a token that is an Output, use the data source's `_output` form)."""
        if not isinstance(self.token, str):
            raise TypeError(
                "Account.token is an Output here: call the data source's _output form "
                "(get_models_output(account=...)), which waits for it"
            )
        return settings_of({**self._given(), "token": self.token})

    def _given(self) -> dict[str, Any]:
        """The settings this account sets, by the names of `ClientSettings`."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "token"}
        return {name: value for name, value in given.items() if value is not None}


def settings_of(account: dict[str, Any]) -> ClientSettings:
    """The settings of an account as the provider receives it (a map), checked; the
    environment plays no part."""
    from .config import resolve_settings

    return resolve_settings(explicit=account, environ={})
